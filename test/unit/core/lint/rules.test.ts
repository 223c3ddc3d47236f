/** The rule registry is the one list: every id the linter emits is in it, and docs/linting.md lists exactly it. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { isDisabled, RULES } from '../../../../src/core/lint';

const repo = path.resolve(__dirname, '../../../..');

describe('lint rule registry', () => {
  it('every rule id written in the linter and in checkWorkspace is registered', () => {
    const dir = path.join(repo, 'src/core/lint');
    const sources = [...fs.readdirSync(dir).map((f) => path.join(dir, f)), path.join(repo, 'src/core/validate.ts')];
    const emitted = new Set<string>();
    for (const f of sources) for (const m of fs.readFileSync(f, 'utf8').matchAll(/ruleId: '([a-z0-9]+\/[a-z0-9-]+)'/g)) emitted.add(m[1]);
    for (const m of fs.readFileSync(path.join(repo, 'src/core/validate.ts'), 'utf8').matchAll(/'((?:ref|secret)\/[a-z0-9-]+)'/g)) emitted.add(m[1]);
    const loader = (id: string) => id.startsWith('file/');
    const missing = [...emitted].filter((id) => !RULES[id] && !loader(id));
    assert.deepEqual(missing, []);
    assert.ok(emitted.size > 30, `found only ${emitted.size} ids: the scan is broken`);
  });

  it('docs/linting.md has one row per rule, with its severity', () => {
    const doc = fs.readFileSync(path.join(repo, 'docs/linting.md'), 'utf8');
    const rows = [...doc.matchAll(/^\| `([a-z0-9]+\/[a-z0-9-]+)` \| (error|warning|info) \|/gm)].map((m) => [m[1], m[2]]);
    assert.deepEqual(rows.map(([id]) => id).sort(), Object.keys(RULES).sort());
    for (const [id, severity] of rows) assert.equal(severity, RULES[id].severity, id);
  });

  it('rules are switched off by id or by group', () => {
    assert.ok(isDisabled('x509/expiring', ['x509/*']));
    assert.ok(isDisabled('pem/crlf', ['pem/crlf']));
    assert.ok(!isDisabled('pem/crlf', ['pem/crl', 'x509/*']));
  });
});
