/**
 * A STAND-IN for Azure Key Vault (secrets data plane) and for the Microsoft Entra ID token
 * endpoint, served over HTTPS on loopback.
 *
 * Why a stand-in and not lowkey-vault: the lowkey-vault application jar
 * (com.github.nagyesta.lowkey-vault:lowkey-vault-app, every version) is not served by the Maven
 * Central this machine and CI reach (HTTP 404 for metadata, pom and jar; only the client library
 * is served), and the other Key Vault emulators are not reachable either (Go module proxy: 403,
 * npm: 404). Nothing real can emulate Key Vault here, so this implements the documented REST
 * contract the Azure SDK speaks — api-version, the 401 challenge with `WWW-Authenticate`,
 * `nextLink` paging capped at 25 items with occasional empty pages, secret bundles and versions,
 * the 403 on disabled secrets, case-insensitive names — and answers the failure cases with the
 * RECORDED Microsoft error bodies in test/fixtures/azure/recordedErrors.ts. The provider under
 * test runs the real @azure/keyvault-secrets and @azure/identity (ClientSecretCredential, MSAL)
 * against it.
 *
 * It also counts requests, which the benchmark and the tests use.
 */
import crypto from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import {
  aadExpiredSecret,
  aadInvalidSecret,
  aadUnknownApp,
  aadUnknownTenant,
  kvInvalidIssuer,
  kvMissingToken,
  kvSecretDisabled,
  kvSecretNotFound,
  type RecordedResponse,
} from '../fixtures/azure/recordedErrors';
import type { TlsFixture } from './tlsFixture';

export interface RecordedRequest {
  method: string;
  path: string;
  authorized: boolean;
}

interface Fault {
  /** Matches `METHOD /path` (path without query). */
  match: (method: string, path: string, appId: string | undefined) => boolean;
  response: RecordedResponse | 'hang' | 'reset';
  /** How many more requests it answers; Infinity by default. */
  remaining: number;
}

function send(res: import('node:http').ServerResponse, r: RecordedResponse) {
  res.writeHead(r.status, { 'content-type': 'application/json; charset=utf-8', ...r.headers });
  res.end(r.body);
}

async function readBody(req: import('node:http').IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function b64url(s: string) {
  return Buffer.from(s).toString('base64url');
}

/** An unsigned JWT-shaped token: clients treat access tokens as opaque; the stand-in reads its claims. */
function mintToken(claims: Record<string, unknown>): string {
  return `${b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${b64url(JSON.stringify(claims))}.stand-in`;
}

function readToken(auth: string | undefined): Record<string, unknown> | undefined {
  const m = /^Bearer (\S+)$/.exec(auth ?? '');
  if (!m) return undefined;
  try {
    return JSON.parse(Buffer.from(m[1].split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

async function listen(server: https.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function close(server: https.Server) {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

// ---------------------------------------------------------------- Entra ID token endpoint

export interface AppRegistration {
  tenantId: string;
  clientId: string;
  objectId: string;
  secret: string;
  /** The client secret's end date; past = AADSTS7000222. */
  secretExpiresAt?: Date;
}

/** The token endpoint of a tenant: client-credentials grant only. */
export class EntraStandIn {
  readonly apps: AppRegistration[] = [];
  tokenRequests = 0;
  private constructor(
    private readonly server: https.Server,
    readonly authorityHost: string,
  ) {}

  static async start(tls: TlsFixture): Promise<EntraStandIn> {
    const holder: { self?: EntraStandIn } = {};
    const server = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
      void holder.self!.handle(req, res).catch((e) => {
        res.writeHead(500);
        res.end(String(e));
      });
    });
    const port = await listen(server);
    holder.self = new EntraStandIn(server, `https://127.0.0.1:${port}`);
    return holder.self;
  }

  register(app: AppRegistration) {
    this.apps.push(app);
  }

  private async handle(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) {
    const url = new URL(req.url ?? '/', this.authorityHost);
    const [, tenant, ...rest] = url.pathname.split('/');
    const tail = rest.join('/');
    const knownTenant = this.apps.some((a) => a.tenantId === tenant);
    if (req.method === 'GET' && tail === 'v2.0/.well-known/openid-configuration') {
      if (!knownTenant) return send(res, aadUnknownTenant(tenant));
      const base = `${this.authorityHost}/${tenant}`;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          token_endpoint: `${base}/oauth2/v2.0/token`,
          authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
          end_session_endpoint: `${base}/oauth2/v2.0/logout`,
          device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
          issuer: `${base}/v2.0`,
          jwks_uri: `${base}/discovery/v2.0/keys`,
          response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
          token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
          tenant_region_scope: 'EU',
          cloud_instance_name: 'microsoftonline.com',
        }),
      );
      return;
    }
    if (req.method === 'POST' && tail === 'oauth2/v2.0/token') {
      this.tokenRequests++;
      const form = new URLSearchParams(await readBody(req));
      if (!knownTenant) return send(res, aadUnknownTenant(tenant));
      const app = this.apps.find((a) => a.tenantId === tenant && a.clientId === form.get('client_id'));
      if (!app) return send(res, aadUnknownApp(form.get('client_id') ?? '', tenant));
      if (form.get('client_secret') !== app.secret) return send(res, aadInvalidSecret(app.clientId));
      if (app.secretExpiresAt && app.secretExpiresAt.getTime() < Date.now()) return send(res, aadExpiredSecret(app.clientId));
      const scope = form.get('scope') ?? '';
      const now = Math.floor(Date.now() / 1000);
      const token = mintToken({
        aud: scope.replace(/\/\.default$/, ''),
        iss: `https://sts.windows.net/${tenant}/`,
        tid: tenant,
        appid: app.clientId,
        oid: app.objectId,
        idtyp: 'app',
        iat: now,
        nbf: now,
        exp: now + 3600,
      });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: token }));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'not_found' }));
  }

  stop() {
    return close(this.server);
  }
}

// ---------------------------------------------------------------- Key Vault data plane

interface Version {
  id: string;
  value: string;
  enabled: boolean;
  nbf?: number;
  exp?: number;
  created: number;
  updated: number;
  contentType?: string;
  tags?: Record<string, string>;
}

interface Secret {
  name: string;
  versions: Version[];
}

export interface SecretAttributes {
  enabled?: boolean;
  notBefore?: Date;
  expiresOn?: Date;
  contentType?: string;
  tags?: Record<string, string>;
}

const epoch = (d: Date | undefined) => (d ? Math.floor(d.getTime() / 1000) : undefined);
const MAX_PAGE = 25;

export class KeyVaultStandIn {
  readonly requests: RecordedRequest[] = [];
  private readonly secrets = new Map<string, Secret>();
  private readonly faults: Fault[] = [];
  /** Serve an empty page (with a nextLink) after every N-th page, as Key Vault sometimes does. */
  emptyPageEvery = 0;
  private clock = 0;

  private constructor(
    private readonly server: https.Server,
    readonly url: string,
    readonly tenantId: string,
  ) {}

  static async start(tls: TlsFixture, tenantId: string): Promise<KeyVaultStandIn> {
    const holder: { self?: KeyVaultStandIn } = {};
    const server = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
      void holder.self!.handle(req, res).catch((e) => {
        res.writeHead(500);
        res.end(String(e));
      });
    });
    const port = await listen(server);
    holder.self = new KeyVaultStandIn(server, `https://127.0.0.1:${port}`, tenantId);
    return holder.self;
  }

  /** Adds a new version of a secret (creating it) and returns the version id. */
  setSecret(name: string, value: string, attrs: SecretAttributes = {}): string {
    const key = name.toLowerCase();
    const secret = this.secrets.get(key) ?? { name, versions: [] };
    this.secrets.set(key, secret);
    // Strictly increasing timestamps, so "newest version" is well defined even within a second.
    const now = Math.max(Math.floor(Date.now() / 1000), this.clock + 1);
    this.clock = now;
    const v: Version = {
      id: crypto.randomBytes(16).toString('hex'),
      value,
      enabled: attrs.enabled ?? true,
      nbf: epoch(attrs.notBefore),
      exp: epoch(attrs.expiresOn),
      created: now,
      updated: now,
      contentType: attrs.contentType,
      tags: attrs.tags,
    };
    secret.versions.push(v);
    return v.id;
  }

  updateVersion(name: string, version: string, attrs: SecretAttributes) {
    const v = this.secrets.get(name.toLowerCase())?.versions.find((x) => x.id === version);
    if (!v) throw new Error(`no version ${version} of ${name}`);
    if (attrs.enabled !== undefined) v.enabled = attrs.enabled;
    if (attrs.notBefore) v.nbf = epoch(attrs.notBefore);
    if (attrs.expiresOn) v.exp = epoch(attrs.expiresOn);
    v.updated = Math.floor(Date.now() / 1000);
  }

  /**
   * Answers matching requests with a recorded response (or hangs / resets the connection) before
   * any other processing; `times` limits how many requests it answers.
   */
  inject(match: Fault['match'], response: Fault['response'], times = Infinity) {
    this.faults.push({ match, response, remaining: times });
  }

  clearFaults() {
    this.faults.length = 0;
  }

  /** Requests since the last reset, optionally only authorized ones (not the challenge probes). */
  count(filter: (r: RecordedRequest) => boolean = () => true): number {
    return this.requests.filter(filter).length;
  }

  resetCounts() {
    this.requests.length = 0;
  }

  private async handle(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) {
    const url = new URL(req.url ?? '/', this.url);
    const method = req.method ?? 'GET';
    const path = url.pathname.replace(/\/+$/, '');
    const body = await readBody(req);
    const claims = readToken(req.headers.authorization);
    this.requests.push({ method, path, authorized: claims !== undefined });

    const fault = this.faults.find((f) => f.remaining > 0 && f.match(method, path, claims?.appid as string | undefined));
    if (fault) {
      fault.remaining--;
      if (fault.response === 'hang') return; // never answers; the client must time out
      if (fault.response === 'reset') return req.socket.destroy();
      return send(res, fault.response);
    }
    if (!url.searchParams.get('api-version')) {
      return send(res, { status: 400, body: JSON.stringify({ error: { code: 'BadParameter', message: 'The request URI contains an invalid version: (none).' } }) });
    }
    if (!claims) return send(res, kvMissingToken(this.tenantId));
    if (claims.tid !== this.tenantId) return send(res, kvInvalidIssuer(this.tenantId, String(claims.tid)));

    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    if (parts[0] !== 'secrets') return send(res, { status: 404, body: JSON.stringify({ error: { code: 'NotFound', message: 'Not found' } }) });
    if (method === 'GET' && parts.length === 1) return this.list(url, res, [...this.secrets.values()].sort((a, b) => a.name.localeCompare(b.name)).map((s) => ({ s, v: s.versions.at(-1)! })), '/secrets');
    const secret = this.secrets.get((parts[1] ?? '').toLowerCase());
    if (method === 'PUT' && parts.length === 2) {
      const input = JSON.parse(body) as { value: string; contentType?: string; attributes?: { enabled?: boolean; nbf?: number; exp?: number } };
      const id = this.setSecret(parts[1], input.value, {
        enabled: input.attributes?.enabled,
        notBefore: input.attributes?.nbf ? new Date(input.attributes.nbf * 1000) : undefined,
        expiresOn: input.attributes?.exp ? new Date(input.attributes.exp * 1000) : undefined,
        contentType: input.contentType,
      });
      const s = this.secrets.get(parts[1].toLowerCase())!;
      return this.ok(res, this.bundle(s, s.versions.find((v) => v.id === id)!, true));
    }
    if (!secret) return send(res, kvSecretNotFound(parts[1] ?? '', parts[2] === 'versions' ? undefined : parts[2]));
    if (method === 'GET' && parts[2] === 'versions' && parts.length === 3) {
      return this.list(url, res, secret.versions.map((v) => ({ s: secret, v })), `/secrets/${secret.name}/versions`, true);
    }
    if (method === 'GET' && parts.length <= 3) {
      const v = parts[2] ? secret.versions.find((x) => x.id === parts[2]) : secret.versions.at(-1);
      if (!v) return send(res, kvSecretNotFound(secret.name, parts[2]));
      // Key Vault refuses disabled secrets but, unlike keys, serves expired and not-yet-active ones.
      if (!v.enabled) return send(res, kvSecretDisabled());
      return this.ok(res, this.bundle(secret, v, true));
    }
    return send(res, { status: 405, body: JSON.stringify({ error: { code: 'MethodNotAllowed', message: `${method} not supported by the stand-in` } }) });
  }

  private list(url: URL, res: import('node:http').ServerResponse, all: { s: Secret; v: Version }[], path: string, withVersion = false) {
    const max = Math.min(Number(url.searchParams.get('maxresults') ?? MAX_PAGE) || MAX_PAGE, MAX_PAGE);
    const token = url.searchParams.get('$skiptoken');
    const state = token ? (JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { start: number; page: number }) : { start: 0, page: 0 };
    const empty = this.emptyPageEvery > 0 && state.page > 0 && state.page % this.emptyPageEvery === 0 && !(state as { served?: boolean }).served;
    const items = empty ? [] : all.slice(state.start, state.start + max);
    const next = empty ? { ...state, served: true } : { start: state.start + items.length, page: state.page + 1 };
    const more = empty || next.start < all.length;
    const port = new URL(this.url).port;
    const nextLink = more
      ? `https://127.0.0.1:${port}${path}?api-version=${url.searchParams.get('api-version')}&$skiptoken=${Buffer.from(JSON.stringify(next)).toString('base64')}&maxresults=${max}`
      : null;
    this.ok(res, { value: items.map(({ s, v }) => this.bundle(s, v, false, withVersion)), nextLink });
  }

  private bundle(s: Secret, v: Version, withValue: boolean, withVersion = withValue) {
    return {
      ...(withValue ? { value: v.value } : {}),
      id: `${this.url}/secrets/${s.name}${withVersion ? `/${v.id}` : ''}`,
      attributes: {
        enabled: v.enabled,
        ...(v.nbf !== undefined ? { nbf: v.nbf } : {}),
        ...(v.exp !== undefined ? { exp: v.exp } : {}),
        created: v.created,
        updated: v.updated,
        recoveryLevel: 'Recoverable+Purgeable',
        recoverableDays: 90,
      },
      ...(v.contentType ? { contentType: v.contentType } : {}),
      ...(v.tags ? { tags: v.tags } : {}),
    };
  }

  private ok(res: import('node:http').ServerResponse, body: unknown) {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  }

  stop() {
    return close(this.server);
  }
}
