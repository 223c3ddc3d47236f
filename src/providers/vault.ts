// Placeholder until the vault provider lands; replaced by its issue's work.
import { ConnectionSecretsError } from '../core/errors';
import type { ProviderFactory } from '../core/provider';

export const createProvider: ProviderFactory = () => {
  throw new ConnectionSecretsError('InvalidConfig', 'The vault provider is not available in this build yet', {
    fix: 'Use the env or file provider for now.',
  });
};
