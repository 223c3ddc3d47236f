/**
 * The seed's "Permission denied" checklist for Vault and OpenBao, as checks (issue 7).
 *
 * Step 1 walks the chain a read depends on, in the order a person would: the server answers and
 * is unsealed, the namespace exists, the login works, which policies the token carries and what
 * they say, whether the engine's mount (and so its KV version) can be read, whether each reference
 * has the path form of that version, and what `sys/capabilities-self` says the token may do on
 * every path a reference needs. Step 2 reads one referenced secret raw and shows the answer with
 * every value masked.
 *
 * The checks talk to Vault through the provider's own HTTP layer (`VaultHttp`: timeouts, retries,
 * TLS with `caCert`, namespace header) and its login (`TokenManager`), and word failures with its
 * typed errors, so the doctor and the provider never disagree about what a 403 means. Tokens and
 * secret_ids stay in memory: evidence shows what was asked and the non-secret part of the answer,
 * and reproduction commands take the credentials from `$VAULT_TOKEN` / `$VAULT_SECRET_ID`.
 */
import { ConnectionSecretsError } from '../../core/errors';
import type { ProviderContext } from '../../core/provider';
import { redactBody } from '../../core/troubleshoot/target';
import type { Check, CheckOutcome, TroubleshootTarget, TroubleshooterFactory } from '../../core/troubleshoot/types';
import { TokenManager } from './auth';
import { VaultHttp } from './client';
import { isVaultBody, responseError, vaultErrors, type VaultAnswer, type VaultCallContext } from './errors';
import { kvListPath, kvMetadataPath, kvReadPath, kvVersionOfMount, parseSecretId, stripKvV2DataPrefix, type KvVersion } from './kv';
import { parseVaultOptions, readCaCert, type VaultOptions } from './options';

/** A referenced secret as the checks need it: where it lives and which keys are read. */
interface SecretAt {
  id: string;
  engine: string;
  path: string;
  keys: string[];
}

/** What the checks learn about an engine; later checks build on it. */
interface EngineFacts {
  version?: KvVersion;
  /** Where the version came from, for evidence. */
  source: 'sys/mounts' | 'sys/internal/ui/mounts' | 'unknown';
}

/** One capability a reference needs on one exact path. */
export interface NeededCapability {
  path: string;
  capability: 'read' | 'list';
  /** Required for resolving; otherwise only refresh or the tree is affected (a warning). */
  required: boolean;
  /** Why it is needed, for evidence. */
  why: string;
  /** With an unknown KV version: the other path form; either one having it is enough. */
  orPath?: string;
}

/**
 * The capabilities a reference to `<engine>:<path>` needs: `read` on the value's path and `list`
 * on its folder (the tree); on KV v2 also `read` on its metadata (refresh compares versions).
 * With an unknown KV version both path forms are named and either satisfies.
 */
export function neededCapabilities(engine: string, secretPath: string, version: KvVersion | undefined): NeededCapability[] {
  const slash = secretPath.lastIndexOf('/');
  const folder = slash < 0 ? '' : secretPath.slice(0, slash + 1);
  if (version === 1) {
    return [
      { path: kvReadPath(engine, 1, secretPath), capability: 'read', required: true, why: 'read the value' },
      { path: kvListPath(engine, 1, folder), capability: 'list', required: true, why: 'list the folder' },
    ];
  }
  const v2: NeededCapability[] = [
    { path: kvReadPath(engine, 2, secretPath), capability: 'read', required: true, why: 'read the value' },
    { path: kvListPath(engine, 2, folder), capability: 'list', required: true, why: 'list the folder' },
    { path: kvMetadataPath(engine, secretPath), capability: 'read', required: false, why: 'read the version (for refresh)' },
  ];
  if (version === 2) return v2;
  v2[0].orPath = kvReadPath(engine, 1, secretPath);
  v2[1].orPath = kvListPath(engine, 1, folder);
  return v2.slice(0, 2);
}

/** True when a capability list (from `sys/capabilities-self`) grants `capability`. */
export function grants(capabilities: readonly string[] | undefined, capability: string): boolean {
  if (!capabilities) return false;
  if (capabilities.includes('deny')) return false;
  return capabilities.includes('root') || capabilities.includes(capability);
}

/** The `path "…" { capabilities = [...] }` stanzas of an HCL policy (enough to show which paths it covers). */
export function policyStanzas(hcl: string): { path: string; capabilities: string[] }[] {
  const out: { path: string; capabilities: string[] }[] = [];
  const stanza = /path\s+"([^"]+)"\s*\{([^}]*)\}/g;
  for (let m = stanza.exec(hcl); m; m = stanza.exec(hcl)) {
    const caps = /capabilities\s*=\s*\[([^\]]*)\]/.exec(m[2]);
    out.push({ path: m[1], capabilities: caps ? [...caps[1].matchAll(/"([^"]+)"/g)].map((c) => c[1]) : [] });
  }
  return out;
}

/** Whether a policy path pattern (`+` one segment, a trailing `*` any suffix) covers an API path. */
export function policyCovers(pattern: string, apiPath: string): boolean {
  const glob = pattern.endsWith('*');
  const body = (glob ? pattern.slice(0, -1) : pattern)
    .split('+')
    .map((s) => s.replace(/[.*?^${}()|[\]\\]/g, '\\$&'))
    .join('[^/]+');
  return new RegExp(`^${body}${glob ? '.*' : ''}$`).test(apiPath);
}

/** Quotes a word for a POSIX shell when it needs it. */
export function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * A read's answer for evidence: every value masked, the structure (and on KV v2 the version
 * metadata) kept, so a person sees which keys exist and which version was read.
 */
export function redactReadBody(body: unknown, version: KvVersion | undefined): unknown {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return redactBody(body, ['data']);
  const data = (body as { data?: unknown }).data;
  const v2Shape = data && typeof data === 'object' && 'metadata' in data && 'data' in data;
  if (version !== 1 && v2Shape) return { ...(redactBody({ ...body, data: undefined }, ['data', 'auth']) as object), data: redactBody(data, ['data']) };
  return redactBody(body, ['data', 'auth']);
}

/** The checklist; `troubleshoot` below is what the provider registry calls. */
class VaultChecklist {
  private http?: VaultHttp;
  /** Without the namespace header: `sys/health` is served only in the root namespace. */
  private rootHttp?: VaultHttp;
  private tokens?: TokenManager;
  private token?: string;
  /** The token's policies (lookup-self), then the role's configured ones when they can be read. */
  private policies: string[] = [];
  private readonly engines = new Map<string, EngineFacts>();
  private readonly secrets: SecretAt[];
  private readonly invalid: string[] = [];

  constructor(
    private readonly options: VaultOptions,
    private readonly target: TroubleshootTarget,
    private readonly context: ProviderContext,
  ) {
    this.secrets = [];
    for (const s of target.secrets) {
      try {
        const { engine, path } = parseSecretId(s.secretId);
        this.secrets.push({ id: s.secretId, engine, path, keys: s.keys });
      } catch (e) {
        this.invalid.push(`${s.secretId}: ${e instanceof ConnectionSecretsError ? e.message : 'not a Vault secret id'}`);
      }
    }
  }

  checks(): Check[] {
    const o = this.options;
    const approle = o.auth.method === 'approle' ? o.auth : undefined;
    const login: string[] = ['vault.health', ...(o.namespace ? ['vault.namespace'] : [])];
    const first = this.secrets[0];
    const engines = [...new Set(this.secrets.map((s) => s.engine))];
    const list: Check[] = [
      {
        id: 'vault.health',
        title: 'Vault is reachable and unsealed',
        step: 1,
        reproduce: this.curl('sys/health', { namespace: false, token: false }),
        run: ({ signal }) => this.health(signal),
      },
    ];
    if (o.namespace) {
      list.push({
        id: 'vault.namespace',
        title: `Namespace "${o.namespace}" exists`,
        step: 1,
        needs: ['vault.health'],
        reproduce: this.curl('sys/internal/ui/mounts', { token: false }),
        run: ({ signal }) => this.namespace(signal),
      });
    }
    list.push(
      {
        id: 'vault.login',
        title: approle ? `AppRole login as role "${approle.roleName}"` : 'Vault token accepted',
        step: 1,
        needs: login,
        reproduce: approle
          ? `${this.vaultEnv()} vault write -field=token auth/${approle.mount}/login role_id=${shellWord(approle.roleId)} secret_id="$VAULT_SECRET_ID"`
          : `${this.vaultEnv()} vault token lookup`,
        run: ({ signal }) => this.login(signal),
      },
      {
        id: 'vault.rolePolicies',
        title: approle ? `Token policies of AppRole role "${approle.roleName}"` : 'Policies of the token',
        step: 1,
        needs: ['vault.login'],
        reproduce: approle ? `${this.vaultEnv()} vault read auth/${approle.mount}/role/${shellWord(approle.roleName)}` : `${this.vaultEnv()} vault token lookup`,
        run: ({ signal }) => this.rolePolicies(signal),
      },
      {
        id: 'vault.policyText',
        title: 'Policy text of each token policy',
        step: 1,
        needs: ['vault.rolePolicies'],
        run: ({ signal }) => this.policyText(signal),
      },
      {
        id: 'vault.mount',
        title: 'Engine mounts readable (KV version)',
        step: 1,
        needs: ['vault.login'],
        reproduce: engines.length ? `${this.vaultEnv()} vault read sys/mounts/${shellWord(engines[0])}` : undefined,
        run: ({ signal }) => this.mounts(signal),
      },
      {
        id: 'vault.enginePath',
        title: "References use the engine's KV path form",
        step: 1,
        needs: ['vault.mount'],
        reproduce: `${this.vaultEnv()} vault secrets list -detailed`,
        run: ({ signal }) => this.enginePaths(signal),
      },
      {
        id: 'vault.capabilities',
        title: 'Token may read and list each referenced secret',
        step: 1,
        needs: ['vault.login', 'vault.enginePath'],
        // Both KV path forms until the mount check has told the version; the outcome names the exact ones.
        reproduce: this.capabilitiesReproduce(),
        run: ({ signal }) => this.capabilities(signal),
      },
      {
        id: 'vault.rawCall',
        title: first ? `Raw read of ${first.id}` : 'Raw read of a referenced secret',
        step: 2,
        needs: ['vault.login', 'vault.enginePath'],
        run: ({ signal }) => this.rawCall(signal),
      },
    );
    return list;
  }

  // ------------------------------------------------------------------ clients and commands

  private clients(): { http: VaultHttp; rootHttp: VaultHttp } {
    if (!this.http || !this.rootHttp) {
      const o = this.options;
      // readCaCert throws a typed error naming `caCert`: the first check reports it.
      const common = { address: o.address, caPem: readCaCert(o), caCertSetting: o.caCert?.setting, timeoutMs: this.context.timeoutMs ?? 10_000, log: this.context.log };
      this.http = new VaultHttp({ ...common, namespace: o.namespace });
      this.rootHttp = o.namespace ? new VaultHttp(common) : this.http;
    }
    return { http: this.http, rootHttp: this.rootHttp };
  }

  private get principal(): string {
    return this.tokens?.principal ?? (this.options.auth.method === 'approle' ? `AppRole role "${this.options.auth.roleName}"` : 'the Vault token');
  }

  /** `VAULT_ADDR=… [VAULT_NAMESPACE=…] [VAULT_CACERT=…]`: the environment the `vault` CLI reads. */
  private vaultEnv(): string {
    const o = this.options;
    return [`VAULT_ADDR=${shellWord(o.address)}`, o.namespace ? `VAULT_NAMESPACE=${shellWord(o.namespace)}` : '', o.caCert ? `VAULT_CACERT=${shellWord(o.caCert.file)}` : '']
      .filter(Boolean)
      .join(' ');
  }

  private curl(apiPath: string, opts: { namespace?: boolean; token?: boolean; post?: unknown; pipe?: string } = {}): string {
    const o = this.options;
    const parts = ['curl -sS'];
    if (o.caCert) parts.push(`--cacert ${shellWord(o.caCert.file)}`);
    if (opts.token !== false) parts.push('-H "X-Vault-Token: $VAULT_TOKEN"');
    if (o.namespace && opts.namespace !== false) parts.push(`-H ${shellWord(`X-Vault-Namespace: ${o.namespace}`)}`);
    if (opts.post !== undefined) parts.push(`-X POST --data ${shellWord(JSON.stringify(opts.post))}`);
    parts.push(shellWord(`${o.address}/v1/${apiPath}`));
    return parts.join(' ') + (opts.pipe ? ` | ${opts.pipe}` : '');
  }

  private ctx(method: string, apiPath: string, capability: string): VaultCallContext {
    return { address: this.options.address, namespace: this.options.namespace, method, path: apiPath, capability, principal: this.principal };
  }

  /** A call with the token the login check obtained (logging in first when a check runs on its own). */
  private async call(method: 'GET' | 'POST' | 'LIST', apiPath: string, signal: AbortSignal, body?: unknown): Promise<VaultAnswer> {
    const token = await this.ensureToken(signal);
    return this.clients().http.send({ method, path: apiPath, token, signal, body });
  }

  private noSecrets(): CheckOutcome | undefined {
    if (this.secrets.length > 0) return undefined;
    const which = this.target.connection ? `Connection "${this.target.connection}" references` : 'No connection references';
    return { status: 'skipped', reason: `${which} no Vault secret${this.invalid.length ? ` (not Vault secret ids: ${this.invalid.join('; ')})` : ''}`, evidence: [] };
  }

  // ------------------------------------------------------------------ step 1

  private async health(signal: AbortSignal): Promise<CheckOutcome> {
    const { rootHttp } = this.clients();
    const asked = `GET ${this.options.address}/v1/sys/health`;
    let answer: VaultAnswer;
    try {
      // node-vault resolves every sys/health answer (503 sealed, 429 standby …) as a success, so
      // the client's retries apply only to connection resets — a stale pooled socket, not a finding.
      answer = await rootHttp.send({ method: 'GET', path: 'sys/health', signal });
    } catch (e) {
      if (!(e instanceof ConnectionSecretsError)) throw e;
      return { status: 'fail', evidence: [`${asked} → ${e.message}`], fix: e.fix };
    }
    const b = (answer.body ?? {}) as { initialized?: unknown; sealed?: unknown; standby?: unknown; version?: unknown; cluster_name?: unknown; performance_standby?: unknown; replication_dr_mode?: unknown };
    if (!isVaultBody(answer.body) || typeof b.sealed !== 'boolean') {
      const err = responseError(answer, this.ctx('GET', 'sys/health', 'read'));
      const fix = answer.status < 400 ? `Check that \`address\` (${this.options.address}) points at the Vault server itself (scheme, host and port), not at a web page or proxy.` : err.fix;
      return { status: 'fail', evidence: [`${asked} → HTTP ${answer.status}, not Vault's health answer${answer.status >= 400 ? `: ${err.message}` : ''}`], fix };
    }
    // node-vault hands sys/health answers back whatever their status (503 sealed, 429 standby …),
    // so the state is read from the body, which says it in words.
    const server = [typeof b.version === 'string' ? `version ${b.version}` : '', typeof b.cluster_name === 'string' ? `cluster ${b.cluster_name}` : ''].filter(Boolean).join(', ');
    const role = b.replication_dr_mode === 'secondary' ? 'DR secondary' : b.standby ? (b.performance_standby ? 'performance standby' : 'standby') : 'active';
    const state = b.initialized === false ? 'not initialized' : b.sealed ? 'initialized, sealed' : `initialized, unsealed, ${role}`;
    const evidence = [`${asked} → ${state}${server ? ` (${server})` : ''}`];
    if (b.sealed === true) {
      return { status: 'fail', evidence, fix: `Vault at ${this.options.address} is sealed and answers nothing until it is unsealed: ask a Vault operator to run \`vault operator unseal\` (once per key share, until the threshold is reached), then run the checks again.` };
    }
    if (b.initialized === false) {
      return { status: 'fail', evidence, fix: `Vault at ${this.options.address} has never been initialized: an operator must run \`vault operator init\` and unseal it.` };
    }
    if (role === 'DR secondary') {
      return { status: 'fail', evidence, fix: 'This node belongs to a disaster-recovery secondary cluster, which serves no secrets: point `address` at the primary cluster.' };
    }
    if (role === 'standby') {
      return { status: 'warn', evidence, fix: 'This node is a standby: it forwards requests only while it can reach the active node. Point `address` at the cluster\'s load balancer or active node.' };
    }
    return { status: 'pass', evidence };
  }

  private async namespace(signal: AbortSignal): Promise<CheckOutcome> {
    const ns = this.options.namespace ?? '';
    const { http } = this.clients();
    const asked = `GET /v1/sys/internal/ui/mounts (X-Vault-Namespace: ${ns})`;
    // An endpoint every client may call, answered inside the namespace: tells an unknown
    // namespace apart before a login makes it look like a refused credential.
    const answer = await http.send({ method: 'GET', path: 'sys/internal/ui/mounts', signal });
    const said = vaultErrors(answer.body).join('; ');
    if (answer.status === 200) return { status: 'pass', evidence: [`${asked} → 200: the namespace exists`] };
    const evidence = [`${asked} → ${answer.status}${said ? ` ${said}` : ''}`];
    if (answer.status === 404 || /namespace/i.test(said)) {
      return {
        status: 'fail',
        evidence,
        fix: `Namespace "${ns}" does not exist on ${this.options.address}: set \`namespace\` to the full path of an existing namespace (\`vault namespace list\` in its parent lists them), or remove it when the engines live in the root namespace.`,
      };
    }
    return { status: 'warn', evidence, fix: `Could not confirm that namespace "${ns}" exists; check it with \`vault namespace lookup ${shellWord(ns)}\` from its parent namespace.` };
  }

  /**
   * Logs in and looks the token up. The login check reports it; any later check re-run on its
   * own (the panel re-runs one check, possibly on a fresh checklist) calls it silently.
   */
  private async establish(signal: AbortSignal): Promise<{ token: string; lookup: VaultAnswer }> {
    const { http } = this.clients();
    const o = this.options;
    this.token = undefined;
    this.tokens = new TokenManager(http, { auth: o.auth, credentials: this.context.credentials, env: this.context.env ?? process.env, log: this.context.log });
    const token = await this.tokens.token(signal);
    const lookup = await http.send({ method: 'GET', path: 'auth/token/lookup-self', token, signal });
    const policies = lookup.status === 200 ? ((lookup.body as { data?: { policies?: unknown } }).data ?? {}).policies : undefined;
    this.policies = Array.isArray(policies) ? policies.map(String) : [];
    this.token = token;
    return { token, lookup };
  }

  private async ensureToken(signal: AbortSignal): Promise<string> {
    return this.token ?? (await this.establish(signal)).token;
  }

  private async login(signal: AbortSignal): Promise<CheckOutcome> {
    const o = this.options;
    const asked =
      o.auth.method === 'approle'
        ? `POST /v1/auth/${o.auth.mount}/login (role_id from auth.roleId, secret_id from the credential store or VAULT_SECRET_ID)`
        : 'GET /v1/auth/token/lookup-self (token from VAULT_TOKEN, ~/.vault-token or the credential store)';
    let answer: VaultAnswer;
    try {
      answer = (await this.establish(signal)).lookup;
    } catch (e) {
      if (!(e instanceof ConnectionSecretsError)) throw e;
      return { status: 'fail', evidence: [`${asked} → ${e.message}`], fix: e.fix };
    }
    const evidence = [`${asked} → ${o.auth.method === 'approle' ? '200: a token was issued' : `200: accepted (${this.principal})`}`];
    if (answer.status !== 200) {
      evidence.push(`GET /v1/auth/token/lookup-self → ${answer.status}${vaultErrors(answer.body).length ? ` ${vaultErrors(answer.body).join('; ')}` : ''}`);
      return {
        status: 'warn',
        evidence,
        fix: `The token cannot look itself up: attach the "default" policy to ${this.principal} (it grants auth/token/lookup-self, which the provider uses to tell an expired token from a denied path).`,
      };
    }
    // `data.id` is the token and `accessor` can act on it: only descriptive fields are shown.
    const d = ((answer.body as { data?: Record<string, unknown> }).data ?? {}) as {
      ttl?: unknown;
      renewable?: unknown;
      display_name?: unknown;
      namespace_path?: unknown;
      meta?: { role_name?: unknown } | null;
    };
    const facts = [
      typeof d.meta?.role_name === 'string' ? `role "${d.meta.role_name}"` : typeof d.display_name === 'string' ? `display name "${d.display_name}"` : '',
      `policies [${this.policies.join(', ')}]`,
      Number(d.ttl) > 0 ? `ttl ${Number(d.ttl)} s${d.renewable === true ? ', renewable' : ''}` : 'no expiry',
      typeof d.namespace_path === 'string' && d.namespace_path ? `namespace ${d.namespace_path}` : '',
    ].filter(Boolean);
    evidence.push(`GET /v1/auth/token/lookup-self → ${facts.join('; ')}`);
    return { status: 'pass', evidence };
  }

  private async rolePolicies(signal: AbortSignal): Promise<CheckOutcome> {
    await this.ensureToken(signal);
    const auth = this.options.auth;
    const tokenLine = `GET /v1/auth/token/lookup-self → policies [${this.policies.join(', ')}]`;
    if (auth.method !== 'approle') {
      return this.onlyDefault() ? this.defaultOnly([tokenLine]) : { status: 'pass', evidence: [tokenLine] };
    }
    const rolePath = `auth/${auth.mount}/role/${auth.roleName}`;
    const answer = await this.call('GET', rolePath, signal);
    const asked = `GET /v1/${rolePath}`;
    if (answer.status === 200) {
      const d = ((answer.body as { data?: Record<string, unknown> }).data ?? {}) as { token_policies?: unknown; policies?: unknown };
      const configured = (Array.isArray(d.token_policies) && d.token_policies.length ? d.token_policies : Array.isArray(d.policies) ? d.policies : []).map(String);
      const evidence = [`${asked} → token_policies [${configured.join(', ')}]`, tokenLine];
      if (configured.length === 0 || this.onlyDefault()) return this.defaultOnly(evidence);
      return { status: 'pass', evidence };
    }
    const said = vaultErrors(answer.body).join('; ');
    const evidence = [`${asked} → ${answer.status}${said ? ` ${said}` : ''}`, `${tokenLine} (used instead)`];
    if (answer.status === 403) {
      return {
        status: 'warn',
        evidence,
        fix: `The role's configuration cannot be read with this token, so the token's own policies were used. To see it here, add capabilities ["read"] on "${rolePath}" to a policy of AppRole role "${auth.roleName}", or ask an operator for \`vault read ${rolePath}\`.`,
      };
    }
    if (answer.status === 404) {
      return {
        status: 'warn',
        evidence,
        fix: `There is no AppRole role "${auth.roleName}" on mount "${auth.mount}": set \`auth.roleName\` to the role's name (it defaults to the role_id, and names the role in prompts and messages).`,
      };
    }
    return { status: 'warn', evidence, fix: responseError(answer, this.ctx('GET', rolePath, 'read')).fix };
  }

  private onlyDefault(): boolean {
    return this.policies.every((p) => p === 'default');
  }

  private defaultOnly(evidence: string[]): CheckOutcome {
    const auth = this.options.auth;
    return {
      status: 'warn',
      evidence,
      fix:
        auth.method === 'approle'
          ? `AppRole role "${auth.roleName}" gives its tokens no policy besides "default", which grants no secret: \`vault write auth/${auth.mount}/role/${auth.roleName} token_policies=<policy>\` with a policy covering the engines.`
          : 'The token has no policy besides "default", which grants no secret: use a token created with a policy covering the engines (`vault token create -policy=<policy>`).',
    };
  }

  private async policyText(signal: AbortSignal): Promise<CheckOutcome> {
    await this.ensureToken(signal);
    const evidence: string[] = [];
    const unreadable: string[] = [];
    const needed = this.secrets.flatMap((s) => [...neededCapabilities(s.engine, s.path, undefined).flatMap((n) => [n.path, n.orPath ?? n.path]), kvMetadataPath(s.engine, s.path), `sys/mounts/${s.engine}`]);
    for (const name of this.policies) {
      if (name === 'root') {
        evidence.push('root → the root policy grants every capability on every path');
        continue;
      }
      const apiPath = `sys/policies/acl/${name}`;
      const answer = await this.call('GET', apiPath, signal);
      if (answer.status !== 200) {
        const said = vaultErrors(answer.body).join('; ');
        evidence.push(`GET /v1/${apiPath} → ${answer.status}${said ? ` ${said}` : ''}`);
        unreadable.push(name);
        continue;
      }
      const text = String(((answer.body as { data?: { policy?: unknown } }).data ?? {}).policy ?? '');
      const stanzas = policyStanzas(text);
      const relevant = stanzas.filter((s) => needed.some((p) => policyCovers(s.path, p)));
      evidence.push(
        `GET /v1/${apiPath} → ${stanzas.length} path${stanzas.length === 1 ? '' : 's'}; ${
          relevant.length ? `for the referenced secrets: ${relevant.map((s) => `"${s.path}" [${s.capabilities.join(', ')}]`).join(', ')}` : 'none covers the referenced secrets'
        }`,
      );
    }
    const reproduce = this.policies.length ? `for p in ${this.policies.map(shellWord).join(' ')}; do ${this.vaultEnv()} vault policy read "$p"; done` : undefined;
    if (unreadable.length) {
      return {
        status: 'warn',
        evidence,
        reproduce,
        fix: `The text of ${unreadable.map((n) => `"${n}"`).join(', ')} cannot be read with this token (the capabilities check below still says what it allows). To see it here, add capabilities ["read"] on ${unreadable.map((n) => `"sys/policies/acl/${n}"`).join(', ')} to a policy of ${this.principal}, or ask an operator for \`vault policy read ${shellWord(unreadable[0])}\`.`,
      };
    }
    return { status: 'pass', evidence, reproduce };
  }

  /**
   * What `sys/mounts/<engine>` (or, when that is denied, the `vault kv` CLI's own preflight
   * `sys/internal/ui/mounts/<engine>`, open to any token with a capability in the engine) says
   * about an engine; remembers its KV version for the checks after it.
   */
  private async probeMount(engine: string, signal: AbortSignal): Promise<{ evidence: string[]; fail?: string; unreadable?: boolean }> {
    const mountPath = `sys/mounts/${engine}`;
    this.engines.delete(engine);
    const answer = await this.call('GET', mountPath, signal);
    const said = vaultErrors(answer.body).join('; ');
    if (answer.status === 200) {
      const body = answer.body as { data?: unknown };
      const mount = body.data ?? body;
      const version = kvVersionOfMount(mount);
      const type = String((mount as { type?: unknown }).type ?? 'unknown');
      if (!version) {
        return {
          evidence: [`GET /v1/${mountPath} → ${type} engine, not KV`],
          fail: `Engine "${engine}" is a "${type}" engine, not KV: references must point at a KV v1 or v2 engine; fix the engine part of the reference.`,
        };
      }
      this.engines.set(engine, { version, source: 'sys/mounts' });
      return { evidence: [`GET /v1/${mountPath} → ${type}, version ${version}`] };
    }
    const evidence = [`GET /v1/${mountPath} → ${answer.status}${said ? ` ${said}` : ''}`];
    if (answer.status === 400 && /no secret engine mount/i.test(said)) {
      return {
        evidence,
        fail: `No secrets engine is mounted at "${engine}/"${this.options.namespace ? ` in namespace "${this.options.namespace}"` : ''}: fix the engine part of the references (\`vault secrets list\` shows the mounts).`,
      };
    }
    if (answer.status !== 403 || !isVaultBody(answer.body)) {
      const e = responseError(answer, this.ctx('GET', mountPath, 'read'));
      return { evidence: [...evidence, e.message], fail: e.fix ?? e.message };
    }
    const ui = await this.call('GET', `sys/internal/ui/mounts/${engine}`, signal);
    const uiVersion = ui.status === 200 ? kvVersionOfMount((ui.body as { data?: unknown }).data) : undefined;
    this.engines.set(engine, uiVersion ? { version: uiVersion, source: 'sys/internal/ui/mounts' } : { source: 'unknown' });
    if (ui.status === 200 && !uiVersion) {
      const type = String(((ui.body as { data?: { type?: unknown } }).data ?? {}).type ?? 'unknown');
      evidence.push(`GET /v1/sys/internal/ui/mounts/${engine} → ${type} engine, not KV`);
      return { evidence, fail: `Engine "${engine}" is a "${type}" engine, not KV: references must point at a KV v1 or v2 engine; fix the engine part of the reference.` };
    }
    evidence.push(`GET /v1/sys/internal/ui/mounts/${engine} → ${uiVersion ? `kv, version ${uiVersion}` : `${ui.status} (the token has no capability in "${engine}/", or no engine is mounted there)`}`);
    return { evidence, unreadable: true };
  }

  /** Engine facts for the checks after the mount check, probed quietly when it has not run here. */
  private async ensureEngines(signal: AbortSignal): Promise<void> {
    for (const engine of new Set(this.secrets.map((s) => s.engine))) {
      if (!this.engines.has(engine)) await this.probeMount(engine, signal);
    }
  }

  private async mounts(signal: AbortSignal): Promise<CheckOutcome> {
    const none = this.noSecrets();
    if (none) return none;
    const evidence: string[] = [];
    const fails: string[] = [];
    const unreadable: string[] = [];
    for (const engine of new Set(this.secrets.map((s) => s.engine))) {
      const probe = await this.probeMount(engine, signal);
      evidence.push(...probe.evidence);
      if (probe.fail) fails.push(probe.fail);
      if (probe.unreadable) unreadable.push(engine);
    }
    const warn = unreadable.length
      ? `Add ${unreadable.map((e) => `capabilities ["read"] on "sys/mounts/${e}"`).join(', ')} to a policy of ${this.principal}: without it the provider cannot read the engine's KV version, so it tries both path forms ("<engine>/data/<path>", then "<engine>/<path>") on its first read, and cannot tell a missing engine from a denied one.`
      : undefined;
    if (fails.length) return { status: 'fail', evidence, fix: [...fails, ...(warn ? [warn] : [])].join(' ') };
    if (warn) return { status: 'warn', evidence, fix: warn };
    return { status: 'pass', evidence };
  }

  private async enginePaths(signal: AbortSignal): Promise<CheckOutcome> {
    const none = this.noSecrets();
    if (none) return none;
    await this.ensureEngines(signal);
    const evidence: string[] = [];
    const fails: string[] = [];
    const warns: string[] = [];
    for (const s of this.secrets) {
      const facts = this.engines.get(s.engine) ?? { source: 'unknown' as const };
      const stripped = stripKvV2DataPrefix(s.path);
      if (facts.version === 2) {
        if (stripped) {
          evidence.push(`${s.id} → KV v2 adds "data/" itself, so this reads "${kvReadPath(s.engine, 2, s.path)}"`);
          fails.push(`Reference "${s.engine}:${stripped}" instead of "${s.id}": write the path as for \`vault kv get\`, without "data/".`);
        } else {
          evidence.push(`${s.id} → KV v2: value at "${kvReadPath(s.engine, 2, s.path)}", metadata at "${kvMetadataPath(s.engine, s.path)}"`);
        }
      } else if (facts.version === 1) {
        evidence.push(`${s.id} → KV v1: value at "${kvReadPath(s.engine, 1, s.path)}"`);
        if (stripped) warns.push(`"${s.id}" starts with "data/", which on KV v1 engine "${s.engine}" is an ordinary folder; if it was copied from a KV v2 API path, reference "${s.engine}:${stripped}".`);
      } else {
        evidence.push(`${s.id} → KV version unknown (sys/mounts/${s.engine} not readable): the provider tries "${kvReadPath(s.engine, 2, s.path)}", then "${kvReadPath(s.engine, 1, s.path)}"`);
        if (stripped) warns.push(`"${s.id}" starts with "data/": on a KV v2 engine reference "${s.engine}:${stripped}" instead (the provider adds "data/" itself).`);
      }
    }
    if (fails.length) return { status: 'fail', evidence, fix: [...fails, ...warns].join(' ') };
    if (warns.length) return { status: 'warn', evidence, fix: warns.join(' ') };
    return { status: 'pass', evidence };
  }

  private capabilityPlan(): { secret: SecretAt; need: NeededCapability }[] {
    return this.secrets.flatMap((secret) => neededCapabilities(secret.engine, secret.path, this.engines.get(secret.engine)?.version).map((need) => ({ secret, need })));
  }

  private capabilitiesReproduce(): string | undefined {
    const paths = [...new Set(this.capabilityPlan().flatMap(({ need }) => (need.orPath ? [need.path, need.orPath] : [need.path])))];
    return paths.length ? this.curl('sys/capabilities-self', { post: { paths } }) : undefined;
  }

  private async capabilities(signal: AbortSignal): Promise<CheckOutcome> {
    const none = this.noSecrets();
    if (none) return none;
    await this.ensureEngines(signal);
    const plan = this.capabilityPlan();
    const paths = [...new Set(plan.flatMap(({ need }) => (need.orPath ? [need.path, need.orPath] : [need.path])))];
    const reproduce = this.capabilitiesReproduce();
    const answer = await this.call('POST', 'sys/capabilities-self', signal, { paths });
    if (answer.status !== 200) {
      const said = vaultErrors(answer.body).join('; ');
      const evidence = [`POST /v1/sys/capabilities-self → ${answer.status}${said ? ` ${said}` : ''}`];
      if (answer.status === 403 && isVaultBody(answer.body)) {
        return { status: 'warn', evidence, reproduce, fix: `The token may not ask Vault what it may do: attach the "default" policy to ${this.principal} (it grants "update" on sys/capabilities-self). The raw read below still shows whether the value can be read.` };
      }
      const e = responseError(answer, this.ctx('POST', 'sys/capabilities-self', 'update'));
      return { status: 'fail', evidence: [...evidence, e.message], reproduce, fix: e.fix };
    }
    const body = answer.body as { data?: Record<string, unknown> } & Record<string, unknown>;
    const capsOf = (p: string): string[] | undefined => {
      const caps = body.data?.[p] ?? body[p] ?? (paths.length === 1 ? (body.data?.capabilities ?? body.capabilities) : undefined);
      return Array.isArray(caps) ? caps.map(String) : undefined;
    };
    const evidence = paths.map((p) => `POST /v1/sys/capabilities-self "${p}" → [${(capsOf(p) ?? ['(no answer)']).join(', ')}]`);
    // Missing capabilities grouped by path, so one fix line says all a path needs.
    const missing = new Map<string, { caps: Set<string>; required: boolean; why: Set<string>; orPath?: string }>();
    for (const { secret, need } of plan) {
      const ok = grants(capsOf(need.path), need.capability) || (need.orPath !== undefined && grants(capsOf(need.orPath), need.capability));
      if (ok) continue;
      const m = missing.get(need.path) ?? { caps: new Set<string>(), required: false, why: new Set<string>(), orPath: need.orPath };
      m.caps.add(need.capability);
      m.required ||= need.required;
      m.why.add(`${need.why} of ${secret.id}`);
      missing.set(need.path, m);
    }
    if (missing.size === 0) return { status: 'pass', evidence, reproduce };
    const grantsText = [...missing].map(([p, m]) => `capabilities [${[...m.caps].map((c) => `"${c}"`).join(', ')}] on "${p}"${m.orPath ? ` (or on "${m.orPath}" if the engine is KV v1)` : ''}`);
    const why = [...new Set([...missing.values()].flatMap((m) => [...m.why]))];
    const fix = `Add ${grantsText.join(', ')} to ${this.policyOwner()}; needed to ${why.join(', ')}.`;
    const required = [...missing.values()].some((m) => m.required);
    return { status: required ? 'fail' : 'warn', evidence, reproduce, fix };
  }

  /** "a policy of AppRole role "x"" / "a policy of the token from VAULT_TOKEN", with its policies. */
  private policyOwner(): string {
    const named = this.policies.filter((p) => p !== 'default' && p !== 'root');
    return `a policy of ${this.principal}${named.length ? ` (its policies: ${named.join(', ')})` : ''}`;
  }

  // ------------------------------------------------------------------ step 2

  private async rawCall(signal: AbortSignal): Promise<CheckOutcome> {
    const none = this.noSecrets();
    if (none) return none;
    await this.ensureEngines(signal);
    const s = this.secrets[0];
    const known = this.engines.get(s.engine)?.version;
    const versions: KvVersion[] = known ? [known] : [2, 1];
    const evidence: string[] = [];
    const attempts: { answer: VaultAnswer; apiPath: string; version: KvVersion }[] = [];
    for (const version of versions) {
      const apiPath = kvReadPath(s.engine, version, s.path);
      const answer = await this.call('GET', apiPath, signal);
      evidence.push(`GET /v1/${apiPath} → ${answer.status}`);
      attempts.push({ answer, apiPath, version });
      if (answer.status !== 403 && answer.status !== 404) break;
    }
    // As the provider decides with an unknown version: a v1-form 404 that says "versioned K/V"
    // means the engine is v2 and the v2 answer stands; otherwise a denial is the finding.
    const v1SaysV2 = attempts.some((a) => a.version === 1 && a.answer.status === 404 && /versioned K\/V secrets engine/i.test(JSON.stringify(a.answer.body ?? '')));
    const chosen =
      attempts.find((a) => a.answer.status === 200) ??
      (v1SaysV2 ? attempts.find((a) => a.version === 2) : undefined) ??
      attempts.find((a) => a.answer.status === 403) ??
      attempts[attempts.length - 1];
    if (!chosen) return { status: 'skipped', reason: 'nothing to read', evidence };
    const { answer, apiPath, version } = chosen;
    const otherForm = !known && !v1SaysV2 ? attempts.find((a) => a !== chosen && a.answer.status === 403)?.apiPath : undefined;
    const jqKeys = version === 2 ? '.data.data | keys' : '.data | keys';
    const reproduce = this.curl(apiPath, { pipe: `jq ${shellWord(jqKeys)}` });
    evidence.push(`body: ${JSON.stringify(redactReadBody(answer.body, known ?? version))}`);
    if (answer.status !== 200) {
      const notFoundHint = stripKvV2DataPrefix(s.path) ? `The path starts with "data/", which the provider adds itself for KV v2: reference "${s.engine}:${stripKvV2DataPrefix(s.path)}" instead.` : undefined;
      if (answer.status === 403 && isVaultBody(answer.body)) {
        return { status: 'fail', evidence, reproduce, fix: `Add capabilities ["read"] on "${apiPath}"${otherForm ? ` (or on "${otherForm}": the engine's KV version is unknown)` : ''} to ${this.policyOwner()}.` };
      }
      const e = responseError(answer, { ...this.ctx('GET', apiPath, 'read'), notFoundHint });
      return { status: 'fail', evidence: [...evidence, e.message], reproduce, fix: e.fix };
    }
    const data = (answer.body as { data?: unknown } | null)?.data;
    const values = (version === 2 ? (data as { data?: unknown } | null | undefined)?.data : data) ?? {};
    const present = values && typeof values === 'object' ? Object.keys(values) : [];
    const absent = s.keys.filter((k) => !present.includes(k));
    if (absent.length) {
      evidence.push(`keys referenced: ${s.keys.join(', ')}; keys in the secret: ${present.join(', ') || '(none)'}`);
      return {
        status: 'fail',
        evidence,
        reproduce,
        fix: `The secret "${s.id}" has no key ${absent.map((k) => `"${k}"`).join(', ')}: reference one of its keys (${present.join(', ') || 'it has none'}) or add the key to the secret.`,
      };
    }
    if (s.keys.length) evidence.push(`keys referenced: ${s.keys.join(', ')} → present`);
    return { status: 'pass', evidence, reproduce };
  }
}

/**
 * The Vault checklist for a target (see the module comment). An invalid provider block yields
 * one failing check that names the field, so the doctor still reports instead of throwing.
 */
export const troubleshoot: TroubleshooterFactory = (target: TroubleshootTarget, context: ProviderContext): Check[] => {
  let options: VaultOptions;
  try {
    options = parseVaultOptions(target.provider);
  } catch (e) {
    const err = e instanceof ConnectionSecretsError ? e : undefined;
    return [
      {
        id: 'vault.config',
        title: 'Vault provider block is valid',
        step: 1,
        run: async () => ({ status: 'fail', evidence: [`${target.provider.file} → ${err?.message ?? 'invalid provider block'}`], fix: err?.fix ?? 'Fix the vault provider block.' }),
      },
    ];
  }
  return new VaultChecklist(options, target, context).checks();
};
