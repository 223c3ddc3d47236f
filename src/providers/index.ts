/**
 * Provider registry. Each secrets manager is loaded on first use: the esbuild script turns the
 * cloud providers' dynamic imports into separate bundles (`dist/providers/<type>.js`), so
 * activation evaluates no SDK.
 */
import { ConnectionSecretsError } from '../core/errors';
import type { ProviderConfig, ProviderType } from '../core/model';
import type { ProviderContext, ProviderFactory, SecretsProvider } from '../core/provider';
import type { Check, TroubleshootTarget, TroubleshooterFactory } from '../core/troubleshoot/types';

/** A provider module: its factory and, next to it, its troubleshooting checks (same bundle, same SDK). */
type ProviderModule = { createProvider: ProviderFactory; troubleshoot: TroubleshooterFactory };

const loaders: Record<ProviderType, () => Promise<ProviderModule>> = {
  env: () => import('./env'),
  file: () => import('./file'),
  aws: () => import('./aws'),
  vault: () => import('./vault'),
  azure: () => import('./azure'),
};

function loaderFor(config: ProviderConfig): () => Promise<ProviderModule> {
  const load = loaders[config.type];
  if (!load) {
    throw new ConnectionSecretsError('InvalidConfig', `Unknown provider type "${String(config.type)}"`, {
      fix: 'Use one of: aws, vault, azure, env, file.',
    });
  }
  return load;
}

export async function createProvider(config: ProviderConfig, context: ProviderContext): Promise<SecretsProvider> {
  const mod = await loaderFor(config)();
  return mod.createProvider(config, context);
}

/** The troubleshooting checklist of the target's provider, loaded with that provider's bundle. */
export async function troubleshootChecks(target: TroubleshootTarget, context: ProviderContext): Promise<Check[]> {
  const mod = await loaderFor(target.provider)();
  return mod.troubleshoot(target, context);
}
