/**
 * Refresh after rotation, end to end: the real resolver and cache in front of a secrets
 * provider, and a real PostgreSQL whose password is rotated. The secrets manager here is the
 * `file` provider — the cloud providers (moto, OpenBao) were not on main when this was written;
 * the flow (cache → stale value → bad credentials → refresh → new version → success) is the same.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SecretCache } from '../../../src/core/cache';
import { loadWorkspace, providerFor } from '../../../src/core/config';
import { ProviderPool } from '../../../src/core/providerPool';
import { Resolver } from '../../../src/core/resolver';
import { createProvider } from '../../../src/providers';
import { testConnection } from '../../../src/testers';
import { assertNoCanary, canary } from '../../support/canary';
import { missingPeer } from '../../support/peer';
import { postgresBinDir, postgresInstall, startPostgres, type PostgresPeer } from '../../support/postgres';

describe('rotation: test, rotate, stale cache fails, refresh passes (file provider, real PostgreSQL)', function () {
  let pg: PostgresPeer;
  let ws: string;
  const v1 = canary('rotation-v1');
  const v2 = canary('rotation-v2');

  before(async function () {
    if (!postgresBinDir()) missingPeer(this, 'PostgreSQL', postgresInstall);
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-rotation-'));
    pg = await startPostgres();
    await pg.createUser('etl', v1);
    fs.writeFileSync(path.join(ws, 'secrets.json'), JSON.stringify({ etl: { password: v1 } }));
    fs.writeFileSync(
      path.join(ws, 'connections.yaml'),
      `secretsManager:
  scope: workspace
  provider: { type: file, path: secrets.json }
connections:
  etl-db:
    type: postgres
    host: ${pg.host}
    port: ${pg.port}
    database: etl
    user: etl
    password: "{{workato:sm:password:etl}}"
`,
    );
  });

  after(async () => {
    await pg?.stop();
    if (ws) fs.rmSync(ws, { recursive: true, force: true });
  });

  it('reports the new version on refresh and the test passes again', async () => {
    const model = await loadWorkspace(ws);
    const connection = model.connections.find((c) => c.name === 'etl-db')!;
    const pool = new ProviderPool(createProvider, { credentials: { get: async () => undefined, forget: async () => {} }, env: {}, timeoutMs: 10_000 });
    const resolver = new Resolver({ getProvider: (c) => pool.get(c), cache: new SecretCache() });
    try {
      const first = await resolver.resolveConnection(connection, providerFor(model, connection));
      assert.ok(first.ok && first.values);
      const before = await testConnection(first.values);
      assert.equal(before.ok, true, before.message);
      const oldVersion = first.references[0].version;

      // Rotate: the database and the secrets manager both change.
      await pg.setPassword('etl', v2);
      fs.writeFileSync(path.join(ws, 'secrets.json'), JSON.stringify({ etl: { password: v2 } }));

      const cached = await resolver.resolveConnection(connection, providerFor(model, connection));
      assert.equal(cached.references[0].version, oldVersion, 'the cache still serves the old version');
      const stale = await testConnection(cached.values!);
      assert.equal(stale.ok, false);
      assert.equal(stale.failureClass, 'badCredentials', stale.message);

      const report = await resolver.refreshConnection(model, connection);
      assert.equal(report.rotated.length, 1);
      assert.equal(report.rotated[0].secretId, 'etl');
      assert.equal(report.rotated[0].oldVersion, oldVersion);
      assert.ok(report.rotated[0].newVersion && report.rotated[0].newVersion !== oldVersion);
      assert.equal(report.resolution.references[0].version, report.rotated[0].newVersion);

      const after = await testConnection(report.resolution.values!);
      assert.equal(after.ok, true, after.message);
      assertNoCanary(JSON.stringify([before, stale, after, report.rotated]), [v1, v2], 'results');
    } finally {
      await pool.disposeAll();
    }
  });
});
