/**
 * The host harness: the real VS Code that the `vscode` (in-host) and `ui` (Playwright) tiers and
 * the demo run. It packages the extension as a .vsix, installs it, starts VS Code (the server
 * code-server bundles, or code-server itself) on loopback, drives Debian's Chromium through
 * playwright-core, and stops all of it again: every server runs in its own process group that is
 * killed on stop, on exit and on SIGINT/SIGTERM (test/support/peer.ts), Chromium is closed by
 * playwright on exit, and temporary folders are removed by `cleanup()`.
 *
 * VS Code comes from scripts/ci/install.d/80-vscode.sh (code-server 4.100.3 = VS Code 1.100.3):
 * `@vscode/test-electron` cannot download VS Code on this machine.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { freePort, httpAnswers, startServer, type Server } from '../support/peer';

export const repoRoot = path.resolve(__dirname, '..', '..');
export const codeServerDir = path.join(repoRoot, '.tools', 'code-server', 'node_modules', 'code-server');
/** code-server's own entry (the `code-server` command). */
export const codeServerEntry = path.join(codeServerDir, 'out', 'node', 'entry.js');
/** The plain VS Code server (REH + web workbench) that code-server bundles. */
export const serverMain = path.join(codeServerDir, 'lib', 'vscode', 'out', 'server-main.js');
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const installCommand = 'bash scripts/ci/install.d/80-vscode.sh';
export const extensionId = 'connection-secrets.connection-secrets';
export const demoDir = path.join(repoRoot, 'examples', 'demo');

/** Flags that keep Chromium quiet and offline in a container (no sandbox: we run as root). */
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * User settings for every VS Code the harness starts: no update checks, recommendations,
 * telemetry or welcome page (none of them can reach the network here, and they steal focus).
 */
export const quietSettings: Record<string, unknown> = {
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'telemetry.telemetryLevel': 'off',
  'workbench.enableExperiments': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'security.workspace.trust.startupPrompt': 'never',
  'git.openRepositoryInParentFolders': 'never',
  'chat.commandCenter.enabled': false,
  'window.commandCenter': false,
};

/** What is not installed; empty when the harness can run. */
export function missingTools(): string[] {
  const missing: string[] = [];
  if (!fs.existsSync(serverMain) || !fs.existsSync(codeServerEntry)) missing.push('code-server 4.100.3 (.tools/code-server)');
  if (!fs.existsSync(chromiumPath)) missing.push(`Chromium (${chromiumPath})`);
  return missing;
}

const temporary: string[] = [];
// Also on Ctrl-C: test/support/peer.ts stops the servers and exits, which runs this.
process.on('exit', () => cleanup());

/** A fresh temporary folder, removed by `cleanup()`. */
export function tempDir(label: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cs-${label}-`));
  temporary.push(dir);
  return dir;
}

/** Removes the temporary folders made by `tempDir`. */
export function cleanup(): void {
  for (const dir of temporary.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

function run(command: string, args: string[], what: string, env?: NodeJS.ProcessEnv): string {
  const result = spawnSync(command, args, { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.status !== 0) throw new Error(`${what} failed (exit ${result.status ?? result.signal}):\n${output}`);
  return output;
}

/**
 * `npm run package`: a production build and `vsce package` into dist/connection-secrets.vsix,
 * exactly what a user installs. Returns the file and the packaged paths (for the allow-list check).
 */
export function packageVsix(): { vsix: string; files: string[] } {
  const vsix = path.join(repoRoot, 'dist', 'connection-secrets.vsix');
  fs.rmSync(vsix, { force: true });
  run('npm', ['run', '--silent', 'package'], 'npm run package');
  if (!fs.existsSync(vsix)) throw new Error(`npm run package did not write ${vsix}`);
  const files = run('npx', ['--no-install', 'vsce', 'ls', '--no-dependencies'], 'vsce ls')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return { vsix, files };
}

/**
 * Installs the .vsix with VS Code's own installer (`code-server --install-extension`) into
 * `extensionsDir` and returns the folder it was unpacked to.
 */
export function installVsix(vsix: string, extensionsDir: string): string {
  run(process.execPath, [codeServerEntry, '--extensions-dir', extensionsDir, '--install-extension', vsix], 'installing the .vsix');
  const folder = fs.readdirSync(extensionsDir).find((d) => d.startsWith(`${extensionId}-`));
  if (!folder) throw new Error(`the .vsix installed nothing named ${extensionId}-* in ${extensionsDir}`);
  return path.join(extensionsDir, folder);
}

/**
 * A copy of examples/demo in a temporary folder with its secrets file prepared the way the demo
 * does it (secrets.json from secrets.example.json), so tests may change files freely.
 */
export function prepareWorkspace(): string {
  const dir = path.join(tempDir('workspace'), 'demo');
  fs.cpSync(demoDir, dir, { recursive: true, filter: (src) => path.basename(src) !== 'secrets.json' });
  fs.copyFileSync(path.join(demoDir, 'secrets.example.json'), path.join(dir, 'secrets.json'));
  return dir;
}

export function writeSettings(userDir: string, settings: Record<string, unknown>): void {
  fs.mkdirSync(userDir, { recursive: true });
  fs.writeFileSync(path.join(userDir, 'settings.json'), JSON.stringify({ ...quietSettings, ...settings }, null, 2));
}

export interface RunningVsCode {
  server: Server;
  port: number;
  url: string;
}

async function waitForHttp(server: Server, url: string, what: string) {
  // startServer already waited for the port; this also covers a workbench page that 5xx-es.
  for (let i = 0; i < 100; i++) {
    const res = await fetch(url, { signal: AbortSignal.timeout(5_000) }).catch(() => undefined);
    if (res?.ok) return;
    if (server.child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not serve ${url}:\n${server.output()}`);
}

/**
 * The VS Code server (remote extension host + web workbench) without a connection token, for the
 * in-host tier. User settings go to `<serverDataDir>/data/User/settings.json`.
 */
export async function startVsCodeServer(options: {
  serverDataDir: string;
  extensionsDir: string;
  env?: NodeJS.ProcessEnv;
}): Promise<RunningVsCode> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = await startServer(
    process.execPath,
    [
      serverMain,
      '--host', '127.0.0.1',
      '--port', String(port),
      '--without-connection-token',
      '--accept-server-license-terms',
      '--extensions-dir', options.extensionsDir,
      '--server-data-dir', options.serverDataDir,
    ],
    { env: options.env, ready: () => httpAnswers(url), timeoutMs: 120_000 },
  );
  await waitForHttp(server, url, 'the VS Code server');
  return { server, port, url };
}

/**
 * code-server itself (what a person runs), without authentication, on `folder`. User settings go
 * to `<userDataDir>/User/settings.json`.
 */
export async function startCodeServer(options: {
  userDataDir: string;
  extensionsDir: string;
  folder: string;
  port?: number;
  env?: NodeJS.ProcessEnv;
}): Promise<RunningVsCode> {
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const server = await startServer(
    process.execPath,
    [
      codeServerEntry,
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--extensions-dir', options.extensionsDir,
      '--user-data-dir', options.userDataDir,
      '--disable-telemetry',
      '--disable-update-check',
      options.folder,
    ],
    { env: options.env, ready: () => httpAnswers(`${url}/healthz`), timeoutMs: 120_000 },
  );
  await waitForHttp(server, `${url}/healthz`, 'code-server');
  return { server, port, url };
}

/** Debian's Chromium through playwright-core (never a downloaded browser). */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
}
