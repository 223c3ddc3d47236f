/**
 * The Workato clear-cache client and its CLI command, against a Workato API stand-in of the
 * tests' own (test/support/workatoServer.ts: the real API cannot be reached from here), over real
 * HTTP on loopback.
 */
import assert from 'node:assert/strict';
import { ConnectionSecretsError } from '../../../src/core/errors';
import { clearSecretsCache } from '../../../src/core/workato';
import { run } from '../../../src/cli/commands/workato';
import { UsageError } from '../../../src/cli/io';
import { assertNoCanary, canary } from '../../support/canary';
import { freePort } from '../../support/peer';
import { startSilentServer } from '../../support/silentServer';
import { startWorkatoServer, type WorkatoServer } from '../../support/workatoServer';

const token = canary('workato-token');
const wrongToken = canary('workato-wrong');
const canaries = [token, wrongToken];

function isError(code: string, check?: (e: ConnectionSecretsError) => void) {
  return (e: unknown) => {
    assert.ok(e instanceof ConnectionSecretsError, `expected a ConnectionSecretsError, got ${String(e)}`);
    assert.equal(e.code, code, e.toUserString());
    assertNoCanary(`${e.message} ${e.fix ?? ''} ${e.detail ?? ''} ${e.stack ?? ''}`, canaries, 'error');
    assert.ok(e.fix, 'the error names a fix');
    check?.(e);
    return true;
  };
}

describe('Workato clear-cache client (Workato API stand-in)', function () {
  let api: WorkatoServer;

  beforeEach(async () => {
    api = await startWorkatoServer({ token, quota: { requests: 1, windowMs: 1_500 } });
  });
  afterEach(async () => {
    await api.stop();
  });

  it('clears the cache with the Bearer token (HTTP 200)', async () => {
    const r = await clearSecretsCache({ token, baseUrl: api.baseUrl });
    assert.equal(r.status, 200);
    assert.equal(r.attempts, 1);
    assert.deepEqual(
      api.requests.map((q) => [q.method, q.path, q.tokenOk]),
      [['POST', '/api/secrets_management/clear_cache', true]],
    );
  });

  it('fails with Unauthenticated on HTTP 401, without retrying and without the token in the message', async () => {
    await assert.rejects(clearSecretsCache({ token: wrongToken, baseUrl: api.baseUrl }), isError('Unauthenticated', (e) => assert.match(e.message, /HTTP 401/)));
    assert.equal(api.requests.length, 1);
  });

  it('waits for Retry-After on HTTP 429 and then succeeds', async () => {
    await clearSecretsCache({ token, baseUrl: api.baseUrl });
    const r = await clearSecretsCache({ token, baseUrl: api.baseUrl });
    assert.equal(r.attempts, 2);
    assert.ok(r.waitedMs >= 1000, `waited ${r.waitedMs} ms as Retry-After said`);
    const [, throttled, retried] = api.requests;
    assert.ok(retried.at - throttled.at >= 1000, 'the retry came after Retry-After');
  });

  it('gives up with Throttled, naming the wait, when Retry-After exceeds the bound', async () => {
    api.script.push({ status: 429, headers: { 'retry-after': '45' }, body: { message: 'Too many requests' } });
    const started = Date.now();
    await assert.rejects(clearSecretsCache({ token, baseUrl: api.baseUrl, maxRetryAfterMs: 5_000 }), isError('Throttled', (e) => assert.match(e.fix ?? '', /45 s/)));
    assert.ok(Date.now() - started < 5_000, 'did not sit out a Retry-After beyond the bound');
    assert.equal(api.requests.length, 1);
  });

  it('stops retrying HTTP 429 after maxRetries', async () => {
    for (let i = 0; i < 3; i++) api.script.push({ status: 429, headers: { 'retry-after': '0' } });
    await assert.rejects(clearSecretsCache({ token, baseUrl: api.baseUrl, maxRetries: 2 }), isError('Throttled'));
    assert.equal(api.requests.length, 3);
  });

  it('retries HTTP 5xx with backoff, and reports a persistent one', async () => {
    api.script.push({ status: 503 });
    const r = await clearSecretsCache({ token, baseUrl: api.baseUrl, random: () => 0.1 });
    assert.equal(r.attempts, 2);
    for (let i = 0; i < 3; i++) api.script.push({ status: 500, body: { message: 'Internal error' } });
    await assert.rejects(clearSecretsCache({ token, baseUrl: api.baseUrl, maxRetries: 2, random: () => 0.1 }), isError('Unknown', (e) => assert.ok(e.retryable)));
  });

  it('fails with AccessDenied on HTTP 403 and InvalidConfig on HTTP 404', async () => {
    api.script.push({ status: 403, body: { message: 'Forbidden' } });
    await assert.rejects(clearSecretsCache({ token, baseUrl: api.baseUrl }), isError('AccessDenied'));
    await assert.rejects(clearSecretsCache({ token, baseUrl: `${api.baseUrl}/elsewhere` }), isError('InvalidConfig', (e) => assert.match(e.message, /HTTP 404/)));
  });

  it('fails with Unreachable on a refused connection or an unknown host', async () => {
    await assert.rejects(clearSecretsCache({ token, baseUrl: `http://127.0.0.1:${await freePort()}` }), isError('Unreachable', (e) => assert.match(e.message, /ECONNREFUSED/)));
    await assert.rejects(clearSecretsCache({ token, baseUrl: 'https://no-such-workato.invalid' }), isError('Unreachable', (e) => assert.match(e.message, /ENOTFOUND|EAI_AGAIN/)));
  });

  it('fails with Timeout when the API does not answer', async () => {
    const silent = await startSilentServer();
    try {
      await assert.rejects(clearSecretsCache({ token, baseUrl: `http://127.0.0.1:${silent.port}`, timeoutMs: 300 }), isError('Timeout'));
    } finally {
      await silent.stop();
    }
  });

  it('refuses an empty token or one with a line break before any request, without echoing it', async () => {
    await assert.rejects(clearSecretsCache({ token: '  ', baseUrl: api.baseUrl }), isError('InvalidConfig'));
    await assert.rejects(clearSecretsCache({ token: `${token}\nX-Evil: 1`, baseUrl: api.baseUrl }), isError('InvalidConfig'));
    assert.equal(api.requests.length, 0);
  });

  it('rejects with Cancelled when the caller aborts', async () => {
    const silent = await startSilentServer();
    try {
      const controller = new AbortController();
      const pending = clearSecretsCache({ token, baseUrl: `http://127.0.0.1:${silent.port}`, signal: controller.signal });
      setTimeout(() => controller.abort(), 50);
      await assert.rejects(pending, (e: unknown) => e instanceof ConnectionSecretsError && e.code === 'Cancelled');
    } finally {
      await silent.stop();
    }
  });

  describe('connection-secrets workato clear-cache', () => {
    const io = (env: NodeJS.ProcessEnv) => {
      const out = { stdout: '', stderr: '' };
      return { out, io: { stdout: (s: string) => void (out.stdout += s), stderr: (s: string) => void (out.stderr += s), cwd: process.cwd(), env } };
    };

    it('clears the cache and prints JSON', async () => {
      const { out, io: cli } = io({ WORKATO_API_TOKEN: token });
      const code = await run(['clear-cache', '--data-center', api.baseUrl, '--format', 'json'], cli);
      assert.equal(code, 0, out.stderr);
      const parsed = JSON.parse(out.stdout);
      assert.deepEqual({ ok: parsed.ok, dataCenter: parsed.dataCenter, baseUrl: parsed.baseUrl, status: parsed.status }, { ok: true, dataCenter: 'custom', baseUrl: api.baseUrl, status: 200 });
      assert.equal(api.requests[0].tokenOk, true);
    });

    it('reads the data centre from WORKATO_DATA_CENTER and prints one text line', async () => {
      const { out, io: cli } = io({ WORKATO_API_TOKEN: token, WORKATO_DATA_CENTER: `${api.baseUrl}/api/` });
      assert.equal(await run(['clear-cache'], cli), 0, out.stderr);
      assert.match(out.stdout, /^Cleared the Workato secrets cache \(http:\/\/127\.0\.0\.1:\d+\) in \d+ ms\.\n$/);
    });

    it('exits 1 with the fix on a rejected token, never printing it', async () => {
      const { out, io: cli } = io({ WORKATO_API_TOKEN: wrongToken });
      assert.equal(await run(['clear-cache', `--data-center=${api.baseUrl}`], cli), 1);
      assert.match(out.stderr, /rejected the API token \(HTTP 401\).* — /);
      assertNoCanary(out.stdout + out.stderr, canaries);
      const json = io({ WORKATO_API_TOKEN: wrongToken });
      assert.equal(await run(['clear-cache', '--data-center', api.baseUrl, '--format', 'json'], json.io), 1);
      assert.equal(JSON.parse(json.out.stdout).error.code, 'Unauthenticated');
      assertNoCanary(json.out.stdout + json.out.stderr, canaries);
    });

    it('exits 1 and says how to set the token when WORKATO_API_TOKEN is missing', async () => {
      const { out, io: cli } = io({});
      assert.equal(await run(['clear-cache', '--data-center', api.baseUrl], cli), 1);
      assert.match(out.stderr, /No Workato API token.*WORKATO_API_TOKEN/);
      assert.equal(api.requests.length, 0);
    });

    it('treats a bad data centre, a missing subcommand or an unknown flag as usage errors', async () => {
      const { io: cli } = io({ WORKATO_API_TOKEN: token });
      await assert.rejects(run(['clear-cache', '--data-center', 'mars'], cli), (e: unknown) => e instanceof UsageError && /not a Workato data centre/.test(e.message));
      await assert.rejects(run(['clear-cache', '--data-center', 'http://example.com'], cli), UsageError);
      await assert.rejects(run([], cli), UsageError);
      await assert.rejects(run(['clear-cache', '--token', 'x'], cli), UsageError);
      assert.equal(api.requests.length, 0);
    });
  });
});
