/**
 * `env` provider: secrets are environment variables of the process (VS Code's, or the CLI's).
 * `{{workato:sm:DB_PASS}}` reads `<prefix>DB_PASS`.
 */
import { ConnectionSecretsError } from '../core/errors';
import type { BatchResult, ProviderFactory, SecretDescription, SecretsProvider, SecretValue, ListOptions, SecretPage } from '../core/provider';
import type { TroubleshooterFactory } from '../core/troubleshoot/types';
import { localVersion, pageOf } from './local';
import { envChecks } from './localTroubleshoot';

/** Its troubleshooting checklist: each referenced variable is set (names only), and one variable's length. */
export const troubleshoot: TroubleshooterFactory = (target, context) => envChecks(target, context);

export const createProvider: ProviderFactory = (config, context) => {
  const prefix = typeof config.options.prefix === 'string' ? config.options.prefix : '';
  const env = context.env ?? process.env;

  const read = (id: string): SecretValue => {
    const value = env[prefix + id];
    if (value === undefined) {
      throw new ConnectionSecretsError('NotFound', `Environment variable ${prefix}${id} is not set`, {
        fix: `Set ${prefix}${id} in the environment that starts VS Code or the CLI, then refresh.`,
      });
    }
    return { id, value, version: localVersion(value), state: 'active' };
  };

  const provider: SecretsProvider = {
    type: 'env',
    label: prefix ? `env (${prefix}*)` : 'env',
    async list(options?: ListOptions): Promise<SecretPage> {
      const names = Object.keys(env)
        .filter((k) => k.startsWith(prefix) && k.length > prefix.length)
        .map((k) => k.slice(prefix.length))
        .sort();
      return pageOf(names.map((name) => ({ id: name, name, kind: 'secret' as const })), options);
    },
    async getValue(id) {
      return read(id);
    },
    async getValues(ids) {
      const out = new Map<string, BatchResult>();
      for (const id of ids) {
        try {
          out.set(id, read(id));
        } catch (e) {
          out.set(id, e as ConnectionSecretsError);
        }
      }
      return out;
    },
    async describe(id): Promise<SecretDescription> {
      const v = read(id);
      return { id, name: id, version: v.version, state: 'active', facts: { variable: prefix + id } };
    },
    async currentVersion(id) {
      return read(id).version;
    },
    dispose() {},
  };
  return provider;
};
