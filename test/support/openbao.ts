/**
 * OpenBao's dev server (Vault API compatible) for the vault provider's integration tests and
 * bench: started on a free loopback port, configured through its HTTP API with the root token,
 * stopped by the caller. Installed by scripts/ci/install.d/30-openbao.sh.
 */
// Loosely typed API answers keep the fixture code short; this is test support, not product code.
/* eslint-disable @typescript-eslint/no-explicit-any */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Context } from 'mocha';
import { freePort, httpAnswers, missingPeer, startServer, type Server } from './peer';

export const OPENBAO_INSTALL = 'bash scripts/ci/install.d/30-openbao.sh';
export const ROOT_TOKEN = 'root';

export interface OpenBao {
  /** `http://127.0.0.1:<port>` (or https with `tls`). */
  address: string;
  /** With `tls`: the generated CA PEM path. */
  caFile?: string;
  server: Server;
  /** Calls the API as root. Throws on non-2xx with the status and Vault's errors. */
  api(method: string, apiPath: string, body?: unknown, options?: { namespace?: string; token?: string }): Promise<any>;
  /** Same, returning the status instead of throwing. */
  raw(method: string, apiPath: string, body?: unknown, options?: { namespace?: string; token?: string }): Promise<{ status: number; body: any }>;
  /** Stops the process (SIGSTOP): the port still accepts connections but nothing answers. */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

/** True when `bao` is on PATH. */
export function haveOpenBao(): boolean {
  return spawnSync('bao', ['version'], { stdio: 'ignore' }).status === 0;
}

/** Skips (or, under CI, fails) when OpenBao is not installed. */
export function requireOpenBao(ctx: Context): void {
  if (!haveOpenBao()) missingPeer(ctx, 'OpenBao (bao)', OPENBAO_INSTALL);
}

export async function startOpenBao(options: { tls?: boolean } = {}): Promise<OpenBao> {
  const port = await freePort();
  // A private HOME: the dev server must not write ~/.vault-token into the real one.
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'openbao-home-'));
  const certDir = path.join(home, 'tls');
  const args = ['server', '-dev', `-dev-root-token-id=${ROOT_TOKEN}`, `-dev-listen-address=127.0.0.1:${port}`, '-dev-no-store-token'];
  if (options.tls) {
    fs.mkdirSync(certDir);
    args.push('-dev-tls', `-dev-tls-cert-dir=${certDir}`);
  }
  const address = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const caFile = options.tls ? path.join(certDir, 'vault-ca.pem') : undefined;
  const dispatcherCa = () => (caFile && fs.existsSync(caFile) ? fs.readFileSync(caFile, 'utf8') : undefined);

  const raw: OpenBao['raw'] = async (method, apiPath, body, opts = {}) => {
    const headers: Record<string, string> = { 'X-Vault-Token': opts.token ?? ROOT_TOKEN };
    if (opts.namespace) headers['X-Vault-Namespace'] = opts.namespace;
    const init = { method, headers, body: body === undefined ? undefined : JSON.stringify(body) };
    const res = await request(`${address}/v1/${apiPath}`, init, dispatcherCa());
    return res;
  };
  const api: OpenBao['api'] = async (method, apiPath, body, opts) => {
    const res = await raw(method, apiPath, body, opts);
    if (res.status >= 300) throw new Error(`OpenBao ${method} ${apiPath} → ${res.status} ${JSON.stringify(res.body?.errors ?? res.body)}`);
    return res.body;
  };

  const server = await startServer('bao', args, {
    env: { HOME: home, BAO_ADDR: address },
    ready: async () => {
      if (!options.tls) return (await httpAnswers(`${address}/v1/sys/health`)) && (await raw('GET', 'sys/health')).status === 200;
      if (!dispatcherCa()) return false;
      return (await raw('GET', 'sys/health').catch(() => ({ status: 0 }))).status === 200;
    },
  });
  const pid = server.child.pid!;
  return {
    address,
    caFile,
    server,
    api,
    raw,
    pause: () => process.kill(pid, 'SIGSTOP'),
    resume: () => process.kill(pid, 'SIGCONT'),
    async stop() {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        /* already gone */
      }
      await server.stop();
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

/** HTTP(S) request with an optional extra CA, without touching global TLS settings. */
async function request(url: string, init: { method: string; headers: Record<string, string>; body?: string }, ca?: string): Promise<{ status: number; body: any }> {
  const { request: httpRequest } = url.startsWith('https:') ? await import('node:https') : await import('node:http');
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: init.method, headers: { ...init.headers, ...(init.body ? { 'Content-Type': 'application/json' } : {}) }, ...(ca ? { ca } : {}), timeout: 10_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => {
        let body: any = text;
        try {
          body = text ? JSON.parse(text) : null;
        } catch {
          /* non-JSON answer */
        }
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    if (init.body) req.write(init.body);
    req.end();
  });
}

/** HCL for one policy path. */
export function policyPath(p: string, capabilities: string[]): string {
  return `path "${p}" {\n  capabilities = [${capabilities.map((c) => `"${c}"`).join(', ')}]\n}\n`;
}

export interface AppRoleFixture {
  roleName: string;
  roleId: string;
  /** Issues a fresh secret_id. */
  newSecretId(): Promise<string>;
}

/** Creates a policy and an AppRole role bound to it; returns the role id and a secret-id factory. */
export async function createAppRole(
  bao: OpenBao,
  roleName: string,
  policy: string,
  options: { mount?: string; namespace?: string; tokenTtl?: string; tokenMaxTtl?: string } = {},
): Promise<AppRoleFixture> {
  const mount = options.mount ?? 'approle';
  const ns = { namespace: options.namespace };
  await bao.api('PUT', `sys/policies/acl/${roleName}`, { policy }, ns);
  await bao.api(
    'POST',
    `auth/${mount}/role/${roleName}`,
    { token_policies: [roleName], token_ttl: options.tokenTtl ?? '1h', token_max_ttl: options.tokenMaxTtl ?? '4h', secret_id_ttl: '1h' },
    ns,
  );
  const roleId = (await bao.api('GET', `auth/${mount}/role/${roleName}/role-id`, undefined, ns)).data.role_id as string;
  return {
    roleName,
    roleId,
    newSecretId: async () => (await bao.api('POST', `auth/${mount}/role/${roleName}/secret-id`, {}, ns)).data.secret_id as string,
  };
}

/** Mounts a KV engine (`version` 1 or 2) at `engine`. */
export async function mountKv(bao: OpenBao, engine: string, version: 1 | 2, namespace?: string): Promise<void> {
  await bao.api('POST', `sys/mounts/${engine}`, { type: 'kv', options: { version: String(version) } }, { namespace });
}

/** Writes a secret (`data` map) to KV v1 or v2. */
export async function writeKv(bao: OpenBao, engine: string, version: 1 | 2, secretPath: string, data: Record<string, string>, namespace?: string): Promise<void> {
  if (version === 2) await kvReady(() => bao.api('POST', `${engine}/data/${secretPath}`, { data }, { namespace }));
  else await bao.api('POST', `${engine}/${secretPath}`, data, { namespace });
}

/**
 * A freshly mounted KV v2 engine upgrades its storage in the background and answers 400
 * "Upgrading from non-versioned to versioned data" until it is done (usually a few ms, longer on
 * a loaded machine): retried here for up to 10 s instead of failing the set-up at random.
 */
async function kvReady<T>(call: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      return await call();
    } catch (e) {
      if (!/Upgrading from non-versioned to versioned data/.test(String(e)) || Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
