import assert from 'node:assert/strict';
import { ConnectionSecretsError } from '../../../src/core/errors';
import { WORKATO_DATA_CENTERS, clearSecretsCache, dataCenterOf, parseRetryAfter, workatoBaseUrl } from '../../../src/core/workato';

describe('workato base URLs', () => {
  it('maps every data centre code (any case) to its documented base URL', () => {
    assert.deepEqual(
      Object.fromEntries(Object.keys(WORKATO_DATA_CENTERS).map((k) => [k, workatoBaseUrl(k.toUpperCase())])),
      {
        us: 'https://www.workato.com',
        eu: 'https://app.eu.workato.com',
        jp: 'https://app.jp.workato.com',
        sg: 'https://app.sg.workato.com',
        au: 'https://app.au.workato.com',
        il: 'https://app.il.workato.com',
      },
    );
    assert.equal(workatoBaseUrl(undefined), 'https://www.workato.com');
    assert.equal(dataCenterOf('https://app.eu.workato.com'), 'eu');
    assert.equal(dataCenterOf('https://example.com'), undefined);
  });

  it('accepts a custom https URL, dropping a trailing /api and slash', () => {
    assert.equal(workatoBaseUrl('https://app.kr.workato.com/api/'), 'https://app.kr.workato.com');
    assert.equal(workatoBaseUrl('https://proxy.example.com/workato'), 'https://proxy.example.com/workato');
    assert.equal(workatoBaseUrl('http://127.0.0.1:8080'), 'http://127.0.0.1:8080');
  });

  it('refuses plain http off loopback, credentials or queries in the URL, and unknown codes', () => {
    for (const bad of ['http://example.com', 'https://u:p@example.com', 'https://example.com/?x=1', 'mars', 'ftp://example.com']) {
      assert.throws(() => workatoBaseUrl(bad), (e: unknown) => e instanceof ConnectionSecretsError && e.code === 'InvalidConfig' && !!e.fix, bad);
    }
  });
});

describe('Retry-After', () => {
  it('reads delta-seconds and HTTP dates', () => {
    assert.equal(parseRetryAfter('7'), 7000);
    const now = Date.parse('2025-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Tue, 31 Dec 2024 00:00:00 GMT', now), 0);
    assert.equal(parseRetryAfter(null), undefined);
    assert.equal(parseRetryAfter('soon'), undefined);
  });
});

describe('clearSecretsCache retry policy (injected fetch and sleep)', () => {
  const answer = (status: number, headers: Record<string, string> = {}, body = '') => new Response(body || null, { status, headers });

  it('sleeps exactly the Retry-After of each 429, then succeeds', async () => {
    const waits: number[] = [];
    const answers = [answer(429, { 'retry-after': '2' }), answer(429, { 'retry-after': '3' }), answer(200, {}, '{"success":true}')];
    const r = await clearSecretsCache({ token: 'tok-abcdef', baseUrl: 'https://www.workato.com', fetch: async () => answers.shift()!, sleep: async (ms) => void waits.push(ms) });
    assert.deepEqual(waits, [2000, 3000]);
    assert.deepEqual({ attempts: r.attempts, waitedMs: r.waitedMs }, { attempts: 3, waitedMs: 5000 });
  });

  it('sends POST to the clear_cache path with the bearer token', async () => {
    let seen: { url: string; init?: RequestInit } | undefined;
    await clearSecretsCache({ token: ' tok-abcdef\n', baseUrl: 'https://app.eu.workato.com', fetch: async (url, init) => ((seen = { url: String(url), init }), answer(200, {}, '{"success":true}')) });
    assert.equal(seen?.url, 'https://app.eu.workato.com/api/secrets_management/clear_cache');
    assert.equal(seen?.init?.method, 'POST');
    assert.equal((seen?.init?.headers as Record<string, string>).authorization, 'Bearer tok-abcdef');
  });

  it('reports success: false as a failure', async () => {
    await assert.rejects(
      clearSecretsCache({ token: 'tok-abcdef', baseUrl: 'https://www.workato.com', fetch: async () => answer(200, {}, '{"success":false}') }),
      (e: unknown) => e instanceof ConnectionSecretsError && e.code === 'Unknown' && /success: false/.test(e.message),
    );
  });

  it('never puts the token in an error, even when the server echoes it', async () => {
    const token = 'tok-SECRET-123456';
    await assert.rejects(
      clearSecretsCache({ token, baseUrl: 'https://www.workato.com', fetch: async () => answer(401, {}, JSON.stringify({ message: `token ${token} is unknown` })) }),
      (e: unknown) => e instanceof ConnectionSecretsError && e.code === 'Unauthenticated' && !e.message.includes(token) && e.message.includes('***'),
    );
  });
});
