/**
 * Turns what the Azure SDK, MSAL and Key Vault throw into typed errors that say what happened and
 * name the fix. Works on the shapes only (name, code, statusCode, message, the REST error body),
 * so it is unit-tested from recorded Microsoft responses without loading the SDK.
 */
import { ConnectionSecretsError } from '../../core/errors';

/** Built-in "Key Vault Secrets User" role: read secret values and list secrets. */
export const SECRETS_USER_ROLE = { name: 'Key Vault Secrets User', id: '4633458b-17de-408a-b874-0445c86b69e6' };

export interface AzureErrorContext {
  vaultUrl: string;
  vaultName: string;
  /** What was being done, e.g. `reading secret "db-password"`. */
  operation: string;
  secretName?: string;
  /** Pinned version asked for, if any. */
  version?: string;
  tenantId?: string;
  clientId?: string;
  /** Sign-in endpoint, when configured (sovereign clouds, tests). */
  authorityHost?: string;
  /** `az ... --assignee` value: the client id, or a placeholder for the chain. */
  assignee?: string;
}

/** The subset of `RestError` / identity errors this module reads. */
interface ErrorShape {
  name?: string;
  code?: string;
  statusCode?: number;
  message?: string;
  details?: unknown;
  response?: { status?: number; bodyAsText?: string | null; headers?: { get(name: string): string | undefined } };
  errorResponse?: { error?: string; errorDescription?: string };
  cause?: unknown;
}

interface KvErrorBody {
  code?: string;
  message?: string;
  inner?: string;
}

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ECONNABORTED', 'EAI_AGAIN']);

/** Reads Key Vault's `{"error":{"code","message","innererror":{"code"}}}` from a RestError. */
export function readKeyVaultError(e: unknown): KvErrorBody | undefined {
  const err = e as ErrorShape;
  const details = err.details as { error?: { code?: string; message?: string; innerError?: { code?: string }; innererror?: { code?: string } } } | undefined;
  if (details?.error) {
    return { code: details.error.code, message: details.error.message, inner: details.error.innerError?.code ?? details.error.innererror?.code };
  }
  const text = err.response?.bodyAsText;
  if (text) {
    try {
      const body = JSON.parse(text) as { error?: { code?: string; message?: string; innererror?: { code?: string } } };
      if (body.error) return { code: body.error.code, message: body.error.message, inner: body.error.innererror?.code };
    } catch {
      /* not JSON: not Key Vault */
    }
  }
  return undefined;
}

/** `appid=…;oid=…` of the caller named in a Key Vault denial, if present. */
export function readCaller(message: string | undefined): { appId?: string; objectId?: string } {
  const appId = /appid=([^;'\s]+)/.exec(message ?? '')?.[1];
  const objectId = /oid=([^;'\s]+)/.exec(message ?? '')?.[1];
  return { appId, objectId };
}

/** Entra's AADSTS code and the timestamp it reported, from any identity/MSAL error text. */
export function readAadError(text: string | undefined): { code: number; timestamp?: string } | undefined {
  const m = /AADSTS(\d+)/.exec(text ?? '');
  if (!m) return undefined;
  const timestamp = /Timestamp: (\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z)/.exec(text ?? '')?.[1];
  return { code: Number(m[1]), timestamp };
}

function host(ctx: AzureErrorContext) {
  return new URL(ctx.vaultUrl).host;
}

function secretLabel(ctx: AzureErrorContext) {
  return ctx.secretName ? `secret "${ctx.secretName}"` : 'the secrets';
}

function who(ctx: AzureErrorContext, caller: { appId?: string; objectId?: string }) {
  if (caller.appId) return `app ${caller.appId}${caller.objectId ? ` (object id ${caller.objectId})` : ''}`;
  if (ctx.clientId) return `app ${ctx.clientId}`;
  return 'the signed-in identity';
}

function assignee(ctx: AzureErrorContext, caller: { appId?: string; objectId?: string }) {
  return ctx.clientId ?? caller.appId ?? caller.objectId ?? ctx.assignee ?? '<your user or app id>';
}

/** Retry-After of a 429/503, in milliseconds. */
export function retryAfterMs(e: unknown): number | undefined {
  const value = (e as ErrorShape).response?.headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** A throttling error that carries the server's Retry-After. */
export class ThrottledError extends ConnectionSecretsError {
  constructor(
    message: string,
    readonly retryAfterMs: number | undefined,
    opts: { fix?: string; detail?: string },
  ) {
    super('Throttled', message, { ...opts, retryable: true });
  }

  // The base class recognises errors by shape (one copy per lazy bundle); so must this one, or
  // every typed error would pass as a ThrottledError.
  static override [Symbol.hasInstance](x: unknown): boolean {
    return ConnectionSecretsError[Symbol.hasInstance](x) && (x as { code: string }).code === 'Throttled' && 'retryAfterMs' in (x as object);
  }
}

function aadError(e: ErrorShape, text: string, ctx: AzureErrorContext): ConnectionSecretsError | undefined {
  const aad = readAadError(text);
  if (!aad) return undefined;
  const app = ctx.clientId ?? 'the app registration';
  const detail = `AADSTS${aad.code}`;
  const where = ctx.clientId
    ? `Azure portal → Microsoft Entra ID → App registrations → ${ctx.clientId} → Certificates & secrets → New client secret (https://aka.ms/NewClientSecret), or: az ad app credential reset --id ${ctx.clientId} --append --display-name connection-secrets`
    : 'Azure portal → Microsoft Entra ID → App registrations → <app> → Certificates & secrets → New client secret (https://aka.ms/NewClientSecret)';
  switch (aad.code) {
    case 7000222:
      return new ConnectionSecretsError(
        'CredentialsExpired',
        `The client secret of app ${app} has expired: Microsoft Entra ID refused it${aad.timestamp ? ` at ${aad.timestamp}` : ''} (AADSTS7000222). The end date of each secret is listed by: az ad app credential list --id ${ctx.clientId ?? '<client id>'} --query "[].{name:displayName,ends:endDateTime}"`,
        { fix: `Create a new client secret — ${where} — then enter it when asked (or set AZURE_CLIENT_SECRET for the CLI).`, detail },
      );
    case 7000215:
      return new ConnectionSecretsError('Unauthenticated', `Microsoft Entra ID rejected the client secret of app ${app} (AADSTS7000215: invalid client secret).`, {
        fix: `Enter the secret's Value — shown only once, when it is created — not its Secret ID; if the value is lost, create a new one: ${where}.`,
        detail,
      });
    case 700016:
      return new ConnectionSecretsError('InvalidConfig', `No app with client id ${app} exists in tenant ${ctx.tenantId ?? '(default)'} (AADSTS700016).`, {
        fix: 'Copy clientId ("Application (client) ID") and tenantId ("Directory (tenant) ID") from the app registration\'s Overview page.',
        detail,
      });
    case 90002:
      return new ConnectionSecretsError('InvalidConfig', `Microsoft Entra ID knows no tenant "${ctx.tenantId ?? ''}" (AADSTS90002).`, {
        fix: 'Set tenantId to the "Directory (tenant) ID" of the app registration; for a sovereign cloud also set authorityHost.',
        detail,
      });
    default: {
      const first = (e.errorResponse?.errorDescription ?? text).split(/\r?\n/)[0].replace(/^.*?(AADSTS\d+)/, '$1');
      return new ConnectionSecretsError('Unauthenticated', `Microsoft Entra ID refused to sign in app ${app}: ${first}`, {
        fix: `Look the code up at https://login.microsoftonline.com/error?code=${aad.code} and fix the app registration.`,
        detail,
      });
    }
  }
}

/** Maps anything thrown while talking to Key Vault to a typed error. Never includes a secret value (none reaches an error). */
export function toAzureError(e: unknown, ctx: AzureErrorContext): ConnectionSecretsError {
  if (e instanceof ConnectionSecretsError) return e;
  const err = (e ?? {}) as ErrorShape;
  const text = `${err.message ?? ''} ${err.errorResponse?.errorDescription ?? ''}`;

  if (err.name === 'AbortError') return new ConnectionSecretsError('Cancelled', `Cancelled ${ctx.operation}.`);

  const aad = aadError(err, text, ctx);
  if (aad) return aad;

  const tenantMismatch = /not configured to acquire tokens for tenant ([^\s.]+)/.exec(text);
  if (tenantMismatch) {
    return new ConnectionSecretsError('InvalidConfig', `Vault ${ctx.vaultName} belongs to tenant ${tenantMismatch[1]}, but the provider signs in to tenant ${ctx.tenantId ?? '(default)'}.`, {
      fix: `Set tenantId: ${tenantMismatch[1]} in the provider block (and use an app registration of that tenant), or check that vaultUrl names the right vault.`,
      detail: 'tenant mismatch',
    });
  }

  const challenge = /challenge resource '([^']+)' does not match the requested domain/.exec(text);
  if (challenge) {
    return new ConnectionSecretsError('InvalidConfig', `${host(ctx)} asked for a token for "${challenge[1]}", which does not match its own address, so no token was sent.`, {
      fix: `Check vaultUrl (a real vault is https://<vault-name>.${challenge[1]}). For a local emulator or a trusted reverse proxy, set disableChallengeResourceVerification: true.`,
      detail: 'challenge resource mismatch',
    });
  }

  if (/endpoints_resolution_error|network_error/.test(text)) {
    const authority = ctx.authorityHost ?? 'https://login.microsoftonline.com';
    return new ConnectionSecretsError('Unreachable', `The Microsoft Entra sign-in endpoint ${authority} could not be reached, or its TLS certificate is not trusted (MSAL: ${/endpoints_resolution_error|network_error/.exec(text)![0]}).`, {
      fix: `Check the network path to ${new URL(authority).host} (proxy, firewall); behind a TLS-inspecting proxy put its root CA in caCert; for a sovereign cloud set authorityHost.`,
      detail: 'sign-in endpoint',
    });
  }

  if (err.name === 'CredentialUnavailableError' || /DefaultAzureCredential|ChainedTokenCredential/.test(text)) {
    return new ConnectionSecretsError('Unauthenticated', `No Azure sign-in is available for ${host(ctx)} (default Azure credential chain: environment, workload identity, managed identity, Azure CLI, Azure Developer CLI, PowerShell).`, {
      fix: 'Run "az login" (add --tenant <tenant id> for another directory), or set clientId and tenantId in the provider block to sign in with a client secret.',
      detail: err.name,
    });
  }

  const code = err.code ?? '';
  if (code === 'ENOTFOUND') {
    return new ConnectionSecretsError('Unreachable', `The vault host ${new URL(ctx.vaultUrl).hostname} does not exist (DNS lookup failed).`, {
      fix: `Check vaultUrl: it is https://<vault-name>.vault.azure.net — "az keyvault show --name ${ctx.vaultName} --query properties.vaultUri" prints it; a deleted vault can be listed with "az keyvault list-deleted".`,
      detail: code,
    });
  }
  if (TLS_CODES.has(code) || (!err.statusCode && /self[- ]signed certificate|unable to verify the first certificate|certificate has expired|certificate is not yet valid/i.test(err.message ?? ''))) {
    const altName = code === 'ERR_TLS_CERT_ALTNAME_INVALID';
    return new ConnectionSecretsError('Tls', altName ? `The TLS certificate of ${host(ctx)} does not name that host (${code}).` : `The TLS certificate of ${host(ctx)} is not trusted (${code || 'certificate error'}).`, {
      fix: altName
        ? 'Use the host name the certificate was issued for in vaultUrl.'
        : 'Set caCert to a PEM file (relative to this connections.yaml) holding the CA that issued it — e.g. your TLS-inspecting proxy\'s root or the emulator\'s certificate. TLS checks are never switched off.',
      detail: code,
    });
  }
  if (NETWORK_CODES.has(code)) {
    return new ConnectionSecretsError('Unreachable', `Could not reach ${host(ctx)} while ${ctx.operation} (${code}).`, {
      fix: 'Check the network path to the vault (VPN, proxy, private endpoint DNS) and try again.',
      detail: code,
      retryable: true,
    });
  }

  const status = err.statusCode ?? err.response?.status;
  if (status !== undefined) return fromStatus(e, status, ctx);

  return new ConnectionSecretsError('Unknown', `Azure Key Vault failed while ${ctx.operation}: ${(err.message ?? String(e)).split(/\r?\n/)[0]}`, {
    detail: err.name,
  });
}

function fromStatus(e: unknown, status: number, ctx: AzureErrorContext): ConnectionSecretsError {
  const body = readKeyVaultError(e);
  const detail = `HTTP ${status}${body?.code ? ` ${body.code}` : ''}${body?.inner ? `/${body.inner}` : ''}`;
  const caller = readCaller(body?.message);
  const vault = ctx.vaultName;

  if (status === 401) {
    const issuer = /AKV10032: Invalid issuer\. Expected one of https:\/\/sts\.windows\.net\/([^/]+)\//.exec(body?.message ?? '');
    if (issuer) {
      return new ConnectionSecretsError('InvalidConfig', `Vault ${vault} belongs to tenant ${issuer[1]} and refused a token from another tenant (AKV10032).`, {
        fix: `Set tenantId: ${issuer[1]} and use an identity of that tenant.`,
        detail,
      });
    }
    return new ConnectionSecretsError('Unauthenticated', `Key Vault ${vault} did not accept the sign-in (${body?.message?.split(/\r?\n/)[0] ?? 'HTTP 401'}).`, {
      fix: 'Sign in again (az login, or re-enter the client secret); if it persists, check that vaultUrl points at a Key Vault.',
      detail,
    });
  }

  if (status === 403) {
    switch (body?.inner) {
      case 'ForbiddenByRbac':
        return new ConnectionSecretsError('AccessDenied', `${who(ctx, caller)} has no Key Vault data role on vault ${vault} (Azure RBAC denied ${ctx.operation}).`, {
          fix: `Assign the role "${SECRETS_USER_ROLE.name}" (${SECRETS_USER_ROLE.id}): az role assignment create --role "${SECRETS_USER_ROLE.name}" --assignee ${assignee(ctx, caller)} --scope $(az keyvault show --name ${vault} --query id -o tsv) — new assignments can take a few minutes to apply.`,
          detail,
        });
      case 'ForbiddenByPolicy':
      case 'AccessDenied': {
        const permission = /does not have secrets (\w+) permission/.exec(body.message ?? '')?.[1] ?? 'get';
        return new ConnectionSecretsError('AccessDenied', `The access policies of vault ${vault} do not give ${who(ctx, caller)} the secrets "${permission}" permission.`, {
          fix: `Add an access policy with secret permissions Get and List: az keyvault set-policy --name ${vault} --spn ${assignee(ctx, caller)} --secret-permissions get list (for a user: --upn <user@domain>).`,
          detail,
        });
      }
      case 'ForbiddenByFirewall': {
        const address = /Client address: ([0-9a-fA-F.:]+)/.exec(body.message ?? '')?.[1];
        return new ConnectionSecretsError('AccessDenied', `The firewall of vault ${vault} refused this machine's address${address ? ` ${address}` : ''} (Client address is not authorized).`, {
          fix: `Allow the address: az keyvault network-rule add --name ${vault} --ip-address ${address ?? '<your public IP>'}/32 — or connect from a network the vault allows (VPN, private endpoint).`,
          detail,
        });
      }
      case 'ForbiddenByConnection':
        return new ConnectionSecretsError('AccessDenied', `Vault ${vault} has public network access disabled; this machine is not on its private link.`, {
          fix: 'Connect through the vault\'s private endpoint (VPN / corporate network), or allow selected networks: az keyvault update --name ' + vault + ' --public-network-access Enabled --default-action Deny, then add your IP.',
          detail,
        });
      case 'SecretDisabled':
        return new ConnectionSecretsError('Disabled', `${capital(secretLabel(ctx))}${ctx.version ? ` (version ${ctx.version})` : ''} is disabled in vault ${vault}; Workato requires an enabled secret.`, {
          fix: `Enable it: az keyvault secret set-attributes --vault-name ${vault} --name ${ctx.secretName ?? '<name>'}${ctx.version ? ` --version ${ctx.version}` : ''} --enabled true`,
          detail,
        });
    }
    if (/Client address is not authorized/i.test(body?.message ?? '')) {
      return fromStatus({ details: { error: { ...body, innerError: { code: 'ForbiddenByFirewall' } } } }, 403, ctx);
    }
    return new ConnectionSecretsError('AccessDenied', `Vault ${vault} denied ${ctx.operation}: ${body?.message?.split(/\r?\n/)[0] ?? 'HTTP 403'}`, {
      fix: `Grant ${assignee(ctx, caller)} the "${SECRETS_USER_ROLE.name}" role (RBAC vaults) or an access policy with Get and List on secrets.`,
      detail,
    });
  }

  if (status === 404) {
    if (body?.code === 'SecretNotFound' && ctx.version) {
      return new ConnectionSecretsError('NotFound', `Version ${ctx.version} of secret "${ctx.secretName}" does not exist in vault ${vault}.`, {
        fix: `Fix or remove versions.${ctx.secretName} in the provider block; list versions with: az keyvault secret list-versions --vault-name ${vault} --name ${ctx.secretName}`,
        detail,
      });
    }
    if (body?.code === 'SecretNotFound') {
      return new ConnectionSecretsError('NotFound', `${capital(secretLabel(ctx))} does not exist in vault ${vault}.`, {
        fix: `Check the name in {{workato:sm:<secret name>}} ("az keyvault secret list --vault-name ${vault} --query [].name"); a recently deleted secret can be recovered with "az keyvault secret recover".`,
        detail,
      });
    }
    return new ConnectionSecretsError('InvalidConfig', `${host(ctx)} answered 404 to ${ctx.operation}; it does not look like a Key Vault.`, {
      fix: 'Check vaultUrl: https://<vault-name>.vault.azure.net.',
      detail,
    });
  }

  if (status === 429) {
    const after = retryAfterMs(e);
    return new ThrottledError(`Key Vault ${vault} is throttling requests (HTTP 429)${after !== undefined ? `; it asks to retry after ${Math.ceil(after / 1000)} s` : ''}.`, after, {
      fix: 'Wait a moment and retry; many callers sharing the vault can exceed its limits (https://go.microsoft.com/fwlink/?linkid=2125286).',
      detail,
    });
  }

  if (status >= 500) {
    return new ConnectionSecretsError('Unreachable', `Key Vault ${vault} failed with HTTP ${status}${body?.code ? ` (${body.code})` : ''} while ${ctx.operation}.`, {
      fix: 'This is on Azure\'s side; retry later and check https://azure.status.microsoft if it persists.',
      detail,
      retryable: true,
    });
  }

  return new ConnectionSecretsError('Unknown', `Key Vault ${vault} refused ${ctx.operation} with HTTP ${status}: ${body?.message?.split(/\r?\n/)[0] ?? ''}`.trim(), { detail });
}

function capital(s: string) {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
