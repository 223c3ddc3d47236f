// Placeholder until the aws provider lands; replaced by its issue's work.
import { ConnectionSecretsError } from '../core/errors';
import type { ProviderFactory } from '../core/provider';

export const createProvider: ProviderFactory = () => {
  throw new ConnectionSecretsError('InvalidConfig', 'The aws provider is not available in this build yet', {
    fix: 'Use the env or file provider for now.',
  });
};
