/**
 * "Test all connections": runs testers concurrently with a bound, so fifty connections take about
 * as long as the slowest few rather than the sum, without opening fifty sockets to one server at
 * once.
 */
import { ConnectionSecretsError, describeError } from './errors';
import type { ResolvedConnection } from './resolver';
import type { FailureClass, TestResult } from './tester';

export const DEFAULT_CONCURRENCY = 32;
/**
 * Tests in flight to one server (same `keyOf`) — below OpenSSH's default MaxStartups (10), beyond
 * which sshd drops new unauthenticated connections at random.
 */
export const DEFAULT_PER_KEY_CONCURRENCY = 8;

export interface TestAllOptions<T = unknown> {
  /** At most this many tests in flight (default 32). */
  concurrency?: number;
  /** Groups items by server (e.g. `host:port`); at most `perKeyConcurrency` of a group in flight. */
  keyOf?: (item: T) => string | undefined;
  /** Default 8. */
  perKeyConcurrency?: number;
  /** Stops starting new tests; the ones not started are reported as not tested. */
  signal?: AbortSignal;
  /** Called as each test finishes (for a progress notification). */
  onResult?: (index: number, result: TestResult, done: number, total: number) => void;
}

export interface TestAllSummary {
  total: number;
  passed: number;
  failed: number;
  /** Not started because the run was cancelled. */
  cancelled: number;
  byClass: Partial<Record<FailureClass, number>>;
  /** Wall-clock time of the whole run. */
  durationMs: number;
  /** The longest single test. */
  slowestMs: number;
}

export interface TestAllReport {
  /** One result per item, in the items' order. */
  results: TestResult[];
  summary: TestAllSummary;
}

/**
 * Tests every item with `tester`, at most `concurrency` at a time. A tester that throws (other
 * than a cancellation) gives an `unknown` failure for its item, never a rejected run.
 */
export async function testAll<T>(items: readonly T[], tester: (item: T, signal: AbortSignal | undefined) => Promise<TestResult>, options: TestAllOptions<T> = {}): Promise<TestAllReport> {
  const started = performance.now();
  const limit = Math.max(1, Math.floor(options.concurrency ?? DEFAULT_CONCURRENCY));
  const perKey = Math.max(1, Math.floor(options.perKeyConcurrency ?? DEFAULT_PER_KEY_CONCURRENCY));
  const results: Array<TestResult | undefined> = new Array(items.length);
  const keys = items.map((item) => options.keyOf?.(item));
  const busy = new Map<string, number>();
  const pending = items.map((_, i) => i);
  let done = 0;
  let wake: (() => void) | undefined;
  /** The first pending item whose server has room, in item order. */
  const take = (): number | undefined => {
    const at = pending.findIndex((i) => keys[i] === undefined || (busy.get(keys[i]!) ?? 0) < perKey);
    return at < 0 ? undefined : pending.splice(at, 1)[0];
  };
  const worker = async () => {
    for (;;) {
      if (options.signal?.aborted || pending.length === 0) return;
      const index = take();
      if (index === undefined) {
        // Every pending item waits for a busy server: sleep until some test finishes.
        await new Promise<void>((resolve) => {
          const prev = wake;
          wake = () => {
            prev?.();
            resolve();
          };
        });
        continue;
      }
      const key = keys[index];
      if (key !== undefined) busy.set(key, (busy.get(key) ?? 0) + 1);
      let result: TestResult | undefined;
      const t0 = performance.now();
      try {
        result = await tester(items[index], options.signal);
      } catch (e) {
        if (!(e instanceof ConnectionSecretsError && e.code === 'Cancelled')) {
          result = { ok: false, failureClass: 'unknown', message: describeError(e), durationMs: Math.round(performance.now() - t0) };
        }
      } finally {
        if (key !== undefined) busy.set(key, busy.get(key)! - 1);
        const w = wake;
        wake = undefined;
        w?.();
      }
      if (!result) return;
      results[index] = result;
      done++;
      options.onResult?.(index, result, done, items.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  const final = Array.from(results, (r) => r ?? { ok: false, failureClass: 'unknown' as const, message: 'Not tested: the run was cancelled.', durationMs: 0, details: { cancelled: 'true' } });
  const byClass: Partial<Record<FailureClass, number>> = {};
  let passed = 0;
  let cancelled = 0;
  for (const r of final) {
    if (r.ok) passed++;
    else if (r.details?.cancelled === 'true') cancelled++;
    else byClass[r.failureClass ?? 'unknown'] = (byClass[r.failureClass ?? 'unknown'] ?? 0) + 1;
  }
  return {
    results: final,
    summary: {
      total: items.length,
      passed,
      failed: items.length - passed - cancelled,
      cancelled,
      byClass,
      durationMs: Math.round(performance.now() - started),
      slowestMs: Math.max(0, ...final.map((r) => r.durationMs)),
    },
  };
}

/**
 * The server a resolved connection talks to (`host:port`, or the URL's host), for `keyOf`; values
 * that name none give undefined (no per-server bound).
 */
export function serverKey(values: Record<string, unknown> | undefined): string | undefined {
  if (!values) return undefined;
  if (typeof values.url === 'string') {
    try {
      return new URL(values.url).host;
    } catch {
      return undefined;
    }
  }
  return typeof values.host === 'string' && values.host ? `${values.host}:${String(values.port ?? '')}` : undefined;
}

/** Failure classes as people read them ("bad credentials", "TLS" …). */
export const FAILURE_CLASS_NAMES: Readonly<Record<FailureClass, string>> = {
  badCredentials: 'bad credentials',
  unreachable: 'unreachable',
  tls: 'TLS',
  timeout: 'timed out',
  config: 'configuration',
  denied: 'denied',
  unknown: 'other',
};

/** "12 passed, 3 failed (2 bad credentials, 1 unreachable)" for notifications and the CLI. */
export function formatSummary(s: TestAllSummary): string {
  const parts = Object.entries(s.byClass).map(([k, n]) => `${n} ${FAILURE_CLASS_NAMES[k as FailureClass]}`);
  return `${s.passed} passed, ${s.failed} failed${parts.length ? ` (${parts.join(', ')})` : ''}${s.cancelled ? `, ${s.cancelled} not tested (cancelled)` : ''}`;
}

/**
 * The result for a connection whose references did not resolve: it was not tested (that would
 * test the provider, not the application), and the message says which reference failed and why.
 */
export function unresolvedResult(r: ResolvedConnection): TestResult {
  const bad = r.references.find((x) => x.status !== 'resolved');
  const classes: Record<string, FailureClass> = { Unreachable: 'unreachable', Timeout: 'timeout', Tls: 'tls', AccessDenied: 'denied' };
  return {
    ok: false,
    failureClass: classes[bad?.errorCode ?? ''] ?? 'config',
    message: `Not tested: ${bad ? `${bad.field} (${bad.raw}) did not resolve: ${bad.error ?? bad.status}` : 'its references did not resolve'}`,
    durationMs: 0,
  };
}
