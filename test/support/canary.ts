/**
 * Canary secret values: tests seed these into providers, then assert that no output, log line,
 * error message or file ever contains them.
 */
import assert from 'node:assert/strict';

export function canary(label: string): string {
  // Distinctive and long enough that an accidental match is impossible.
  return `CANARY-${label}-${Math.random().toString(36).slice(2, 10)}-z9Q`;
}

export function assertNoCanary(text: string, canaries: readonly string[], where = 'output') {
  for (const c of canaries) {
    assert.ok(!text.includes(c), `${where} contains a secret value (canary ${c.slice(0, 12)}…)`);
  }
}
