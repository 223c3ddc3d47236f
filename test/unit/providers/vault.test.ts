/**
 * The vault provider's pure parts: option parsing, KV paths and ids, the `data/` helper, error
 * classification, and the token renewal schedule. The renewal tests drive TokenManager with a
 * scripted HTTP stand-in and a fake clock to pin the exact thresholds; the same behaviour runs
 * against a real OpenBao in test/integration/vault/auth.test.ts.
 */
import assert from 'node:assert/strict';
import { ConnectionSecretsError } from '../../../src/core/errors';
import type { ProviderConfig } from '../../../src/core/model';
import { TokenManager } from '../../../src/providers/vault/auth';
import { encodeVaultPath, type VaultHttp, type VaultRequest } from '../../../src/providers/vault/client';
import { isRetryableStatus, loginError, networkError, responseError, vaultErrors, type VaultAnswer } from '../../../src/providers/vault/errors';
import { parseVaultOptions, stripKvV2DataPrefix } from '../../../src/providers/vault';
import { kvListPath, kvMetadataPath, kvReadPath, kvVersionOfMount, parseSecretId } from '../../../src/providers/vault/kv';

function config(options: Record<string, unknown>): ProviderConfig {
  return { type: 'vault', options, file: '/ws/connections.yaml', dir: '/ws', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } };
}

function throwsConfig(options: Record<string, unknown>, pattern: RegExp) {
  assert.throws(
    () => parseVaultOptions(config(options)),
    (e: unknown) => e instanceof ConnectionSecretsError && e.code === 'InvalidConfig' && pattern.test(e.message),
  );
}

describe('vault provider options', () => {
  it('parses an AppRole block with defaults', () => {
    const o = parseVaultOptions(config({ address: 'https://vault.example.com:8200/', namespace: '/admin/devops/', caCert: 'certs/ca.pem', auth: { method: 'approle', roleName: 'devops', roleId: 'rid' } }));
    assert.equal(o.address, 'https://vault.example.com:8200');
    assert.equal(o.namespace, 'admin/devops');
    assert.deepEqual(o.caCert, { setting: 'certs/ca.pem', file: '/ws/certs/ca.pem' });
    assert.deepEqual(o.auth, { method: 'approle', mount: 'approle', roleName: 'devops', roleId: 'rid' });
  });

  it('accepts token auth and an auth/ prefix on the mount', () => {
    assert.deepEqual(parseVaultOptions(config({ address: 'http://127.0.0.1:8200', auth: { method: 'token' } })).auth, { method: 'token' });
    const o = parseVaultOptions(config({ address: 'http://127.0.0.1:8200', auth: { method: 'approle', mount: 'auth/ci-approle/', roleId: 'r' } }));
    assert.deepEqual(o.auth, { method: 'approle', mount: 'ci-approle', roleName: 'r', roleId: 'r' });
  });

  it('names the field of each mistake', () => {
    throwsConfig({}, /needs an `address`/);
    throwsConfig({ address: 'vault.example.com' }, /is not a URL/);
    throwsConfig({ address: 'ftp://vault' }, /must start with https:\/\/ or http:\/\//);
    throwsConfig({ address: 'https://vault/v1' }, /ends with \/v1/);
    throwsConfig({ address: 'https://vault', auth: { method: 'approle' } }, /needs `auth.roleId`/);
    throwsConfig({ address: 'https://vault', auth: { method: 'ldap' } }, /Unknown `auth.method` "ldap"/);
    throwsConfig({ address: 'https://vault', caCert: '' }, /`caCert` must be the path of a PEM file/);
  });
});

describe('vault KV helpers', () => {
  it('splits secret ids at the first colon and keeps later colons in the path', () => {
    assert.deepEqual(parseSecretId('kv:apps/db'), { engine: 'kv', path: 'apps/db' });
    assert.deepEqual(parseSecretId('kv:apps/a:b'), { engine: 'kv', path: 'apps/a:b' });
    assert.deepEqual(parseSecretId('kv:', { allowFolder: true }), { engine: 'kv', path: '' });
    assert.deepEqual(parseSecretId('kv:apps/', { allowFolder: true }), { engine: 'kv', path: 'apps/' });
  });

  it('rejects ids without an engine, folders as secrets, and reserved engine characters', () => {
    for (const bad of ['apps/db', ':apps/db', 'kv:', 'kv:apps/', 'k@v:apps/db', 'k+v:x']) {
      assert.throws(() => parseSecretId(bad), (e: unknown) => e instanceof ConnectionSecretsError && e.code === 'InvalidReference', bad);
    }
  });

  it('builds the KV v1 and v2 API paths', () => {
    assert.equal(kvReadPath('kv', 2, 'apps/db'), 'kv/data/apps/db');
    assert.equal(kvReadPath('kv', 1, 'apps/db'), 'kv/apps/db');
    assert.equal(kvListPath('kv', 2, 'apps/'), 'kv/metadata/apps/');
    assert.equal(kvListPath('kv', 1, ''), 'kv/');
    assert.equal(kvMetadataPath('kv', 'apps/db'), 'kv/metadata/apps/db');
  });

  it('strips a wrongly included data/ prefix, and only that', () => {
    assert.equal(stripKvV2DataPrefix('data/apps/db'), 'apps/db');
    assert.equal(stripKvV2DataPrefix('/data/apps/db'), 'apps/db');
    assert.equal(stripKvV2DataPrefix('apps/data/db'), undefined);
    assert.equal(stripKvV2DataPrefix('database/x'), undefined);
    assert.equal(stripKvV2DataPrefix('data/'), undefined);
  });

  it('reads the KV version of a mount entry', () => {
    assert.equal(kvVersionOfMount({ type: 'kv', options: { version: '2' } }), 2);
    assert.equal(kvVersionOfMount({ type: 'kv', options: { version: '1' } }), 1);
    assert.equal(kvVersionOfMount({ type: 'kv', options: null }), 1);
    assert.equal(kvVersionOfMount({ type: 'generic' }), 1);
    assert.equal(kvVersionOfMount({ type: 'pki' }), undefined);
  });

  it('encodes each path segment', () => {
    assert.equal(encodeVaultPath('kv/data/my app/a#b?c'), 'kv/data/my%20app/a%23b%3Fc');
    assert.equal(encodeVaultPath('kv/metadata/apps/'), 'kv/metadata/apps/');
  });
});

describe('vault error classification', () => {
  const ctx = { address: 'https://vault:8200', method: 'GET', path: 'kv/data/app', capability: 'read', principal: 'AppRole role "ci"' };

  it('cleans Vault multierror text', () => {
    assert.deepEqual(vaultErrors({ errors: ['1 error occurred:\n\t* permission denied\n\n'] }), ['permission denied']);
    assert.deepEqual(vaultErrors('<html>'), []);
  });

  it('retries 5xx and 429 but not a sealed server or an end-of-life renewal', () => {
    assert.equal(isRetryableStatus({ status: 502, body: 'x' }), true);
    assert.equal(isRetryableStatus({ status: 429, body: {} }), true);
    assert.equal(isRetryableStatus({ status: 503, body: { errors: ['local node not active but active cluster node not found'] } }), true);
    assert.equal(isRetryableStatus({ status: 503, body: { errors: ['Vault is sealed'] } }), false);
    assert.equal(isRetryableStatus({ status: 500, body: { errors: ['1 error occurred:\n\t* past the max TTL, cannot renew\n\n'] } }), false);
    assert.equal(isRetryableStatus({ status: 404, body: {} }), false);
  });

  it('tells each case apart by code and message', () => {
    const cases: [VaultAnswer, string, RegExp][] = [
      [{ status: 503, body: { errors: ['Vault is sealed'] } }, 'Sealed', /is sealed/],
      [{ status: 503, body: { errors: ['local node not active but active cluster node not found'] } }, 'Unreachable', /standby/],
      [{ status: 403, body: { errors: ['permission denied'] } }, 'AccessDenied', /lacks the "read" capability on path "kv\/data\/app"/],
      [{ status: 403, body: '<html><body>Forbidden</body></html>' }, 'AccessDenied', /Something in front of Vault .* HTML page/],
      [{ status: 404, body: { errors: [] } }, 'NotFound', /No secret at "kv\/data\/app"/],
      [{ status: 429, body: { errors: ['rate limit quota exceeded'] } }, 'Throttled', /rate-limiting/],
      [{ status: 502, body: 'Bad Gateway' }, 'Unreachable', /not Vault's API/],
      [{ status: 500, body: { errors: ['internal error'] } }, 'Unknown', /HTTP 500 .*internal error/],
    ];
    for (const [answer, code, pattern] of cases) {
      const e = responseError(answer, ctx);
      assert.equal(e.code, code, JSON.stringify(answer));
      assert.match(e.message, pattern);
      assert.ok(e.fix, 'every error says what to do');
    }
  });

  it('tells a 403 at login from a refused secret_id', () => {
    const lctx = { ...ctx, method: 'POST', path: 'auth/approle/login', capability: 'update', mount: 'approle', roleName: 'ci' };
    const at = loginError({ status: 403, body: { errors: ['permission denied'] } }, lctx);
    assert.equal(at.code, 'Unauthenticated');
    assert.match(at.message, /403 at login/);
    const bad = loginError({ status: 400, body: { errors: ['invalid role or secret ID'] } }, lctx);
    assert.match(bad.message, /role "ci" .* invalid role or secret ID/);
    assert.match(bad.fix ?? '', /secret_id/);
  });

  it('maps network failures, naming caCert for TLS', () => {
    const n = { address: 'https://vault:8200', path: 'kv/data/app', method: 'GET', timeoutMs: 10_000 };
    assert.equal(networkError({ code: 'ECONNREFUSED' }, n).code, 'Unreachable');
    assert.equal(networkError({ code: 'ENOTFOUND' }, n).code, 'Unreachable');
    assert.equal(networkError({ code: 'ECONNABORTED', message: 'timeout of 10000ms exceeded' }, n).code, 'Timeout');
    const tls = networkError({ code: 'SELF_SIGNED_CERT_IN_CHAIN', message: 'self-signed certificate in certificate chain' }, n);
    assert.equal(tls.code, 'Tls');
    assert.match(tls.fix ?? '', /Set `caCert`/);
    const withCa = networkError({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }, { ...n, caCert: 'certs/ca.pem' });
    assert.match(withCa.fix ?? '', /`caCert` \("certs\/ca\.pem"\) does not vouch/);
    assert.match(networkError({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' }, n).message, /does not name this host/);
  });
});

describe('vault token schedule', () => {
  /** Scripted answers per path, and a record of what was sent. */
  function fakeHttp(script: Record<string, (req: VaultRequest) => VaultAnswer>) {
    const sent: string[] = [];
    const http = {
      address: 'http://vault',
      namespace: undefined,
      timeoutMs: 1000,
      requestCount: 0,
      async send(req: VaultRequest): Promise<VaultAnswer> {
        sent.push(req.path);
        const f = script[req.path];
        if (!f) throw new Error(`unexpected ${req.path}`);
        return f(req);
      },
    };
    return { http: http as unknown as VaultHttp, sent };
  }
  const creds = (secretId = 'sid') => ({ get: async () => secretId, forget: async () => {} });

  it('renews in the last third of the lease, then logs in again once renewal is capped', async () => {
    let now = 0;
    let logins = 0;
    const { http, sent } = fakeHttp({
      'auth/approle/login': () => ({ status: 200, body: { auth: { client_token: `t${++logins}`, lease_duration: 30, renewable: true } } }),
      // Renewal capped by token_max_ttl: the lease ends no later than before.
      'auth/token/renew-self': () => ({ status: 200, body: { auth: { lease_duration: Math.max(1, 30 - now / 1000), renewable: true } } }),
    });
    const tm = new TokenManager(http, { auth: { method: 'approle', mount: 'approle', roleId: 'r', roleName: 'ci' }, credentials: creds(), env: {}, now: () => now });
    assert.equal(await tm.token(), 't1');
    now = 19_000; // 11 s left of 30: more than a third
    assert.equal(await tm.token(), 't1');
    assert.deepEqual(sent, ['auth/approle/login']);
    now = 21_000; // 9 s left: renew; the renewal cannot extend, so log in again
    assert.equal(await tm.token(), 't2');
    assert.deepEqual(sent, ['auth/approle/login', 'auth/token/renew-self', 'auth/approle/login']);
    assert.deepEqual(tm.stats, { logins: 2, renewals: 1 });
  });

  it('keeps a renewable token alive by renewing, without logging in again', async () => {
    let now = 0;
    const { http, sent } = fakeHttp({
      'auth/approle/login': () => ({ status: 200, body: { auth: { client_token: 't1', lease_duration: 30, renewable: true } } }),
      'auth/token/renew-self': () => ({ status: 200, body: { auth: { lease_duration: 30, renewable: true } } }),
    });
    const tm = new TokenManager(http, { auth: { method: 'approle', mount: 'approle', roleId: 'r', roleName: 'ci' }, credentials: creds(), env: {}, now: () => now });
    await tm.token();
    for (let i = 1; i <= 5; i++) {
      now += 25_000;
      assert.equal(await tm.token(), 't1');
    }
    assert.equal(sent.filter((p) => p.endsWith('/login')).length, 1);
    assert.equal(sent.filter((p) => p === 'auth/token/renew-self').length, 5);
  });

  it('shares one login among concurrent callers', async () => {
    const { http, sent } = fakeHttp({
      'auth/approle/login': () => ({ status: 200, body: { auth: { client_token: 't1', lease_duration: 0, renewable: false } } }),
    });
    const tm = new TokenManager(http, { auth: { method: 'approle', mount: 'approle', roleId: 'r', roleName: 'ci' }, credentials: creds(), env: {} });
    const tokens = await Promise.all([tm.token(), tm.token(), tm.token()]);
    assert.deepEqual(tokens, ['t1', 't1', 't1']);
    assert.deepEqual(sent, ['auth/approle/login']);
  });

  it('says a token-auth token past its end of life has expired', async () => {
    let now = 0;
    const { http } = fakeHttp({
      'auth/token/lookup-self': () => ({ status: 200, body: { data: { ttl: 10, creation_ttl: 10, renewable: true } } }),
      'auth/token/renew-self': () => ({ status: 500, body: { errors: ['past the max TTL, cannot renew'] } }),
    });
    const tm = new TokenManager(http, { auth: { method: 'token' }, credentials: creds(), env: { VAULT_TOKEN: 'tok' }, now: () => now });
    assert.equal(await tm.token(), 'tok');
    now = 11_000;
    await assert.rejects(tm.token(), (e: unknown) => e instanceof ConnectionSecretsError && e.code === 'CredentialsExpired' && /VAULT_TOKEN/.test(e.message));
  });
});
