/**
 * Rotation against moto: PutSecretValue moves AWSCURRENT to a new version; `currentVersion`
 * (DescribeSecret) sees it without fetching the value, and the Resolver's refresh re-fetches only
 * then and reports "rotated: <secret> <old> → <new>".
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateSecretCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { loadWorkspace } from '../../../src/core/config';
import type { ProviderConfig, WorkspaceModel } from '../../../src/core/model';
import { describeRotation, Resolver } from '../../../src/core/resolver';
import { createAwsProvider, CredentialCache, type AwsSecretsProvider } from '../../../src/providers/aws';
import { assertNoCanary, canary } from '../../support/canary';
import { ADMIN_KEYS, countingClients, keysContext, startMoto, type CallCounter, type Moto } from '../../support/moto';

describe('aws provider: rotation (moto)', function () {
  let moto: Moto;
  let dir: string;
  let model: WorkspaceModel;
  let counter: CallCounter;
  let provider: AwsSecretsProvider | undefined;
  let resolver: Resolver;
  const first = canary('rot-1');
  const second = canary('rot-2');
  let firstVersion: string;

  before(async function () {
    moto = await startMoto(this);
    const created = await moto.secretsManager().send(new CreateSecretCommand({ Name: 'rot/db', SecretString: JSON.stringify({ username: 'app', password: first }) }));
    firstVersion = created.VersionId!;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-aws-rotation-'));
    fs.writeFileSync(
      path.join(dir, 'connections.yaml'),
      `secretsManager:
  scope: workspace
  provider:
    type: aws
    region: ${moto.region}
    endpoint: ${moto.endpoint}
connections:
  db:
    type: postgres
    host: db.example.com
    user: "{{workato:sm:username:rot/db}}"
    password: "{{workato:sm:password:rot/db}}"
`,
    );
    model = await loadWorkspace(dir);
    counter = countingClients();
    resolver = new Resolver({
      getProvider: async (config: ProviderConfig) =>
        (provider ??= createAwsProvider(config, keysContext(ADMIN_KEYS), { clients: counter.factory, credentialCache: new CredentialCache() })),
    });
  });
  after(async () => {
    provider?.dispose();
    await moto?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('detects a rotation with DescribeSecret and reports old → new', async () => {
    const db = model.connections[0];
    const before = await resolver.resolveConnection(db, model.files[0].provider);
    assert.equal(before.ok, true);
    assert.equal((before.values as unknown as { password: string }).password, first);
    assert.equal(before.references[0].version, firstVersion);
    assert.equal(await provider!.currentVersion('rot/db'), firstVersion);

    const put = await moto.secretsManager().send(new PutSecretValueCommand({ SecretId: 'rot/db', SecretString: JSON.stringify({ username: 'app', password: second }) }));
    assert.notEqual(put.VersionId, firstVersion);
    assert.equal(await provider!.currentVersion('rot/db'), put.VersionId, 'currentVersion follows AWSCURRENT');

    counter.reset();
    const report = await resolver.refreshConnection(model, db);
    assert.deepEqual(report.rotated, [{ secretId: 'rot/db', oldVersion: firstVersion, newVersion: put.VersionId }]);
    assert.equal(describeRotation(report.rotated[0]), `rotated: rot/db ${firstVersion} → ${put.VersionId}`);
    assert.equal((report.resolution.values as unknown as { password: string }).password, second);
    assert.equal(counter.count('DescribeSecret'), 1);
    assert.equal(counter.count('BatchGetSecretValue'), 1);
    assertNoCanary(JSON.stringify({ rotated: report.rotated, unchanged: report.unchanged, refs: report.resolution.references, fields: report.resolution.fields }), [first, second]);
  });

  it('re-fetches nothing when the version did not change', async () => {
    counter.reset();
    const report = await resolver.refreshConnection(model, model.connections[0]);
    assert.deepEqual(report.rotated, []);
    assert.deepEqual(report.unchanged, ['rot/db']);
    assert.equal(counter.count('DescribeSecret'), 1);
    assert.equal(counter.count('BatchGetSecretValue'), 0);
    assert.equal(counter.count('GetSecretValue'), 0);
  });
});
