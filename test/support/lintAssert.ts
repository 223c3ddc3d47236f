/** Helpers for the linter's tests: apply a fix's edits, and parse the result with Node's crypto. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { applyTextEdits } from '../../src/core/lint';
import type { Fix, Problem } from '../../src/core/model';

/** Applies non-overlapping edits (ranges in `text`) and returns the new text. */
export const applyEdits = applyTextEdits;

export function preferredFix(p: Problem): Fix {
  assert.ok(p.fixes?.length, `${p.ruleId} offers no fix`);
  return p.fixes.find((f) => f.preferred) ?? p.fixes[0];
}

export function only(problems: Problem[], ruleId: string): Problem {
  const found = problems.filter((p) => p.ruleId === ruleId);
  assert.equal(found.length, 1, `expected one ${ruleId}, got: ${describe(problems)}`);
  return found[0];
}

export function describe(problems: readonly Problem[]): string {
  return problems.length ? problems.map((p) => `${p.ruleId}@${p.range.start.line + 1}:${p.range.start.character + 1}`).join(', ') : '(none)';
}

/** No problem at all, or only the listed rule ids. */
export function assertClean(problems: readonly Problem[], allowed: readonly string[] = []) {
  const rest = problems.filter((p) => !allowed.includes(p.ruleId));
  assert.equal(rest.length, 0, `expected no problems, got: ${describe(rest)} — ${rest.map((p) => p.message).join(' | ')}`);
}

/** The PEM blocks of a text (multi-line or `\n`-escaped) as Node reads them; throws when one does not parse. */
export function parseAll(pemText: string, passphrase?: string): string[] {
  const text = pemText.includes('\n') ? pemText : pemText.replace(/\\n/g, '\n');
  const blocks = text.match(/-----BEGIN ([A-Z0-9 ]+)-----\n[\s\S]*?\n-----END \1-----\n?/g) ?? [];
  assert.ok(blocks.length > 0, 'no PEM block to parse');
  return blocks.map((b) => {
    const label = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(b)![1];
    if (label === 'CERTIFICATE') new crypto.X509Certificate(b);
    // Node's crypto has no CRL reader; OpenSSL's is the judge (it throws on a bad one).
    else if (label === 'X509 CRL') execFileSync('openssl', ['crl', '-noout'], { input: b, stdio: ['pipe', 'ignore', 'pipe'] });
    else if (label.endsWith('PUBLIC KEY')) crypto.createPublicKey(b);
    else if (label === 'OPENSSH PRIVATE KEY') assert.ok(b.length > 100);
    else crypto.createPrivateKey({ key: b, ...(passphrase ? { passphrase } : {}) });
    return label;
  });
}
