import assert from 'node:assert/strict';
import { findReferences, formatReference, interpretReference } from '../../../src/core/references';

describe('reference grammar', () => {
  it('finds a whole-field reference', () => {
    const [r] = findReferences('{{workato:sm:password:arn:aws:secretsmanager:us-east-1:1:secret:jira-AbCdEf}}');
    assert.equal(r.error, undefined);
    assert.equal(r.offset, 0);
    assert.equal(r.body, 'password:arn:aws:secretsmanager:us-east-1:1:secret:jira-AbCdEf');
  });

  it('finds embedded references with their offsets', () => {
    const refs = findReferences('Bearer {{workato:sm:token:api}} and {{workato:sm:x}}');
    assert.deepEqual(
      refs.map((r) => [r.offset, r.body]),
      [
        [7, 'token:api'],
        [36, 'x'],
      ],
    );
  });

  for (const [text, hint] of [
    ['{{workato:sm:}}', 'Empty'],
    ['{{workato:sm:key:}}', 'empty part'],
    ['{{workato:sm:a::b}}', 'empty part'],
    ['{{ workato:sm:x }}', 'spaces'],
    ['{{workato:sm:x}', 'two braces'],
    ['{workato:sm:x}}', 'two braces'],
    ['{{workato:sm:x', 'not closed'],
    ['{{workato:secret:x}}', 'Unknown reference prefix'],
  ] as const) {
    it(`reports ${JSON.stringify(text)} as malformed`, () => {
      const refs = findReferences(text);
      assert.equal(refs.length, 1);
      assert.match(refs[0].error ?? '', new RegExp(hint));
    });
  }

  it('ignores braces that are not references', () => {
    assert.deepEqual(findReferences('{"a": {"b": 1}} ${HOME} {{mustache}}'), []);
  });

  it('splits bodies per provider', () => {
    assert.deepEqual(interpretReference('password:arn:aws:secretsmanager:us-east-1:1:secret:jira', 'aws'), {
      ok: true,
      target: { key: 'password', secretId: 'arn:aws:secretsmanager:us-east-1:1:secret:jira' },
    });
    assert.deepEqual(interpretReference('user:kv:team/warehouse', 'vault'), {
      ok: true,
      target: { key: 'user', engine: 'kv', path: 'team/warehouse', secretId: 'kv:team/warehouse' },
    });
    assert.deepEqual(interpretReference('db-password', 'azure'), { ok: true, target: { secretId: 'db-password' } });
    assert.deepEqual(interpretReference('DB_PASS', 'env'), { ok: true, target: { secretId: 'DB_PASS' } });
    assert.deepEqual(interpretReference('password:db', 'file'), { ok: true, target: { key: 'password', secretId: 'db' } });
  });

  it('rejects bodies that do not fit the provider', () => {
    assert.equal(interpretReference('jira', 'aws').ok, false);
    assert.equal(interpretReference('k:kv', 'vault').ok, false);
    assert.equal(interpretReference('a:b', 'azure').ok, false);
    assert.equal(interpretReference('a:b:c', 'file').ok, false);
    const bad = interpretReference('k:my@kv:path', 'vault');
    assert.equal(bad.ok, false);
    assert.match((bad as { error: string }).error, /"@"/);
  });

  it('formats what it parses', () => {
    for (const [type, body] of [
      ['aws', 'password:jira'],
      ['vault', 'user:kv:a/b'],
      ['azure', 'db-password'],
      ['file', 'k:n'],
      ['env', 'N'],
    ] as const) {
      const i = interpretReference(body, type);
      assert.ok(i.ok);
      assert.equal(formatReference(type, i.target), `{{workato:sm:${body}}}`);
    }
  });
});
