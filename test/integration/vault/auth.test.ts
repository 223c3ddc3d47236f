/**
 * Vault authentication against a real OpenBao: AppRole and token sources, refused credentials,
 * token renewal before expiry, and a fresh login when renewal can no longer help. Token TTLs are
 * a few seconds, so these tests wait on the real server's clock.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConnectionSecretsError } from '../../../src/core/errors';
import { assertNoCanary } from '../../support/canary';
import { startCountingProxy, type CountingProxy } from '../../support/countingProxy';
import { createAppRole, policyPath, requireOpenBao, startOpenBao, type OpenBao } from '../../support/openbao';
import { appRoleProvider, makeProvider, MemoryCredentials, seedVault, type VaultFixture } from './fixture';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const readerPolicy = policyPath('kv2/data/*', ['read']) + policyPath('sys/mounts/kv2', ['read']);

describe('vault provider against OpenBao: authentication and token lifetime', function () {
  let bao: OpenBao;
  let fx: VaultFixture;
  let proxy: CountingProxy;
  /** Secret ids and tokens handed out: none may appear in an error or log. */
  const credentials: string[] = [];
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

  after(async function () {
    if (fx) {
      assertNoCanary(texts.join('\n'), [...fx.canaries, ...credentials], 'errors and logs');
    }
    await proxy?.stop();
    await bao?.stop();
  });

  describe('token auth', () => {
    let token: string;
    before(async () => {
      token = (await bao.api('POST', 'auth/token/create', { policies: ['reader'], ttl: '1h' })).auth.client_token;
      credentials.push(token);
    });

    it('takes the token from VAULT_TOKEN', async () => {
      const h = await makeProvider({ address: proxy.url, auth: { method: 'token' } }, { env: { VAULT_TOKEN: token } });
      assert.equal(JSON.parse((await h.provider.getValue('kv2:apps/warehouse')).value).password, fx.values.kv2Warehouse.password);
      assert.equal(h.credentials.asked.length, 0, 'nothing asked when VAULT_TOKEN is set');
      texts.push(...h.logs);
    });

    it('takes the token from ~/.vault-token when VAULT_TOKEN is unset', async () => {
      const home = fs.mkdtempSync(path.join(os.tmpdir(), 'vault-home-'));
      try {
        fs.writeFileSync(path.join(home, '.vault-token'), `${token}\n`, { mode: 0o600 });
        const h = await makeProvider({ address: proxy.url, auth: { method: 'token' } }, { env: { HOME: home } });
        assert.ok((await h.provider.getValue('kv2:apps/team/jira')).value.length > 0);
        assert.equal(h.credentials.asked.length, 0);
      } finally {
        fs.rmSync(home, { recursive: true, force: true });
      }
    });

    it('asks the credential store last, and forgets a token Vault refuses', async () => {
      const home = fs.mkdtempSync(path.join(os.tmpdir(), 'vault-home-'));
      try {
        const good = new MemoryCredentials(new Map([[`vault.token:${proxy.url}`, token]]));
        const h = await makeProvider({ address: proxy.url, auth: { method: 'token' } }, { env: { HOME: home }, credentials: good });
        assert.ok((await h.provider.getValue('kv2:apps/team/jira')).value.length > 0);
        assert.deepEqual(good.asked, [`vault.token:${proxy.url}`]);

        const bogus = 'hvs.not-a-real-token-value';
        credentials.push(bogus);
        const bad = new MemoryCredentials(new Map([[`vault.token:${proxy.url}`, bogus]]));
        const hb = await makeProvider({ address: proxy.url, auth: { method: 'token' } }, { env: { HOME: home }, credentials: bad });
        const e = await errorOf(hb.provider.getValue('kv2:apps/team/jira'));
        assert.equal(e.code, 'Unauthenticated');
        assert.match(e.message, /refused the token from the credential store/);
        assert.deepEqual(bad.forgotten, [`vault.token:${proxy.url}`]);
      } finally {
        fs.rmSync(home, { recursive: true, force: true });
      }
    });

    it('renews a short-lived token before it expires', async () => {
      const short = (await bao.api('POST', 'auth/token/create', { policies: ['reader'], ttl: '3s', explicit_max_ttl: '1h', renewable: true })).auth.client_token;
      credentials.push(short);
      const h = await makeProvider({ address: proxy.url, auth: { method: 'token' } }, { env: { VAULT_TOKEN: short } });
      await h.provider.getValue('kv2:apps/warehouse');
      proxy.reset();
      await sleep(2_300); // into the last third of the 3 s lease
      await h.provider.getValue('kv2:apps/warehouse');
      assert.equal(proxy.count('/v1/auth/token/renew-self'), 1);
      await sleep(2_300); // past the original expiry: only the renewal keeps it alive
      assert.ok((await h.provider.getValue('kv2:apps/warehouse')).value.length > 0);
      assert.equal(proxy.count('/v1/auth/token/renew-self'), 2);
      assert.ok(h.logs.some((l) => /renewed the token/.test(l)));
      texts.push(...h.logs);
    });

    it('reports an expired token as expired, naming VAULT_TOKEN', async () => {
      const brief = (await bao.api('POST', 'auth/token/create', { policies: ['reader'], ttl: '2s', renewable: false })).auth.client_token;
      credentials.push(brief);
      const h = await makeProvider({ address: proxy.url, auth: { method: 'token' } }, { env: { VAULT_TOKEN: brief } });
      await h.provider.getValue('kv2:apps/warehouse');
      await sleep(2_600);
      const e = await errorOf(h.provider.getValue('kv2:apps/team/jira'));
      assert.ok(e.code === 'CredentialsExpired' || e.code === 'Unauthenticated', e.code);
      assert.match(e.message, /VAULT_TOKEN/);
      assert.match(e.fix ?? '', /VAULT_TOKEN/);
    });
  });

  describe('AppRole', () => {
    it('forgets a refused secret_id and asks again next time', async () => {
      const wrong = new MemoryCredentials(new Map([[`vault.secretId:${proxy.url}:reader`, 'not-the-secret-id']]));
      const h = await makeProvider(
        { address: proxy.url, auth: { method: 'approle', roleName: 'reader', roleId: fx.roles.reader.roleId } },
        { credentials: wrong },
      );
      const e = await errorOf(h.provider.getValue('kv2:apps/warehouse'));
      assert.equal(e.code, 'Unauthenticated');
      assert.match(e.message, /AppRole login for role "reader" at auth\/approle\/login failed: Vault says invalid role or secret ID/);
      assert.deepEqual(wrong.forgotten, [`vault.secretId:${proxy.url}:reader`]);
      // Asked again (the store is empty now): the user is told no secret_id was given.
      const again = await errorOf(h.provider.getValue('kv2:apps/warehouse'));
      assert.equal(again.code, 'Unauthenticated');
      assert.match(again.message, /No AppRole secret_id/);
      assert.equal(wrong.asked.length, 2);
    });

    it('tells a 403 at login (wrong auth mount) apart from a denied secret path', async () => {
      const secretId = await fx.roles.reader.newSecretId();
      credentials.push(secretId);
      const creds = new MemoryCredentials(new Map([[`vault.secretId:${proxy.url}:reader`, secretId]]));
      const h = await makeProvider(
        { address: proxy.url, auth: { method: 'approle', mount: 'nosuchmount', roleName: 'reader', roleId: fx.roles.reader.roleId } },
        { credentials: creds },
      );
      const e = await errorOf(h.provider.getValue('kv2:apps/warehouse'));
      assert.equal(e.code, 'Unauthenticated');
      assert.match(e.message, /AppRole login at auth\/nosuchmount\/login .* was refused \(403 at login/);
      assert.match(e.fix ?? '', /auth\.mount/);
      assert.equal(creds.forgotten.length, 0, 'a 403 at login is not the secret_id\'s fault');
    });

    it('renews the AppRole token before expiry, then logs in again once renewal is capped by token_max_ttl', async () => {
      const renewable = await createAppRole(bao, 'shortlived', readerPolicy, { tokenTtl: '3s', tokenMaxTtl: '1h' });
      const capped = await createAppRole(bao, 'capped', readerPolicy, { tokenTtl: '3s', tokenMaxTtl: '3s' });

      const r = await appRoleProvider(proxy.url, renewable);
      await r.provider.getValue('kv2:apps/warehouse');
      proxy.reset();
      await sleep(2_300);
      await r.provider.getValue('kv2:apps/warehouse');
      assert.equal(proxy.count('/v1/auth/token/renew-self'), 1, 'renewed');
      assert.equal(proxy.count('/login'), 0, 'no new login while renewal works');

      const c = await appRoleProvider(proxy.url, capped);
      await c.provider.getValue('kv2:apps/warehouse');
      proxy.reset();
      await sleep(2_300);
      assert.ok((await c.provider.getValue('kv2:apps/warehouse')).value.length > 0);
      assert.equal(proxy.count('/v1/auth/token/renew-self'), 1, 'renewal tried');
      assert.equal(proxy.count('/v1/auth/approle/login'), 1, 'then a fresh login, as renewal could not extend the token');
      await sleep(1_500); // past the first token's hard expiry
      assert.ok((await c.provider.getValue('kv2:apps/team/jira')).value.length > 0);
      texts.push(...r.logs, ...c.logs);
    });

    it('logs in again when Vault stops accepting the token (revoked)', async () => {
      const h = await appRoleProvider(proxy.url, fx.roles.reader);
      await h.provider.getValue('kv2:apps/warehouse');
      await bao.api('PUT', 'sys/leases/revoke-prefix/auth/approle/login', {});
      proxy.reset();
      assert.equal(JSON.parse((await h.provider.getValue('kv2:apps/warehouse')).value).username, 'wh_user2');
      assert.equal(proxy.count('/v1/auth/token/lookup-self'), 1, 'the 403 was checked against the token');
      assert.equal(proxy.count('/v1/auth/approle/login'), 1, 'one fresh login');
      assert.ok(h.logs.some((l) => /token was refused/.test(l)));
      texts.push(...h.logs);
    });
  });
});
