/**
 * The one place that talks HTTP to Vault. It uses `node-vault`'s request layer
 * (`client.request`, axios underneath) for every call and none of its generated commands, and
 * works around where that library falls short:
 *
 * - node-vault silently reads `VAULT_SKIP_VERIFY`, `VAULT_TOKEN`, `VAULT_NAMESPACE` and
 *   `VAULT_PREFIX` from the environment. We pin TLS verification on (`strictSSL: true` always,
 *   so no environment variable can turn it off), clear the token, namespace and prefix it picked
 *   up, and send our own `X-Vault-Token` / `X-Vault-Namespace` headers per request.
 * - It forwards no AbortSignal to axios, so a call cannot be cancelled: each request gets axios'
 *   own `timeout` and is also raced against `withTimeout`, so nothing waits past `timeoutMs`.
 * - It rejects every non-2xx answer as an error and drops the headers; we turn those back into
 *   `{status, body}` answers so the caller can classify 403/404/503 precisely.
 * - It has no retries: bounded, jittered retries on 5xx/429 and connection resets are added here.
 * - LIST is sent as `GET …?list=true` (Vault's documented equivalent, needing the same `list`
 *   capability), because proxies in front of Vault often reject the non-standard `LIST` verb.
 */
import tls from 'node:tls';
import nodeVault from 'node-vault';
import { ConnectionSecretsError } from '../../core/errors';
import { withRetry, withTimeout } from '../../core/retry';
import { isRetryableStatus, networkError, type VaultAnswer } from './errors';

export interface VaultHttpOptions {
  /** `https://host:8200`, no trailing slash, no `/v1`. */
  address: string;
  /** Sent as `X-Vault-Namespace` on every request; never part of a path. */
  namespace?: string;
  /** PEM text of the extra CA to trust, added to Node's public roots. */
  caPem?: string;
  /** The `caCert` setting as written, for TLS error messages. */
  caCertSetting?: string;
  timeoutMs: number;
  /** Extra attempts on 5xx/429/resets (default 3). */
  retries?: number;
  log?: (message: string) => void;
  /** For tests: the delay between retries. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface VaultRequest {
  method: 'GET' | 'POST' | 'LIST';
  /** API path below `/v1/`, unencoded segments joined with `/` (trailing `/` kept for LIST). */
  path: string;
  body?: unknown;
  /** Token for `X-Vault-Token`; omitted for login calls. */
  token?: string;
  signal?: AbortSignal;
  /** Extra attempts on 5xx/429 for this call (default: the client's). */
  retries?: number;
}

type NodeVaultClient = ReturnType<typeof nodeVault>;

/** Thrown inside the retry loop for a retryable status; unwrapped to an answer when retries run out. */
class RetryableAnswer extends Error {
  constructor(readonly answer: VaultAnswer) {
    super(`HTTP ${answer.status}`);
  }
}

/** Encodes each path segment; Vault paths may hold spaces, `#`, `?` or `%`. */
export function encodeVaultPath(path: string): string {
  return path
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}

export class VaultHttp {
  private readonly client: NodeVaultClient;
  /** Number of HTTP requests sent (every attempt), for diagnostics and the bench. */
  requestCount = 0;

  constructor(private readonly options: VaultHttpOptions) {
    const requestOptions = {
      strictSSL: true,
      ...(options.caPem ? { ca: [...tls.rootCertificates, options.caPem] } : {}),
    };
    this.client = nodeVault({
      endpoint: options.address,
      apiVersion: 'v1',
      noCustomHTTPVerbs: true,
      requestOptions,
      // node-vault's request-promise style defaults: keep verification on whatever the environment says.
      ...({ rpDefaults: { strictSSL: true } } as object),
    });
    // node-vault fills these from VAULT_TOKEN / VAULT_NAMESPACE / VAULT_PREFIX; we decide them ourselves.
    this.client.token = '';
    (this.client as unknown as { namespace?: string }).namespace = undefined;
    (this.client as unknown as { pathPrefix: string }).pathPrefix = '';
  }

  get address(): string {
    return this.options.address;
  }

  get namespace(): string | undefined {
    return this.options.namespace;
  }

  get timeoutMs(): number {
    return this.options.timeoutMs;
  }

  /**
   * Sends one request with timeout and retries and returns Vault's answer whatever its status
   * (the caller classifies 4xx/5xx). Throws a typed error only when no answer came back.
   */
  async send(req: VaultRequest): Promise<VaultAnswer> {
    const shownMethod = req.method;
    try {
      return await withRetry(
        async (attempt) => {
          if (attempt > 0) this.options.log?.(`vault: retrying ${shownMethod} ${req.path} (attempt ${attempt + 1})`);
          const answer = await withTimeout(`Vault ${shownMethod} ${req.path}`, this.options.timeoutMs, () => this.once(req), req.signal);
          if (isRetryableStatus(answer)) throw new RetryableAnswer(answer);
          return answer;
        },
        {
          retries: req.retries ?? this.options.retries ?? 3,
          signal: req.signal,
          sleep: this.options.sleep,
          isRetryable: (e) => e instanceof RetryableAnswer || (e instanceof ConnectionSecretsError && e.retryable && e.code !== 'Timeout'),
        },
      );
    } catch (e) {
      if (e instanceof RetryableAnswer) return e.answer;
      if (e instanceof ConnectionSecretsError && e.code === 'Timeout') {
        throw new ConnectionSecretsError('Timeout', `Vault at ${this.options.address} did not answer ${shownMethod} ${req.path} within ${Math.round(this.options.timeoutMs / 1000)} s.`, {
          fix: 'Check that the server is reachable from this machine (VPN, firewall) and not overloaded, or raise the timeout setting.',
          detail: `timeout on ${shownMethod} ${req.path}`,
        });
      }
      throw e;
    }
  }

  private async once(req: VaultRequest): Promise<VaultAnswer> {
    const headers: Record<string, string> = {};
    if (req.token) headers['X-Vault-Token'] = req.token;
    if (this.options.namespace) headers['X-Vault-Namespace'] = this.options.namespace;
    const isList = req.method === 'LIST';
    const path = `/${encodeVaultPath(req.path)}${isList ? '?list=true' : ''}`;
    this.requestCount++;
    try {
      const body: unknown = await this.client.request({
        path,
        method: isList ? 'GET' : req.method,
        headers,
        timeout: this.options.timeoutMs,
        ...(req.body !== undefined ? { json: req.body } : {}),
      });
      // node-vault resolves 200 and 204 only; 204 has an empty body.
      return { status: 200, body: body === '' ? null : body };
    } catch (e) {
      const response = (e as { response?: { statusCode?: unknown; body?: unknown } }).response;
      if (response && typeof response.statusCode === 'number') return { status: response.statusCode, body: response.body };
      // Never attach the axios error as `cause`: its config carries the X-Vault-Token header.
      throw networkError(e, { address: this.options.address, path: req.path, method: req.method, caCert: this.options.caCertSetting, timeoutMs: this.options.timeoutMs });
    }
  }
}
