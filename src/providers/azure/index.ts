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
import tls from 'node:tls';
import type { ProviderFactory } from '../../core/provider';
import { AzureKeyVaultProvider } from './azureKeyVaultProvider';
import { createSignIn } from './credential';
import { parseAzureOptions } from './options';

export { AZURE_OPTION_KEYS, parseAzureOptions } from './options';
export { AzureKeyVaultProvider } from './azureKeyVaultProvider';

export const createProvider: ProviderFactory = (config, context) => {
  const options = parseAzureOptions(config);
  // The configured CA is trusted in addition to the public roots (the sign-in endpoint keeps working), per client only.
  const tlsOptions = options.caCertPem ? { ca: [...tls.rootCertificates, options.caCertPem] } : undefined;
  const signIn = createSignIn(options, context, tlsOptions);
  return new AzureKeyVaultProvider(options, context, signIn, { tlsOptions });
};
