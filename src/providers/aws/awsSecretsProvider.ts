/**
 * AWS Secrets Manager behind the `SecretsProvider` interface.
 *
 * - Values: BatchGetSecretValue in chunks of at most 20 ids (the API's limit), one error per
 *   id; when the batch action itself is denied, GetSecretValue per secret (remembered for the
 *   life of the instance, so a policy without BatchGetSecretValue costs one denied call, not one
 *   per resolution). SecretString is returned as is; the resolver reads JSON keys from it.
 *   SecretBinary is a per-id `NotKeyValue` error (Workato reads key/value secrets only).
 * - Listing: ListSecrets with IncludePlannedDeletion, following NextToken across empty pages.
 * - Every call: a timeout (context `timeoutMs`, default 10 s), bounded jittered retries on
 *   throttling and 5xx, and errors mapped to typed errors naming the missing IAM action.
 */
import {
  BatchGetSecretValueCommand,
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  type DescribeSecretResponse,
  type SecretListEntry,
  type SecretValueEntry,
} from '@aws-sdk/client-secrets-manager';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { ConnectionSecretsError } from '../../core/errors';
import type { ProviderContext } from '../../core/provider';
import type { BatchResult, ListOptions, PutResult, SecretDescription, SecretPage, SecretsProvider, SecretState, SecretSummary, SecretValue } from '../../core/provider';
import { withRetry, withTimeout, type RetryOptions } from '../../core/retry';
import { addErrorBodyMiddleware, type AwsClients } from './clients';
import { fromBatchErrorEntry, isBatchDenied, toAwsError, type AwsErrorContext, type AwsOperation } from './errors';
import type { AwsOptions } from './options';

/** BatchGetSecretValue accepts at most 20 ids per call. */
export const BATCH_LIMIT = 20;
/** ListSecrets returns at most 100 per page. */
const MAX_PAGE = 100;
/** Empty pages followed before handing a token back to the caller (the tree shows "Load more"). */
const MAX_EMPTY_PAGES = 20;
const DEFAULT_TIMEOUT_MS = 10_000;

export interface AwsProviderSettings {
  options: AwsOptions;
  clients: AwsClients;
  context: ProviderContext;
  /** Backoff of throttling/5xx retries; tests shorten it. */
  retry?: Pick<RetryOptions, 'retries' | 'baseDelayMs' | 'maxDelayMs' | 'sleep' | 'random'>;
  /** Parallel calls (batch chunks, or GetSecretValue in the fallback). Default 4. */
  concurrency?: number;
  /** Called on dispose (releases the clients). */
  onDispose?: () => void;
}

const CURRENT = 'AWSCURRENT';

/** Runs `fn` over `items` with at most `limit` running at once; keeps input order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function currentVersionOf(stages: Record<string, string[]> | undefined): string | undefined {
  if (!stages) return undefined;
  return Object.entries(stages).find(([, s]) => s.includes(CURRENT))?.[0];
}

/** Does a batch result entry answer the id that was asked for (name, full ARN or ARN without its 6-character suffix)? */
export function entryMatches(requested: string, entry: { Name?: string; ARN?: string }): boolean {
  if (requested === entry.Name || requested === entry.ARN) return true;
  return !!entry.ARN && requested.startsWith('arn:') && entry.ARN.length === requested.length + 7 && entry.ARN.startsWith(`${requested}-`);
}

export class AwsSecretsProvider implements SecretsProvider {
  readonly type = 'aws' as const;
  readonly label: string;
  private readonly options: AwsOptions;
  private readonly clients: AwsClients;
  private readonly timeoutMs: number;
  private readonly retry: AwsProviderSettings['retry'];
  private readonly concurrency: number;
  private readonly log: (m: string) => void;
  private readonly onDispose?: () => void;
  /** Set once BatchGetSecretValue was refused; from then on values come one GetSecretValue each. */
  private batchDenied = false;
  private identityPromise?: Promise<string | undefined>;

  constructor(s: AwsProviderSettings) {
    this.options = s.options;
    this.clients = s.clients;
    this.timeoutMs = s.context.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.retry = s.retry;
    this.concurrency = Math.max(1, s.concurrency ?? 4);
    this.log = s.context.log ?? (() => undefined);
    this.onDispose = s.onDispose;
    addErrorBodyMiddleware(this.clients.secretsManager);
    const o = s.options;
    const extras = [o.profile ? `profile ${o.profile}` : undefined, o.roleArn ? `role ${o.roleArn.slice(o.roleArn.indexOf(':role/') + 6)}` : undefined, o.endpoint ? `@ ${o.endpoint}` : undefined].filter(Boolean);
    this.label = `aws (${[o.region ?? 'default region', ...extras].join(', ')})`;
  }

  /** True once the batch action was refused and values are fetched one by one. */
  get usesPerSecretFallback(): boolean {
    return this.batchDenied;
  }

  private errorContext(operation: AwsOperation, secretId?: string): AwsErrorContext {
    const o = this.options;
    return { operation, secretId, region: o.region, endpoint: o.endpoint, profile: o.profile, roleArn: o.roleArn, externalId: o.externalId };
  }

  /** One API call with timeout, typed errors and bounded retries on throttling and 5xx. */
  private call<T>(operation: AwsOperation, secretId: string | undefined, signal: AbortSignal | undefined, send: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    const what = `AWS ${operation}${secretId ? ` of "${secretId}"` : ''}`;
    return withRetry(
      async (attempt) => {
        if (attempt > 0) this.log(`${what}: retry ${attempt}`);
        try {
          return await withTimeout(what, this.timeoutMs, send, signal);
        } catch (e) {
          if (signal?.aborted) throw new ConnectionSecretsError('Cancelled', `${what} was cancelled`);
          throw toAwsError(e, this.errorContext(operation, secretId));
        }
      },
      {
        ...this.retry,
        signal,
        // A timeout already cost the full budget; retrying would multiply the wait.
        isRetryable: (e) => e instanceof ConnectionSecretsError && e.retryable && e.code !== 'Timeout',
      },
    );
  }

  async list(options: ListOptions = {}): Promise<SecretPage> {
    const pageSize = Math.min(MAX_PAGE, Math.max(1, options.pageSize ?? MAX_PAGE));
    const filter = options.filter?.trim();
    let token = options.pageToken;
    for (let empty = 0; ; empty++) {
      const out = await this.call('ListSecrets', undefined, options.signal, (abortSignal) =>
        this.clients.secretsManager.send(
          new ListSecretsCommand({
            MaxResults: pageSize,
            NextToken: token,
            IncludePlannedDeletion: true,
            ...(filter ? { Filters: [{ Key: 'name', Values: [filter] }] } : {}),
          }),
          { abortSignal },
        ),
      );
      const items = (out.SecretList ?? []).map((e) => this.summary(e));
      token = out.NextToken || undefined;
      // AWS may answer an empty page that still carries a token; follow it rather than show nothing.
      if (items.length > 0 || !token || empty >= MAX_EMPTY_PAGES) return { items, ...(token ? { nextToken: token } : {}) };
    }
  }

  private summary(e: SecretListEntry): SecretSummary {
    return {
      id: e.ARN ?? e.Name ?? '',
      name: e.Name ?? e.ARN ?? '',
      kind: 'secret',
      ...(e.Description ? { description: e.Description } : {}),
      state: e.DeletedDate ? 'pendingDeletion' : 'active',
      ...(e.LastChangedDate ? { updatedOn: e.LastChangedDate } : {}),
      ...(currentVersionOf(e.SecretVersionsToStages) ? { version: currentVersionOf(e.SecretVersionsToStages) } : {}),
    };
  }

  /** A value entry (batch or single) as a `SecretValue`, or the per-id error for binary secrets. */
  private toValue(id: string, e: Pick<SecretValueEntry, 'SecretString' | 'SecretBinary' | 'VersionId' | 'CreatedDate'>): SecretValue | ConnectionSecretsError {
    if (typeof e.SecretString === 'string') {
      return { id, value: e.SecretString, ...(e.VersionId ? { version: e.VersionId } : {}), state: 'active', ...(e.CreatedDate ? { updatedOn: e.CreatedDate } : {}) };
    }
    const binary = e.SecretBinary !== undefined;
    return new ConnectionSecretsError('NotKeyValue', `Secret "${id}" ${binary ? 'holds binary data (SecretBinary)' : 'has no value'}, not a JSON key/value secret`, {
      fix: 'Workato reads AWS secrets as JSON key/value pairs only: store it as a SecretString such as {"password": "…"} (aws secretsmanager put-secret-value --secret-string file://value.json).',
      detail: binary ? 'SecretBinary' : 'no SecretString',
    });
  }

  async getValue(id: string, signal?: AbortSignal): Promise<SecretValue> {
    const r = await this.getOne(id, signal);
    if (r instanceof ConnectionSecretsError) throw r;
    return r;
  }

  private async getOne(id: string, signal?: AbortSignal): Promise<BatchResult> {
    try {
      const out = await this.call('GetSecretValue', id, signal, (abortSignal) => this.clients.secretsManager.send(new GetSecretValueCommand({ SecretId: id }), { abortSignal }));
      return this.toValue(id, out);
    } catch (e) {
      return toAwsError(e, this.errorContext('GetSecretValue', id));
    }
  }

  async getValues(ids: readonly string[], signal?: AbortSignal): Promise<Map<string, BatchResult>> {
    const unique = [...new Set(ids)];
    const found = new Map<string, BatchResult>();
    const parts = await mapLimit(chunks(unique, BATCH_LIMIT), this.concurrency, (chunk) => this.fetchChunk(chunk, signal));
    for (const part of parts) for (const [id, r] of part) found.set(id, r);
    return new Map(unique.map((id) => [id, found.get(id)!]));
  }

  private async fetchChunk(ids: string[], signal?: AbortSignal): Promise<Map<string, BatchResult>> {
    if (!this.batchDenied) {
      try {
        return await this.batchChunk(ids, signal);
      } catch (e) {
        const err = toAwsError(e, this.errorContext('BatchGetSecretValue'));
        if (!isBatchDenied(err)) return new Map(ids.map((id) => [id, err]));
        if (!this.batchDenied) this.log(`BatchGetSecretValue was denied (${err.message}); fetching secrets one by one with GetSecretValue`);
        this.batchDenied = true;
      }
    }
    const results = await mapLimit(ids, this.concurrency, (id) => this.getOne(id, signal));
    return new Map(ids.map((id, i) => [id, results[i]]));
  }

  private async batchChunk(ids: string[], signal?: AbortSignal): Promise<Map<string, BatchResult>> {
    const values: SecretValueEntry[] = [];
    const errors: { SecretId?: string; ErrorCode?: string; Message?: string }[] = [];
    let token: string | undefined;
    // With an id list the answer fits one page; the bound only guards against a server that never stops.
    for (let page = 0; page <= ids.length; page++) {
      const out = await this.call('BatchGetSecretValue', undefined, signal, (abortSignal) =>
        this.clients.secretsManager.send(new BatchGetSecretValueCommand({ SecretIdList: ids, ...(token ? { NextToken: token } : {}) }), { abortSignal }),
      );
      values.push(...(out.SecretValues ?? []));
      errors.push(...(out.Errors ?? []));
      token = out.NextToken || undefined;
      if (!token) break;
    }
    const result = new Map<string, BatchResult>();
    const unanswered: string[] = [];
    const ctx = this.errorContext('GetSecretValue');
    for (const id of ids) {
      const v = values.find((e) => entryMatches(id, e));
      if (v) {
        result.set(id, this.toValue(id, v));
        continue;
      }
      const err = errors.find((e) => e.SecretId === id) ?? errors.find((e) => e.SecretId !== undefined && entryMatches(id, { Name: e.SecretId, ARN: e.SecretId }));
      if (err) result.set(id, fromBatchErrorEntry({ ...err, SecretId: id }, ctx));
      else unanswered.push(id);
    }
    // An id the batch answer does not mention (an alias form the server matched differently): ask for it alone.
    if (unanswered.length) {
      const single = await mapLimit(unanswered, this.concurrency, (id) => this.getOne(id, signal));
      unanswered.forEach((id, i) => result.set(id, single[i]));
    }
    return result;
  }

  private describeRaw(id: string, signal?: AbortSignal): Promise<DescribeSecretResponse> {
    return this.call('DescribeSecret', id, signal, (abortSignal) => this.clients.secretsManager.send(new DescribeSecretCommand({ SecretId: id }), { abortSignal }));
  }

  async describe(id: string, signal?: AbortSignal): Promise<SecretDescription> {
    const d = await this.describeRaw(id, signal);
    const state: SecretState = d.DeletedDate ? 'pendingDeletion' : 'active';
    const facts: Record<string, string> = {};
    const put = (k: string, v: unknown) => {
      if (v === undefined || v === null || v === '') return;
      facts[k] = v instanceof Date ? v.toISOString() : String(v);
    };
    put('ARN', d.ARN);
    put('Name', d.Name);
    put('Description', d.Description);
    put('KMS key', d.KmsKeyId ?? 'aws/secretsmanager (AWS managed key)');
    put('Rotation enabled', d.RotationEnabled ?? false);
    put('Last rotated', d.LastRotatedDate);
    put('Next rotation', d.NextRotationDate);
    put('Last changed', d.LastChangedDate);
    put('Last accessed', d.LastAccessedDate);
    put('Created', d.CreatedDate);
    put('Scheduled deletion', d.DeletedDate);
    put('Primary region', d.PrimaryRegion);
    put('Owning service', d.OwningService);
    put('Versions', Object.keys(d.VersionIdsToStages ?? {}).length);
    const version = currentVersionOf(d.VersionIdsToStages);
    return {
      id: d.ARN ?? id,
      name: d.Name ?? id,
      ...(version ? { version } : {}),
      state,
      ...(d.LastChangedDate ? { updatedOn: d.LastChangedDate } : {}),
      facts,
    };
  }

  /** The AWSCURRENT version id from DescribeSecret (no value is fetched). */
  async currentVersion(id: string, signal?: AbortSignal): Promise<string | undefined> {
    return currentVersionOf((await this.describeRaw(id, signal)).VersionIdsToStages);
  }

  /**
   * PutSecretValue (a new AWSCURRENT version); a secret that does not exist yet is created with
   * CreateSecret under that name (never for an ARN: that names an existing secret).
   */
  async put(id: string, value: string, signal?: AbortSignal): Promise<PutResult> {
    try {
      const out = await this.call('PutSecretValue', id, signal, (abortSignal) => this.clients.secretsManager.send(new PutSecretValueCommand({ SecretId: id, SecretString: value }), { abortSignal }));
      return { ...(out.VersionId ? { version: out.VersionId } : {}), created: false };
    } catch (e) {
      if (!(e instanceof ConnectionSecretsError && e.code === 'NotFound') || id.startsWith('arn:')) throw e;
    }
    const out = await this.call('CreateSecret', id, signal, (abortSignal) => this.clients.secretsManager.send(new CreateSecretCommand({ Name: id, SecretString: value }), { abortSignal }));
    return { ...(out.VersionId ? { version: out.VersionId } : {}), created: true };
  }

  /** "<account> <arn>" of the caller (after AssumeRole, the role session). */
  identity(signal?: AbortSignal): Promise<string | undefined> {
    this.identityPromise ??= this.call('GetCallerIdentity', undefined, signal, (abortSignal) => this.clients.sts.send(new GetCallerIdentityCommand({}), { abortSignal })).then(
      (out) => [out.Account, out.Arn].filter(Boolean).join(' ') || undefined,
      (e: unknown) => {
        this.identityPromise = undefined;
        throw e;
      },
    );
    return this.identityPromise;
  }

  dispose(): void {
    this.onDispose?.();
  }
}
