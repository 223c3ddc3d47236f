/** Assertions shared by the tester tests. */
import assert from 'node:assert/strict';
import type { FailureClass, TestResult } from '../../src/core/tester';
import { assertNoCanary } from './canary';

/** The result failed with `failureClass`, and nothing in it (message, details) holds a canary. */
export function assertFailure(result: TestResult, failureClass: FailureClass, canaries: readonly string[], message?: RegExp) {
  assertNoCanary(JSON.stringify(result), canaries, 'test result');
  assert.equal(result.ok, false, `expected a failure, got: ${result.message}`);
  assert.equal(result.failureClass, failureClass, `expected ${failureClass}, got ${result.failureClass}: ${result.message}`);
  assert.ok(result.message.includes(' — '), `the message names a fix: ${result.message}`);
  if (message) assert.match(result.message, message);
  assert.ok(Number.isFinite(result.durationMs) && result.durationMs >= 0);
}

export function assertSuccess(result: TestResult, canaries: readonly string[]) {
  assertNoCanary(JSON.stringify(result), canaries, 'test result');
  assert.equal(result.ok, true, `expected success, got ${result.failureClass}: ${result.message}`);
  assert.equal(result.failureClass, undefined);
  assert.ok(Number.isFinite(result.durationMs) && result.durationMs >= 0);
}
