/**
 * The `vault` provider (HashiCorp Vault and OpenBao), loaded lazily as its own bundle.
 *
 * Provider block (DESIGN §1):
 *   address    https://vault.example.com:8200            (required)
 *   namespace  admin/devops                              (sent as X-Vault-Namespace)
 *   caCert     certs/vault-ca.pem                        (PEM, relative to the connections.yaml)
 *   auth:      { method: approle, mount: approle, roleName: devops, roleId: … }
 *              { method: token }                         (VAULT_TOKEN, ~/.vault-token, or asked)
 */
import type { ProviderConfig } from '../../core/model';
import type { ProviderContext, ProviderFactory } from '../../core/provider';
import { TokenManager } from './auth';
import { VaultHttp } from './client';
import { parseVaultOptions, readCaCert } from './options';
import { VaultProvider } from './vaultProvider';

export { stripKvV2DataPrefix, parseSecretId, kvReadPath, kvListPath, kvMetadataPath } from './kv';
export { secretIdKey, tokenKey } from './auth';
export { VaultProvider } from './vaultProvider';
export { parseVaultOptions, type VaultOptions } from './options';
export { troubleshoot } from './troubleshoot';

export const createProvider: ProviderFactory = (config: ProviderConfig, context: ProviderContext) => {
  const options = parseVaultOptions(config);
  const http = new VaultHttp({
    address: options.address,
    namespace: options.namespace,
    caPem: readCaCert(options),
    caCertSetting: options.caCert?.setting,
    timeoutMs: context.timeoutMs ?? 10_000,
    log: context.log,
  });
  const tokens = new TokenManager(http, { auth: options.auth, credentials: context.credentials, env: context.env ?? process.env, log: context.log });
  return new VaultProvider({ http, tokens, log: context.log });
};
