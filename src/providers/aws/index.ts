/**
 * `aws` provider: AWS Secrets Manager. Loaded lazily (its own bundle, dist/providers/aws.js), so
 * the SDK is evaluated only when a workspace uses it.
 */
import type { ProviderConfig } from '../../core/model';
import type { ProviderContext, ProviderFactory } from '../../core/provider';
import { AwsSecretsProvider, type AwsProviderSettings } from './awsSecretsProvider';
import { createDefaultClients, type AwsClientsFactory } from './clients';
import { assumeRoleCredentials, baseCredentials, sharedCredentialCache, staticKeysFrom, type CredentialCache } from './credentials';
import { parseAwsOptions } from './options';
import { troubleshootAws, type AwsTroubleshootDeps } from './troubleshoot';
import type { TroubleshootTarget, TroubleshooterFactory } from '../../core/troubleshoot/types';

export { AwsSecretsProvider, BATCH_LIMIT } from './awsSecretsProvider';
export { createDefaultClients, type AwsClients, type AwsClientSettings, type AwsClientsFactory } from './clients';
export { CredentialCache } from './credentials';
export { REQUIRED_ACTION, toAwsError } from './errors';
export { parseAwsOptions, type AwsOptions } from './options';
export { troubleshootAws, type AwsTroubleshootDeps } from './troubleshoot';
export { createPolicyReader, type PolicyReaderFactory } from './iamPolicies';

/** What tests and the bench may replace; production uses the defaults. */
export interface AwsProviderDeps {
  /** Builds the SDK clients (default: real clients with SDK retries off). */
  clients?: AwsClientsFactory;
  /** Where role sessions and chain credentials are kept (default: one per process). */
  credentialCache?: CredentialCache;
  retry?: AwsProviderSettings['retry'];
  concurrency?: number;
}

/**
 * Creates the provider for an `aws` block. Throws `InvalidConfig` for a malformed block; network
 * and credential problems surface on the first call, as typed errors.
 */
export function createAwsProvider(config: ProviderConfig, context: ProviderContext, deps: AwsProviderDeps = {}): AwsSecretsProvider {
  const env = context.env ?? process.env;
  const options = parseAwsOptions(config.options, env);
  const factory = deps.clients ?? createDefaultClients;
  const cache = deps.credentialCache ?? sharedCredentialCache;
  const timeoutMs = context.timeoutMs ?? 10_000;
  const staticKeys = staticKeysFrom(env, options.profile);
  const scope = { profile: options.profile, roleArn: options.roleArn, externalId: options.externalId, region: options.region, endpoint: options.endpoint, staticKeys };
  const clientBase = { region: options.region, profile: options.profile, endpoint: options.endpoint, stsEndpoint: options.stsEndpoint };

  const credentials = cache.get(scope, () => {
    const base = baseCredentials(options.profile, staticKeys);
    if (!options.roleArn) return base;
    // The STS client that assumes the role is signed with the base credentials and owned by the
    // cache entry, so it outlives the provider instance that happened to create it.
    const { sts } = factory({ ...clientBase, credentials: base });
    return assumeRoleCredentials({
      roleArn: options.roleArn,
      externalId: options.externalId,
      sts,
      timeoutMs,
      errorContext: { region: options.region, endpoint: options.endpoint, profile: options.profile, roleArn: options.roleArn, externalId: options.externalId },
    });
  });

  const clients = factory({ ...clientBase, credentials });
  return new AwsSecretsProvider({
    options,
    clients,
    context,
    retry: deps.retry,
    concurrency: deps.concurrency,
    onDispose: () => {
      clients.secretsManager.destroy();
      clients.sts.destroy();
    },
  });
}

/** The registry's entry point; the optional third argument is for tests and the bench. */
export const createProvider = ((config: ProviderConfig, context: ProviderContext, deps?: AwsProviderDeps) => createAwsProvider(config, context, deps)) satisfies ProviderFactory;

/**
 * The troubleshooting checklist of an `aws` block (registry hook `troubleshootChecks`); loaded
 * with this bundle, so the SDK is evaluated only when someone troubleshoots. The optional third
 * argument is for tests.
 */
export const troubleshoot = ((target: TroubleshootTarget, context: ProviderContext, deps?: AwsTroubleshootDeps) => troubleshootAws(target, context, deps)) satisfies TroubleshooterFactory;
