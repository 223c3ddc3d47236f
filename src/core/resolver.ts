/**
 * Resolves the references of connections through the cache and the provider in scope.
 * All distinct secrets of one resolution go to the provider in one `getValues` call (the
 * provider batches further), errors stay per reference, and every fetched value is registered
 * with the redactor before anything else can see it.
 */
import { providerFor } from './config';
import { ConnectionSecretsError, describeError } from './errors';
import type { Connection, ProviderConfig, ProviderType, Range, WorkspaceModel } from './model';
import type { SecretsProvider, SecretValue } from './provider';
import { SecretCache } from './cache';
import { MASK, Redactor } from './redact';
import { interpretReference, type ReferenceTarget } from './references';
import type { ResolvedConnectionValues } from './tester';

export type ReferenceStatus = 'resolved' | 'unresolved' | 'malformed';

export interface ResolvedReference {
  /** Dotted field path, e.g. `auth.password`. */
  field: string;
  raw: string;
  /** Where the reference is written (file of the connection). */
  range: Range;
  status: ReferenceStatus;
  target?: ReferenceTarget;
  version?: string;
  /** User-facing reason when not resolved (never a value). */
  error?: string;
  errorCode?: string;
}

export interface ResolvedField {
  path: string;
  /** The value with every reference masked; safe to show. */
  display: string;
  status: ReferenceStatus | 'literal';
}

export interface ResolvedConnection {
  connection: Connection;
  provider?: ProviderConfig;
  references: ResolvedReference[];
  fields: ResolvedField[];
  /** True when every reference resolved. */
  ok: boolean;
  /**
   * The connection with references replaced by values, for testers only. Present when `ok`.
   * Never print it.
   */
  values?: ResolvedConnectionValues;
}

export interface Rotation {
  secretId: string;
  oldVersion?: string;
  newVersion?: string;
}

export interface RefreshReport {
  connection: string;
  rotated: Rotation[];
  unchanged: string[];
  resolution: ResolvedConnection;
}

export interface ResolverOptions {
  /** Returns (and owns) the provider instance for a provider block. */
  getProvider: (config: ProviderConfig) => Promise<SecretsProvider>;
  cache?: SecretCache;
  redactor?: Redactor;
}

/** Stable identity of a provider block: the same block in two files shares cache entries. */
export function providerKey(config: ProviderConfig): string {
  const sorted = (v: unknown): unknown =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, sorted(x)])) : v;
  const base = config.type === 'file' ? { ...config.options, dir: config.dir } : config.options;
  return `${config.type}:${JSON.stringify(sorted(base))}`;
}

export function cacheKey(config: ProviderConfig, secretId: string): string {
  return `${providerKey(config)}|${secretId}`;
}

const NOT_KEY_VALUE_RULE: Partial<Record<ProviderType, string>> = {
  aws: 'Workato reads AWS secrets as JSON key/value pairs only; store the secret as key/value (e.g. {"password": "…"}) or reference it from a key/value secret.',
  vault: 'Vault KV secrets are key/value maps; reference one of its keys.',
};

export class Resolver {
  readonly cache: SecretCache;
  readonly redactor: Redactor;
  private readonly getProvider: ResolverOptions['getProvider'];

  constructor(options: ResolverOptions) {
    this.getProvider = options.getProvider;
    this.cache = options.cache ?? new SecretCache();
    this.redactor = options.redactor ?? new Redactor();
  }

  /** Resolves every connection of a model; secrets are fetched once per provider for all of them. */
  async resolveConnections(model: WorkspaceModel, connections: readonly Connection[] = model.connections, signal?: AbortSignal): Promise<ResolvedConnection[]> {
    const groups = new Map<string, { provider?: ProviderConfig; connections: Connection[] }>();
    for (const c of connections) {
      const provider = providerFor(model, c);
      const key = provider ? providerKey(provider) : '';
      const g = groups.get(key) ?? { provider, connections: [] };
      g.connections.push(c);
      groups.set(key, g);
    }
    const results = new Map<Connection, ResolvedConnection>();
    await Promise.all(
      [...groups.values()].map(async (g) => {
        for (const r of await this.resolveGroup(g.connections, g.provider, signal)) results.set(r.connection, r);
      }),
    );
    return connections.map((c) => results.get(c)!);
  }

  async resolveConnection(connection: Connection, provider: ProviderConfig | undefined, signal?: AbortSignal): Promise<ResolvedConnection> {
    const [r] = await this.resolveGroup([connection], provider, signal);
    return r;
  }

  private async resolveGroup(connections: readonly Connection[], provider: ProviderConfig | undefined, signal?: AbortSignal): Promise<ResolvedConnection[]> {
    // 1. Interpret every reference against the provider in scope.
    const planned = connections.map((connection) => ({
      connection,
      refs: connection.fields.flatMap((field) =>
        field.references.map((ref) => {
          const base = { field: field.path, raw: ref.raw, range: ref.range };
          if (ref.error) return { ...base, status: 'malformed' as const, error: ref.error };
          if (!provider) {
            return { ...base, status: 'unresolved' as const, error: 'No secrets manager is in scope for this connection; add a provider block.', errorCode: 'InvalidConfig' };
          }
          const i = interpretReference(ref.body, provider.type);
          if (!i.ok) return { ...base, status: 'malformed' as const, error: i.error };
          return { ...base, status: 'unresolved' as ReferenceStatus, target: i.target } as ResolvedReference;
        }),
      ) as ResolvedReference[],
    }));

    // 2. Fetch all distinct secrets in one go.
    let values = new Map<string, SecretValue | Error>();
    if (provider) {
      const ids = [...new Set(planned.flatMap((p) => p.refs.filter((r) => r.target).map((r) => r.target!.secretId)))];
      if (ids.length) values = await this.fetch(provider, ids, signal);
    }

    // 3. Extract keys, build masked displays and (when complete) the values for testers.
    return planned.map(({ connection, refs }) => this.finish(connection, provider, refs, values));
  }

  /** Values of `ids` through the cache; the misses go to the provider in one `getValues` call. */
  private async fetch(provider: ProviderConfig, ids: readonly string[], signal?: AbortSignal): Promise<Map<string, SecretValue | Error>> {
    let instance: SecretsProvider | undefined;
    let providerError: Error | undefined;
    try {
      instance = await this.getProvider(provider);
    } catch (e) {
      providerError = e instanceof Error ? e : new Error(String(e));
    }
    const byKey = await this.cache.getMany(
      ids.map((id) => cacheKey(provider, id)),
      async (keys) => {
        if (!instance) throw providerError!;
        const wanted = keys.map((k) => k.slice(k.indexOf('|') + 1));
        const fetched = await instance.getValues(wanted, signal);
        const out = new Map<string, SecretValue | Error>();
        for (const id of wanted) {
          const v = fetched.get(id) ?? new ConnectionSecretsError('NotFound', `The provider returned nothing for "${id}"`);
          if (!(v instanceof Error)) this.redactor.add(v.value);
          out.set(cacheKey(provider, id), v);
        }
        return out;
      },
    );
    const values = new Map<string, SecretValue | Error>();
    for (const id of ids) values.set(id, byKey.get(cacheKey(provider, id))!);
    return values;
  }

  /**
   * The key NAMES of a JSON key/value secret, fetched through the cache like any resolution (so a
   * second request costs no provider call); undefined when the value is not a JSON object. The
   * value itself never leaves this method. Throws the provider's error for that secret.
   */
  async keysOf(provider: ProviderConfig, secretId: string, signal?: AbortSignal): Promise<string[] | undefined> {
    const v = (await this.fetch(provider, [secretId], signal)).get(secretId)!;
    if (v instanceof Error) throw v;
    return keyNames(v.value);
  }

  /** Metadata of a cached secret (version, last change, state), without fetching and without the value. */
  cachedMetadata(provider: ProviderConfig, secretId: string): Omit<SecretValue, 'value'> | undefined {
    const v = this.cache.peek(cacheKey(provider, secretId));
    if (!v) return undefined;
    return { id: v.id, ...(v.version !== undefined ? { version: v.version } : {}), ...(v.state ? { state: v.state } : {}), ...(v.updatedOn ? { updatedOn: v.updatedOn } : {}) };
  }

  private finish(connection: Connection, provider: ProviderConfig | undefined, refs: ResolvedReference[], values: Map<string, SecretValue | Error>): ResolvedConnection {
    const substitutions = new Map<string, string>(); // raw reference → value
    for (const ref of refs) {
      if (!ref.target) continue;
      const v = values.get(ref.target.secretId);
      if (!v) continue;
      if (v instanceof Error) {
        ref.status = 'unresolved';
        ref.error = describeError(v);
        ref.errorCode = v instanceof ConnectionSecretsError ? v.code : 'Unknown';
        continue;
      }
      ref.version = v.version;
      try {
        substitutions.set(ref.raw, extractKey(v, ref.target, provider!.type));
        ref.status = 'resolved';
      } catch (e) {
        ref.status = 'unresolved';
        ref.error = describeError(e);
        ref.errorCode = e instanceof ConnectionSecretsError ? e.code : 'Unknown';
      }
    }
    const fields: ResolvedField[] = connection.fields.map((f) => {
      const mine = refs.filter((r) => r.field === f.path);
      let display = f.value;
      for (const r of mine) display = display.split(r.raw).join(r.status === 'resolved' ? MASK : r.raw);
      const status: ResolvedField['status'] = mine.length === 0 ? 'literal' : mine.some((r) => r.status === 'malformed') ? 'malformed' : mine.every((r) => r.status === 'resolved') ? 'resolved' : 'unresolved';
      return { path: f.path, display: this.redactor.redact(display), status };
    });
    const ok = refs.every((r) => r.status === 'resolved');
    const result: ResolvedConnection = { connection, provider, references: refs, fields, ok };
    if (ok) result.values = substitute(connection.raw, substitutions) as ResolvedConnectionValues;
    return result;
  }

  /**
   * Refresh after rotation: for each secret of the connection, ask the provider for its current
   * version; re-fetch only what changed (or everything, for providers without versions).
   */
  async refreshConnection(model: WorkspaceModel, connection: Connection, signal?: AbortSignal): Promise<RefreshReport> {
    const provider = providerFor(model, connection);
    const refetched: { rotation: Rotation; old: SecretValue }[] = [];
    const unchanged: string[] = [];
    if (provider) {
      const ids = this.secretIdsOf(connection, provider);
      const instance = await this.getProvider(provider).catch(() => undefined);
      await Promise.all(
        ids.map(async (id) => {
          const key = cacheKey(provider, id);
          const cached = this.cache.peek(key);
          if (cached && cached.version !== undefined && instance?.currentVersion) {
            try {
              const current = await instance.currentVersion(id, signal);
              if (current !== undefined && current === cached.version) {
                unchanged.push(id);
                return;
              }
            } catch {
              /* fall through: re-fetch and let resolution report the error */
            }
          }
          this.cache.delete(key);
          if (cached) refetched.push({ rotation: { secretId: id, oldVersion: cached.version }, old: cached });
        }),
      );
    }
    const resolution = await this.resolveConnection(connection, provider, signal);
    // A re-fetch that returned the same version and value is not a rotation (values are compared
    // in memory only, for providers that have no versions).
    const rotated: Rotation[] = [];
    for (const { rotation, old } of refetched) {
      const fresh = provider ? this.cache.peek(cacheKey(provider, rotation.secretId)) : undefined;
      if (fresh && fresh.version === old.version && fresh.value === old.value) {
        unchanged.push(rotation.secretId);
        continue;
      }
      rotation.newVersion = fresh?.version;
      rotated.push(rotation);
    }
    return { connection: connection.name, rotated, unchanged, resolution };
  }

  /** Drops the cached secrets of one connection. */
  invalidateConnection(model: WorkspaceModel, connection: Connection): number {
    const provider = providerFor(model, connection);
    if (!provider) return 0;
    let n = 0;
    for (const id of this.secretIdsOf(connection, provider)) if (this.cache.delete(cacheKey(provider, id))) n++;
    return n;
  }

  invalidateSecret(provider: ProviderConfig, secretId: string): boolean {
    return this.cache.delete(cacheKey(provider, secretId));
  }

  secretIdsOf(connection: Connection, provider: ProviderConfig): string[] {
    const ids = new Set<string>();
    for (const f of connection.fields) {
      for (const ref of f.references) {
        if (ref.error) continue;
        const i = interpretReference(ref.body, provider.type);
        if (i.ok) ids.add(i.target.secretId);
      }
    }
    return [...ids];
  }
}

/** Formats a rotation for people: "rotated: <secret> <old> → <new>". */
export function describeRotation(r: Rotation): string {
  return `rotated: ${r.secretId} ${r.oldVersion ?? '?'} → ${r.newVersion ?? '?'}`;
}

/** The part of a secret a reference asks for: a JSON key, or the whole value. */
export function extractKey(secret: SecretValue, target: ReferenceTarget, type: ProviderType): string {
  if (target.key === undefined) return secret.value;
  let parsed: unknown;
  try {
    parsed = JSON.parse(secret.value);
  } catch {
    parsed = undefined;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConnectionSecretsError('NotKeyValue', `Secret "${target.secretId}" is not a JSON key/value secret, so key "${target.key}" cannot be read`, {
      fix: NOT_KEY_VALUE_RULE[type] ?? 'Store the secret as a JSON object, or reference it without a key.',
    });
  }
  const obj = parsed as Record<string, unknown>;
  if (!(target.key in obj)) {
    const keys = Object.keys(obj);
    throw new ConnectionSecretsError('MissingKey', `Secret "${target.secretId}" has no key "${target.key}"`, {
      fix: keys.length ? `Use one of its keys: ${keys.join(', ')}.` : 'The secret is an empty object; add the key to it.',
    });
  }
  const v = obj[target.key];
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** The top-level key names of a JSON object value; undefined for anything else. */
export function keyNames(value: string): string[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? Object.keys(parsed) : undefined;
}

function substitute(raw: unknown, subs: Map<string, string>): unknown {
  if (typeof raw === 'string') {
    let out = raw;
    for (const [ref, value] of subs) if (out.includes(ref)) out = out.split(ref).join(value);
    return out;
  }
  if (Array.isArray(raw)) return raw.map((x) => substitute(x, subs));
  if (raw && typeof raw === 'object') return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, substitute(v, subs)]));
  return raw;
}
