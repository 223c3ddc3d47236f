/**
 * Builds the Azure provider from its block: options, TLS trust, sign-in and client. The provider
 * factory and the troubleshooting checks share it, so the checks ask Azure exactly what the
 * provider would, with the same credential and the same trust.
 */
import tls from 'node:tls';
import type { ProviderConfig } from '../../core/model';
import type { ProviderContext } from '../../core/provider';
import { AzureKeyVaultProvider } from './azureKeyVaultProvider';
import { createSignIn, type AzureSignIn } from './credential';
import { parseAzureOptions, type AzureOptions } from './options';

/** The parts a provider is built from. */
export interface AzureParts {
  options: AzureOptions;
  /** CAs to trust for this provider only (public roots plus `caCert`), or undefined for Node's defaults. */
  tlsOptions: { ca: string[] } | undefined;
  signIn: AzureSignIn;
  provider: AzureKeyVaultProvider;
}

/** Validates the block and builds the sign-in and the provider over it (no network, no prompt). */
export function buildAzure(config: ProviderConfig, context: ProviderContext): AzureParts {
  const options = parseAzureOptions(config);
  // The configured CA is trusted in addition to the public roots (the sign-in endpoint keeps working), per client only.
  const tlsOptions = options.caCertPem ? { ca: [...tls.rootCertificates, options.caCertPem] } : undefined;
  const signIn = createSignIn(options, context, tlsOptions);
  return { options, tlsOptions, signIn, provider: new AzureKeyVaultProvider(options, context, signIn, { tlsOptions }) };
}
