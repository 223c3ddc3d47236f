/**
 * Azure Key Vault behind the `SecretsProvider` interface. Secret ids are secret names; a reference
 * `{{workato:sm:<secret name>}}` resolves to the whole value of the secret's current version (or
 * the version pinned in the provider block's `versions`).
 */
import { SecretClient, type KeyVaultSecret, type SecretProperties } from '@azure/keyvault-secrets';
import { ConnectionSecretsError } from '../../core/errors';
import type {
  BatchResult,
  ListOptions,
  ProviderContext,
  PutResult,
  SecretDescription,
  SecretPage,
  SecretsProvider,
  SecretSummary,
  SecretValue,
} from '../../core/provider';
import { sleep, withRetry, withTimeout } from '../../core/retry';
import { describeTokenClaims, type AzureSignIn } from './credential';
import { ThrottledError, toAzureError, type AzureErrorContext } from './errors';
import { vaultScope, type AzureOptions } from './options';
import { secretState, stateError } from './secretState';

/** Key Vault serves at most 25 items per page. */
const MAX_PAGE_SIZE = 25;
/** Parallel reads in `getValues`; Key Vault has no batch read, and its limit is per vault. */
const CONCURRENCY = 8;
/** A Retry-After longer than this is reported instead of waited for. */
const MAX_RETRY_AFTER_MS = 10_000;
/** Errors that concern the vault or the sign-in rather than one secret: the rest of a batch would fail the same way. */
const VAULT_WIDE = new Set(['Unauthenticated', 'CredentialsExpired', 'InvalidConfig', 'Tls', 'Unreachable', 'Timeout', 'Cancelled']);
const SECRET_NAME = /^[0-9A-Za-z-]{1,127}$/;

export interface AzureProviderOptions {
  /** Injected for tests of the date rules. */
  now?: () => Date;
  tlsOptions?: { ca: string[] };
}

export class AzureKeyVaultProvider implements SecretsProvider {
  readonly type = 'azure' as const;
  readonly label: string;
  private readonly client: SecretClient;
  private readonly timeoutMs: number;
  private readonly now: () => Date;
  /** nextLink of the last secrets-list page, read from the raw response (the SDK's mapped pages drop it). */
  private capturedNextLink: string | undefined;
  private listQueue: Promise<unknown> = Promise.resolve();
  /** Raw error bodies by request: the SDK's paging helper drops Key Vault's inner error code. */
  private readonly errorBodies = new WeakMap<object, string>();
  /** True once a request went through, i.e. the client holds the vault's auth challenge. */
  private challenged = false;

  constructor(
    private readonly options: AzureOptions,
    private readonly context: ProviderContext,
    private readonly signIn: AzureSignIn,
    extra: AzureProviderOptions = {},
  ) {
    this.label = `azure (${options.vaultName})`;
    this.timeoutMs = context.timeoutMs ?? 10_000;
    this.now = extra.now ?? (() => new Date());
    this.client = new SecretClient(options.vaultUrl, signIn.credential, {
      ...(options.serviceVersion ? { serviceVersion: options.serviceVersion } : {}),
      disableChallengeResourceVerification: options.disableChallengeResourceVerification,
      ...(extra.tlsOptions ? { tlsOptions: extra.tlsOptions } : {}),
      // One retry layer only: ours (bounded, jittered, Retry-After aware, typed errors).
      retryOptions: { maxRetries: 0 },
      userAgentOptions: { userAgentPrefix: 'connection-secrets' },
      additionalPolicies: [
        {
          position: 'perCall',
          policy: {
            name: 'connectionSecretsNextLink',
            sendRequest: async (request, next) => {
              const response = await next(request);
              // Error bodies name the denial (ForbiddenByRbac …); they never hold a secret value.
              if (response.status >= 400 && response.bodyAsText) this.errorBodies.set(request, response.bodyAsText);
              // List pages carry names and attributes only, never values.
              if (request.method === 'GET' && response.status === 200 && new URL(request.url).pathname.replace(/\/+$/, '') === '/secrets') {
                try {
                  const link = (JSON.parse(response.bodyAsText ?? '{}') as { nextLink?: string | null }).nextLink;
                  this.capturedNextLink = link ?? undefined;
                } catch {
                  this.capturedNextLink = undefined;
                }
              }
              return response;
            },
          },
        },
      ],
    });
  }

  private errorContext(operation: string, extra: Partial<AzureErrorContext> = {}): AzureErrorContext {
    return {
      vaultUrl: this.options.vaultUrl,
      vaultName: this.options.vaultName,
      operation,
      tenantId: this.options.tenantId,
      clientId: this.options.clientId,
      authorityHost: this.options.authorityHost,
      ...extra,
    };
  }

  /** One service call with a timeout per attempt, typed errors and bounded jittered retries on 429/5xx/resets. */
  private async call<T>(operation: string, extra: Partial<AzureErrorContext>, fn: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const ctx = this.errorContext(operation, extra);
    let retryAfter = 0;
    return withRetry(
      async (attempt) => {
        if (attempt > 0) this.context.log?.(`azure: retrying ${operation} (attempt ${attempt + 1})`);
        try {
          const result = await withTimeout(`${capital(operation)} at ${new URL(this.options.vaultUrl).host}`, this.timeoutMs, fn, signal);
          this.challenged = true;
          return result;
        } catch (e) {
          const err = toAzureError(this.withErrorBody(e), ctx);
          // A per-secret answer (not found, denied, disabled) still means the challenge was completed.
          if (!VAULT_WIDE.has(err.code) && err.code !== 'Throttled') this.challenged = true;
          if (err.code === 'CredentialsExpired' || err.detail === 'AADSTS7000215') await this.signIn.forgetSecret();
          throw err;
        }
      },
      {
        signal,
        isRetryable: (e) => {
          if (!(e instanceof ConnectionSecretsError) || !e.retryable || e.code === 'Timeout') return false;
          retryAfter = e instanceof ThrottledError ? (e.retryAfterMs ?? 0) : 0;
          return retryAfter <= MAX_RETRY_AFTER_MS;
        },
        sleep: (ms, s) => sleep(Math.max(ms, retryAfter), s),
      },
    );
  }

  /** Puts back the raw error body the paging helper left out, so the inner error code can be read. */
  private withErrorBody(e: unknown): unknown {
    const err = e as { name?: string; code?: string; statusCode?: number; message?: string; details?: unknown; request?: object; response?: { status?: number; bodyAsText?: string | null; headers?: unknown } };
    const body = err?.request ? this.errorBodies.get(err.request) : undefined;
    if (!body || err.details || err.response?.bodyAsText) return e;
    return { name: err.name, code: err.code, statusCode: err.statusCode, message: err.message, response: { ...err.response, status: err.statusCode, bodyAsText: body } };
  }

  private checkName(id: string): string {
    if (!SECRET_NAME.test(id)) {
      throw new ConnectionSecretsError('InvalidReference', `"${id}" is not a valid Key Vault secret name.`, {
        fix: 'Secret names are 1–127 letters, digits and dashes: {{workato:sm:<secret name>}}.',
      });
    }
    return id;
  }

  private summary(p: SecretProperties): SecretSummary {
    const state = secretState(p, this.now());
    const description = [p.contentType, p.managed ? 'certificate-backed' : undefined].filter(Boolean).join(' · ');
    return {
      id: p.name,
      name: p.name,
      kind: 'secret',
      ...(description ? { description } : {}),
      state,
      ...(p.updatedOn ? { updatedOn: p.updatedOn } : {}),
      ...(p.version ? { version: p.version } : {}),
    };
  }

  /** One page of the vault's secrets (latest version of each); `nextToken` is Key Vault's nextLink. */
  async list(options: ListOptions = {}): Promise<SecretPage> {
    const token = options.pageToken;
    if (token !== undefined) {
      let origin: string | undefined;
      try {
        origin = new URL(token).origin;
      } catch {
        origin = undefined;
      }
      // The token is a URL the SDK will send our bearer token to: only ever our vault's.
      if (origin !== this.options.vaultUrl) {
        throw new ConnectionSecretsError('InvalidConfig', `The page token does not belong to vault ${this.options.vaultName}.`, {
          fix: 'List the vault again from the start.',
        });
      }
    }
    const pageSize = Math.max(1, Math.min(options.pageSize ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE));
    const run = async (): Promise<SecretPage> =>
      this.call(
        'listing secrets',
        {},
        async (signal) => {
          this.capturedNextLink = undefined;
          const pages = this.client.listPropertiesOfSecrets({ abortSignal: signal }).byPage({ continuationToken: token, maxPageSize: pageSize });
          const first = await pages.next();
          const nextToken = this.capturedNextLink;
          await pages.return?.(undefined);
          const filter = options.filter?.toLowerCase();
          const items = (first.done ? [] : first.value).map((p) => this.summary(p)).filter((s) => !filter || s.name.toLowerCase().includes(filter));
          return nextToken ? { items, nextToken } : { items };
        },
        options.signal,
      );
    // The nextLink is read from the shared client's last list response, so pages are fetched one at a time.
    const result = this.listQueue.then(run, run);
    this.listQueue = result.catch(() => undefined);
    return result;
  }

  /** The secret (or its pinned version) as `getSecret` answers it. */
  private async fetch(id: string, signal?: AbortSignal): Promise<{ name: string; version?: string; secret: KeyVaultSecret }> {
    const name = this.checkName(id);
    const version = this.options.versions.get(name.toLowerCase());
    const secret = await this.call(
      `reading secret "${name}"${version ? ` version ${version}` : ''}`,
      { secretName: name, version },
      (s) => this.client.getSecret(name, { ...(version ? { version } : {}), abortSignal: s }),
      signal,
    );
    return { name, version, secret };
  }

  async getValue(id: string, signal?: AbortSignal): Promise<SecretValue> {
    const { name, version, secret } = await this.fetch(id, signal);
    const now = this.now();
    const refused = stateError(name, this.options.vaultName, secret.properties, now, version);
    if (refused) throw refused;
    if (secret.value === undefined) {
      throw new ConnectionSecretsError('Unknown', `Vault ${this.options.vaultName} returned secret "${name}" without a value.`, { fix: 'Set a value for the secret.' });
    }
    return {
      id,
      value: secret.value,
      ...(secret.properties.version ? { version: secret.properties.version } : {}),
      state: secretState(secret.properties, now),
      ...(secret.properties.updatedOn ? { updatedOn: secret.properties.updatedOn } : {}),
    };
  }

  /**
   * Properties of a secret (or of its pinned version) as `getSecret` answers them, the value
   * dropped here: the troubleshooting checks need the same request Workato makes (Get permission,
   * disabled secrets refused by Key Vault) without holding the value any longer than the SDK does.
   */
  async getProperties(id: string, signal?: AbortSignal): Promise<SecretProperties> {
    return (await this.fetch(id, signal)).secret.properties;
  }

  /** Sets the secret's value (a new version; Key Vault creates the secret when it does not exist). */
  async put(id: string, value: string, signal?: AbortSignal): Promise<PutResult> {
    const name = this.checkName(id);
    const existed = await this.call(`reading secret "${name}"`, { secretName: name }, (s) => this.client.getSecret(name, { abortSignal: s }), signal).then(
      () => true,
      (e: unknown) => {
        if (e instanceof ConnectionSecretsError && e.code === 'NotFound') return false;
        if (e instanceof ConnectionSecretsError && e.code === 'Disabled') return true;
        throw e;
      },
    );
    const secret = await this.call(`setting secret "${name}"`, { secretName: name }, (s) => this.client.setSecret(name, value, { abortSignal: s }), signal);
    return { ...(secret.properties.version ? { version: secret.properties.version } : {}), created: !existed };
  }

  /**
   * Values of several secrets: each distinct name (Key Vault names are case-insensitive) is read
   * once, a few at a time; the first read runs alone so one auth challenge serves the rest, and a
   * vault-wide failure (sign-in, network, TLS) ends the batch instead of repeating it per id.
   */
  async getValues(ids: readonly string[], signal?: AbortSignal): Promise<Map<string, BatchResult>> {
    const byKey = new Map<string, string[]>();
    for (const id of ids) {
      const key = id.toLowerCase();
      byKey.set(key, [...(byKey.get(key) ?? []), id]);
    }
    const results = new Map<string, BatchResult>();
    let vaultWide: ConnectionSecretsError | undefined;
    const fetchOne = async (key: string) => {
      const requested = byKey.get(key)!;
      let result: BatchResult;
      if (vaultWide) {
        result = vaultWide;
      } else {
        try {
          result = await this.getValue(requested[0], signal);
        } catch (e) {
          result = e instanceof ConnectionSecretsError ? e : toAzureError(e, this.errorContext(`reading secret "${requested[0]}"`, { secretName: requested[0] }));
          if (VAULT_WIDE.has(result.code)) vaultWide ??= result;
        }
      }
      for (const id of requested) results.set(id, result instanceof ConnectionSecretsError || result.id === id ? result : { ...result, id });
    };
    const keys = [...byKey.keys()];
    let start = 0;
    if (!this.challenged && keys.length > 1) {
      await fetchOne(keys[0]);
      start = 1;
    }
    let nextIndex = start;
    const worker = async () => {
      while (nextIndex < keys.length) await fetchOne(keys[nextIndex++]);
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, keys.length - start) }, worker));
    return results;
  }

  /** Properties of every version of a secret (no values), paged to the end. */
  private async versionsOf(name: string, signal?: AbortSignal): Promise<SecretProperties[]> {
    return this.call(
      `reading the versions of secret "${name}"`,
      { secretName: name },
      async (s) => {
        const all: SecretProperties[] = [];
        for await (const p of this.client.listPropertiesOfSecretVersions(name, { abortSignal: s })) all.push(p);
        return all;
      },
      signal,
    );
  }

  private current(name: string, versions: SecretProperties[]): SecretProperties {
    const pinned = this.options.versions.get(name.toLowerCase());
    const found = pinned
      ? versions.find((v) => v.version?.toLowerCase() === pinned)
      : versions.reduce<SecretProperties | undefined>((best, v) => (!best || (v.createdOn?.getTime() ?? 0) >= (best.createdOn?.getTime() ?? 0) ? v : best), undefined);
    if (!found) {
      throw new ConnectionSecretsError('NotFound', pinned ? `Version ${pinned} of secret "${name}" does not exist in vault ${this.options.vaultName}.` : `Secret "${name}" does not exist in vault ${this.options.vaultName}.`, {
        fix: pinned ? `Fix or remove versions.${name} in the provider block.` : `Check the name; list them with: az keyvault secret list --vault-name ${this.options.vaultName} --query [].name`,
      });
    }
    return found;
  }

  async describe(id: string, signal?: AbortSignal): Promise<SecretDescription> {
    const name = this.checkName(id);
    const versions = await this.versionsOf(name, signal);
    const p = this.current(name, versions);
    const facts: Record<string, string> = { vault: this.options.vaultUrl, versions: String(versions.length) };
    if (this.options.versions.has(name.toLowerCase())) facts.pinned = 'yes (provider block "versions")';
    if (p.contentType) facts.contentType = p.contentType;
    facts.enabled = String(p.enabled ?? true);
    if (p.notBefore) facts.notBefore = p.notBefore.toISOString();
    if (p.expiresOn) facts.expiresOn = p.expiresOn.toISOString();
    if (p.createdOn) facts.createdOn = p.createdOn.toISOString();
    if (p.managed) facts.managed = 'certificate-backed (managed by Key Vault certificates)';
    if (p.recoveryLevel) facts.recoveryLevel = p.recoveryLevel;
    if (p.tags && Object.keys(p.tags).length) facts.tags = Object.keys(p.tags).join(', ');
    return {
      id,
      name: p.name,
      ...(p.version ? { version: p.version } : {}),
      state: secretState(p, this.now()),
      ...(p.updatedOn ? { updatedOn: p.updatedOn } : {}),
      facts,
    };
  }

  /**
   * The version a fresh `getValue` returns, from properties only (no value is transferred): the
   * pinned version, or the newest version of the secret.
   */
  async currentVersion(id: string, signal?: AbortSignal): Promise<string | undefined> {
    const name = this.checkName(id);
    const pinned = this.options.versions.get(name.toLowerCase());
    if (pinned) return pinned;
    return this.current(name, await this.versionsOf(name, signal)).version;
  }

  /** Who the provider signs in as, read from the claims of a token for the vault (the token is not kept). */
  async identity(signal?: AbortSignal): Promise<string | undefined> {
    const token = await this.call('signing in', {}, (s) => this.signIn.credential.getToken(vaultScope(this.options.vaultUrl), { abortSignal: s }), signal);
    return (token && describeTokenClaims(token.token)) ?? this.signIn.label;
  }

  dispose(): void {
    this.capturedNextLink = undefined;
  }
}

function capital(s: string) {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
