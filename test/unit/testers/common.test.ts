import assert from 'node:assert/strict';
import { TestFailure, classifyNetworkError, credentialValues, pem, runTest, scrub, tlsMode } from '../../../src/testers/common';
import { ConnectionSecretsError } from '../../../src/core/errors';

describe('tester helpers', () => {
  it('scrub masks whole values and the long lines of multi-line ones', () => {
    const key = '-----BEGIN KEY-----\nAAAABBBBCCCCDDDDEEEE\nFFFFGGGGHHHHIIIIJJJJ\n-----END KEY-----';
    assert.equal(scrub('pw hunter22 and hunter22', ['hunter22']), 'pw *** and ***');
    assert.equal(scrub('bad line FFFFGGGGHHHHIIIIJJJJ here', [key]), 'bad line *** here');
    assert.equal(scrub('a b', ['a']), 'a b', 'very short values are not scrubbed on their own');
  });

  it('credentialValues picks the credential fields at any depth', () => {
    const values = credentialValues({ type: 'http', url: 'https://x', auth: { type: 'basic', username: 'u', password: 'p1', nested: { token: 't1' } }, privateKey: 'k1' });
    assert.deepEqual(values.sort(), ['k1', 'p1', 't1']);
  });

  it('pem turns the \\n-escaped single-line form back into lines', () => {
    assert.equal(pem('-----BEGIN X-----\\nabc\\n-----END X-----'), '-----BEGIN X-----\nabc\n-----END X-----\n');
    assert.equal(pem('-----BEGIN X-----\nabc\n-----END X-----\n\n'), '-----BEGIN X-----\nabc\n-----END X-----\n');
  });

  it('tlsMode accepts the documented spellings and refuses others', () => {
    for (const off of [undefined, false, 'false', 'disable', '']) assert.equal(tlsMode(off), false);
    for (const on of [true, 'true', 'require', 'verify-full', 'verify-ca']) assert.equal(tlsMode(on), true);
    assert.throws(() => tlsMode('prefer'), TestFailure);
  });

  it('classifies socket, DNS and certificate errors', () => {
    const cls = (code: string, message = '') => classifyNetworkError(Object.assign(new Error(message), { code }), 'h:1')?.failureClass;
    assert.equal(cls('ECONNREFUSED'), 'unreachable');
    assert.equal(cls('ENOTFOUND'), 'unreachable');
    assert.equal(cls('EHOSTUNREACH'), 'unreachable');
    assert.equal(cls('ETIMEDOUT'), 'timeout');
    assert.equal(cls('SELF_SIGNED_CERT_IN_CHAIN'), 'tls');
    assert.equal(cls('CERT_HAS_EXPIRED'), 'tls');
    assert.equal(cls('ERR_TLS_CERT_ALTNAME_INVALID'), 'tls');
    assert.equal(cls('EPROTO', 'wrong version number'), 'tls');
    assert.equal(cls('ESOMETHINGELSE'), undefined);
    const wrapped = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) });
    assert.equal(classifyNetworkError(wrapped, 'h:1')?.failureClass, 'unreachable');
  });

  it('runTest scrubs secrets from messages and details, and times out', async () => {
    const r = await runTest({}, { target: 't', secrets: ['s3cr3t-value'], classify: () => new TestFailure('unknown', 'x') }, async () => {
      throw new TestFailure('badCredentials', 'server said s3cr3t-value is wrong — fix it', { echo: 's3cr3t-value' });
    });
    assert.equal(r.message, 'server said *** is wrong — fix it');
    assert.deepEqual(r.details, { echo: '***' });
    const t = await runTest({ timeoutMs: 20 }, { target: 'h:1', secrets: [], classify: () => new TestFailure('unknown', 'x') }, () => new Promise(() => undefined));
    assert.equal(t.failureClass, 'timeout');
    assert.match(t.message, /within 20 ms/);
  });

  it('runTest runs clean-ups and rejects with Cancelled on an aborted signal', async () => {
    let cleaned = false;
    const controller = new AbortController();
    const p = runTest({ signal: controller.signal }, { target: 't', secrets: [], classify: () => new TestFailure('unknown', 'x') }, (ctx) => {
      ctx.onCleanup(() => (cleaned = true));
      return new Promise(() => undefined);
    });
    controller.abort();
    await assert.rejects(p, (e: unknown) => e instanceof ConnectionSecretsError && e.code === 'Cancelled');
    assert.equal(cleaned, true);
  });
});
