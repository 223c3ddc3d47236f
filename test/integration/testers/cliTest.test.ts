/**
 * `connection-secrets test` end to end below the dispatcher: a workspace whose connections.yaml
 * references secrets in the `file` provider, resolved by the real resolver, tested against a real
 * PostgreSQL and a real OpenSSH server.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run } from '../../../src/cli/commands/test';
import { UsageError } from '../../../src/cli/io';
import { assertNoCanary, canary } from '../../support/canary';
import { missingPeer } from '../../support/peer';
import { postgresBinDir, postgresInstall, startPostgres, type PostgresPeer } from '../../support/postgres';
import { makeSshKey, sshdInstall, sshdInstalled, startSshd, type SshdPeer } from '../../support/sshd';

describe('connection-secrets test (file provider, real PostgreSQL and OpenSSH)', function () {
  let pg: PostgresPeer;
  let sshd: SshdPeer;
  let ws: string;
  const password = canary('cli-pg-password');
  const stale = canary('cli-pg-stale');
  let keyLines: string[];

  before(async function () {
    if (!postgresBinDir()) missingPeer(this, 'PostgreSQL', postgresInstall);
    if (!sshdInstalled()) missingPeer(this, 'OpenSSH server', sshdInstall);
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-cli-test-'));
    const key = makeSshKey(ws, 'deploy');
    fs.rmSync(path.join(ws, 'deploy'));
    keyLines = key.privateKey.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'));
    pg = await startPostgres();
    await pg.createUser('warehouse', password);
    sshd = await startSshd([key.publicKey]);
    fs.writeFileSync(
      path.join(ws, 'secrets.json'),
      JSON.stringify({ warehouse: { username: 'warehouse', password }, old: { password: stale }, deploy: { privateKey: key.privateKey } }),
    );
    fs.writeFileSync(
      path.join(ws, 'connections.yaml'),
      `secretsManager:
  scope: workspace
  provider: { type: file, path: secrets.json }
connections:
  warehouse:
    type: postgres
    host: ${pg.host}
    port: ${pg.port}
    database: warehouse
    user: "{{workato:sm:username:warehouse}}"
    password: "{{workato:sm:password:warehouse}}"
  warehouse-stale:
    type: postgres
    host: ${pg.host}
    port: ${pg.port}
    database: warehouse
    user: warehouse
    password: "{{workato:sm:password:old}}"
  deploy-box:
    type: ssh
    host: ${sshd.host}
    port: ${sshd.port}
    user: ${sshd.user}
    privateKey: "{{workato:sm:privateKey:deploy}}"
  broken-ref:
    type: postgres
    host: ${pg.host}
    port: ${pg.port}
    user: warehouse
    password: "{{workato:sm:nokey:warehouse}}"
  bucket:
    type: s3
    bucket: reports
`,
    );
  });

  after(async () => {
    await pg?.stop();
    await sshd?.stop();
    if (ws) fs.rmSync(ws, { recursive: true, force: true });
  });

  const cli = () => {
    const out = { stdout: '', stderr: '' };
    return { out, io: { stdout: (s: string) => void (out.stdout += s), stderr: (s: string) => void (out.stderr += s), cwd: ws, env: {} as NodeJS.ProcessEnv } };
  };
  const clean = (text: string) => assertNoCanary(text, [password, stale, ...keyLines], 'CLI output');

  it('tests one connection and exits 0 when it authenticates', async () => {
    const { out, io } = cli();
    assert.equal(await run(['warehouse'], io), 0, out.stdout + out.stderr);
    assert.match(out.stdout, /^ok {3}warehouse \(postgres\) \d+ ms: Connected to PostgreSQL/);
    clean(out.stdout + out.stderr);
  });

  it('exits 1 with the failure class when the stored password is wrong', async () => {
    const { out, io } = cli();
    assert.equal(await run(['warehouse-stale', '--format', 'json'], io), 1);
    const parsed = JSON.parse(out.stdout);
    assert.equal(parsed.results[0].failureClass, 'badCredentials');
    clean(out.stdout + out.stderr);
  });

  it('--all tests every testable connection concurrently, skips other types and summarises', async () => {
    const { out, io } = cli();
    assert.equal(await run(['--all', '--format', 'json', '--concurrency', '2'], io), 1);
    const parsed = JSON.parse(out.stdout);
    const byName = Object.fromEntries(parsed.results.map((r: { connection: string }) => [r.connection, r]));
    assert.equal(byName.warehouse.ok, true);
    assert.equal(byName['deploy-box'].ok, true);
    assert.equal(byName['warehouse-stale'].failureClass, 'badCredentials');
    assert.equal(byName['broken-ref'].ok, false);
    assert.match(byName['broken-ref'].message, /^Not tested: password .* did not resolve/);
    assert.deepEqual(parsed.skipped.map((s: { connection: string }) => s.connection), ['bucket']);
    assert.deepEqual({ total: parsed.summary.total, passed: parsed.summary.passed, failed: parsed.summary.failed }, { total: 4, passed: 2, failed: 2 });
    clean(out.stdout + out.stderr);
  });

  it('prints a text summary line with --all', async () => {
    const { out, io } = cli();
    await run(['--all'], io);
    assert.match(out.stdout, /\n2 passed, 2 failed \(1 bad credentials, 1 configuration\), 1 skipped in \d+ ms\n$/);
    assert.match(out.stdout, /^skip bucket \(s3\): no tester for this type$/m);
    clean(out.stdout + out.stderr);
  });

  it('treats a missing name, an unknown connection and a bad --concurrency as usage errors', async () => {
    await assert.rejects(run([], cli().io), UsageError);
    await assert.rejects(run(['nope'], cli().io), /no connection "nope"/);
    await assert.rejects(run(['--all', '--concurrency', '0'], cli().io), UsageError);
  });
});
