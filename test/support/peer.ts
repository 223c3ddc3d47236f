/**
 * Starting and stopping the real servers the integration tests talk to (moto, OpenBao,
 * lowkey-vault, PostgreSQL …). Each server runs in its own process group on a free loopback port
 * and is killed when the test file is done, and on exit if a test forgets.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import type { Context } from 'mocha';

const running = new Set<ChildProcess>();
function killAll() {
  for (const child of running) killGroup(child, 'SIGTERM', true);
}
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    killAll();
    process.exit(130);
  });
}

/** Signals the child's process group; with `evenIfExited`, also when the leader is already gone. */
function killGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', evenIfExited = false) {
  if (child.pid === undefined) return;
  if (!evenIfExited && (child.exitCode !== null || child.signalCode !== null)) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    /* already gone */
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A peer that is not installed: under CI that is a failure (the CI script must install it);
 * on a developer machine the tests that need it are skipped with the command that installs it.
 */
export function missingPeer(ctx: Context, what: string, install: string): never {
  const message = `${what} is not installed (${install})`;
  if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(`${message}; CI must install it`);
  console.warn(`  skipping: ${message}`);
  ctx.skip();
}

export interface Server {
  child: ChildProcess;
  /** Collected stdout+stderr, for error messages when start-up fails. */
  output(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Resolves once the server answers; polled until `timeoutMs`. */
  ready: () => Promise<boolean>;
  timeoutMs?: number;
}

export async function startServer(command: string, args: string[], options: StartOptions): Promise<Server> {
  const child = spawn(command, args, {
    env: { ...process.env, ...options.env },
    cwd: options.cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let out = '';
  const collect = (b: Buffer) => {
    out = (out + b.toString()).slice(-20_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const server: Server = {
    child,
    output: () => out,
    async stop() {
      killGroup(child);
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
      // The leader is gone; a member that outlived it (a forked backend or session that ignored
      // SIGTERM) must not outlive the test. Right after the exit, the group id cannot be reused yet.
      killGroup(child, 'SIGKILL', true);
      running.delete(child);
    },
  };
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${command} exited with ${child.exitCode} during start-up:\n${out}`);
    if (await options.ready().catch(() => false)) return server;
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`${command} did not become ready in time:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** True when an HTTP GET to `url` answers at all (any status). */
export async function httpAnswers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(1_000) });
    return true;
  } catch {
    return false;
  }
}
