/**
 * Azure Key Vault provider (lazy bundle `dist/providers/azure.js`): the only module tree that
 * imports `@azure/keyvault-secrets` and `@azure/identity`.
 *
 * Provider block (connections.yaml):
 *   type: azure
 *   vaultUrl: https://<vault-name>.vault.azure.net
 *   tenantId: <directory id>          # with clientId: client secret sign-in
 *   clientId: <application id>        # absent: the default Azure credential chain
 *   caCert: certs/proxy-root.pem      # optional, relative to the connections.yaml folder
 *   versions: { <secret name>: <version id> }    # optional pinning
 *   authorityHost, disableChallengeResourceVerification, serviceVersion
 *                                     # sovereign clouds and emulators; see docs/providers/azure.md
 */
import type { ProviderFactory } from '../../core/provider';
import { buildAzure } from './build';

export { AZURE_OPTION_KEYS, parseAzureOptions } from './options';
export { AzureKeyVaultProvider } from './azureKeyVaultProvider';
export { buildAzure, type AzureParts } from './build';
export { troubleshoot } from './troubleshoot';

export const createProvider: ProviderFactory = (config, context) => buildAzure(config, context).provider;
