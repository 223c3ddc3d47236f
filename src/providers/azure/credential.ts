/**
 * The Azure sign-in of the provider: a client secret credential for an app registration (the
 * secret from SecretStorage / AZURE_CLIENT_SECRET, asked for on first use only), or the default
 * Azure credential chain when no client id is configured.
 */
import {
  ClientSecretCredential,
  DefaultAzureCredential,
  type AccessToken,
  type GetTokenOptions,
  type TokenCredential,
  type TokenCredentialOptions,
} from '@azure/identity';
import { ConnectionSecretsError } from '../../core/errors';
import type { ProviderContext } from '../../core/provider';
import { clientSecretKey, type AzureOptions } from './options';

export interface AzureSignIn {
  credential: TokenCredential;
  /** Static description for the tree and for messages: the client id, or the chain. */
  label: string;
  /** Forgets a stored client secret that Entra ID refused, so the next use asks again. */
  forgetSecret(): Promise<void>;
}

/** Options shared by every identity credential: TLS trust, authority, no SDK-level retries (ours wrap the call). */
export function credentialOptions(options: AzureOptions, tlsOptions: { ca: string[] } | undefined): TokenCredentialOptions & { disableInstanceDiscovery?: boolean } {
  return {
    ...(options.authorityHost ? { authorityHost: options.authorityHost } : {}),
    ...(options.disableInstanceDiscovery ? { disableInstanceDiscovery: true } : {}),
    ...(tlsOptions ? { tlsOptions } : {}),
    retryOptions: { maxRetries: 0 },
  };
}

/**
 * A credential that fetches the client secret only when a token is first needed, so creating the
 * provider (e.g. to draw the tree) never prompts.
 */
class LazyClientSecretCredential implements TokenCredential {
  private inner: Promise<TokenCredential> | undefined;

  constructor(
    private readonly tenantId: string,
    private readonly clientId: string,
    private readonly context: ProviderContext,
    private readonly options: TokenCredentialOptions,
  ) {}

  private create(): Promise<TokenCredential> {
    return (async () => {
      const secret = await this.context.credentials.get(clientSecretKey(this.tenantId, this.clientId), {
        title: `Client secret of Azure app ${this.clientId} (tenant ${this.tenantId})`,
        envVar: 'AZURE_CLIENT_SECRET',
        password: true,
      });
      if (!secret) {
        throw new ConnectionSecretsError('Unauthenticated', `No client secret for Azure app ${this.clientId} was given.`, {
          fix: 'Enter the client secret when asked, or set AZURE_CLIENT_SECRET for the CLI.',
        });
      }
      return new ClientSecretCredential(this.tenantId, this.clientId, secret, this.options);
    })();
  }

  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    this.inner ??= this.create();
    try {
      return await (await this.inner).getToken(scopes, options);
    } catch (e) {
      // A declined prompt must be asked again next time rather than remembered.
      if (e instanceof ConnectionSecretsError) this.inner = undefined;
      throw e;
    }
  }

  reset() {
    this.inner = undefined;
  }
}

export function createSignIn(options: AzureOptions, context: ProviderContext, tlsOptions: { ca: string[] } | undefined): AzureSignIn {
  const common = credentialOptions(options, tlsOptions);
  if (options.clientId && options.tenantId) {
    const lazy = new LazyClientSecretCredential(options.tenantId, options.clientId, context, common);
    const key = clientSecretKey(options.tenantId, options.clientId);
    return {
      credential: lazy,
      label: `app ${options.clientId} (tenant ${options.tenantId})`,
      async forgetSecret() {
        lazy.reset();
        await context.credentials.forget(key);
      },
    };
  }
  return {
    credential: new DefaultAzureCredential({ ...common, ...(options.tenantId ? { tenantId: options.tenantId } : {}) }),
    label: `default Azure credential chain${options.tenantId ? ` (tenant ${options.tenantId})` : ''}`,
    async forgetSecret() {
      /* the chain's credentials live outside this extension (az login, environment, managed identity) */
    },
  };
}

/** Claims of an access token, for naming who is signed in. The token itself is never kept or shown. */
export function describeTokenClaims(token: string): string | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const user = (claims.upn ?? claims.unique_name ?? claims.preferred_username) as string | undefined;
    const tenant = claims.tid ? ` in tenant ${String(claims.tid)}` : '';
    if (user) return `user ${user}${tenant}`;
    if (claims.appid ?? claims.azp) return `app ${String(claims.appid ?? claims.azp)}${claims.oid ? ` (object id ${String(claims.oid)})` : ''}${tenant}`;
    if (claims.oid) return `object ${String(claims.oid)}${tenant}`;
  } catch {
    /* not a JWT (some emulators): fall back to the configured label */
  }
  return undefined;
}
