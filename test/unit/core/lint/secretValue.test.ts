/** Rules over one stored secret value: JSON key/value secrets, provider shape, passphrases. */
import assert from 'node:assert/strict';
import { FetchedValueLints, lintSecretText } from '../../../../src/core/lint';
import { applyEdits, assertClean, only, parseAll, preferredFix } from '../../../support/lintAssert';
import { escaped, makeKeyMaterial, PASSPHRASE, type KeyMaterial } from '../../../support/keyMaterial';

let km: KeyMaterial;
before(function () {
  this.timeout(60_000);
  km = makeKeyMaterial();
});
after(() => km?.remove());

const lint = (value: string, type?: 'aws' | 'vault' | 'azure' | 'file' | 'env') => lintSecretText(value, '/ws/value', {}, type);

describe('secret value rules', () => {
  it('a JSON key/value secret: PEM leaves are linted at their exact position, fixes replace one string', () => {
    const good = JSON.stringify({ username: 'svc', privateKey: escaped(km.ecPkcs8), certificate: escaped(km.cert) });
    assertClean(lint(good, 'aws'));
    const crlf = JSON.stringify({ username: 'svc', privateKey: escaped(km.ecPkcs8).replace(/\\n/g, '\\r\\n'), certificate: escaped(km.cert) }, null, 2);
    const p = only(lint(crlf, 'aws'), 'pem/crlf');
    // The range points into the privateKey string, on its line of the JSON.
    assert.equal(p.range.start.line, 2);
    assert.ok(crlf.split('\n')[2].slice(p.range.start.character).startsWith('\\\\r\\\\n'), 'the range starts at the escaped CR LF');
    const fixed = applyEdits(crlf, preferredFix(p).edits);
    assertClean(lint(fixed, 'aws'));
    const obj = JSON.parse(fixed) as Record<string, string>;
    assert.equal(obj.privateKey, escaped(km.ecPkcs8));
    assert.equal(obj.username, 'svc', 'the other keys are untouched');
    parseAll(obj.privateKey);
  });

  it('a key and a certificate under different keys must belong together', () => {
    only(lint(JSON.stringify({ privateKey: escaped(km.rsaPkcs8), certificate: escaped(km.cert) })), 'x509/key-mismatch');
    assertClean(lint(JSON.stringify({ privateKey: escaped(km.rsaPkcs1), certificate: escaped(km.rsaCert) })));
  });

  it('pem/wrong-passphrase: a passphrase next to an encrypted key must decrypt it (PKCS#8 and legacy PEM)', () => {
    for (const key of [km.encryptedPkcs8, km.legacyEncrypted]) {
      assertClean(lint(JSON.stringify({ privateKey: escaped(key), passphrase: PASSPHRASE })));
      only(lint(JSON.stringify({ privateKey: escaped(key), passphrase: 'not-the-passphrase' })), 'pem/wrong-passphrase');
    }
    // Decrypted, the encrypted key is matched against its certificate too.
    assertClean(lint(JSON.stringify({ privateKey: escaped(km.encryptedPkcs8), passphrase: PASSPHRASE, certificate: escaped(km.cert) })));
    only(lint(JSON.stringify({ privateKey: escaped(km.encryptedPkcs8), passphrase: PASSPHRASE, certificate: escaped(km.rsaCert) })), 'x509/key-mismatch');
  });

  it('secret/not-key-value: an AWS secret must be a JSON object; other providers may hold plain text', () => {
    for (const v of ['hunter2-password', '["a","b"]', '42', '"a JSON string"', escaped(km.ecPkcs8)]) {
      only(lint(v, 'aws'), 'secret/not-key-value');
      assert.ok(!lint(v, 'azure').some((p) => p.ruleId === 'secret/not-key-value'));
    }
    assertClean(lint('{"password":"x"}', 'aws'));
  });

  it('secret/invalid-json: a value that starts like JSON but does not parse, at the failing position', () => {
    const v = '{\n  "password": "x",\n  "user": }';
    const p = only(lint(v, 'aws'), 'secret/invalid-json');
    assert.equal(p.severity, 'error');
    assert.equal(p.range.start.line, 2);
    assert.ok(!p.message.includes('password'), 'the message does not quote the value');
    assert.equal(only(lint(v, 'azure'), 'secret/invalid-json').severity, 'warning');
  });

  it('FetchedValueLints keeps findings (never values) per cache key and reports JSON keys', async () => {
    const store = new FetchedValueLints();
    let changes = 0;
    store.onDidChange(() => changes++);
    const key = 'file:{"path":"secrets.json"}|deploy';
    store.record(key, { id: 'deploy', value: JSON.stringify({ privateKey: km.ecPkcs8.replace(/\n/g, '\r\n') }) });
    const f = store.get(key)!;
    assert.deepEqual(f.problems.map((p) => `${p.ruleId} ${p.key}`).sort(), ['pem/crlf privateKey', 'pem/expected-escaped privateKey']);
    assert.ok(!JSON.stringify(f).includes(km.ecPkcs8.split('\n')[1]), 'no key material is kept');
    store.record('aws:{}|plain', { id: 'plain', value: 'not-json' });
    assert.equal(store.get('aws:{}|plain')!.problems[0].ruleId, 'secret/not-key-value');
    store.record(key, { id: 'deploy', value: JSON.stringify({ privateKey: escaped(km.ecPkcs8) }) });
    assert.equal(store.get(key), undefined, 'a fixed value clears its findings');
    await new Promise((r) => setTimeout(r, 80));
    assert.ok(changes >= 1);
    store.record('file:{}|enc', { id: 'enc', value: JSON.stringify({ privateKey: escaped(km.encryptedPkcs8) }) });
    assert.deepEqual(store.get('file:{}|enc')!.encrypted, ['privateKey']);
    const off = new FetchedValueLints(() => ({ disabledRules: ['secret/*'] }));
    off.record('aws:{}|plain', { id: 'plain', value: 'not-json' });
    assert.equal(off.get('aws:{}|plain'), undefined, 'switched-off rules are not reported');
  });
});
