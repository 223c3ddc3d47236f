/**
 * Shared set-up of the Azure integration tests: the HTTPS Key Vault and Entra ID stand-ins (see
 * test/support/keyVaultStandIn.ts for why they are stand-ins), an app registration whose client
 * secret is a canary, and the provider under test built through the real factory.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ProviderConfig } from '../../../src/core/model';
import type { CredentialSource, ProviderContext, SecretsProvider } from '../../../src/core/provider';
import { createProvider } from '../../../src/providers/azure';
import { canary } from '../../support/canary';
import { EntraStandIn, KeyVaultStandIn } from '../../support/keyVaultStandIn';
import { makeTlsFixture, type TlsFixture } from '../../support/tlsFixture';

export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const CLIENT = '0c9b1a6e-4f4e-4c43-9d6a-1f6c1e7b2a11';
export const OBJECT = 'a6b0e8c2-3d1f-4e55-9a77-0b1c2d3e4f50';

/** Records what the provider asks of SecretStorage / the prompt. */
export class RecordingCredentials implements CredentialSource {
  gets: string[] = [];
  forgets: string[] = [];
  constructor(private readonly values: Record<string, string | undefined>) {}
  async get(key: string): Promise<string | undefined> {
    this.gets.push(key);
    return this.values[key];
  }
  async forget(key: string): Promise<void> {
    this.forgets.push(key);
  }
}

export interface AzureEnv {
  tls: TlsFixture;
  entra: EntraStandIn;
  kv: KeyVaultStandIn;
  clientSecret: string;
  /** Every canary seeded so far (client secret and secret values). */
  canaries: string[];
  logs: string[];
  config(options?: Record<string, unknown>): ProviderConfig;
  provider(options?: Record<string, unknown>, context?: Partial<ProviderContext>): Promise<{ provider: SecretsProvider; credentials: RecordingCredentials }>;
  seed(name: string, attrs?: Parameters<KeyVaultStandIn['setSecret']>[2]): { value: string; version: string };
  stop(): Promise<void>;
}

export async function startAzure(): Promise<AzureEnv> {
  const tls = makeTlsFixture();
  fs.copyFileSync(tls.caCertPath, path.join(tls.dir, 'vault-ca.pem'));
  const entra = await EntraStandIn.start(tls);
  const kv = await KeyVaultStandIn.start(tls, TENANT);
  const clientSecret = canary('client-secret');
  entra.register({ tenantId: TENANT, clientId: CLIENT, objectId: OBJECT, secret: clientSecret });
  const canaries = [clientSecret];
  const logs: string[] = [];
  const created: SecretsProvider[] = [];

  const env: AzureEnv = {
    tls,
    entra,
    kv,
    clientSecret,
    canaries,
    logs,
    config(options = {}) {
      return {
        type: 'azure',
        options: {
          type: 'azure',
          vaultUrl: kv.url,
          tenantId: TENANT,
          clientId: CLIENT,
          caCert: 'vault-ca.pem',
          authorityHost: entra.authorityHost,
          // The stand-in, like every emulator on loopback, is not under vault.azure.net.
          disableChallengeResourceVerification: true,
          ...options,
        },
        file: path.join(tls.dir, 'connections.yaml'),
        dir: tls.dir,
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      };
    },
    async provider(options = {}, context = {}) {
      const credentials = new RecordingCredentials({ [`azure.clientSecret:${TENANT}:${CLIENT}`]: clientSecret });
      const provider = await createProvider(env.config(options), { credentials, log: (m) => logs.push(m), ...context });
      created.push(provider);
      return { provider, credentials: (context.credentials as RecordingCredentials | undefined) ?? credentials };
    },
    seed(name, attrs) {
      const value = canary(name);
      canaries.push(value);
      return { value, version: kv.setSecret(name, value, attrs) };
    },
    async stop() {
      for (const p of created) p.dispose();
      await kv.stop();
      await entra.stop();
      tls.remove();
    },
  };
  return env;
}
