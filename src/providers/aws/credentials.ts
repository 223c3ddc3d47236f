/**
 * Credentials of the AWS provider: the SDK's default chain (environment, shared config and
 * credentials files, `profile`, SSO, process, container and instance roles), optionally
 * exchanged for a role's session with STS AssumeRole (+ ExternalId, as Workato's IAM-role setup
 * does). Resolved credentials are cached per profile + role + region (+ endpoint and the static
 * keys they come from), never shared across those.
 */
import crypto from 'node:crypto';
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { ConnectionSecretsError } from '../../core/errors';
import type { AwsCredentialProvider, AwsCredentials } from './clients';
import { toAwsError, type AwsErrorContext } from './errors';

/** Renew temporary credentials this long before they expire. */
const REFRESH_MARGIN_MS = 5 * 60_000;

/** Everything that decides which identity the credentials belong to. */
export interface CredentialScope {
  profile?: string;
  roleArn?: string;
  externalId?: string;
  region?: string;
  endpoint?: string;
  /** Static keys from the context's environment, when those are the source. */
  staticKeys?: AwsCredentials;
}

/**
 * Cache key of a scope. Hashed so the key itself never holds a secret access key, yet two
 * different key pairs never share an entry.
 */
export function credentialCacheKey(scope: CredentialScope): string {
  const parts = [
    scope.profile ?? '',
    scope.roleArn ?? '',
    scope.externalId ?? '',
    scope.region ?? '',
    scope.endpoint ?? '',
    scope.staticKeys ? `${scope.staticKeys.accessKeyId}:${scope.staticKeys.secretAccessKey}:${scope.staticKeys.sessionToken ?? ''}` : '',
  ];
  return crypto.createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/**
 * Memoizes a credential provider: one fetch at a time, the result kept until shortly before it
 * expires; a failure is not kept, so a fixed trust policy or a new SSO login works on the next call.
 */
export function memoizeCredentials(fetch: AwsCredentialProvider, now: () => number = Date.now): AwsCredentialProvider {
  let current: AwsCredentials | undefined;
  let pending: Promise<AwsCredentials> | undefined;
  return async () => {
    if (current && (!current.expiration || current.expiration.getTime() - REFRESH_MARGIN_MS > now())) return current;
    pending ??= fetch().then(
      (c) => {
        current = c;
        pending = undefined;
        return c;
      },
      (e: unknown) => {
        current = undefined;
        pending = undefined;
        throw e;
      },
    );
    return pending;
  };
}

/** Credential providers by scope; share one per process so every provider instance reuses sessions. */
export class CredentialCache {
  private readonly entries = new Map<string, AwsCredentialProvider>();

  get size(): number {
    return this.entries.size;
  }

  get(scope: CredentialScope, create: () => AwsCredentialProvider): AwsCredentialProvider {
    const key = credentialCacheKey(scope);
    let p = this.entries.get(key);
    if (!p) {
      p = memoizeCredentials(create());
      this.entries.set(key, p);
    }
    return p;
  }

  clear(): void {
    this.entries.clear();
  }
}

/** The process-wide cache used when the factory is not given one. */
export const sharedCredentialCache = new CredentialCache();

/**
 * Static keys from an explicitly passed environment (the CLI's `io.env`, a test's env). The
 * SDK's own chain reads `process.env` only, so keys in another environment would be missed.
 * A profile, when set, wins over keys, as in the AWS CLI.
 */
export function staticKeysFrom(env: NodeJS.ProcessEnv | undefined, profile: string | undefined): AwsCredentials | undefined {
  if (!env || profile) return undefined;
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) return undefined;
  return { accessKeyId, secretAccessKey, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) };
}

/** The default chain for a profile, or the given static keys. */
export function baseCredentials(profile: string | undefined, staticKeys: AwsCredentials | undefined): AwsCredentialProvider {
  if (staticKeys) return async () => staticKeys;
  const chain = fromNodeProviderChain(profile ? { profile } : {});
  return async () => chain();
}

export interface AssumeRoleSettings {
  roleArn: string;
  externalId?: string;
  /** Shown in CloudTrail as the session name. */
  sessionName?: string;
  /** STS client signed with the base credentials. */
  sts: STSClient;
  errorContext: Omit<AwsErrorContext, 'operation'>;
  timeoutMs: number;
}

/**
 * Credentials of a role session (sts:AssumeRole). Errors are mapped here, so a wrong external
 * ID or a trust policy that does not name the caller reads as "may not assume <role>"
 * rather than as a failure of whatever Secrets Manager call needed the credentials.
 */
export function assumeRoleCredentials(s: AssumeRoleSettings): AwsCredentialProvider {
  return async () => {
    let out;
    const signal = AbortSignal.timeout(s.timeoutMs);
    try {
      out = await s.sts.send(
        new AssumeRoleCommand({
          RoleArn: s.roleArn,
          RoleSessionName: s.sessionName ?? 'connection-secrets',
          ...(s.externalId ? { ExternalId: s.externalId } : {}),
          DurationSeconds: 3600,
        }),
        { abortSignal: signal },
      );
    } catch (e) {
      if (signal.aborted) {
        throw new ConnectionSecretsError('Timeout', `AssumeRole of ${s.roleArn} timed out after ${Math.round(s.timeoutMs / 1000)} s`, {
          fix: 'Check that STS is reachable from this machine (network, proxy, or "endpoint" for emulators).',
          retryable: true,
        });
      }
      throw toAwsError(e, { ...s.errorContext, operation: 'AssumeRole' });
    }
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) {
      throw new ConnectionSecretsError('Unauthenticated', `STS returned no credentials for role ${s.roleArn}`, { fix: 'Retry; if it persists, check the role in the IAM console.' });
    }
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
  };
}
