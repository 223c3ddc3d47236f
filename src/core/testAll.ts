/**
 * "Test all connections": runs testers concurrently with a bound, so fifty connections take about
 * as long as the slowest few rather than the sum, without opening fifty sockets to one server at
 * once.
 */
import { ConnectionSecretsError, describeError } from './errors';
import type { FailureClass, TestResult } from './tester';

export const DEFAULT_CONCURRENCY = 8;

export interface TestAllOptions {
  /** At most this many tests in flight (default 8). */
  concurrency?: number;
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
export async function testAll<T>(items: readonly T[], tester: (item: T, signal: AbortSignal | undefined) => Promise<TestResult>, options: TestAllOptions = {}): Promise<TestAllReport> {
  const started = performance.now();
  const limit = Math.max(1, Math.floor(options.concurrency ?? DEFAULT_CONCURRENCY));
  const results: Array<TestResult | undefined> = new Array(items.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    for (;;) {
      if (options.signal?.aborted) return;
      const index = next++;
      if (index >= items.length) return;
      let result: TestResult;
      const t0 = performance.now();
      try {
        result = await tester(items[index], options.signal);
      } catch (e) {
        if (e instanceof ConnectionSecretsError && e.code === 'Cancelled') return;
        result = { ok: false, failureClass: 'unknown', message: describeError(e), durationMs: Math.round(performance.now() - t0) };
      }
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

/** "12 passed, 3 failed (2 bad credentials, 1 unreachable)" for notifications and the CLI. */
export function formatSummary(s: TestAllSummary): string {
  const names: Record<FailureClass, string> = { badCredentials: 'bad credentials', unreachable: 'unreachable', tls: 'TLS', timeout: 'timed out', config: 'configuration', denied: 'denied', unknown: 'other' };
  const parts = Object.entries(s.byClass).map(([k, n]) => `${n} ${names[k as FailureClass]}`);
  return `${s.passed} passed, ${s.failed} failed${parts.length ? ` (${parts.join(', ')})` : ''}${s.cancelled ? `, ${s.cancelled} not tested (cancelled)` : ''}`;
}
