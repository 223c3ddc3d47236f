/**
 * Refresh after rotation, end to end: a PostgreSQL connection whose password lives in a secrets
 * manager. The password is changed both in the database and in the secrets manager; testing from
 * the resolver's cache then fails with bad credentials, and refresh reports the new version and
 * the test passes. Real PostgreSQL; the secrets manager is moto (AWS Secrets Manager, through the
 * aws provider) and, as a second case with no extra server, the file provider.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateSecretCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { SecretCache } from '../../../src/core/cache';
import { loadWorkspace, providerFor } from '../../../src/core/config';
import type { ProviderContext } from '../../../src/core/provider';
import { ProviderPool } from '../../../src/core/providerPool';
import { describeRotation, Resolver } from '../../../src/core/resolver';
import { createProvider } from '../../../src/providers';
import { testConnection } from '../../../src/testers';
import { assertNoCanary, canary } from '../../support/canary';
import { ADMIN_KEYS, keysContext, startMoto, type Moto } from '../../support/moto';
import { missingPeer } from '../../support/peer';
import { postgresBinDir, postgresInstall, startPostgres, type PostgresPeer } from '../../support/postgres';

interface Rotatable {
  /** connections.yaml provider block (YAML flow mapping). */
  providerBlock: string;
  /** Secret id and key as a reference names them. */
  reference: string;
  context: ProviderContext;
  rotate(password: string): Promise<void>;
  /** The version the secrets manager reports after `rotate`, when it has ids of its own. */
  latestVersion?: () => string | undefined;
}

async function rotationFlow(pg: PostgresPeer, ws: string, user: string, v1: string, v2: string, secrets: Rotatable) {
  await pg.createUser(user, v1);
  fs.writeFileSync(
    path.join(ws, 'connections.yaml'),
    `secretsManager:
  scope: workspace
  provider: ${secrets.providerBlock}
connections:
  ${user}-db:
    type: postgres
    host: ${pg.host}
    port: ${pg.port}
    database: ${user}
    user: ${user}
    password: "{{workato:sm:${secrets.reference}}}"
`,
  );
  const model = await loadWorkspace(ws);
  assert.deepEqual(model.problems, []);
  const connection = model.connections[0];
  const pool = new ProviderPool(createProvider, secrets.context);
  const resolver = new Resolver({ getProvider: (c) => pool.get(c), cache: new SecretCache() });
  try {
    const first = await resolver.resolveConnection(connection, providerFor(model, connection));
    assert.ok(first.ok && first.values, first.references[0]?.error);
    const before = await testConnection(first.values);
    assert.equal(before.ok, true, before.message);
    const oldVersion = first.references[0].version;
    assert.ok(oldVersion);

    // Rotate: the database and the secrets manager both change.
    await pg.setPassword(user, v2);
    await secrets.rotate(v2);

    const cached = await resolver.resolveConnection(connection, providerFor(model, connection));
    assert.equal(cached.references[0].version, oldVersion, 'the cache still serves the old version');
    const stale = await testConnection(cached.values!);
    assert.equal(stale.ok, false);
    assert.equal(stale.failureClass, 'badCredentials', stale.message);

    const report = await resolver.refreshConnection(model, connection);
    assert.equal(report.rotated.length, 1, JSON.stringify(report.unchanged));
    const [rotation] = report.rotated;
    assert.equal(rotation.oldVersion, oldVersion);
    assert.ok(rotation.newVersion && rotation.newVersion !== oldVersion);
    if (secrets.latestVersion) assert.equal(rotation.newVersion, secrets.latestVersion());
    assert.equal(report.resolution.references[0].version, rotation.newVersion);
    assert.match(describeRotation(rotation), /^rotated: .+ → .+$/);

    const after = await testConnection(report.resolution.values!);
    assert.equal(after.ok, true, after.message);
    assertNoCanary(JSON.stringify([before, stale, after, report.rotated, report.resolution.fields]), [v1, v2], 'results');
  } finally {
    await pool.disposeAll();
  }
}

describe('rotation: test, rotate, stale cache fails with badCredentials, refresh passes (real PostgreSQL)', function () {
  let pg: PostgresPeer;
  let ws: string;

  before(async function () {
    if (!postgresBinDir()) missingPeer(this, 'PostgreSQL', postgresInstall);
    pg = await startPostgres();
  });
  beforeEach(() => {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-rotation-'));
  });
  afterEach(() => {
    if (ws) fs.rmSync(ws, { recursive: true, force: true });
  });
  after(async () => {
    await pg?.stop();
  });

  describe('AWS Secrets Manager (moto)', function () {
    let moto: Moto;
    before(async function () {
      moto = await startMoto(this);
    });
    after(async () => {
      await moto?.stop();
    });

    it('reports the new AWSCURRENT version on refresh and the test passes again', async () => {
      const v1 = canary('aws-rot-v1');
      const v2 = canary('aws-rot-v2');
      const sm = moto.secretsManager();
      await sm.send(new CreateSecretCommand({ Name: 'apps/etl-db', SecretString: JSON.stringify({ username: 'etl_aws', password: v1 }) }));
      let latest: string | undefined;
      await rotationFlow(pg, ws, 'etl_aws', v1, v2, {
        providerBlock: `{ type: aws, region: ${moto.region}, endpoint: "${moto.endpoint}" }`,
        reference: 'password:apps/etl-db',
        context: keysContext(ADMIN_KEYS),
        rotate: async (password) => {
          latest = (await sm.send(new PutSecretValueCommand({ SecretId: 'apps/etl-db', SecretString: JSON.stringify({ username: 'etl_aws', password }) }))).VersionId;
        },
        latestVersion: () => latest,
      });
    });
  });

  describe('file provider', () => {
    it('reports a new version on refresh and the test passes again', async () => {
      const v1 = canary('file-rot-v1');
      const v2 = canary('file-rot-v2');
      const file = () => path.join(ws, 'secrets.json');
      fs.writeFileSync(file(), JSON.stringify({ etl: { password: v1 } }));
      await rotationFlow(pg, ws, 'etl_file', v1, v2, {
        providerBlock: '{ type: file, path: secrets.json }',
        reference: 'password:etl',
        context: { credentials: { get: async () => undefined, forget: async () => {} }, env: {} },
        rotate: async (password) => fs.writeFileSync(file(), JSON.stringify({ etl: { password } })),
      });
    });
  });
});
