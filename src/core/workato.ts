/**
 * Workato's Developer API, the one call this project needs: clearing a workspace's secrets
 * management cache (`POST /api/secrets_management/clear_cache`, Bearer API token), so that
 * connections pick up a rotated secret at once instead of after Workato's 60-minute cache.
 * The token is a credential: it never appears in a message, an error or a detail.
 */
import { ConnectionSecretsError } from './errors';
import { sleep as defaultSleep } from './retry';

/** Data-centre base URLs (Workato Developer API docs, "Base URL"). */
export const WORKATO_DATA_CENTERS = {
  us: 'https://www.workato.com',
  eu: 'https://app.eu.workato.com',
  jp: 'https://app.jp.workato.com',
  sg: 'https://app.sg.workato.com',
  au: 'https://app.au.workato.com',
  il: 'https://app.il.workato.com',
} as const;

export type WorkatoDataCenter = keyof typeof WORKATO_DATA_CENTERS;

export const CLEAR_CACHE_PATH = '/api/secrets_management/clear_cache';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The API base URL for a data-centre code (`us`, `eu`, `jp`, `sg`, `au`, `il`; default `us`) or a
 * custom URL (another data centre, a Virtual Private Workato instance, a proxy). Custom URLs must
 * be https, except on loopback. A trailing `/api` or `/` is dropped.
 */
export function workatoBaseUrl(dataCenter?: string): string {
  const value = (dataCenter ?? '').trim();
  if (!value) return WORKATO_DATA_CENTERS.us;
  const code = value.toLowerCase();
  if (Object.prototype.hasOwnProperty.call(WORKATO_DATA_CENTERS, code)) return WORKATO_DATA_CENTERS[code as WorkatoDataCenter];
  const invalid = () =>
    new ConnectionSecretsError('InvalidConfig', `"${value.slice(0, 80)}" is not a Workato data centre`, {
      fix: `Use one of ${Object.keys(WORKATO_DATA_CENTERS).join(', ')}, or the https:// base URL of your Workato instance.`,
    });
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid();
  }
  if (url.username || url.password || url.search || url.hash) throw invalid();
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    throw new ConnectionSecretsError('InvalidConfig', 'The Workato base URL must use https', { fix: 'Use an https:// URL; the API token must not travel in clear text.' });
  }
  const path = url.pathname.replace(/\/+$/, '').replace(/\/api$/, '');
  return `${url.origin}${path}`;
}

/** The code of a known base URL (`eu` for https://app.eu.workato.com), else undefined. */
export function dataCenterOf(baseUrl: string): WorkatoDataCenter | undefined {
  return (Object.keys(WORKATO_DATA_CENTERS) as WorkatoDataCenter[]).find((k) => WORKATO_DATA_CENTERS[k] === baseUrl);
}

export interface ClearCacheOptions {
  /** The API client's token (Workato: Workspace admin → API clients). */
  token: string;
  /** From `workatoBaseUrl`. */
  baseUrl: string;
  /** Per request (default 10 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Further attempts after HTTP 429 or 5xx (default 3). */
  maxRetries?: number;
  /**
   * The longest Retry-After honoured (default 60 s: the API allows 60 requests a minute, so a
   * longer wait means something else is wrong); beyond it the call fails with the wait to retry.
   */
  maxRetryAfterMs?: number;
  /** Injected for tests. */
  fetch?: typeof fetch;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

export interface ClearCacheResult {
  baseUrl: string;
  status: number;
  attempts: number;
  durationMs: number;
  /** Time spent waiting on Retry-After / backoff. */
  waitedMs: number;
}

/** Parses Retry-After (delta-seconds or an HTTP date) into milliseconds. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function checkToken(token: string): string {
  const t = (token ?? '').trim();
  if (!t) {
    throw new ConnectionSecretsError('InvalidConfig', 'No Workato API token is set', {
      fix: 'Create an API client in Workato (Workspace admin → API clients), then store its token (WORKATO_API_TOKEN for the CLI, "Set Workato API token" in the editor).',
    });
  }
  if ([...t].some((ch) => ch.charCodeAt(0) <= 0x20 || ch.charCodeAt(0) === 0x7f)) {
    // fetch's own error would quote the header, token included.
    throw new ConnectionSecretsError('InvalidConfig', 'The Workato API token contains spaces or line breaks', { fix: 'Store the token again, exactly as Workato shows it.' });
  }
  return t;
}

const networkCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

function causeCode(e: unknown): string | undefined {
  for (let cur: unknown = e, depth = 0; cur && depth < 5; cur = (cur as { cause?: unknown }).cause, depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

function scrubbed(text: string, token: string): string {
  return token.length >= 4 ? text.split(token).join('***') : text;
}

/**
 * Clears the secrets management cache of the workspace the token belongs to. Retries HTTP 429
 * (honouring Retry-After, bounded) and 5xx (jittered backoff); every other failure is a typed
 * error whose message says what happened and whose `fix` says what to do.
 */
export async function clearSecretsCache(options: ClearCacheOptions): Promise<ClearCacheResult> {
  const token = checkToken(options.token);
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const url = `${baseUrl}${CLEAR_CACHE_PATH}`;
  const doFetch = options.fetch ?? fetch;
  const wait = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxRetries = options.maxRetries ?? 3;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
  const started = performance.now();
  let waitedMs = 0;
  const where = `Workato at ${baseUrl}`;

  for (let attempt = 1; ; attempt++) {
    if (options.signal?.aborted) throw new ConnectionSecretsError('Cancelled', 'Cancelled');
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    let response: Response;
    let bodyText = '';
    try {
      response = await doFetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, accept: 'application/json', 'user-agent': 'connection-secrets' },
        signal: controller.signal,
        redirect: 'manual',
      });
      bodyText = (await response.text()).slice(0, 4096);
    } catch (e) {
      if (options.signal?.aborted) throw new ConnectionSecretsError('Cancelled', 'Cancelled');
      if (timedOut) {
        throw new ConnectionSecretsError('Timeout', `${where} did not answer within ${Math.round(timeoutMs / 1000)} s`, {
          fix: 'Check your network or proxy and the data-centre setting, then try again.',
          retryable: true,
        });
      }
      const code = causeCode(e);
      if (code && networkCodes.has(code)) {
        throw new ConnectionSecretsError('Unreachable', `Could not reach ${where} (${code})`, {
          fix: 'Check the data-centre setting (us, eu, jp, sg, au, il or your instance URL), your network and any proxy.',
          detail: code,
          retryable: code === 'ECONNRESET' || code === 'EAI_AGAIN',
        });
      }
      if (code && /CERT|SSL|TLS|EPROTO/.test(code)) {
        throw new ConnectionSecretsError('Tls', `The TLS connection to ${where} failed (${code})`, {
          fix: 'If a proxy inspects TLS, trust its CA (NODE_EXTRA_CA_CERTS); otherwise check the base URL.',
          detail: code,
        });
      }
      throw new ConnectionSecretsError('Unknown', `Calling ${where} failed: ${scrubbed(e instanceof Error ? e.message : String(e), token).slice(0, 200)}`);
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    }

    const status = response.status;
    if (status >= 200 && status < 300) {
      let success: unknown = true;
      try {
        success = (JSON.parse(bodyText) as { success?: unknown }).success;
      } catch {
        /* a 2xx without a JSON body is taken as done */
      }
      if (success === false) {
        throw new ConnectionSecretsError('Unknown', `${where} answered that the cache was not cleared (success: false)`, { fix: 'Try again; if it persists, contact Workato support.', detail: `HTTP ${status}` });
      }
      return { baseUrl, status, attempts: attempt, durationMs: Math.round(performance.now() - started), waitedMs };
    }

    const serverSays = serverMessage(bodyText, token);
    if (status === 429 || status >= 500) {
      const retryAfter = status === 429 ? parseRetryAfter(response.headers.get('retry-after')) : undefined;
      const backoff = Math.floor(random() * Math.min(8_000, 500 * 2 ** (attempt - 1)));
      const delay = retryAfter ?? backoff;
      if (attempt > maxRetries || delay > maxRetryAfterMs) {
        if (status === 429) {
          const seconds = Math.ceil((retryAfter ?? 60_000) / 1000);
          throw new ConnectionSecretsError('Throttled', `${where} is throttling requests (HTTP 429; the API allows 60 requests a minute)`, {
            fix: `Try again in ${seconds} s.`,
            detail: 'HTTP 429',
            retryable: true,
          });
        }
        throw new ConnectionSecretsError('Unknown', `${where} failed with HTTP ${status}${serverSays}`, { fix: 'Try again later; check status.workato.com.', detail: `HTTP ${status}`, retryable: true });
      }
      await wait(delay, options.signal);
      waitedMs += delay;
      continue;
    }
    if (status === 401) {
      throw new ConnectionSecretsError('Unauthenticated', `${where} rejected the API token (HTTP 401)${serverSays}`, {
        fix: 'Check that the token is current and belongs to a workspace in this data centre; create a new API client token in Workato and store it again.',
        detail: 'HTTP 401',
      });
    }
    if (status === 403) {
      throw new ConnectionSecretsError('AccessDenied', `The API client may not clear the secrets cache (HTTP 403)${serverSays}`, {
        fix: "Give the API client's role access to the environment management (secrets management) endpoints.",
        detail: 'HTTP 403',
      });
    }
    if (status === 404) {
      throw new ConnectionSecretsError('InvalidConfig', `${where} has no secrets management API (HTTP 404)`, {
        fix: 'Check the data-centre setting or base URL, and that external secrets management is enabled for the workspace.',
        detail: 'HTTP 404',
      });
    }
    if (status >= 300 && status < 400) {
      throw new ConnectionSecretsError('InvalidConfig', `${where} redirected the request (HTTP ${status})`, { fix: 'Use the API base URL of your data centre, not a sign-in page.', detail: `HTTP ${status}` });
    }
    throw new ConnectionSecretsError('Unknown', `${where} refused the request (HTTP ${status})${serverSays}`, { fix: 'Check the base URL and the API client, then try again.', detail: `HTTP ${status}` });
  }
}

/** Workato's error text (`message` or `error`), short, with the token scrubbed. */
function serverMessage(body: string, token: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown; error?: unknown };
    const text = typeof parsed.message === 'string' ? parsed.message : typeof parsed.error === 'string' ? parsed.error : '';
    return text ? `: ${scrubbed(text.split('\n')[0], token).slice(0, 160)}` : '';
  } catch {
    return '';
  }
}
