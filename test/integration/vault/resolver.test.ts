/**
 * The whole path a user takes, against OpenBao: a `connections.yaml` with a vault provider block
 * is loaded, its references resolved through the core Resolver (cache, redactor) and the provider
 * registry, and a rotated KV v2 secret is reported by `refreshConnection`.
 */
import assert from 'node:assert/strict';
import { loadWorkspace } from '../../../src/core/config';
import { ProviderPool } from '../../../src/core/providerPool';
import { describeRotation, Resolver } from '../../../src/core/resolver';
import { createProvider } from '../../../src/providers';
import { assertNoCanary, canary } from '../../support/canary';
import { startCountingProxy, type CountingProxy } from '../../support/countingProxy';
import { requireOpenBao, startOpenBao, writeKv, type OpenBao } from '../../support/openbao';
import { tempWorkspace } from '../../support/workspace';
import { MemoryCredentials, seedVault, type VaultFixture } from './fixture';

describe('vault provider through the core resolver (OpenBao)', function () {
  let bao: OpenBao;
  let fx: VaultFixture;
  let proxy: CountingProxy;
  let ws: { root: string; cleanup: () => void };
  let pool: ProviderPool;
  const logs: string[] = [];

  before(async function () {
    requireOpenBao(this);
    bao = await startOpenBao();
    fx = await seedVault(bao);
    proxy = await startCountingProxy(bao.address);
    ws = tempWorkspace({
      'connections.yaml': [
        'secretsManager:',
        '  provider:',
        '    type: vault',
        `    address: ${proxy.url}`,
        `    auth: { method: approle, mount: approle, roleName: reader, roleId: ${fx.roles.reader.roleId} }`,
        'connections:',
        '  warehouse:',
        '    type: postgres',
        '    host: db.example.com',
        '    user: "{{workato:sm:username:kv2:apps/warehouse}}"',
        '    password: "{{workato:sm:password:kv2:apps/warehouse}}"',
        '  legacy:',
        '    type: mysql',
        '    host: legacy.example.com',
        '    user: "{{workato:sm:username:kv1:apps/warehouse}}"',
        '    password: "{{workato:sm:password:kv1:apps/warehouse}}"',
        '  jira:',
        '    type: http',
        '    url: https://example.atlassian.net',
        '    auth:',
        '      type: bearer',
        '      token: "{{workato:sm:token:kv2:apps/team/jira}}"',
        '  broken:',
        '    type: http',
        '    url: https://example.com',
        '    auth:',
        '      type: bearer',
        '      token: "{{workato:sm:token:kv2:restricted/root-db}}"',
        '',
      ].join('\n'),
    });
    const credentials = new MemoryCredentials(new Map([[`vault.secretId:${proxy.url}:reader`, await fx.roles.reader.newSecretId()]]));
    pool = new ProviderPool(createProvider, { credentials, log: (m) => logs.push(m) });
  });

  after(async function () {
    await pool?.disposeAll();
    ws?.cleanup();
    await proxy?.stop();
    await bao?.stop();
  });

  it('resolves KV v1 and v2 references of several connections with one read per distinct secret', async () => {
    const model = await loadWorkspace(ws.root);
    assert.deepEqual(
      model.problems.filter((p) => p.severity === 'error').map((p) => p.message),
      [],
    );
    const resolver = new Resolver({ getProvider: (c) => pool.get(c) });
    proxy.reset();
    const results = await resolver.resolveConnections(model);
    const byName = Object.fromEntries(results.map((r) => [r.connection.name, r]));
    assert.equal(byName.warehouse.ok, true);
    assert.equal((byName.warehouse.values as Record<string, unknown>).password, fx.values.kv2Warehouse.password);
    assert.equal((byName.legacy.values as Record<string, unknown>).password, fx.values.kv1Warehouse.password);
    assert.equal(byName.jira.ok, true);
    assert.equal(byName.broken.ok, false);
    assert.equal(byName.broken.references[0].errorCode, 'AccessDenied');
    assert.match(byName.broken.references[0].error ?? '', /"read" capability on path "kv2\/data\/restricted\/root-db"/);
    assert.equal(proxy.count('/v1/kv2/data/apps/warehouse'), 1);
    assert.equal(proxy.count('/v1/kv1/apps/warehouse'), 1);
    // Masked displays and errors hold no value.
    const shown = JSON.stringify(results.map((r) => ({ fields: r.fields, refs: r.references })));
    assertNoCanary(shown + logs.join('\n'), fx.canaries, 'resolution output');

    // Warm: resolved secrets come from the cache; only the denied one (errors are not cached) is asked again.
    proxy.reset();
    const again = await resolver.resolveConnections(model);
    assert.ok(again.filter((r) => r.connection.name !== 'broken').every((r) => r.ok));
    assert.equal(proxy.count('/v1/kv2/data/apps/'), 0);
    assert.equal(proxy.count('/v1/kv1/'), 0);
    assert.equal(proxy.count('/v1/kv2/data/restricted/root-db'), 1);
  });

  it('reports a rotated KV v2 secret on refresh, reading only metadata for unchanged ones', async () => {
    const model = await loadWorkspace(ws.root);
    const resolver = new Resolver({ getProvider: (c) => pool.get(c) });
    await resolver.resolveConnections(model);
    const jira = model.connections.find((c) => c.name === 'jira')!;
    const warehouse = model.connections.find((c) => c.name === 'warehouse')!;

    proxy.reset();
    const unchanged = await resolver.refreshConnection(model, warehouse);
    assert.deepEqual(unchanged.rotated, []);
    assert.deepEqual(unchanged.unchanged, ['kv2:apps/warehouse']);
    assert.deepEqual(proxy.requests.map((r) => r.url), ['/v1/kv2/metadata/apps/warehouse'], 'only the version was checked');

    const fresh = canary('rotated-jira');
    await writeKv(bao, 'kv2', 2, 'apps/team/jira', { token: fresh });
    const report = await resolver.refreshConnection(model, jira);
    assert.equal(report.rotated.length, 1);
    assert.equal(describeRotation(report.rotated[0]), 'rotated: kv2:apps/team/jira 1 → 2');
    assert.equal((report.resolution.values as unknown as { auth: Record<string, unknown> }).auth.token, fresh);
    assertNoCanary(JSON.stringify(report.resolution.fields) + logs.join('\n'), [...fx.canaries, fresh], 'refresh output');
  });
});
