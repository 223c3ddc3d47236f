/**
 * Pure helpers for KV engines: secret ids (`<engine>:<path>`), the API paths of KV v1 and v2,
 * and the `data/` mistake. No I/O, so the linter and unit tests can use them.
 */
import { ConnectionSecretsError } from '../../core/errors';
import { VAULT_ENGINE_RESERVED } from '../../core/references';

export type KvVersion = 1 | 2;

export interface KvAddress {
  engine: string;
  /** Path inside the engine, without leading `/`; folders end in `/`. May be '' (engine root). */
  path: string;
}

/**
 * Splits a provider secret id `<engine>:<path>` (see `interpretReference`). Engine names may not
 * contain Workato's reserved characters; the path keeps any further `:`.
 */
export function parseSecretId(id: string, { allowFolder = false } = {}): KvAddress {
  const colon = id.indexOf(':');
  if (colon <= 0) {
    throw new ConnectionSecretsError('InvalidReference', `"${id}" is not a Vault secret id: write <engine>:<secret path>, e.g. kv:apps/warehouse.`, {
      fix: 'References to Vault secrets are {{workato:sm:<key>:<engine>:<secret path>}}.',
    });
  }
  const engine = id.slice(0, colon);
  const path = id.slice(colon + 1).replace(/^\/+/, '');
  const bad = [...engine].find((c) => VAULT_ENGINE_RESERVED.includes(c));
  if (bad) {
    throw new ConnectionSecretsError('InvalidReference', `The Vault engine name "${engine}" contains "${bad}", which Workato does not allow.`, {
      fix: 'Mount the KV engine under a name without ; / ? : @ & = + $ , and update the references.',
    });
  }
  if (!allowFolder && (path === '' || path.endsWith('/'))) {
    throw new ConnectionSecretsError('InvalidReference', `"${id}" names a folder, not a secret: the path must end with a secret name.`, {
      fix: 'Complete the path to the secret, e.g. kv:apps/warehouse.',
    });
  }
  return { engine, path };
}

/** The secret id the tree and references use. */
export function secretIdOf(engine: string, path: string): string {
  return `${engine}:${path}`;
}

/**
 * If `path` starts with `data/` — the KV v2 API prefix, which the provider adds itself — returns
 * the path without it; otherwise undefined. For the linter's "reference wrongly includes
 * `data/`" warning and its fix, and for the hint on a KV v2 404.
 */
export function stripKvV2DataPrefix(path: string): string | undefined {
  const trimmed = path.replace(/^\/+/, '');
  if (!trimmed.startsWith('data/')) return undefined;
  const rest = trimmed.slice('data/'.length);
  return rest.length > 0 ? rest : undefined;
}

/** API path that reads a secret's value. */
export function kvReadPath(engine: string, version: KvVersion, path: string): string {
  return version === 2 ? `${engine}/data/${path}` : `${engine}/${path}`;
}

/** API path that LISTs a folder (`folder` is '' or ends with `/`). */
export function kvListPath(engine: string, version: KvVersion, folder: string): string {
  return version === 2 ? `${engine}/metadata/${folder}` : `${engine}/${folder}`;
}

/** API path of a KV v2 secret's metadata (versions, no value). */
export function kvMetadataPath(engine: string, path: string): string {
  return `${engine}/metadata/${path}`;
}

/** KV version from a `sys/mounts/<engine>` (or `sys/internal/ui/mounts`) entry; undefined when not a KV engine. */
export function kvVersionOfMount(mount: unknown): KvVersion | undefined {
  if (!mount || typeof mount !== 'object') return undefined;
  const m = mount as { type?: unknown; options?: { version?: unknown } | null };
  if (m.type !== 'kv' && m.type !== 'generic') return undefined;
  return String(m.options?.version ?? '1') === '2' ? 2 : 1;
}
