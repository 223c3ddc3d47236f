import assert from 'node:assert/strict';
import { partAt, prefixAt, referenceAt } from '../../../../src/core/assist/referenceAt';
import { yamlCursorAt } from '../../../../src/core/assist/yamlContext';

/** Text with `|` marking the cursor → [text, offset]. */
function at(marked: string): [string, number] {
  const i = marked.indexOf('|');
  return [marked.slice(0, i) + marked.slice(i + 1), i];
}

describe('referenceAt / partAt: the cursor inside a reference being typed', () => {
  it('finds an open reference on the cursor line, closed or not', () => {
    const [t1, o1] = at('    password: "{{workato:sm:|"');
    const r1 = referenceAt(t1, o1)!;
    assert.equal(r1.body, '');
    assert.equal(r1.closed, false);
    const [t2, o2] = at('    password: "{{workato:sm:pass|word:jira}}"');
    const r2 = referenceAt(t2, o2)!;
    assert.equal(r2.body, 'password:jira');
    assert.equal(r2.closed, true);
    assert.equal(t2.slice(r2.start, r2.end), '{{workato:sm:password:jira}}');
  });

  it('is not inside a reference after its closing braces, before its prefix, or on another line', () => {
    for (const m of ['x: "{{workato:sm:a:b}} |"', 'x: "{{work|ato:sm:a:b}}"', 'x: "{{workato:sm:a:b}}"\ny: |']) {
      const [t, o] = at(m);
      assert.equal(referenceAt(t, o), undefined, m);
    }
  });

  it('finds the second of two references in one value', () => {
    const [t, o] = at('token: "{{workato:sm:a:b}} and {{workato:sm:c|"');
    assert.equal(referenceAt(t, o)!.body, 'c');
  });

  it('recognises a partly typed prefix', () => {
    const [t, o] = at('password: "{{work|');
    assert.equal(prefixAt(t, o), t.indexOf('{{'));
    const [t2, o2] = at('password: "{{nope|');
    assert.equal(prefixAt(t2, o2), undefined);
  });

  it('names the part by the grammar of the provider in scope', () => {
    assert.deepEqual(partAt('', 0, 'aws'), { role: 'alone', start: 0, end: 0, prefix: '' });
    assert.deepEqual(partAt('pa:jira', 2, 'aws'), { role: 'key', start: 0, end: 2, prefix: 'pa', secretId: 'jira' });
    // ARNs contain colons: everything after the key is the secret.
    const arn = 'password:arn:aws:secretsmanager:us-east-1:1:secret:jira';
    assert.deepEqual(partAt(arn, arn.length, 'aws'), { role: 'secret', start: 9, end: arn.length, prefix: arn.slice(9) });
    assert.equal(partAt('kv2:apps/x', 3, 'azure').role, 'secret');
    assert.deepEqual(partAt('password:kv', 11, 'vault'), { role: 'engine', start: 9, end: 11, prefix: 'kv' });
    assert.deepEqual(partAt('password:kv2:apps/pa', 20, 'vault'), { role: 'path', start: 13, end: 20, prefix: 'apps/pa', engine: 'kv2' });
    assert.deepEqual(partAt('p:kv2:apps/db', 1, 'vault'), { role: 'key', start: 0, end: 1, prefix: 'p', secretId: 'kv2:apps/db' });
    assert.equal(partAt('jira', 2, 'file').role, 'alone');
    assert.equal(partAt('user:jira', 7, 'file').role, 'secret');
  });
});

describe('yamlCursorAt: the structure around the cursor, from indentation', () => {
  const doc = `secretsManager:
  provider:
    type: vault
    address: https://v
    auth:
      method: approle
      |
connections:
  jira:
    type: http
    auth:
      type: basic
`;

  it('knows the enclosing keys and the sibling values', () => {
    const [t, o] = at(doc);
    const c = yamlCursorAt(t, o)!;
    assert.deepEqual(c.path, ['secretsManager', 'provider', 'auth']);
    assert.equal(c.at, 'key');
    assert.deepEqual([...c.siblings.keys()], ['method']);
    assert.equal(c.ancestorValues[1].get('type'), 'vault');
  });

  it('knows a value being typed and its key', () => {
    const [t, o] = at('connections:\n  jira:\n    type: ht|\n    url: x\n');
    const c = yamlCursorAt(t, o)!;
    assert.deepEqual(c.path, ['connections', 'jira']);
    assert.equal(c.at, 'value');
    assert.equal(c.key, 'type');
    assert.equal(c.prefix, 'ht');
    assert.equal(c.siblings.get('url'), 'x');
  });
});
