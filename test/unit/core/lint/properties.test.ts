/**
 * Bad input, generated: random text and bytes, real PEMs mutated at random, hostile shapes built to
 * make a backtracking scanner explode, huge values. Every one ends with problems or nothing —
 * never an exception — with ranges inside the text, fixes that do what they say, and messages that
 * never contain the value. "Bounded time" is enforced by the tier's timeout on inputs where
 * anything worse than linear would not finish (10 MB, 100,000 lines); the bench measures growth.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fc from 'fast-check';
import { lintPemFile, lintSecretText, RULES } from '../../../../src/core/lint';
import { jsonErrorOffset } from '../../../../src/core/lint/jsonText';
import type { Problem } from '../../../../src/core/model';
import { LineIndex } from '../../../../src/core/positions';
import { applyEdits, parseAll } from '../../../support/lintAssert';
import { escaped, makeKeyMaterial, type KeyMaterial } from '../../../support/keyMaterial';
import { runs } from '../../../support/properties';

let km: KeyMaterial;
before(function () {
  this.timeout(60_000);
  km = makeKeyMaterial();
});
after(() => km?.remove());

const PROVIDERS = [undefined, 'aws', 'vault', 'azure', 'env', 'file'] as const;

/** Every way the linter reads a value. */
function lintAll(text: string): Problem[] {
  return [lintPemFile(text, '/f.pem'), ...PROVIDERS.map((t) => lintSecretText(text, '/v', { pemForm: 'escaped' }, t)), lintSecretText(text, '/v', { pemForm: 'either' })].flat();
}

function assertWellFormed(text: string, problems: Problem[]) {
  const index = new LineIndex(text);
  const lines = text.split('\n');
  const inside = (r: Problem['range']) => {
    for (const p of [r.start, r.end]) {
      assert.ok(p.line >= 0 && p.line < lines.length, `line ${p.line} outside the text`);
      assert.ok(p.character >= 0 && p.character <= lines[p.line].length, `character ${p.character} outside line ${p.line}`);
    }
    assert.ok(index.offset(r.start) <= index.offset(r.end), 'range ends before it starts');
  };
  for (const p of problems) {
    assert.ok(RULES[p.ruleId], `unregistered rule id ${p.ruleId}`);
    assert.ok(p.message.length > 20, `${p.ruleId}: message too short to name a fix`);
    inside(p.range);
    for (const f of p.fixes ?? []) for (const e of f.edits) inside(e.range);
  }
}

/** Pieces that break PEM in the ways people do it, and the fragments scanners trip over. */
const FRAGMENTS = ['\n', '\r\n', '\r', '\\n', '\\\\n', '\\r\\n', ' ', '  ', '\t', '-', '-----', '=', '==', 'A', '*', '"', "'", '\\', '{', '}', ':', '-----BEGIN PRIVATE KEY-----', '-----END CERTIFICATE-----', '-----BEGIN ', 'Proc-Type: 4,ENCRYPTED\n', '\u0000', '\u00e9', '\ud83d\ude00'];

function mutate(text: string, ops: { at: number; del: number; ins: string }[]): string {
  let out = text;
  for (const op of ops) {
    const at = Math.floor(op.at * (out.length + 1));
    out = out.slice(0, at) + op.ins + out.slice(Math.min(out.length, at + op.del));
  }
  return out;
}

const mutations = fc.array(fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), del: fc.integer({ min: 0, max: 3 }), ins: fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 4 })) }), { minLength: 1, maxLength: 6 });

describe('linter on bad input (property-based)', () => {
  it('random text never throws; ranges stay inside the text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 400 }), fc.string({ unit: 'binary', maxLength: 400 }), fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 60 }).map((a) => a.join(''))), (text) => {
        assertWellFormed(text, lintAll(text));
      }),
      runs(400),
    );
  });

  it('random bytes (as UTF-8 and as Latin-1) never throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        for (const enc of ['utf8', 'latin1'] as const) {
          const text = Buffer.from(bytes).toString(enc);
          assertWellFormed(text, lintAll(text));
        }
      }),
      runs(200),
    );
  });

  it('real PEMs mutated at random: no exception, and every whole-value fix yields a value that is clean and parses', () => {
    const checked = { whole: 0, local: 0 };
    const bases = () => [km.rsaPkcs1, km.ecPkcs8, km.ecSec1, km.ed25519Pkcs8, km.cert, km.ecPkcs8 + km.cert, km.rsaSpki];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 6 }), fc.boolean(), mutations, (which, esc, ops) => {
        const base = bases()[which];
        const text = mutate(esc ? escaped(base) : base, ops);
        const lints: [string, (t: string) => Problem[]][] = [
          ['file', (t) => lintPemFile(t, '/f.pem')],
          ['secret', (t) => lintSecretText(t, '/v')],
        ];
        for (const [, lint] of lints) {
          const problems = lint(text);
          assertWellFormed(text, problems);
          for (const p of problems) {
            const fix = p.fixes?.find((f) => f.preferred) ?? p.fixes?.[0];
            if (!fix) continue;
            const fixed = applyEdits(text, fix.edits);
            const again = lint(fixed);
            const whole = fix.edits.length === 1 && fix.edits[0].range.start.line === 0 && fix.edits[0].range.start.character === 0 && fixed.length > 0 && new LineIndex(text).offset(fix.edits[0].range.end) === text.length;
            if (whole) {
              // A whole-value re-render fixes the form (line breaks, wrapping, escaping) and keeps
              // the blocks as they are: a wrong label has its own fix. So what is left must be
              // problems the value already had, other than the one fixed; and when nothing was
              // left to keep, the value is clean and crypto reads it.
              const before = new Set(problems.filter((x) => x.severity !== 'info').map((x) => x.ruleId));
              before.delete(p.ruleId);
              const left = again.filter((x) => x.severity !== 'info');
              assert.deepEqual(left.filter((x) => !before.has(x.ruleId)), [], `${p.ruleId}: the fix left or made problems the value did not have`);
              if (left.length === 0) {
                parseAll(fixed);
                checked.whole++;
              }
            } else {
              checked.local++;
              const same = again.find((x) => x.ruleId === p.ruleId && x.range.start.line === p.range.start.line && x.range.start.character === p.range.start.character);
              assert.equal(same, undefined, `${p.ruleId}: the fix did not remove the problem`);
            }
          }
        }
      }),
      runs(300),
    );
    // The property must have exercised the fixes, not only the no-fix paths.
    assert.ok(checked.whole > 30 && checked.local > 3, `fixes checked: ${JSON.stringify(checked)}`);
  });

  it('messages never contain the value: a canary anywhere in a PEM never reaches a message', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 }), fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), fc.constantFrom('CANARYQ7xZ9wK3mN', 'CANARY Q7 ZZZ', 'CANARY-Q7-ZZZZ', 'CANARY\\nQ7ZZ'), (which, where, canary) => {
        const base = [km.ecPkcs8, escaped(km.cert), JSON.stringify({ privateKey: escaped(km.rsaPkcs1) }), km.rsaPkcs8.replace(/PRIVATE KEY/g, 'PRIVATE KEY')][which];
        const at = Math.floor(where * base.length);
        const text = base.slice(0, at) + canary + base.slice(at);
        for (const p of lintAll(text)) assert.ok(!p.message.includes('CANARY'), `${p.ruleId}: ${p.message}`);
      }),
      runs(300),
    );
  });

  it('jsonErrorOffset agrees with JSON.parse on valid and broken JSON', () => {
    fc.assert(
      fc.property(fc.json(), mutations, fc.boolean(), (json, ops, broken) => {
        const text = broken ? mutate(json, ops) : json;
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        const at = jsonErrorOffset(text);
        assert.equal(at === -1, valid, `${JSON.stringify(text)}: offset ${at}, JSON.parse ${valid ? 'accepts' : 'rejects'}`);
        if (!valid) assert.ok(at >= 0 && at <= text.length);
      }),
      runs(500),
    );
  });
});

describe('linter on hostile and huge input (ends, with a diagnostic or nothing)', function () {
  this.timeout(120_000);
  const MB = 1024 * 1024;

  it('10 MB of random bytes, as a file and as a secret', () => {
    const text = crypto.randomBytes(10 * MB).toString('latin1');
    assertWellFormed(text, [lintPemFile(text, '/f.pem'), lintSecretText(text, '/v', {}, 'aws')].flat());
  });

  it('a PEM with 100,000 body lines (a 6 MB body) gets its verdict', () => {
    const line = 'QUJD'.repeat(16);
    const text = `-----BEGIN CERTIFICATE-----\n${`${line}\n`.repeat(100_000)}-----END CERTIFICATE-----\n`;
    const problems = lintPemFile(text, '/f.pem');
    assert.ok(problems.some((p) => p.ruleId === 'pem/der-invalid'), 'the body is base64 but not a certificate');
    assertWellFormed(text, problems);
    const esc = escaped(text);
    assertWellFormed(esc, lintSecretText(esc, '/v'));
  });

  it('shapes built to make a backtracking scanner explode', () => {
    const n = 2 * MB;
    const hostile = [
      '-'.repeat(n),
      '-----BEGIN '.repeat(n / 11),
      '-----BEGIN PRIVATE KEY-----'.repeat(n / 27),
      '-----BEGIN PRIVATE KEY-----\n' + 'A'.repeat(n) + '!',
      '-----BEGIN ' + 'A'.repeat(n),
      '\\'.repeat(n) + 'n',
      '\\n'.repeat(n / 2),
      '\\r'.repeat(n / 2),
      '-----BEGIN X-----' + ' '.repeat(n) + 'A-----END X-----',
      '-----BEGIN CERTIFICATE-----\n' + '=\n'.repeat(n / 2) + '-----END CERTIFICATE-----',
      '{'.repeat(n),
      '{"a":'.repeat(n / 5),
      '["' + '\\\\'.repeat(n / 2) + '"]',
      '{"k":"' + '-----BEGIN X-----\\n'.repeat(n / 20) + '"}',
      `{"privateKey":"${'-----BEGIN PRIVATE KEY-----\\\\n'.repeat(3000)}"}`,
      '-----END '.repeat(n / 9),
    ];
    for (const text of hostile) {
      const problems = [lintPemFile(text, '/f.pem'), lintSecretText(text, '/v', {}, 'aws')].flat();
      assertWellFormed(text, problems);
    }
  });
});
