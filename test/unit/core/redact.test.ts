import assert from 'node:assert/strict';
import { MASK, Redactor } from '../../../src/core/redact';

describe('Redactor', () => {
  it('masks registered values wherever they appear', () => {
    const r = new Redactor();
    r.add('hunter2-secret');
    assert.equal(r.redact('login failed for pw=hunter2-secret!'), `login failed for pw=${MASK}!`);
  });

  it('masks the leaves of JSON secrets and their escaped forms', () => {
    const r = new Redactor();
    r.add(JSON.stringify({ username: 'svc-user', password: 'p"a\\ss-7' }));
    const out = r.redact('user svc-user, json "p\\"a\\\\ss-7", raw p"a\\ss-7');
    assert.ok(!out.includes('svc-user'));
    assert.ok(!out.includes('p"a\\ss-7'));
    assert.ok(!out.includes('p\\"a\\\\ss-7'));
  });

  it('masks lines of multi-line values such as PEM keys, escaped or not', () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n';
    const r = new Redactor();
    r.add(pem);
    assert.ok(!r.redact(`key: ${pem.replace(/\n/g, '\\n')}`).includes('MIIEvQIBADANBgkqhkiG9w0BAQEFAASC'));
    assert.ok(!r.redact('partial MIIEvQIBADANBgkqhkiG9w0BAQEFAASC leaked').includes('MIIEvQ'));
  });

  it('prefers the longest match and leaves short values alone', () => {
    const r = new Redactor();
    r.add('abcd');
    r.add('abcdef-long');
    r.add('ab');
    assert.equal(r.redact('abcdef-long abcd ab'), `${MASK} ${MASK} ab`);
  });
});
