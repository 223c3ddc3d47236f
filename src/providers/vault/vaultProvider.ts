/**
 * HashiCorp Vault (and OpenBao) behind `SecretsProvider`: KV v1 and v2 engines, AppRole or
 * token auth, namespaces via `X-Vault-Namespace`.
 *
 * Secret ids are `<engine>:<path>`; folders are `<engine>:` and `<engine>:<folder>/`. A secret's
 * value is its key/value map as a JSON string (the resolver picks the key a reference names).
 * The KV version of each engine is read once from `sys/mounts/<engine>`; when the policy denies
 * that read, both path forms are tried and the first definitive answer fixes the version.
 */
import { ConnectionSecretsError } from '../../core/errors';
import type {
  BatchResult,
  ListOptions,
  PutResult,
  SecretDescription,
  SecretPage,
  SecretSummary,
  SecretValue,
  SecretsProvider,
} from '../../core/provider';
import type { TokenManager } from './auth';
import type { VaultHttp, VaultRequest } from './client';
import { deniedError, responseError, type VaultAnswer, type VaultCallContext } from './errors';
import { kvListPath, kvMetadataPath, kvReadPath, kvVersionOfMount, parseSecretId, secretIdOf, stripKvV2DataPrefix, type KvVersion } from './kv';

/** What is known about an engine's KV version and how it was learnt. */
export interface EngineInfo {
  /** Undefined while the version is unknown (sys/mounts denied and no read has told yet). */
  version?: KvVersion;
  source: 'sys/mounts' | 'inferred' | 'unknown';
}

export interface VaultProviderDeps {
  http: VaultHttp;
  tokens: TokenManager;
  log?: (message: string) => void;
  /** How many reads `getValues` runs at once (default 8). */
  concurrency?: number;
}

/** A read's result before it becomes a SecretValue or an error. */
type ReadOutcome =
  | { ok: true; data: Record<string, unknown>; version?: string; updatedOn?: Date }
  | { ok: false; answer: VaultAnswer; path: string; capability: string; method: string; alsoTried?: string; deleted?: string };

const WARNING_V2_ON_V1_PATH = /versioned K\/V secrets engine/i;

export class VaultProvider implements SecretsProvider {
  readonly type = 'vault' as const;
  readonly label: string;
  private readonly engines = new Map<string, Promise<EngineInfo>>();
  private readonly concurrency: number;
  /** Tokens recently confirmed valid after a 403: spares a lookup-self per denied id in a batch. */
  private readonly confirmedTokens = new Map<string, number>();

  constructor(private readonly deps: VaultProviderDeps) {
    const host = safeHost(deps.http.address);
    this.label = deps.http.namespace ? `vault (${host}, ${deps.http.namespace})` : `vault (${host})`;
    this.concurrency = deps.concurrency ?? 8;
  }

  /** Requests sent so far, for diagnostics and the bench. */
  get requestCount(): number {
    return this.deps.http.requestCount;
  }

  // ---------------------------------------------------------------- listing

  async list(options: ListOptions = {}): Promise<SecretPage> {
    const items = options.parent ? await this.listFolder(options.parent, options.signal) : await this.listEngines(options.signal);
    const filter = options.filter?.toLowerCase();
    return { items: filter ? items.filter((i) => i.name.toLowerCase().includes(filter)) : items };
  }

  private async listEngines(signal?: AbortSignal): Promise<SecretSummary[]> {
    // sys/mounts needs `read` on sys/mounts; the UI endpoint lists what the token may use and is
    // open to every token, so a narrow policy still sees its engines.
    let answer = await this.call({ method: 'GET', path: 'sys/mounts', signal });
    let mounts: Record<string, unknown> | undefined;
    if (answer.status === 200) {
      const body = answer.body as Record<string, unknown>;
      mounts = (body.data as Record<string, unknown> | undefined) ?? body;
    } else if (answer.status === 403) {
      this.deps.log?.('vault: reading sys/mounts was denied (the policy lacks "read" on sys/mounts); listing engines via sys/internal/ui/mounts');
      answer = await this.call({ method: 'GET', path: 'sys/internal/ui/mounts', signal });
      if (answer.status !== 200) throw await this.fail(answer, { method: 'GET', path: 'sys/internal/ui/mounts', capability: 'read' }, signal);
      mounts = ((answer.body as { data?: { secret?: Record<string, unknown> } }).data?.secret ?? {}) as Record<string, unknown>;
    } else {
      throw await this.fail(answer, { method: 'GET', path: 'sys/mounts', capability: 'read' }, signal);
    }
    const items: SecretSummary[] = [];
    for (const [mountPath, mount] of Object.entries(mounts)) {
      const version = kvVersionOfMount(mount);
      if (!version) continue;
      const engine = mountPath.replace(/\/+$/, '');
      if (!this.engines.has(engine)) this.engines.set(engine, Promise.resolve({ version, source: 'sys/mounts' }));
      const description = (mount as { description?: unknown }).description;
      items.push({ id: `${engine}:`, name: `${engine}/`, kind: 'folder', description: `KV v${version}${typeof description === 'string' && description ? ` — ${description}` : ''}` });
    }
    return items.sort((a, b) => a.name.localeCompare(b.name));
  }

  private async listFolder(parent: string, signal?: AbortSignal): Promise<SecretSummary[]> {
    const { engine, path: folderRaw } = parseSecretId(parent, { allowFolder: true });
    const folder = folderRaw === '' || folderRaw.endsWith('/') ? folderRaw : `${folderRaw}/`;
    const info = await this.engine(engine, signal);
    const versions: KvVersion[] = info.version ? [info.version] : [2, 1];
    const failed: { answer: VaultAnswer; path: string }[] = [];
    for (const version of versions) {
      const listPath = kvListPath(engine, version, folder);
      const answer = await this.call({ method: 'LIST', path: listPath, signal });
      if (answer.status === 200) {
        if (!info.version) this.learn(engine, version);
        const keys = (answer.body as { data?: { keys?: unknown } }).data?.keys;
        return (Array.isArray(keys) ? keys.map(String) : []).map((key): SecretSummary => {
          const isFolder = key.endsWith('/');
          return { id: secretIdOf(engine, `${folder}${key}`), name: key, kind: isFolder ? 'folder' : 'secret' };
        });
      }
      failed.push({ answer, path: listPath });
      if (answer.status !== 404 && answer.status !== 403) break;
      // A v1 LIST on a v2 mount answers 404 with a warning: the engine is v2 and its answer stands.
      if (!info.version && version === 1 && hasWarning(answer.body, WARNING_V2_ON_V1_PATH)) {
        this.learn(engine, 2);
        failed.pop();
      }
    }
    // A denial is worth more than a 404; Vault answers an empty or missing folder with 404, which
    // is an empty listing, not an error.
    const worst = failed.find((f) => f.answer.status !== 404) ?? failed[0];
    if (!worst || worst.answer.status === 404) return [];
    const alsoTried = failed.length > 1 && failed.every((f) => f.answer.status === 403) ? failed[0].path : undefined;
    throw await this.fail(worst.answer, { method: 'LIST', path: worst.path, capability: 'list', alsoTried }, signal);
  }

  // ---------------------------------------------------------------- values

  async getValue(id: string, signal?: AbortSignal): Promise<SecretValue> {
    const { engine, path } = parseSecretId(id);
    const outcome = await this.read(engine, path, signal);
    if (!outcome.ok) throw await this.readError(outcome, engine, path, signal);
    return { id, value: JSON.stringify(outcome.data), version: outcome.version, updatedOn: outcome.updatedOn, state: 'active' };
  }

  async getValues(ids: readonly string[], signal?: AbortSignal): Promise<Map<string, BatchResult>> {
    const unique = [...new Set(ids)];
    const results = new Map<string, BatchResult>();
    let next = 0;
    const worker = async () => {
      while (next < unique.length) {
        const id = unique[next++];
        try {
          results.set(id, await this.getValue(id, signal));
        } catch (e) {
          results.set(id, toTypedError(e));
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, unique.length) }, worker));
    return results;
  }

  /**
   * Writes a KV secret: `POST <engine>/data/<path>` with `{data}` on KV v2 (a new version),
   * `POST <engine>/<path>` on KV v1. The value must be a JSON object (KV secrets are key/value
   * maps). An engine whose version is unknown is learnt from a read first.
   */
  async put(id: string, value: string, signal?: AbortSignal): Promise<PutResult> {
    const { engine, path } = parseSecretId(id);
    let data: unknown;
    try {
      data = JSON.parse(value);
    } catch {
      data = undefined;
    }
    if (!data || typeof data !== 'object' || Array.isArray(data)) {
      throw new ConnectionSecretsError('InvalidConfig', `Vault KV secrets are key/value maps, so "${id}" can only be written as a JSON object.`, {
        fix: 'Write it as {"<key>": "<value>"} and reference the key.',
      });
    }
    let info = await this.engine(engine, signal);
    const before = await this.read(engine, path, signal);
    if (!info.version) info = await this.engine(engine, signal);
    const existed = before.ok;
    const version = info.version ?? 2;
    const apiPath = kvReadPath(engine, version, path);
    const answer = await this.call({ method: 'POST', path: apiPath, body: version === 2 ? { data } : data, signal });
    if (answer.status !== 200 && answer.status !== 204) {
      throw await this.fail(answer, { method: 'POST', path: apiPath, capability: existed ? 'update' : 'create', notFoundHint: `Engine "${engine}" must be a mounted KV engine.` }, signal);
    }
    const written = (answer.body as { data?: { version?: unknown } } | null)?.data?.version;
    return { ...(versionOf(written) ? { version: versionOf(written) } : {}), created: !existed };
  }

  async describe(id: string, signal?: AbortSignal): Promise<SecretDescription> {
    const { engine, path } = parseSecretId(id);
    const info = await this.engine(engine, signal);
    const facts: Record<string, string> = { engine: `${engine}/`, path };
    if (this.deps.http.namespace) facts.namespace = this.deps.http.namespace;
    if (info.version === 2) {
      const meta = await this.metadata(engine, path, signal);
      facts['KV version'] = '2';
      facts['current version'] = String(meta.current_version ?? '');
      if (meta.oldest_version !== undefined) facts['oldest version'] = String(meta.oldest_version);
      if (typeof meta.created_time === 'string') facts.created = meta.created_time;
      if (typeof meta.updated_time === 'string') facts.updated = meta.updated_time;
      if (meta.max_versions !== undefined) facts['max versions'] = String(meta.max_versions);
      const updatedOn = typeof meta.updated_time === 'string' ? new Date(meta.updated_time) : undefined;
      return { id, name: path, version: facts['current version'] || undefined, updatedOn, facts, state: 'active' };
    }
    // KV v1 has no metadata endpoint: read it and keep only the key names.
    const outcome = await this.read(engine, path, signal);
    if (!outcome.ok) throw await this.readError(outcome, engine, path, signal);
    facts['KV version'] = info.version === 1 ? '1' : outcome.version ? '2' : '1';
    facts.keys = Object.keys(outcome.data).join(', ');
    return { id, name: path, version: outcome.version, facts, state: 'active' };
  }

  /** KV v2: `current_version` from the metadata endpoint (no value is read). KV v1: undefined. */
  async currentVersion(id: string, signal?: AbortSignal): Promise<string | undefined> {
    const { engine, path } = parseSecretId(id);
    const info = await this.engine(engine, signal);
    if (info.version === 1) return undefined;
    if (info.version === undefined) {
      // Unknown engine kind: a metadata read tells v2 apart; anything else means "always re-fetch".
      const answer = await this.call({ method: 'GET', path: kvMetadataPath(engine, path), signal });
      if (answer.status !== 200) return undefined;
      this.learn(engine, 2);
      return versionOf((answer.body as { data?: { current_version?: unknown } }).data?.current_version);
    }
    const meta = await this.metadata(engine, path, signal);
    return versionOf(meta.current_version);
  }

  async identity(signal?: AbortSignal): Promise<string | undefined> {
    const answer = await this.call({ method: 'GET', path: 'auth/token/lookup-self', signal });
    if (answer.status !== 200) throw await this.fail(answer, { method: 'GET', path: 'auth/token/lookup-self', capability: 'read' }, signal);
    // `data.id` is the token itself: read only the descriptive fields.
    const data = (answer.body as { data?: { display_name?: unknown; policies?: unknown; meta?: { role_name?: unknown } | null } }).data ?? {};
    const parts: string[] = [];
    const role = data.meta?.role_name;
    parts.push(typeof role === 'string' ? `AppRole role "${role}"` : typeof data.display_name === 'string' ? data.display_name : 'token');
    if (Array.isArray(data.policies)) parts.push(`policies: ${data.policies.map(String).join(', ')}`);
    if (this.deps.http.namespace) parts.push(`namespace: ${this.deps.http.namespace}`);
    return parts.length > 1 ? `${parts[0]} (${parts.slice(1).join('; ')})` : parts[0];
  }

  dispose(): void {
    this.deps.tokens.clear();
    this.engines.clear();
    this.confirmedTokens.clear();
  }

  /** What is known about an engine's KV version (detecting it on first use). Exposed for troubleshooting. */
  engine(engine: string, signal?: AbortSignal): Promise<EngineInfo> {
    let info = this.engines.get(engine);
    if (!info) {
      info = this.detect(engine, signal);
      this.engines.set(engine, info);
      // A failure (unreachable, sealed) is not remembered: the next call tries again.
      info.catch(() => this.engines.delete(engine));
    }
    return info;
  }

  // ---------------------------------------------------------------- internals

  private async detect(engine: string, signal?: AbortSignal): Promise<EngineInfo> {
    const mountPath = `sys/mounts/${engine}`;
    const answer = await this.call({ method: 'GET', path: mountPath, signal });
    if (answer.status === 200) {
      const body = answer.body as { data?: unknown };
      const mount = body.data ?? body;
      const version = kvVersionOfMount(mount);
      if (!version) {
        const type = String((mount as { type?: unknown }).type ?? 'unknown');
        throw new ConnectionSecretsError('InvalidReference', `The Vault engine "${engine}" is a "${type}" engine, not a KV engine.`, {
          fix: 'References must point at a KV v1 or KV v2 engine; check the engine part of the reference.',
          detail: `sys/mounts/${engine} type=${type}`,
        });
      }
      return { version, source: 'sys/mounts' };
    }
    if (answer.status === 400 && /no secret engine mount/i.test(JSON.stringify(answer.body))) {
      throw new ConnectionSecretsError('NotFound', `No secrets engine is mounted at "${engine}/" on ${this.where()}.`, {
        fix: 'Check the engine part of the reference (the mount path, without slashes); the Providers view lists the engines.',
        detail: `HTTP 400 on GET ${mountPath}`,
      });
    }
    if (answer.status === 403 && isJsonBody(answer.body)) {
      this.deps.log?.(
        `vault: cannot read ${mountPath} to detect the KV version of engine "${engine}" (${this.deps.tokens.principal} lacks "read" on it); trying both the KV v2 and the KV v1 path forms. Grant read on "${mountPath}" to skip this.`,
      );
      return { source: 'unknown' };
    }
    throw await this.fail(answer, { method: 'GET', path: mountPath, capability: 'read' }, signal);
  }

  private learn(engine: string, version: KvVersion) {
    this.engines.set(engine, Promise.resolve({ version, source: 'inferred' }));
  }

  private async read(engine: string, path: string, signal?: AbortSignal): Promise<ReadOutcome> {
    const info = await this.engine(engine, signal);
    if (info.version) return this.readAs(engine, info.version, path, signal);
    // Unknown version: the v2 form first (the common case); a v1 mount answers it 404.
    const v2 = await this.readAs(engine, 2, path, signal);
    if (v2.ok) {
      this.learn(engine, 2);
      return v2;
    }
    if (v2.answer.status !== 404 && v2.answer.status !== 403) return v2;
    const v1 = await this.readAs(engine, 1, path, signal);
    if (v1.ok) {
      this.learn(engine, 1);
      return v1;
    }
    if (v1.answer.status === 404 && hasWarning(v1.answer.body, WARNING_V2_ON_V1_PATH)) {
      this.learn(engine, 2);
      return v2;
    }
    // Both refused or missing: a denial is the more useful thing to report.
    if (v2.answer.status === 403 && v1.answer.status === 403) return { ...v1, alsoTried: v2.path };
    return v1.answer.status === 403 ? v1 : v2.answer.status === 403 ? v2 : { ...v1, alsoTried: v2.path };
  }

  private async readAs(engine: string, version: KvVersion, path: string, signal?: AbortSignal): Promise<ReadOutcome> {
    const apiPath = kvReadPath(engine, version, path);
    const answer = await this.call({ method: 'GET', path: apiPath, signal });
    if (answer.status === 200) {
      const data = (answer.body as { data?: unknown } | null)?.data;
      if (version === 2) {
        const inner = data as { data?: unknown; metadata?: { version?: unknown; created_time?: unknown } } | null | undefined;
        if (inner && typeof inner === 'object' && inner.metadata && typeof inner.metadata === 'object') {
          if (inner.data === null || inner.data === undefined) {
            // Deleted current version answered with metadata only (some servers use 200 for it).
            const gone = { status: 404, body: answer.body };
            return { ok: false, answer: gone, path: apiPath, capability: 'read', method: 'GET', deleted: deletedVersion(gone) };
          }
          const created = inner.metadata.created_time;
          return { ok: true, data: asRecord(inner.data), version: versionOf(inner.metadata.version), updatedOn: typeof created === 'string' ? new Date(created) : undefined };
        }
        // A v1 mount with a secret literally at "data/<path>": not what the reference meant.
        return { ok: false, answer: { status: 404, body: { errors: [] } }, path: apiPath, capability: 'read', method: 'GET' };
      }
      return { ok: true, data: asRecord(data) };
    }
    return { ok: false, answer, path: apiPath, capability: 'read', method: 'GET', deleted: deletedVersion(answer) };
  }

  private async metadata(engine: string, path: string, signal?: AbortSignal): Promise<Record<string, unknown>> {
    const apiPath = kvMetadataPath(engine, path);
    const answer = await this.call({ method: 'GET', path: apiPath, signal });
    if (answer.status !== 200) {
      throw await this.fail(answer, { method: 'GET', path: apiPath, capability: 'read', notFoundHint: this.dataHint(engine, path) }, signal);
    }
    return asRecord((answer.body as { data?: unknown }).data);
  }

  private readError(outcome: Extract<ReadOutcome, { ok: false }>, engine: string, path: string, signal?: AbortSignal): Promise<ConnectionSecretsError> {
    const notFoundHint = outcome.deleted ?? this.dataHint(engine, path);
    return this.fail(outcome.answer, { method: outcome.method, path: outcome.path, capability: outcome.capability, alsoTried: outcome.alsoTried, notFoundHint }, signal);
  }

  private dataHint(engine: string, path: string): string | undefined {
    const stripped = stripKvV2DataPrefix(path);
    if (!stripped) return `Engine "${engine}", secret path "${path}".`;
    return `The path starts with "data/", which the provider adds itself for KV v2: reference "${engine}:${stripped}" instead.`;
  }

  /**
   * Sends a request with a valid token. On a Vault 403 it checks the token: a rejected token is
   * replaced (AppRole re-login) and the call retried once; a valid one means the policy said no.
   */
  private async call(req: Omit<VaultRequest, 'token'>): Promise<VaultAnswer> {
    const token = await this.deps.tokens.token(req.signal);
    const answer = await this.deps.http.send({ ...req, token });
    if (answer.status !== 403 || !isJsonBody(answer.body)) return answer;
    const confirmed = this.confirmedTokens.get(token);
    if (confirmed !== undefined && Date.now() - confirmed < 30_000) return answer;
    const replaced = await this.deps.tokens.recoverFrom403(token, req.signal);
    if (!replaced) {
      this.confirmedTokens.set(token, Date.now());
      return answer;
    }
    const fresh = await this.deps.tokens.token(req.signal);
    return this.deps.http.send({ ...req, token: fresh });
  }

  /**
   * The typed error for a failed answer. A policy denial carries, as evidence, what
   * `sys/capabilities-self` says the token may do on that path (best effort: one extra request,
   * on the error path only).
   */
  private async fail(answer: VaultAnswer, ctx: Omit<VaultCallContext, 'address' | 'namespace' | 'principal'>, signal?: AbortSignal): Promise<ConnectionSecretsError> {
    const full: VaultCallContext = { ...ctx, address: this.deps.http.address, namespace: this.deps.http.namespace, principal: this.deps.tokens.principal };
    if (answer.status === 403 && isJsonBody(answer.body)) return deniedError(answer, full, await this.capabilitiesOf(ctx.path, signal));
    return responseError(answer, full);
  }

  private async capabilitiesOf(apiPath: string, signal?: AbortSignal): Promise<string | undefined> {
    try {
      const token = await this.deps.tokens.token(signal);
      const answer = await this.deps.http.send({ method: 'POST', path: 'sys/capabilities-self', body: { paths: [apiPath] }, token, signal });
      if (answer.status !== 200) return undefined;
      const body = answer.body as { data?: Record<string, unknown> } & Record<string, unknown>;
      const caps = body.data?.[apiPath] ?? body[apiPath] ?? body.data?.capabilities ?? body.capabilities;
      return Array.isArray(caps) ? `its capabilities there: ${caps.map(String).join(', ')}` : undefined;
    } catch {
      return undefined;
    }
  }

  private where(): string {
    const ns = this.deps.http.namespace;
    return ns ? `${this.deps.http.address} (namespace "${ns}")` : this.deps.http.address;
  }
}

function isJsonBody(body: unknown): boolean {
  return body !== null && typeof body === 'object';
}

function hasWarning(body: unknown, pattern: RegExp): boolean {
  const warnings = (body as { warnings?: unknown } | null)?.warnings;
  return Array.isArray(warnings) && warnings.some((w) => pattern.test(String(w)));
}

/** KV v2 answers a deleted or destroyed current version with 404 and its metadata: say which. */
function deletedVersion(answer: VaultAnswer): string | undefined {
  if (answer.status !== 404) return undefined;
  const meta = (answer.body as { data?: { metadata?: { version?: unknown; deletion_time?: unknown; destroyed?: unknown } | null } | null } | null)?.data?.metadata;
  if (!meta || (!meta.destroyed && !meta.deletion_time)) return undefined;
  return meta.destroyed
    ? `Its current version ${String(meta.version)} was destroyed; write a new version of the secret.`
    : `Its current version ${String(meta.version)} was deleted; undelete it (\`vault kv undelete -versions=${String(meta.version)} …\`) or write a new version.`;
}

function asRecord(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function versionOf(v: unknown): string | undefined {
  return v === undefined || v === null || v === '' ? undefined : String(v);
}

function safeHost(address: string): string {
  try {
    return new URL(address).host;
  } catch {
    return address;
  }
}

function toTypedError(e: unknown): ConnectionSecretsError {
  if (e instanceof ConnectionSecretsError) return e;
  return new ConnectionSecretsError('Unknown', `Reading the Vault secret failed: ${e instanceof Error ? e.constructor.name : 'unexpected error'}.`, {
    fix: 'Retry; if it persists, run the troubleshooting command for this provider.',
  });
}
