/**
 * Turns Vault's HTTP answers and Node's network errors into typed `ConnectionSecretsError`s whose
 * message says which case it is: sealed, standby, login refused, a policy missing a capability on
 * a path, a proxy in front of Vault, a missing path, an unreachable address, a timeout or TLS.
 *
 * Nothing here ever sees a secret value: callers pass the status and Vault's `errors` array only.
 */
import { ConnectionSecretsError } from '../../core/errors';

/** Where a failed call was going and why, so the message can name the capability and path. */
export interface VaultCallContext {
  /** Base address of the Vault server, e.g. `https://vault.example.com:8200`. */
  address: string;
  namespace?: string;
  /** HTTP method as the user would write it in a policy discussion (`GET`, `LIST`, `POST`). */
  method: string;
  /** API path below `/v1/`, unencoded, e.g. `kv/data/app/db`. */
  path: string;
  /** The policy capability this call needs (`read`, `list`, `update`). */
  capability: string;
  /** Who is asking, for the message: `AppRole role "ci"` or `the token from VAULT_TOKEN`. */
  principal?: string;
  /** Extra sentence for a 404 (e.g. the `data/` hint). */
  notFoundHint?: string;
  /**
   * The other KV path form tried when the engine's version was unknown (sys/mounts denied); named
   * in the message so the user knows which path the policy must cover.
   */
  alsoTried?: string;
}

/** What came back: HTTP status and body (parsed JSON, a string for non-JSON bodies). */
export interface VaultAnswer {
  status: number;
  body: unknown;
}

/** Vault's `errors` array, with the multierror decoration ("1 error occurred: * …") removed. */
export function vaultErrors(body: unknown): string[] {
  if (!body || typeof body !== 'object' || !Array.isArray((body as { errors?: unknown }).errors)) return [];
  return ((body as { errors: unknown[] }).errors)
    .map((e) => String(e))
    .map((e) => e.replace(/^\d+ errors? occurred:\s*/, '').replace(/^\s*\*\s*/gm, '').replace(/\s+/g, ' ').trim())
    .filter((e) => e.length > 0);
}

/** True when the body is Vault's JSON shape; a proxy or firewall answers with HTML or plain text. */
export function isVaultBody(body: unknown): boolean {
  return body !== null && typeof body === 'object';
}

function where(ctx: VaultCallContext): string {
  return ctx.namespace ? `${ctx.address} (namespace "${ctx.namespace}")` : ctx.address;
}

/** First 200 characters of Vault's own error text: it names the problem, never a secret value. */
function vaultSays(body: unknown): string {
  const errors = vaultErrors(body);
  if (errors.length === 0) return '';
  const text = errors.join('; ');
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

function isSealedBody(body: unknown): boolean {
  return vaultErrors(body).some((e) => /sealed/i.test(e));
}

function isStandbyBody(body: unknown): boolean {
  return vaultErrors(body).some((e) => /standby|not active|active cluster node not found|no active node/i.test(e));
}

/** A 503 that is worth retrying (standby without leader, overload), unlike a sealed server. */
export function isRetryableStatus(answer: VaultAnswer): boolean {
  if (answer.status === 429) return true;
  // Vault reports some permanent conditions as 500 (e.g. "past the max TTL, cannot renew").
  if (vaultErrors(answer.body).some((e) => /cannot renew|max TTL/i.test(e))) return false;
  if (answer.status === 503) return !isSealedBody(answer.body);
  return answer.status === 500 || answer.status === 502 || answer.status === 504;
}

/** The sealed / standby / throttled / proxy cases, shared by every call. Undefined when none applies. */
function serverStateError(answer: VaultAnswer, ctx: VaultCallContext): ConnectionSecretsError | undefined {
  const detail = `HTTP ${answer.status} on ${ctx.method} ${ctx.path}`;
  if (answer.status === 503 && isSealedBody(answer.body)) {
    return new ConnectionSecretsError('Sealed', `Vault at ${where(ctx)} is sealed: it answers nothing until it is unsealed (${detail}).`, {
      fix: 'Ask a Vault operator to unseal it (`vault operator unseal`), then retry.',
      detail,
    });
  }
  if ((answer.status === 503 || answer.status === 429) && isStandbyBody(answer.body)) {
    return new ConnectionSecretsError('Unreachable', `Vault at ${where(ctx)} is a standby node that cannot reach an active node (${detail}: ${vaultSays(answer.body)}).`, {
      fix: 'Point `address` at the active node or the cluster load balancer, or retry once the cluster has elected a leader.',
      detail,
      retryable: true,
    });
  }
  if (answer.status === 429) {
    return new ConnectionSecretsError('Throttled', `Vault at ${where(ctx)} is rate-limiting requests (${detail}).`, {
      fix: 'Retry in a moment; if it persists, ask the Vault operators about the rate-limit quota for this client.',
      detail,
      retryable: true,
    });
  }
  if (!isVaultBody(answer.body) && answer.status >= 400) {
    const kind = typeof answer.body === 'string' && /<html|<!doctype|<body/i.test(answer.body) ? 'an HTML page' : 'a non-Vault answer';
    if (answer.status === 403 || answer.status === 407 || answer.status === 401) {
      return new ConnectionSecretsError(
        'AccessDenied',
        `Something in front of Vault (a proxy or firewall, not Vault itself) refused ${ctx.method} ${ctx.path} with ${kind} (HTTP ${answer.status}); Vault's policies were never consulted.`,
        {
          fix: `Check that \`address\` (${ctx.address}) points at Vault itself, or ask the network team to let the Vault API through the proxy.`,
          detail,
        },
      );
    }
    return new ConnectionSecretsError('Unreachable', `${ctx.address} answered ${ctx.method} ${ctx.path} with ${kind} (HTTP ${answer.status}), not Vault's API.`, {
      fix: 'Check that `address` points at the Vault server (scheme, host and port), not at a web page or proxy.',
      detail,
      retryable: answer.status >= 500,
    });
  }
  return undefined;
}

/** Error for a failed AppRole login (`auth/<mount>/login`). */
export function loginError(answer: VaultAnswer, ctx: VaultCallContext & { mount: string; roleName: string }): ConnectionSecretsError {
  const state = serverStateError(answer, ctx);
  if (state) return state;
  const detail = `HTTP ${answer.status} on POST ${ctx.path}`;
  const said = vaultSays(answer.body);
  if (answer.status === 403) {
    return new ConnectionSecretsError(
      'Unauthenticated',
      `AppRole login at ${ctx.path} on ${where(ctx)} was refused (403 at login, before any secret was read${said ? `: ${said}` : ''}).`,
      {
        fix: `Check that \`auth.mount\` ("${ctx.mount}") is an AppRole mount${ctx.namespace ? ` inside namespace "${ctx.namespace}"` : ''}, and that the role allows logins from this machine (secret_id_bound_cidrs, token_bound_cidrs).`,
        detail,
      },
    );
  }
  if (answer.status === 400 || answer.status === 401) {
    return new ConnectionSecretsError(
      'Unauthenticated',
      `AppRole login for role "${ctx.roleName}" at ${ctx.path} failed: Vault says ${said || 'the credentials are invalid'} (${detail}).`,
      {
        fix: 'Check `auth.roleId`, and enter a current secret_id (the stored one has been forgotten; the CLI reads VAULT_SECRET_ID). Secret IDs expire or run out of uses: ask for a new one with `vault write -f auth/<mount>/role/<role>/secret-id`.',
        detail,
      },
    );
  }
  return genericError(answer, ctx);
}

/** Error for a denied call on a secret or metadata path (the token itself is known to be valid). */
export function deniedError(answer: VaultAnswer, ctx: VaultCallContext, evidence?: string): ConnectionSecretsError {
  void answer;
  const detail = `HTTP 403 on ${ctx.method} ${ctx.path}${evidence ? `; ${evidence}` : ''}`;
  const also = ctx.alsoTried ? ` (nor on "${ctx.alsoTried}": the engine's KV version is unknown because sys/mounts could not be read, so both path forms were tried)` : '';
  return new ConnectionSecretsError(
    'AccessDenied',
    `Permission denied: ${ctx.principal ?? 'the Vault token'} lacks the "${ctx.capability}" capability on path "${ctx.path}"${also} at ${where(ctx)} (403 on the secret path${evidence ? `; ${evidence}` : ''}).`,
    {
      fix: `Add to the token's policy: path "${ctx.path}" { capabilities = ["${ctx.capability}"] }${ctx.alsoTried ? ` — or, for the other KV version, path "${ctx.alsoTried}"` : ''}`,
      detail,
    },
  );
}

/** Error for any other failed call. */
export function responseError(answer: VaultAnswer, ctx: VaultCallContext): ConnectionSecretsError {
  const state = serverStateError(answer, ctx);
  if (state) return state;
  if (answer.status === 403) return deniedError(answer, ctx);
  if (answer.status === 404) {
    const also = ctx.alsoTried ? ` nor at "${ctx.alsoTried}"` : '';
    return new ConnectionSecretsError('NotFound', `No secret at "${ctx.path}"${also} on ${where(ctx)} (HTTP 404).${ctx.notFoundHint ? ` ${ctx.notFoundHint}` : ''}`, {
      fix: 'Check the engine and path in the reference; list the engine in the Providers view to see what exists.',
      detail: `HTTP 404 on ${ctx.method} ${ctx.path}`,
    });
  }
  return genericError(answer, ctx);
}

function genericError(answer: VaultAnswer, ctx: VaultCallContext): ConnectionSecretsError {
  const said = vaultSays(answer.body);
  const retryable = answer.status >= 500;
  return new ConnectionSecretsError('Unknown', `Vault at ${where(ctx)} answered HTTP ${answer.status} on ${ctx.method} ${ctx.path}${said ? `: ${said}` : ''}.`, {
    fix: retryable ? 'Retry later; if it persists, check the Vault server logs.' : 'Check the provider settings and the reference.',
    detail: `HTTP ${answer.status} on ${ctx.method} ${ctx.path}`,
    retryable,
  });
}

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REVOKED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'EPROTO',
  'ERR_SSL_WRONG_VERSION_NUMBER',
]);

/**
 * A request that never got an HTTP answer. `caCert` is the configured setting (as written in
 * the file) so a TLS failure can name it.
 */
export function networkError(e: unknown, ctx: { address: string; path: string; method: string; caCert?: string; timeoutMs: number }): ConnectionSecretsError {
  const err = e as { code?: string; message?: string; cause?: { code?: string } };
  const code = err?.code ?? err?.cause?.code ?? '';
  const message = String(err?.message ?? e);
  const detail = `${code || 'network error'} on ${ctx.method} ${ctx.path}`;
  if (TLS_CODES.has(code) || /certificate|ssl|tls/i.test(message)) {
    const reason = code === 'ERR_TLS_CERT_ALTNAME_INVALID' ? 'the certificate does not name this host' : code === 'CERT_HAS_EXPIRED' ? 'the certificate has expired' : 'the certificate is not signed by a trusted CA';
    return new ConnectionSecretsError('Tls', `TLS verification of ${ctx.address} failed: ${reason} (${code || message}).`, {
      fix: ctx.caCert
        ? `The CA in \`caCert\` ("${ctx.caCert}") does not vouch for this server: set \`caCert\` to the PEM of the CA that signed Vault's certificate${code === 'ERR_TLS_CERT_ALTNAME_INVALID' ? ', and use an address whose host name the certificate lists' : ''}.`
        : `Set \`caCert\` in the vault provider block to the PEM file of the CA that signed Vault's certificate (self-signed or corporate CA)${code === 'ERR_TLS_CERT_ALTNAME_INVALID' ? ', and use an address whose host name the certificate lists' : ''}.`,
      detail,
    });
  }
  if (code === 'ECONNREFUSED') {
    return new ConnectionSecretsError('Unreachable', `Cannot reach Vault at ${ctx.address}: connection refused (nothing listens there).`, {
      fix: 'Check that the Vault server is running and that `address` has the right host and port.',
      detail,
    });
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new ConnectionSecretsError('Unreachable', `Cannot reach Vault at ${ctx.address}: the host name does not resolve (${code}).`, {
      fix: 'Check the host name in `address`, and the DNS or VPN this machine uses.',
      detail,
      retryable: code === 'EAI_AGAIN',
    });
  }
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || /timeout/i.test(message)) {
    return new ConnectionSecretsError('Timeout', `Vault at ${ctx.address} did not answer ${ctx.method} ${ctx.path} within ${Math.round(ctx.timeoutMs / 1000)} s.`, {
      fix: 'Check that the server is reachable from this machine (VPN, firewall) and not overloaded, or raise the timeout setting.',
      detail,
      retryable: false,
    });
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return new ConnectionSecretsError('Unreachable', `The connection to Vault at ${ctx.address} failed (${code}).`, {
      fix: 'Check the network path to the server (VPN, firewall, proxy) and retry.',
      detail,
      retryable: code === 'ECONNRESET' || code === 'EPIPE',
    });
  }
  return new ConnectionSecretsError('Unreachable', `Request to Vault at ${ctx.address} failed: ${code || 'network error'}.`, {
    fix: 'Check `address` and the network path to the server.',
    detail,
  });
}
