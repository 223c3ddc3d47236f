/**
 * The Azure provider inside the product: a connections.yaml loaded by the core loader, resolved
 * and refreshed by the Resolver through the provider registry, and the CLI — all against the
 * HTTPS Key Vault and Entra ID stand-ins (lowkey-vault is not installable here; see
 * test/support/keyVaultStandIn.ts).
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { loadWorkspace } from '../../../src/core/config';
import { ProviderPool } from '../../../src/core/providerPool';
import { Resolver } from '../../../src/core/resolver';
import { run as resolveCommand } from '../../../src/cli/commands/resolve';
import { run as secretsCommand } from '../../../src/cli/commands/secrets';
import { createProvider } from '../../../src/providers';
import { assertNoCanary } from '../../support/canary';
import { CLIENT, RecordingCredentials, TENANT, startAzure, type AzureEnv } from './harness';

const DAY = 86_400_000;

describe('azure provider in the workspace: loader, Resolver, refresh, CLI (stand-ins over HTTPS)', () => {
  let env: AzureEnv;
  let root: string;
  let user: { value: string; version: string };
  let password: { value: string; version: string };

  before(async () => {
    env = await startAzure();
    user = env.seed('jira-user');
    password = env.seed('jira-password');
    env.seed('warehouse-password', { expiresOn: new Date(Date.now() - DAY) });
    root = path.join(env.tls.dir, 'workspace');
    fs.mkdirSync(root);
    fs.copyFileSync(env.tls.caCertPath, path.join(root, 'vault-ca.pem'));
    fs.writeFileSync(
      path.join(root, 'connections.yaml'),
      [
        'secretsManager:',
        '  scope: workspace',
        '  provider:',
        '    type: azure',
        `    vaultUrl: ${env.kv.url}`,
        `    tenantId: ${TENANT}`,
        `    clientId: ${CLIENT}`,
        '    caCert: vault-ca.pem',
        `    authorityHost: ${env.entra.authorityHost}`,
        '    disableChallengeResourceVerification: true',
        'connections:',
        '  jira:',
        '    type: http',
        '    url: https://example.atlassian.net/rest/api/2/myself',
        '    auth:',
        '      type: basic',
        '      username: "{{workato:sm:jira-user}}"',
        '      password: "{{workato:sm:jira-password}}"',
        '  warehouse:',
        '    type: postgres',
        '    host: db.example.com',
        '    user: analytics',
        '    password: "{{workato:sm:warehouse-password}}"',
        '',
      ].join('\n'),
    );
  });
  after(() => env?.stop());

  function resolver() {
    const credentials = new RecordingCredentials({ [`azure.clientSecret:${TENANT}:${CLIENT}`]: env.clientSecret });
    const pool = new ProviderPool(createProvider, { credentials });
    return { resolver: new Resolver({ getProvider: (c) => pool.get(c) }), pool };
  }

  it('loads the provider block without problems', async () => {
    const model = await loadWorkspace(root);
    assert.deepEqual(model.problems.map((p) => p.message), []);
  });

  it('resolves connections through the registry, and refuses an expired secret per reference', async () => {
    const model = await loadWorkspace(root);
    const { resolver: r, pool } = resolver();
    try {
      const [jira, warehouse] = await r.resolveConnections(model);
      assert.equal(jira.ok, true);
      const auth = (jira.values as unknown as { auth: { username: string; password: string } }).auth;
      assert.equal(auth.username, user.value);
      assert.equal(auth.password, password.value);
      assert.deepEqual(jira.references.map((x) => x.version), [user.version, password.version]);
      assert.equal(warehouse.ok, false);
      assert.equal(warehouse.references[0].errorCode, 'Expired');
      assert.match(warehouse.references[0].error ?? '', /expired on .*Workato refuses expired secrets/);
      assertNoCanary(JSON.stringify([jira.fields, warehouse.fields, warehouse.references]), env.canaries, 'resolution');
    } finally {
      await pool.disposeAll();
    }
  });

  it('refreshConnection reports a rotation found by currentVersion and re-reads only that secret', async () => {
    const model = await loadWorkspace(root);
    const { resolver: r, pool } = resolver();
    try {
      const jira = model.connections.find((c) => c.name === 'jira')!;
      await r.resolveConnections(model, [jira]);
      const rotated = env.seed('jira-password');
      env.kv.resetCounts();
      const report = await r.refreshConnection(model, jira);
      assert.deepEqual(report.rotated, [{ secretId: 'jira-password', oldVersion: password.version, newVersion: rotated.version }]);
      assert.deepEqual(report.unchanged, ['jira-user']);
      assert.equal(report.resolution.ok, true);
      assert.equal(env.kv.count((x) => x.path === '/secrets/jira-user'), 0, 'the unchanged secret is not read again');
      assert.equal(env.kv.count((x) => x.path === '/secrets/jira-password'), 1);
      password = rotated;
    } finally {
      await pool.disposeAll();
    }
  });

  it('CLI resolve and secrets: masked output, the client secret from AZURE_CLIENT_SECRET', async () => {
    let out = '';
    let err = '';
    const io = { stdout: (t: string) => void (out += t), stderr: (t: string) => void (err += t), cwd: root, env: { AZURE_CLIENT_SECRET: env.clientSecret } };
    assert.equal(await resolveCommand(['jira'], io), 0, err);
    assert.match(out, /auth\.password\s+\S+\s+\[resolved\]/);
    assert.equal(await resolveCommand(['warehouse'], io), 1);
    assert.match(out, /Expired|expired on/);
    out = '';
    assert.equal(await secretsCommand([], io), 0, err);
    for (const name of ['jira-user', 'jira-password', 'warehouse-password']) assert.ok(out.includes(name), out);
    assertNoCanary(out + err, env.canaries, 'CLI output');
  });

  it('the built CLI loads the lazy azure bundle and resolves through it', async function () {
    this.timeout(120_000);
    const repo = path.resolve(__dirname, '../../..');
    if (!fs.existsSync(path.join(repo, 'dist/cli.js')) || !fs.existsSync(path.join(repo, 'dist/providers/azure.js'))) {
      const b = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: repo, encoding: 'utf8' });
      assert.equal(b.status, 0, b.stderr);
    }
    // Asynchronous: the stand-ins answer from this process's event loop.
    const result = await new Promise<{ code: number; out: string }>((resolve) => {
      execFile(process.execPath, [path.join(repo, 'dist/cli.js'), 'resolve', 'jira', '--format', 'json'], { cwd: root, env: { PATH: process.env.PATH, AZURE_CLIENT_SECRET: env.clientSecret } }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, out: stdout + stderr }),
      );
    });
    assert.equal(result.code, 0, result.out);
    const parsed = JSON.parse(result.out) as { ok: boolean; references: { status: string; version?: string }[] };
    assert.equal(parsed.ok, true);
    assert.deepEqual(parsed.references.map((x) => x.version), [user.version, password.version]);
    assertNoCanary(result.out, env.canaries, 'built CLI output');
  });

  it('CLI without AZURE_CLIENT_SECRET explains how to provide it', async () => {
    let out = '';
    const io = { stdout: (t: string) => void (out += t), stderr: (t: string) => void (out += t), cwd: root, env: {} };
    assert.equal(await resolveCommand(['jira'], io), 1);
    assert.match(out, /AZURE_CLIENT_SECRET/);
  });
});
