/**
 * The one interface every secrets manager implements (DESIGN §4). Lives in the core so the
 * resolver, the linter and the troubleshooting checks depend on it without loading any SDK.
 */
import type { ConnectionSecretsError } from './errors';
import type { ProviderConfig, ProviderType } from './model';

/** State of a secret as the provider reports it; anything but `active` is shown in the tree. */
export type SecretState = 'active' | 'disabled' | 'notYetActive' | 'expired' | 'pendingDeletion';

export interface SecretSummary {
  /** What a reference uses to address it: ARN or name (aws), `<engine>:<path>` (vault), name (azure, env, file). */
  id: string;
  /** Label for the tree. */
  name: string;
  /** Folders (Vault paths ending in `/`, engines) can be listed with `parent: id`. */
  kind?: 'secret' | 'folder';
  description?: string;
  state?: SecretState;
  updatedOn?: Date;
  /** Version id when the listing carries it. */
  version?: string;
}

export interface ListOptions {
  /** Opaque token from the previous page. */
  pageToken?: string;
  /** A hint; providers may return fewer or more. */
  pageSize?: number;
  /** Substring or prefix filter on names, where the provider supports it. */
  filter?: string;
  /** For hierarchical providers (Vault): list below this folder id. */
  parent?: string;
  signal?: AbortSignal;
}

export interface SecretPage {
  items: SecretSummary[];
  /** Present while more pages exist. */
  nextToken?: string;
}

export interface SecretValue {
  id: string;
  /** The secret string. Never log, print or persist it. */
  value: string;
  /** Provider version id (AWS VersionId, Vault KV v2 version, Azure version id); undefined when the provider has none. */
  version?: string;
  state?: SecretState;
  updatedOn?: Date;
}

export interface SecretDescription {
  id: string;
  name: string;
  version?: string;
  state?: SecretState;
  updatedOn?: Date;
  /** Non-secret facts for hover and troubleshooting (ARN, KMS key, engine version …). */
  facts: Record<string, string>;
}

/** What writing a secret did. */
export interface PutResult {
  /** The new version id, where the provider has versions. */
  version?: string;
  /** True when the secret did not exist and was created. */
  created: boolean;
}

/** Result of one id in a batch: a value, or the typed error for that id only. */
export type BatchResult = SecretValue | ConnectionSecretsError;

export interface SecretsProvider {
  readonly type: ProviderType;
  /** Short label for the tree, e.g. `aws (us-east-1)`. */
  readonly label: string;

  /** One page of secrets. Loop on `nextToken` to get them all (see `listAll`). */
  list(options?: ListOptions): Promise<SecretPage>;

  /** Current value of one secret. */
  getValue(id: string, signal?: AbortSignal): Promise<SecretValue>;

  /**
   * Values of several secrets in as few calls as the provider allows. Every requested id is in
   * the result map, with its value or its own error; one failing id never fails the others.
   */
  getValues(ids: readonly string[], signal?: AbortSignal): Promise<Map<string, BatchResult>>;

  /** Metadata without the value. */
  describe(id: string, signal?: AbortSignal): Promise<SecretDescription>;

  /**
   * The version a fresh `getValue` would return, fetched cheaply (AWS DescribeSecret, Vault
   * metadata). Used by refresh to skip re-fetching unchanged secrets. Absent: always re-fetch.
   */
  currentVersion?(id: string, signal?: AbortSignal): Promise<string | undefined>;

  /**
   * Writes the whole value of a secret, creating the secret when it does not exist (the linter's
   * "move a hard-coded credential into the secrets manager" fix). Absent: the provider cannot be
   * written from here (`env`). Key/value providers (Vault) require a JSON object.
   */
  put?(id: string, value: string, signal?: AbortSignal): Promise<PutResult>;

  /** Who the provider is signed in as (AWS account/ARN, Vault entity, Azure client), for the tree. */
  identity?(signal?: AbortSignal): Promise<string | undefined>;

  dispose(): void;
}

/**
 * Credentials of the secrets manager itself (Vault secret_id or token, Azure client secret …).
 * The extension backs it with SecretStorage and an input box; the CLI with environment variables.
 */
export interface CredentialSource {
  /** Returns the stored credential or asks for it; undefined when the user declined. */
  get(key: string, prompt: { title: string; envVar?: string; password?: boolean }): Promise<string | undefined>;
  /** Forget a credential that turned out to be wrong, so the next `get` asks again. */
  forget(key: string): Promise<void>;
}

export interface ProviderContext {
  credentials: CredentialSource;
  /** Writes diagnostic lines; callers redact. */
  log?: (message: string) => void;
  /** Per-call timeout in milliseconds (default 10 000). */
  timeoutMs?: number;
  /** Environment for `env` and credential chains; defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
}

export type ProviderFactory = (config: ProviderConfig, context: ProviderContext) => SecretsProvider | Promise<SecretsProvider>;

/** Iterates every page until the provider says it is done (empty pages with a token included). */
export async function* listAll(provider: SecretsProvider, options: Omit<ListOptions, 'pageToken'> = {}): AsyncIterable<SecretSummary> {
  let pageToken: string | undefined;
  do {
    const page = await provider.list({ ...options, pageToken });
    yield* page.items;
    pageToken = page.nextToken;
  } while (pageToken);
}
