/** Timeouts and bounded retries with jittered backoff, shared by every network-facing provider. */
import { ConnectionSecretsError } from './errors';

export interface RetryOptions {
  /** Extra attempts after the first (default 3). */
  retries?: number;
  /** First backoff in ms (default 200); doubles each attempt, full jitter. */
  baseDelayMs?: number;
  /** Upper bound of one backoff (default 5 000). */
  maxDelayMs?: number;
  /** Which errors deserve another try (default: `retryable` typed errors). */
  isRetryable?: (e: unknown) => boolean;
  signal?: AbortSignal;
  /** Injected for tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new ConnectionSecretsError('Cancelled', 'Cancelled.'));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new ConnectionSecretsError('Cancelled', 'Cancelled.'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const retries = options.retries ?? 3;
  const base = options.baseDelayMs ?? 200;
  const max = options.maxDelayMs ?? 5_000;
  const isRetryable = options.isRetryable ?? ((e) => e instanceof ConnectionSecretsError && e.retryable);
  const wait = options.sleep ?? sleep;
  const random = options.random ?? Math.random;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      if (attempt >= retries || !isRetryable(e) || options.signal?.aborted) throw e;
      const delay = Math.floor(random() * Math.min(max, base * 2 ** attempt));
      await wait(delay, options.signal);
    }
  }
}

/**
 * Runs `fn` with an AbortSignal that fires after `ms`; a timeout becomes a typed `Timeout`
 * error naming what timed out, so nothing hangs.
 */
export async function withTimeout<T>(what: string, ms: number, fn: (signal: AbortSignal) => Promise<T>, parent?: AbortSignal): Promise<T> {
  const controller = new AbortController();
  const onParentAbort = () => controller.abort(parent?.reason);
  parent?.addEventListener('abort', onParentAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(
        new ConnectionSecretsError('Timeout', `${what} timed out after ${Math.round(ms / 1000)} s`, {
          fix: 'Check that the server is reachable from this machine, or raise the timeout setting.',
          retryable: true,
        }),
      );
    }, ms);
  });
  try {
    return await Promise.race([fn(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
    parent?.removeEventListener('abort', onParentAbort);
  }
}
