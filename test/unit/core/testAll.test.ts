import assert from 'node:assert/strict';
import { ConnectionSecretsError } from '../../../src/core/errors';
import { formatSummary, testAll } from '../../../src/core/testAll';
import type { TestResult } from '../../../src/core/tester';

const ok = (ms = 0): TestResult => ({ ok: true, message: 'ok', durationMs: ms });
const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('testAll', () => {
  it('returns results in the order of the items, whatever order they finish in', async () => {
    const report = await testAll([30, 5, 15, 0], async (ms) => {
      await delay(ms);
      return { ok: ms !== 15, failureClass: ms === 15 ? 'timeout' : undefined, message: `m${ms}`, durationMs: ms };
    });
    assert.deepEqual(report.results.map((r) => r.message), ['m30', 'm5', 'm15', 'm0']);
    assert.deepEqual({ total: report.summary.total, passed: report.summary.passed, failed: report.summary.failed }, { total: 4, passed: 3, failed: 1 });
    assert.deepEqual(report.summary.byClass, { timeout: 1 });
    assert.equal(report.summary.slowestMs, 30);
  });

  it('never has more than `concurrency` tests in flight, and uses all of them', async () => {
    let inFlight = 0;
    let peak = 0;
    await testAll(Array.from({ length: 20 }, (_, i) => i), async () => {
      peak = Math.max(peak, ++inFlight);
      await delay(5);
      inFlight--;
      return ok();
    }, { concurrency: 4 });
    assert.equal(peak, 4);
  });

  it('turns a tester that throws into an unknown failure for that item only', async () => {
    const report = await testAll(['a', 'b'], async (x) => {
      if (x === 'a') throw new ConnectionSecretsError('Unknown', 'boom', { fix: 'do a thing' });
      return ok();
    });
    assert.equal(report.results[0].failureClass, 'unknown');
    assert.equal(report.results[0].message, 'boom — do a thing');
    assert.equal(report.results[1].ok, true);
  });

  it('stops starting tests when the signal aborts and reports the rest as not tested', async () => {
    const controller = new AbortController();
    let started = 0;
    const report = await testAll(Array.from({ length: 10 }, (_, i) => i), async (_i, signal) => {
      started++;
      if (started === 2) controller.abort();
      await delay(1);
      if (signal?.aborted) throw new ConnectionSecretsError('Cancelled', 'Cancelled.');
      return ok();
    }, { concurrency: 1, signal: controller.signal });
    assert.equal(started, 2);
    assert.equal(report.summary.cancelled, 9);
    assert.equal(report.summary.passed, 1);
    assert.equal(report.summary.failed, 0);
    assert.match(formatSummary(report.summary), /^1 passed, 0 failed, 9 not tested \(cancelled\)$/);
  });

  it('reports progress as each test finishes', async () => {
    const seen: number[] = [];
    await testAll([1, 2, 3], async () => ok(), { onResult: (_i, _r, done, total) => seen.push(done * 10 + total) });
    assert.deepEqual(seen, [13, 23, 33]);
  });

  it('handles an empty list', async () => {
    const report = await testAll([], async () => ok());
    assert.deepEqual(report.results, []);
    assert.equal(formatSummary(report.summary), '0 passed, 0 failed');
  });
});

describe('testAll per-server bound', () => {
  it('keeps at most perKeyConcurrency tests on one server while others proceed', async () => {
    const inFlight = new Map<string, number>();
    const peak = new Map<string, number>();
    const items = Array.from({ length: 24 }, (_, i) => ({ host: i % 3 === 0 ? 'b:22' : 'a:5432', i }));
    const report = await testAll(items, async (x) => {
      inFlight.set(x.host, (inFlight.get(x.host) ?? 0) + 1);
      peak.set(x.host, Math.max(peak.get(x.host) ?? 0, inFlight.get(x.host)!));
      await delay(3);
      inFlight.set(x.host, inFlight.get(x.host)! - 1);
      return { ok: true, message: String(x.i), durationMs: 3 };
    }, { concurrency: 10, perKeyConcurrency: 2, keyOf: (x) => x.host });
    assert.deepEqual(Object.fromEntries(peak), { 'a:5432': 2, 'b:22': 2 });
    assert.deepEqual(report.results.map((r) => r.message), items.map((x) => String(x.i)));
  });

  it('serverKey names host:port or the URL host', async () => {
    const { serverKey } = await import('../../../src/core/testAll');
    assert.equal(serverKey({ type: 'postgres', host: 'db', port: 5432 }), 'db:5432');
    assert.equal(serverKey({ type: 'http', url: 'https://api.example.com:8443/x?y' }), 'api.example.com:8443');
    assert.equal(serverKey({ type: 'http', url: 'not a url' }), undefined);
    assert.equal(serverKey(undefined), undefined);
  });
});

describe('unresolvedResult', () => {
  const connection = { name: 'db', type: 'postgres' } as unknown as import('../../../src/core/model').Connection;
  const ref = (errorCode: string | undefined, error = 'it failed') => ({ field: 'password', raw: '{{workato:sm:password:db}}', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, status: 'unresolved' as const, error, errorCode });

  it('reports the connection as not tested, naming the reference that did not resolve', async () => {
    const { unresolvedResult } = await import('../../../src/core/testAll');
    const r = unresolvedResult({ connection, references: [ref('NotFound', 'Secret "db" does not exist')], fields: [], ok: false });
    assert.deepEqual(r, { ok: false, failureClass: 'config', message: 'Not tested: password ({{workato:sm:password:db}}) did not resolve: Secret "db" does not exist', durationMs: 0 });
  });

  it('keeps the class of a provider that could not be reached, timed out or denied', async () => {
    const { unresolvedResult } = await import('../../../src/core/testAll');
    const classOf = (code: string) => unresolvedResult({ connection, references: [ref(code)], fields: [], ok: false }).failureClass;
    assert.deepEqual(['Unreachable', 'Timeout', 'Tls', 'AccessDenied', 'Unknown'].map(classOf), ['unreachable', 'timeout', 'tls', 'denied', 'config']);
  });
});
