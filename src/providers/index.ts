/**
 * Provider registry. Each secrets manager is loaded on first use: the esbuild script turns the
 * cloud providers' dynamic imports into separate bundles (`dist/providers/<type>.js`), so
 * activation evaluates no SDK.
 */
import { ConnectionSecretsError } from '../core/errors';
import type { ProviderConfig, ProviderType } from '../core/model';
import type { ProviderContext, ProviderFactory, SecretsProvider } from '../core/provider';

type ProviderModule = { createProvider: ProviderFactory };

const loaders: Record<ProviderType, () => Promise<ProviderModule>> = {
  env: () => import('./env'),
  file: () => import('./file'),
  aws: () => import('./aws'),
  vault: () => import('./vault'),
  azure: () => import('./azure'),
};

export async function createProvider(config: ProviderConfig, context: ProviderContext): Promise<SecretsProvider> {
  const load = loaders[config.type];
  if (!load) {
    throw new ConnectionSecretsError('InvalidConfig', `Unknown provider type "${String(config.type)}"`, {
      fix: 'Use one of: aws, vault, azure, env, file.',
    });
  }
  const mod = await load();
  return mod.createProvider(config, context);
}
