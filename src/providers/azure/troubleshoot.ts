/**
 * The "Permission denied" checklist for Azure Key Vault, in the order a person would work through
 * it: the provider block, the vault's address (DNS, TLS, the sign-in challenge and its tenant),
 * the Entra ID sign-in, the vault firewall, List and Get permission, each referenced secret's
 * state, and finally one raw GET whose answer is shown with the value masked.
 *
 * Every Key Vault request goes through the provider's own client, credential and error parsing
 * (`buildAzure`, `toAzureError`), so a check fails exactly as a resolve would and names the same
 * fix. Only the unauthenticated probe, the raw GET of step 2 and (when MSAL's error says too
 * little) the tenant's OpenID document are plain HTTPS requests: they show what the service
 * itself answers, which the SDK hides. They use the provider's TLS trust and the SDK's proxy rules.
 */
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { ConnectionSecretsError, describeError } from '../../core/errors';
import type { ProviderContext } from '../../core/provider';
import { withTimeout } from '../../core/retry';
import { redactBody } from '../../core/troubleshoot/target';
import type { Check, CheckOutcome, TroubleshooterFactory, TroubleshootTarget } from '../../core/troubleshoot/types';
import { buildAzure, type AzureParts } from './build';
import { describeTokenClaims } from './credential';
import { SECRETS_USER_ROLE, toAzureError, type AzureErrorContext } from './errors';
import { vaultScope } from './options';
import { secretState, stateError } from './secretState';

/** Built-in role that lists secrets and reads their properties, never their values. */
export const KEY_VAULT_READER_ROLE = { name: 'Key Vault Reader', id: '21090545-7ca7-4776-b22c-e363652d74d2' };
/** Data actions of Microsoft's built-in roles: listing needs the first, reading a value the second. */
export const LIST_DATA_ACTION = 'Microsoft.KeyVault/vaults/secrets/readMetadata/action';
export const GET_DATA_ACTION = 'Microsoft.KeyVault/vaults/secrets/getSecret/action';
/** api-version of the hand-made requests (probe, raw GET) and of the `curl` commands, unless the block pins one. */
const RAW_API_VERSION = '7.5';
/** Error bodies are small; a larger answer is cut rather than buffered whole. */
const MAX_BODY_BYTES = 256 * 1024;
/** Failures that concern the vault or the sign-in: asking for the next secret would fail the same way. */
const VAULT_WIDE = new Set(['Unauthenticated', 'CredentialsExpired', 'InvalidConfig', 'Tls', 'Unreachable', 'Timeout', 'Cancelled', 'Throttled']);
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * The proxy the Azure SDK would use for `url`, by its proxy policy's rules: HTTPS_PROXY, then
 * ALL_PROXY, then HTTP_PROXY (each also in lower case); NO_PROXY lists exact hosts or ".suffix"es.
 * The hand-made requests follow them so they take the same way out as the SDK's.
 */
export function proxyFor(url: string, env: NodeJS.ProcessEnv): URL | undefined {
  const read = (name: string) => env[name] || env[name.toLowerCase()] || undefined;
  const proxy = read('HTTPS_PROXY') ?? read('ALL_PROXY') ?? read('HTTP_PROXY');
  if (!proxy) return undefined;
  const host = new URL(url).hostname;
  const bypassed = (read('NO_PROXY') ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .some((p) => (p.startsWith('.') ? host.endsWith(p) || host === p.slice(1) : host === p));
  if (bypassed) return undefined;
  try {
    return new URL(proxy);
  } catch {
    return undefined;
  }
}

interface RawOptions {
  ca?: string[];
  token?: string;
  proxy?: URL;
  signal: AbortSignal;
}

/** A TLS connection to `target` through an HTTP CONNECT tunnel, verified as a direct one would be. */
function tunnel(target: URL, proxy: URL, options: RawOptions): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const port = target.port || '443';
    const authority = `${target.hostname}:${port}`;
    const auth = proxy.username ? { 'proxy-authorization': `Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64')}` } : {};
    const req = (proxy.protocol === 'https:' ? https : http).request({
      host: proxy.hostname,
      port: proxy.port || (proxy.protocol === 'https:' ? 443 : 80),
      method: 'CONNECT',
      path: authority,
      headers: { host: authority, ...auth },
      signal: options.signal,
    });
    req.on('connect', (res, socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        reject(
          new ConnectionSecretsError('Unreachable', `The proxy ${proxy.host} refused to open a tunnel to ${authority} (HTTP ${res.statusCode ?? '?'}).`, {
            fix: `Check HTTPS_PROXY${res.statusCode === 407 ? ' (the proxy asks for credentials: http://user:password@host:port)' : ''}, or add ${target.hostname} to NO_PROXY if it is reached directly.`,
            detail: `proxy HTTP ${res.statusCode ?? '?'}`,
          }),
        );
        return;
      }
      const host = target.hostname.replace(/^\[|\]$/g, '');
      const secure = tls.connect({ socket, host, servername: net.isIP(host) ? undefined : host, ...(options.ca ? { ca: options.ca } : {}) });
      secure.once('secureConnect', () => resolve(secure));
      secure.once('error', (e) => {
        socket.destroy();
        reject(e);
      });
      secure.once('close', () => socket.destroy());
    });
    req.on('error', reject);
    req.end();
  });
}

/** One GET over HTTPS with the provider's TLS trust (and proxy); the caller bounds it with a timeout. */
async function rawGet(url: string, options: RawOptions): Promise<RawResponse> {
  const target = new URL(url);
  const socket = options.proxy ? await tunnel(target, options.proxy, options) : undefined;
  return new Promise((resolve, reject) => {
    const headers = { host: target.host, accept: 'application/json', 'user-agent': 'connection-secrets-doctor', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) };
    const onResponse = (res: http.IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= MAX_BODY_BYTES) chunks.push(c);
      });
      res.on('end', () => {
        // One request per tunnel: nothing else would ever close it.
        socket?.destroy();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', reject);
    };
    // Through a tunnel the TLS session already exists: HTTP is spoken over it as is.
    const req = socket
      ? http.request({ host: target.hostname, path: `${target.pathname}${target.search}`, method: 'GET', headers, createConnection: () => socket, signal: options.signal }, onResponse)
      : https.request(url, { method: 'GET', headers, ...(options.ca ? { ca: options.ca } : {}), signal: options.signal }, onResponse);
    req.on('error', (e) => {
      socket?.destroy();
      reject(e);
    });
    req.end();
  });
}

/** The shape `toAzureError` reads from an SDK `RestError`, for an answer to a hand-made request. */
function asRestError(r: RawResponse) {
  return {
    name: 'RestError',
    statusCode: r.status,
    message: `HTTP ${r.status}`,
    response: { status: r.status, bodyAsText: r.body, headers: { get: (n: string) => [r.headers[n.toLowerCase()]].flat()[0] } },
  };
}

/** Tenant and resource named by Key Vault's `WWW-Authenticate` challenge (old and new parameter names). */
export function parseChallenge(header: string | undefined): { tenant?: string; resource?: string } | undefined {
  if (!header || !/^Bearer\b/i.test(header)) return undefined;
  const param = (name: string) => new RegExp(`${name}="([^"]*)"`, 'i').exec(header)?.[1];
  const authority = param('authorization') ?? param('authorization_uri');
  const resource = param('resource') ?? param('scope')?.replace(/\/\.default$/, '');
  if (!authority && !resource) return undefined;
  let tenant: string | undefined;
  try {
    tenant = authority ? new URL(authority).pathname.split('/').filter(Boolean)[0] : undefined;
  } catch {
    tenant = undefined;
  }
  return { tenant, resource };
}

/** The body of a response for evidence: JSON with every `value` masked, or only its size. */
function bodyEvidence(body: string): string {
  try {
    return `response body: ${JSON.stringify(redactBody(JSON.parse(body) as unknown, ['value']))}`;
  } catch {
    return `response body: not JSON (${Buffer.byteLength(body)} bytes, not shown)`;
  }
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A failed step as an outcome: what was asked, what came back, and the error's own fix. */
function failed(asked: string, err: ConnectionSecretsError, fix = err.fix): CheckOutcome {
  return { status: 'fail', evidence: [`${asked} → ${err.detail ?? err.code}: ${err.message}`], fix };
}

function isoDate(d: Date | undefined): string | undefined {
  return d?.toISOString().replace(/\.\d+Z$/, 'Z');
}

/**
 * MSAL reports every failure to fetch the tenant's OpenID configuration as one
 * `endpoints_resolution_error`, whether the host is unreachable, its certificate untrusted, or
 * the tenant unknown. Asking for the document directly tells them apart: Entra ID answers an
 * unknown tenant with AADSTS90002, which `toAzureError` then explains.
 */
async function signInEndpointFailure(p: AzureParts, asked: string, err: ConnectionSecretsError, env: NodeJS.ProcessEnv, timeoutMs: number, signal: AbortSignal): Promise<CheckOutcome> {
  const authority = p.options.authorityHost ?? 'https://login.microsoftonline.com';
  const url = `${authority}/${p.options.tenantId}/v2.0/.well-known/openid-configuration`;
  const ctx: AzureErrorContext = { vaultUrl: p.options.vaultUrl, vaultName: p.options.vaultName, operation: 'signing in', tenantId: p.options.tenantId, clientId: p.options.clientId, authorityHost: authority };
  const outcome = failed(asked, err);
  try {
    const r = await withTimeout(`Reaching ${new URL(url).host}`, timeoutMs, (s) => rawGet(url, { ca: p.tlsOptions?.ca, proxy: proxyFor(url, env), signal: s }), signal);
    let description: string | undefined;
    try {
      description = (JSON.parse(r.body) as { error_description?: string }).error_description;
    } catch {
      description = undefined;
    }
    if (r.status >= 400 && description && /AADSTS\d+/.test(description)) {
      const aad = toAzureError({ message: description }, ctx);
      return { status: 'fail', evidence: [`${asked} → ${aad.detail ?? aad.code}: ${aad.message}`, `GET ${url} → HTTP ${r.status} ${aad.detail ?? ''}`.trim()], fix: aad.fix };
    }
    outcome.evidence!.push(`GET ${url} → HTTP ${r.status}`);
  } catch (e) {
    const code = (e as { code?: string }).code;
    outcome.evidence!.push(`GET ${url} → ${code ?? describeError(e).split(/\r?\n/)[0]}`);
  }
  return outcome;
}

/**
 * The Azure checklist for one provider block. Nothing is asked of Azure (and no prompt opens)
 * until a check runs; the client secret comes from the same place the provider takes it.
 */
export const troubleshoot: TroubleshooterFactory = (target: TroubleshootTarget, context: ProviderContext): Check[] => {
  const timeoutMs = context.timeoutMs ?? 10_000;
  const env = context.env ?? process.env;
  let built: AzureParts | undefined;
  // Built on first use and kept once valid, so every check (and a re-run of one) shares one
  // client, one credential and its token cache, exactly as one provider instance would.
  const parts = (): AzureParts => (built ??= buildAzure(target.provider, context));

  const errorContext = (p: AzureParts, operation: string, extra: Partial<AzureErrorContext> = {}): AzureErrorContext => ({
    vaultUrl: p.options.vaultUrl,
    vaultName: p.options.vaultName,
    operation,
    tenantId: p.options.tenantId,
    clientId: p.options.clientId,
    authorityHost: p.options.authorityHost,
    ...extra,
  });
  const typed = (p: AzureParts, e: unknown, operation: string, extra: Partial<AzureErrorContext> = {}) => toAzureError(e, errorContext(p, operation, extra));

  // Commands to reproduce by hand. Names and ids only: the client secret is `$AZURE_CLIENT_SECRET`.
  const p0 = (() => {
    try {
      return parts();
    } catch {
      return undefined;
    }
  })();
  const vault = p0?.options.vaultName ?? '<vault-name>';
  const vaultUrl = p0?.options.vaultUrl ?? 'https://<vault-name>.vault.azure.net';
  const apiVersion = p0?.options.serviceVersion ?? RAW_API_VERSION;
  const resource = p0 ? vaultScope(vaultUrl).replace(/\/\.default$/, '') : 'https://vault.azure.net';
  const cacert = p0?.options.caCertPath ? ` --cacert ${shellQuote(p0.options.caCertPath)}` : '';
  const tenantArg = p0?.options.tenantId ? ` --tenant ${p0.options.tenantId}` : '';
  // `--password=` keeps a secret that starts with "-" from being read as an option (Azure/azure-cli#12105).
  const login = p0?.options.clientId ? `az login --service-principal -u ${p0.options.clientId}${tenantArg} --password="$AZURE_CLIENT_SECRET" && ` : '';
  const tokenCmd = `az account get-access-token --resource ${resource}${login ? '' : tenantArg}`;
  const versionOf = (name: string) => p0?.options.versions.get(name.toLowerCase());
  const showCmd = (name: string, query: string) => `az keyvault secret show --vault-name ${vault} --name ${name}${versionOf(name) ? ` --version ${versionOf(name)}` : ''} --query ${query}`;
  const secretPath = (name: string) => `/secrets/${name}${versionOf(name) ? `/${versionOf(name)}` : ''}`;
  const rawUrl = (name: string) => `${vaultUrl}${secretPath(name)}?api-version=${apiVersion}`;
  const names = target.secrets.map((s) => s.secretId);
  const noSecrets = (): CheckOutcome => ({
    status: 'skipped',
    reason: target.connection ? `Connection "${target.connection}" references no secret of this vault` : 'No connection references a secret of this vault',
  });
  const usedBy = (id: string) => {
    const uses = target.secrets.find((s) => s.secretId === id)?.usedBy ?? [];
    return uses.length ? ` (used by ${uses.slice(0, 3).join(', ')}${uses.length > 3 ? ', …' : ''})` : '';
  };

  const config: Check = {
    id: 'azure.config',
    title: 'Provider block is valid',
    step: 1,
    reproduce: `az keyvault show --name ${vault} --query "{vaultUri:properties.vaultUri,tenantId:properties.tenantId,rbac:properties.enableRbacAuthorization}"`,
    async run() {
      const { options } = parts();
      const signIn = options.clientId
        ? `client secret of app ${options.clientId} in tenant ${options.tenantId} (SecretStorage, or AZURE_CLIENT_SECRET for the CLI)`
        : `default Azure credential chain${options.tenantId ? ` in tenant ${options.tenantId}` : ''} (environment, workload identity, managed identity, az login, azd, PowerShell)`;
      return {
        status: 'pass',
        evidence: [
          `${target.provider.file} → vaultUrl ${options.vaultUrl} (vault ${options.vaultName})`,
          `sign-in → ${signIn}`,
          ...(options.caCertPath ? [`caCert → ${options.caCertPath} trusted in addition to the public roots`] : []),
          ...(options.versions.size ? [`versions → ${options.versions.size} secret(s) pinned`] : []),
          `referenced secrets → ${names.length ? names.map((n) => `${n}${usedBy(n)}`).join('; ') : 'none'}`,
        ],
      };
    },
  };

  const reachable: Check = {
    id: 'azure.vault',
    title: 'Vault reachable over HTTPS',
    step: 1,
    needs: ['azure.config'],
    reproduce: `curl -sS -o /dev/null -D -${cacert} "${vaultUrl}/secrets?api-version=${apiVersion}"`,
    async run({ signal }) {
      const p = parts();
      const url = `${p.options.vaultUrl}/secrets?api-version=${apiVersion}&maxresults=1`;
      const proxy = proxyFor(url, env);
      const asked = `GET ${url} without a token${proxy ? ` through the proxy ${proxy.host}` : ''}`;
      let r: RawResponse;
      try {
        r = await withTimeout(`Reaching ${new URL(url).host}`, timeoutMs, (s) => rawGet(url, { ca: p.tlsOptions?.ca, proxy, signal: s }), signal);
      } catch (e) {
        const err = typed(p, e, 'reaching the vault');
        // Through a proxy, a refused or dropped connection is the proxy's; say which way the request went.
        const viaProxy = proxy && err.code === 'Unreachable' && !/^proxy HTTP/.test(err.detail ?? '');
        return failed(asked, err, viaProxy ? `${err.fix ?? ''} The request went through the proxy ${proxy.host} (HTTPS_PROXY): check that it is running and allows ${new URL(url).host}, or add that host to NO_PROXY.`.trim() : err.fix);
      }
      const challenge = r.status === 401 ? parseChallenge([r.headers['www-authenticate']].flat()[0]) : undefined;
      if (challenge) {
        const trust = p.options.caCertPath ? 'certificate trusted through caCert' : 'certificate trusted';
        const asks = `401 with a sign-in challenge (tenant ${challenge.tenant ?? '?'}, resource ${challenge.resource ?? '?'}); ${trust}`;
        const configured = p.options.tenantId;
        if (configured && challenge.tenant && GUID.test(configured) && GUID.test(challenge.tenant) && configured.toLowerCase() !== challenge.tenant.toLowerCase()) {
          return {
            status: 'fail',
            evidence: [`${asked} → ${asks}`, `tenantId in the provider block → ${configured}`],
            fix: `Set tenantId: ${challenge.tenant} in the provider block (and use an identity of that tenant), or check that vaultUrl names the right vault: ${p.options.vaultName} belongs to tenant ${challenge.tenant}.`,
          };
        }
        if (challenge.resource && !p.options.disableChallengeResourceVerification) {
          const domain = new URL(challenge.resource).hostname;
          const host = new URL(p.options.vaultUrl).hostname;
          if (host !== domain && !host.endsWith(`.${domain}`)) {
            // The SDK refuses to send a token here; its error (parsed as any other) names the fix.
            const err = typed(p, new Error(`The challenge resource '${domain}' does not match the requested domain.`), 'reaching the vault');
            return { status: 'fail', evidence: [`${asked} → ${asks}`, `${host} is not under ${domain} → the Azure SDK will not send it a token`], fix: err.fix };
          }
        }
        return { status: 'pass', evidence: [`${asked} → ${asks}`] };
      }
      if (r.status >= 400) return { ...failed(asked, typed(p, asRestError(r), 'reaching the vault')), evidence: [`${asked} → HTTP ${r.status} without a sign-in challenge`, bodyEvidence(r.body)] };
      return {
        status: 'warn',
        evidence: [`${asked} → HTTP ${r.status} without asking for a token`],
        fix: `Check vaultUrl: Key Vault answers a request without a token with 401 and a sign-in challenge; ${new URL(p.options.vaultUrl).host} did not, so it is probably not the vault (a proxy or a different service).`,
      };
    },
  };

  const token: Check = {
    id: 'azure.token',
    title: 'Signed in to Microsoft Entra ID',
    step: 1,
    needs: ['azure.config'],
    reproduce: `${login}${tokenCmd} --query expiresOn -o tsv`,
    async run({ signal }) {
      const p = parts();
      const scope = vaultScope(p.options.vaultUrl);
      const authority = p.options.authorityHost ?? 'https://login.microsoftonline.com';
      const asked = p.options.clientId
        ? `POST ${authority}/${p.options.tenantId}/oauth2/v2.0/token (client credentials of app ${p.options.clientId}, scope ${scope})`
        : `default Azure credential chain${p.options.tenantId ? ` (tenant ${p.options.tenantId})` : ''}, scope ${scope}`;
      try {
        const t = await withTimeout('Signing in to Microsoft Entra ID', timeoutMs, (s) => p.signIn.credential.getToken(scope, { abortSignal: s }), signal);
        if (!t) {
          return { status: 'fail', evidence: [`${asked} → no token`], fix: p.options.clientId ? 'Check clientId and tenantId against the app registration\'s Overview page.' : 'Run "az login", or set clientId and tenantId to sign in with a client secret.' };
        }
        const who = describeTokenClaims(t.token) ?? p.signIn.label;
        return { status: 'pass', evidence: [`${asked} → access token for ${who}, valid until ${isoDate(new Date(t.expiresOnTimestamp))}`] };
      } catch (e) {
        const tried = (e as { errors?: unknown[] }).errors;
        // The chain throws an aggregate only when no source could be used at all; its text would
        // otherwise be read for the first inner error (e.g. a managed-identity network_error).
        const err = Array.isArray(tried)
          ? typed(p, { name: 'CredentialUnavailableError', message: 'DefaultAzureCredential: no source could sign in' }, 'signing in')
          : typed(p, e, 'signing in');
        // As the provider does: a secret Entra ID refused is forgotten, so the next run asks again.
        if (err.code === 'CredentialsExpired' || err.detail === 'AADSTS7000215') await p.signIn.forgetSecret();
        if (err.detail === 'sign-in endpoint' && p.options.clientId) return signInEndpointFailure(p, asked, err, env, timeoutMs, signal);
        const outcome = failed(asked, err);
        // Which sources the chain tried and why each was unavailable; none of that is secret.
        if (Array.isArray(tried)) {
          for (const inner of tried) outcome.evidence!.push(`tried: ${describeError(inner).split(/\r?\n/)[0]}`);
        }
        return outcome;
      }
    },
  };

  const firewall: Check = {
    id: 'azure.firewall',
    title: 'Vault firewall admits this machine',
    step: 1,
    needs: ['azure.vault', 'azure.token'],
    reproduce: `az keyvault show --name ${vault} --query "{publicNetworkAccess:properties.publicNetworkAccess,networkAcls:properties.networkAcls}"`,
    async run({ signal }) {
      const p = parts();
      const asked = 'GET /secrets?maxresults=1 with a token';
      try {
        await p.provider.list({ pageSize: 1, signal });
        return { status: 'pass', evidence: [`${asked} → 200: the request passed the vault's network rules`] };
      } catch (e) {
        const err = typed(p, e, 'listing secrets');
        const detail = err.detail ?? '';
        if (/ForbiddenByFirewall|ForbiddenByConnection/.test(detail) || /Client address is not authorized|public network access disabled/i.test(err.message)) {
          const address = /address ([0-9a-fA-F.:]+) \(Client address/.exec(err.message)?.[1];
          const portal = /ForbiddenByConnection/.test(detail)
            ? `In the Azure portal: key vault ${p.options.vaultName} → Networking → "Public access" is disabled; connect through its private endpoint, or allow selected networks there.`
            : `In the Azure portal: key vault ${p.options.vaultName} → Networking → Firewalls and virtual networks, add ${address ? `${address}/32 (this machine's address as Key Vault sees it)` : 'this machine\'s public IP'} to the allowed IP ranges.`;
          return { ...failed(asked, err), fix: `${portal} ${err.fix ?? ''}`.trim() };
        }
        // Any other answer from the vault (a denial, throttling) came from behind the firewall.
        if (err.code === 'AccessDenied' || err.code === 'NotFound' || err.code === 'Throttled') {
          return { status: 'pass', evidence: [`${asked} → ${detail || err.code}: past the vault's network rules (permissions are checked next)`] };
        }
        return failed(asked, err);
      }
    },
  };

  const list: Check = {
    id: 'azure.list',
    title: 'Secrets can be listed',
    step: 1,
    needs: ['azure.firewall'],
    reproduce: `az keyvault secret list --vault-name ${vault} --maxresults 1 --query "[].name"`,
    async run({ signal }) {
      const p = parts();
      const asked = 'GET /secrets?maxresults=1';
      try {
        const page = await p.provider.list({ pageSize: 1, signal });
        return { status: 'pass', evidence: [`${asked} → 200: ${page.items.length} secret(s) on the first page${page.nextToken ? ', more pages follow' : ''}`] };
      } catch (e) {
        const err = typed(p, e, 'listing secrets');
        if (err.code !== 'AccessDenied') return failed(asked, err);
        // Resolving a reference reads one secret and never lists, so a vault that denies only
        // listing still serves its connections; the sidebar cannot browse it.
        const rbac = /ForbiddenByRbac/.test(err.detail ?? '');
        const fix = rbac
          ? `Assign the "${SECRETS_USER_ROLE.name}" role (${SECRETS_USER_ROLE.id}): listing needs its data action ${LIST_DATA_ACTION} (the "${KEY_VAULT_READER_ROLE.name}" role, ${KEY_VAULT_READER_ROLE.id}, also has it but cannot read values). ${err.fix ?? ''}`
          : `Add List to the secret permissions of the vault's access policy for this identity. ${err.fix ?? ''}`;
        return {
          status: 'warn',
          evidence: [`${asked} → ${err.detail ?? err.code}: ${err.message}`, 'resolving references needs Get only; the Providers view needs List to browse the vault'],
          fix: fix.trim(),
        };
      }
    },
  };

  const get: Check = {
    id: 'azure.get',
    title: 'Get allowed on each referenced secret',
    step: 1,
    needs: ['azure.firewall'],
    reproduce: names.length ? showCmd(names[0], 'id') : undefined,
    async run({ signal }) {
      if (!names.length) return noSecrets();
      const p = parts();
      const evidence: string[] = [];
      const fixes: string[] = [];
      let firstFailed: string | undefined;
      for (const name of names) {
        const asked = `GET ${secretPath(name)}${usedBy(name)}`;
        try {
          const props = await p.provider.getProperties(name, signal);
          evidence.push(`${asked} → 200 (value not shown), version ${props.version ?? '?'}`);
        } catch (e) {
          const err = typed(p, e, `reading secret "${name}"`, { secretName: name, version: versionOf(name) });
          if (err.code === 'Disabled') {
            // Key Vault checks permission before it refuses a disabled secret: Get is allowed.
            evidence.push(`${asked} → ${err.detail ?? err.code}: Get is allowed; the secret is disabled (next check)`);
            continue;
          }
          firstFailed ??= name;
          evidence.push(`${asked} → ${err.detail ?? err.code}: ${err.message}`);
          const rbac = /ForbiddenByRbac/.test(err.detail ?? '');
          const fix = rbac ? `${err.fix ?? ''} Reading a value needs the data action ${GET_DATA_ACTION}, which "${KEY_VAULT_READER_ROLE.name}" does not have.` : (err.fix ?? '');
          if (fix && !fixes.includes(fix.trim())) fixes.push(fix.trim());
          if (VAULT_WIDE.has(err.code)) {
            const rest = names.slice(names.indexOf(name) + 1);
            if (rest.length) evidence.push(`not asked for ${rest.join(', ')}: the same failure concerns the whole vault`);
            break;
          }
        }
      }
      if (!firstFailed) return { status: 'pass', evidence };
      return { status: 'fail', evidence, fix: fixes.join(' '), reproduce: showCmd(firstFailed, 'id') };
    },
  };

  const state: Check = {
    id: 'azure.secretState',
    title: 'Each referenced secret enabled and within its dates',
    step: 1,
    needs: ['azure.get'],
    reproduce: names.length ? showCmd(names[0], 'attributes') : undefined,
    async run({ signal }) {
      if (!names.length) return noSecrets();
      const p = parts();
      const evidence: string[] = [];
      const fixes: string[] = [];
      let firstFailed: string | undefined;
      const now = new Date();
      for (const name of names) {
        const asked = `${secretPath(name)} attributes`;
        const version = versionOf(name);
        let problem: ConnectionSecretsError | undefined;
        try {
          const props = await p.provider.getProperties(name, signal);
          const dates = [props.notBefore ? `not before ${isoDate(props.notBefore)}` : undefined, props.expiresOn ? `expires ${isoDate(props.expiresOn)}` : undefined].filter(Boolean).join(', ');
          problem = stateError(name, p.options.vaultName, props, now, version);
          evidence.push(`${asked} → enabled ${String(props.enabled ?? true)}${dates ? `, ${dates}` : ''}: ${secretState(props, now)}`);
        } catch (e) {
          problem = typed(p, e, `reading secret "${name}"`, { secretName: name, version });
          evidence.push(`${asked} → ${problem.detail ?? problem.code}: ${problem.message}`);
        }
        if (problem) {
          firstFailed ??= name;
          if (problem.fix && !fixes.includes(problem.fix)) fixes.push(problem.fix);
        }
      }
      if (!firstFailed) return { status: 'pass', evidence };
      return { status: 'fail', evidence, fix: fixes.join(' '), reproduce: showCmd(firstFailed, 'attributes') };
    },
  };

  const raw: Check = {
    id: 'azure.rawCall',
    title: 'Raw GET of a referenced secret',
    step: 2,
    needs: ['azure.vault', 'azure.token'],
    // The sed masks the value on the way to the terminal, as the check does in its evidence.
    reproduce: names.length
      ? `${login}TOKEN=$(${tokenCmd} --query accessToken -o tsv) && curl -sS${cacert} -w '\\nHTTP %{http_code}\\n' -H "Authorization: Bearer $TOKEN" "${rawUrl(names[0])}" | sed -E 's/"value":"([^"\\\\]|\\\\.)*"/"value":"(hidden)"/'`
      : undefined,
    async run({ signal }) {
      if (!names.length) return noSecrets();
      const p = parts();
      const name = names[0];
      const url = rawUrl(name);
      const proxy = proxyFor(url, env);
      const asked = `GET ${url} with a bearer token${proxy ? ` through the proxy ${proxy.host}` : ''}`;
      try {
        const t = await withTimeout('Signing in to Microsoft Entra ID', timeoutMs, (s) => p.signIn.credential.getToken(vaultScope(p.options.vaultUrl), { abortSignal: s }), signal);
        if (!t) return { status: 'fail', evidence: [`token for ${vaultScope(p.options.vaultUrl)} → none`], fix: 'Fix the sign-in first (see "Signed in to Microsoft Entra ID").' };
        const r = await withTimeout(`GET ${secretPath(name)} at ${new URL(url).host}`, timeoutMs, (s) => rawGet(url, { ca: p.tlsOptions?.ca, token: t.token, proxy, signal: s }), signal);
        const evidence = [`${asked} → HTTP ${r.status}`, bodyEvidence(r.body)];
        if (r.status === 200) return { status: 'pass', evidence };
        const err = typed(p, asRestError(r), `reading secret "${name}"`, { secretName: name, version: versionOf(name) });
        return { status: 'fail', evidence: [...evidence, `meaning → ${err.message}`], fix: err.fix };
      } catch (e) {
        return failed(asked, typed(p, e, `reading secret "${name}"`, { secretName: name }));
      }
    },
  };

  return [config, reachable, token, firewall, list, get, state, raw];
};
