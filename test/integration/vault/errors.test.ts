/**
 * Every failure the vault provider can meet, against a real OpenBao: denied capabilities (each
 * named with its path), the sys/mounts fallback, a proxy's HTML 403, 5xx/429 retries, a paused
 * (hanging) server, a sealed server, a stopped server, and TLS with and without `caCert`.
 *
 * Only the proxy's HTML page, the standby answer and the 5xx/429 bursts are canned answers of a
 * loopback proxy in front of OpenBao: a single dev server cannot be a standby node or a corporate
 * proxy, and does not fail on demand.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConnectionSecretsError } from '../../../src/core/errors';
import { assertNoCanary } from '../../support/canary';
import { startCountingProxy, type CountingProxy } from '../../support/countingProxy';
import { requireOpenBao, startOpenBao, type OpenBao } from '../../support/openbao';
import { appRoleProvider, makeProvider, seedVault, type VaultFixture } from './fixture';

describe('vault provider against OpenBao: failures', function () {
  let bao: OpenBao;
  let fx: VaultFixture;
  let proxy: CountingProxy;
  const texts: string[] = [];

  async function errorOf(p: Promise<unknown>): Promise<ConnectionSecretsError> {
    const e = await p.then(
      () => assert.fail('expected an error'),
      (x: unknown) => x,
    );
    assert.ok(e instanceof ConnectionSecretsError, `typed error, got ${String(e)}`);
    texts.push(e.message, e.fix ?? '', e.detail ?? '');
    return e;
  }

  before(async function () {
    requireOpenBao(this);
    bao = await startOpenBao();
    fx = await seedVault(bao);
    proxy = await startCountingProxy(bao.address);
  });

  afterEach(() => {
    if (proxy) proxy.intercept = undefined;
  });

  after(async function () {
    if (fx) assertNoCanary(texts.join('\n'), fx.canaries, 'errors and logs');
    await proxy?.stop();
    await bao?.stop();
  });

  describe('denied capabilities', () => {
    it('names the missing "list" capability and the metadata path (role without list)', async () => {
      const h = await appRoleProvider(proxy.url, fx.roles.nolist);
      // Reading still works: the role lacks only list.
      assert.equal(JSON.parse((await h.provider.getValue('kv2:apps/warehouse')).value).username, 'wh_user2');
      const e = await errorOf(h.provider.list({ parent: 'kv2:apps/' }));
      assert.equal(e.code, 'AccessDenied');
      assert.match(e.message, /AppRole role "nolist" lacks the "list" capability on path "kv2\/metadata\/apps\/"/);
      assert.match(e.message, /403 on the secret path/);
      assert.equal(e.fix, 'Add to the token\'s policy: path "kv2/metadata/apps/" { capabilities = ["list"] }');
      const e1 = await errorOf(h.provider.list({ parent: 'kv1:apps/' }));
      assert.match(e1.message, /"list" capability on path "kv1\/apps\/"/);
      texts.push(...h.logs);
    });

    it('names the missing "read" capability and the data path', async () => {
      const h = await appRoleProvider(proxy.url, fx.roles.reader);
      const e = await errorOf(h.provider.getValue('kv2:restricted/root-db'));
      assert.equal(e.code, 'AccessDenied');
      assert.match(e.message, /lacks the "read" capability on path "kv2\/data\/restricted\/root-db"/);
      assert.match(e.message, /capabilities there: deny/);
    });

    it('says when sys/mounts/<engine> cannot be read, and falls back to both KV path forms', async () => {
      const h = await appRoleProvider(proxy.url, fx.roles.nomounts);
      proxy.reset();
      assert.equal(JSON.parse((await h.provider.getValue('kv1:apps/warehouse')).value).password, fx.values.kv1Warehouse.password);
      assert.equal(JSON.parse((await h.provider.getValue('kv2:apps/warehouse')).value).password, fx.values.kv2Warehouse.password);
      assert.ok(h.logs.some((l) => /cannot read sys\/mounts\/kv1 .*lacks "read" on it.*trying both the KV v2 and the KV v1 path forms/.test(l)));
      assert.ok(h.logs.some((l) => /cannot read sys\/mounts\/kv2/.test(l)));
      // Once a form worked the version is known: no more probing.
      proxy.reset();
      await h.provider.getValue('kv1:apps/warehouse');
      await h.provider.getValue('kv2:apps/team/jira');
      assert.deepEqual(
        proxy.requests.map((r) => r.url),
        ['/v1/kv1/apps/warehouse', '/v1/kv2/data/apps/team/jira'],
      );
      assert.equal((await h.provider.currentVersion!('kv2:apps/warehouse')), '1');
      assert.deepEqual((await h.provider.list({ parent: 'kv1:apps/' })).items.map((i) => i.id), ['kv1:apps/team/', 'kv1:apps/warehouse']);
      texts.push(...h.logs);
    });

    it('names both path forms when the version is unknown and both are denied', async () => {
      const h = await appRoleProvider(proxy.url, fx.roles.nomounts);
      const e = await errorOf(h.provider.getValue('secret:apps/x'));
      assert.equal(e.code, 'AccessDenied');
      assert.match(e.message, /"read" capability on path "secret\/apps\/x" \(nor on "secret\/data\/apps\/x": the engine's KV version is unknown/);
    });

    it('tells an HTML 403 from a proxy in front of Vault apart from a Vault denial', async () => {
      const h = await appRoleProvider(proxy.url, fx.roles.reader);
      await h.provider.getValue('kv2:apps/team/jira'); // logged in, version known
      proxy.reset();
      proxy.intercept = (req) =>
        req.url?.includes('/kv2/data/apps/warehouse')
          ? { status: 403, contentType: 'text/html', body: '<!DOCTYPE html><html><body><h1>403 Forbidden</h1>Blocked by corporate proxy</body></html>' }
          : undefined;
      const e = await errorOf(h.provider.getValue('kv2:apps/warehouse'));
      assert.equal(e.code, 'AccessDenied');
      assert.match(e.message, /Something in front of Vault \(a proxy or firewall, not Vault itself\) refused GET kv2\/data\/apps\/warehouse with an HTML page \(HTTP 403\)/);
      assert.match(e.fix ?? '', /address/);
      assert.equal(proxy.count('/v1/auth/token/lookup-self'), 0, 'a proxy page is not mistaken for a refused token');
    });
  });

  describe('server state', () => {
    it('retries a 5xx burst with jittered backoff and then succeeds', async () => {
      const h = await appRoleProvider(proxy.url, fx.roles.reader);
      await h.provider.getValue('kv2:apps/team/jira');
      let failures = 2;
      proxy.intercept = (req) =>
        req.url?.includes('/kv2/data/apps/warehouse') && failures-- > 0 ? { status: 502, contentType: 'text/plain', body: 'bad gateway' } : undefined;
      proxy.reset();
      assert.equal(JSON.parse((await h.provider.getValue('kv2:apps/warehouse')).value).username, 'wh_user2');
      assert.equal(proxy.count('/kv2/data/apps/warehouse'), 3);
      assert.equal(h.logs.filter((l) => /retrying GET kv2\/data\/apps\/warehouse/.test(l)).length, 2);
    });

    it('gives up after a bounded number of retries on 429 and says it is throttled', async () => {
      const h = await appRoleProvider(proxy.url, fx.roles.reader);
      await h.provider.getValue('kv2:apps/team/jira');
      proxy.intercept = (req) => (req.url?.includes('/kv2/data/apps/warehouse') ? { status: 429, contentType: 'application/json', body: '{"errors":["request path kv2/data/apps/warehouse: rate limit quota exceeded"]}' } : undefined);
      proxy.reset();
      const e = await errorOf(h.provider.getValue('kv2:apps/warehouse'));
      assert.equal(e.code, 'Throttled');
      assert.equal(proxy.count('/kv2/data/apps/warehouse'), 4, 'first try and 3 retries');
    });

    it('says a standby node without an active node is a standby problem', async () => {
      const h = await appRoleProvider(proxy.url, fx.roles.reader);
      await h.provider.getValue('kv2:apps/team/jira');
      // Vault's own error text for a standby that cannot find the active node.
      proxy.intercept = (req) =>
        req.url?.includes('/kv2/data/apps/warehouse') ? { status: 503, contentType: 'application/json', body: '{"errors":["local node not active but active cluster node not found"]}' } : undefined;
      const e = await errorOf(h.provider.getValue('kv2:apps/warehouse'));
      assert.equal(e.code, 'Unreachable');
      assert.match(e.message, /standby node that cannot reach an active node/);
    });

    it('times out on a server that accepts connections but never answers (paused process)', async () => {
      const h = await appRoleProvider(bao.address, fx.roles.reader, { timeoutMs: 1_500 });
      await h.provider.getValue('kv2:apps/team/jira');
      bao.pause();
      const started = Date.now();
      try {
        const e = await errorOf(h.provider.getValue('kv2:apps/warehouse'));
        const elapsed = Date.now() - started;
        assert.equal(e.code, 'Timeout');
        assert.match(e.message, /did not answer GET kv2\/data\/apps\/warehouse within 2 s/);
        assert.ok(elapsed >= 1_400, 'waited for the configured timeout');
        // Not the 10 s default, and no retry multiplied it: the configured timeout was honoured.
        assert.ok(elapsed < 9_000, `gave up after ${elapsed} ms`);
      } finally {
        bao.resume();
      }
      assert.ok((await h.provider.getValue('kv2:apps/warehouse')).value.length > 0, 'works again once the server answers');
    });

    it('reports a sealed Vault as sealed, without retrying, for reads and for logins', async () => {
      const h = await appRoleProvider(proxy.url, fx.roles.reader);
      const fresh = await appRoleProvider(proxy.url, fx.roles.reader);
      await h.provider.getValue('kv2:apps/team/jira');
      await bao.api('PUT', 'sys/seal');
      proxy.reset();
      const e = await errorOf(h.provider.getValue('kv2:apps/warehouse'));
      assert.equal(e.code, 'Sealed');
      assert.match(e.message, /Vault at http:\/\/127\.0\.0\.1:\d+ is sealed/);
      assert.match(e.fix ?? '', /unseal/);
      assert.equal(proxy.count('/kv2/data/apps/warehouse'), 1, 'a sealed server is not retried');
      const login = await errorOf(fresh.provider.getValue('kv2:apps/warehouse'));
      assert.equal(login.code, 'Sealed');
    });

    it('reports a stopped server as unreachable, naming the address', async () => {
      const h = await makeProvider({ address: bao.address, auth: { method: 'token' } }, { env: { VAULT_TOKEN: 'root' }, timeoutMs: 2_000 });
      await bao.stop();
      const e = await errorOf(h.provider.getValue('kv2:apps/warehouse'));
      assert.equal(e.code, 'Unreachable');
      assert.match(e.message, new RegExp(`Cannot reach Vault at ${bao.address.replace(/\./g, '\\.')}: connection refused`));
      bao = undefined as unknown as OpenBao;
    });
  });
});

describe('vault provider against OpenBao: TLS', function () {
  let bao: OpenBao;
  let dir: string;
  const texts: string[] = [];

  before(async function () {
    requireOpenBao(this);
    bao = await startOpenBao({ tls: true });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vault-tls-'));
    fs.mkdirSync(path.join(dir, 'certs'));
    fs.copyFileSync(bao.caFile!, path.join(dir, 'certs', 'vault-ca.pem'));
  });

  after(async () => {
    assertNoCanary(texts.join('\n'), ['root'].map((t) => `X-Vault-Token: ${t}`), 'TLS errors');
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    await bao?.stop();
  });

  const tokenProvider = (extra: Record<string, unknown> = {}) =>
    makeProvider({ address: bao.address, auth: { method: 'token' }, ...extra }, { env: { VAULT_TOKEN: 'root' }, dir, timeoutMs: 5_000 });

  it('trusts the CA given in caCert (a path relative to the connections.yaml)', async () => {
    await bao.api('POST', 'secret/data/app', { data: { k: 'v' } });
    const h = await tokenProvider({ caCert: 'certs/vault-ca.pem' });
    assert.equal(JSON.parse((await h.provider.getValue('secret:app')).value).k, 'v');
  });

  it('names the caCert setting when the server certificate is not trusted', async () => {
    const h = await tokenProvider();
    const e = await h.provider.getValue('secret:app').catch((x: unknown) => x);
    assert.ok(e instanceof ConnectionSecretsError);
    assert.equal(e.code, 'Tls');
    assert.match(e.message, /TLS verification of https:\/\/127\.0\.0\.1:\d+ failed/);
    assert.match(e.fix ?? '', /Set `caCert` in the vault provider block/);
    texts.push(e.message, e.fix ?? '');
  });

  it('never lets VAULT_SKIP_VERIFY turn verification off', async () => {
    const before = process.env.VAULT_SKIP_VERIFY;
    process.env.VAULT_SKIP_VERIFY = '1';
    try {
      const h = await tokenProvider();
      const e = await h.provider.getValue('secret:app').catch((x: unknown) => x);
      assert.ok(e instanceof ConnectionSecretsError);
      assert.equal(e.code, 'Tls');
    } finally {
      if (before === undefined) delete process.env.VAULT_SKIP_VERIFY;
      else process.env.VAULT_SKIP_VERIFY = before;
    }
  });

  it('says the CA in caCert does not vouch for the server when it is another CA', async function () {
    const other = path.join(dir, 'certs', 'other-ca.pem');
    const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'other.key'), '-out', other, '-days', '1', '-subj', '/CN=Other CA'], { stdio: 'ignore' });
    if (r.status !== 0) assert.fail('openssl is needed to make a second CA');
    const h = await tokenProvider({ caCert: 'certs/other-ca.pem' });
    const e = await h.provider.getValue('secret:app').catch((x: unknown) => x);
    assert.ok(e instanceof ConnectionSecretsError);
    assert.equal(e.code, 'Tls');
    assert.match(e.fix ?? '', /The CA in `caCert` \("certs\/other-ca\.pem"\) does not vouch for this server/);
  });

  it('names caCert when the file is missing or not a PEM certificate', async () => {
    const missing = await tokenProvider({ caCert: 'certs/nope.pem' }).catch((x: unknown) => x);
    assert.ok(missing instanceof ConnectionSecretsError);
    assert.equal(missing.code, 'InvalidConfig');
    assert.match(missing.message, /Cannot read `caCert` "certs\/nope\.pem"/);
    fs.writeFileSync(path.join(dir, 'certs', 'junk.pem'), 'not a certificate');
    const junk = await tokenProvider({ caCert: 'certs/junk.pem' }).catch((x: unknown) => x);
    assert.ok(junk instanceof ConnectionSecretsError);
    assert.match(junk.message, /`caCert` "certs\/junk\.pem" is not a PEM certificate/);
  });
});
