/**
 * The testers as shipped: `node esbuild.mjs` builds each tester into its own bundle
 * (dist/testers/<type>.js, with pg / mysql2 / ssh2 inside and their optional native add-ons left
 * out), and each bundle, loaded by plain Node from dist/ with no node_modules beside it,
 * authenticates to a real server.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestResult } from '../../../src/core/tester';
import { assertNoCanary, canary } from '../../support/canary';
import { mariadbInstall, mariadbInstalled, startMariadb, type MariadbPeer } from '../../support/mariadb';
import { nginxInstall, nginxInstalled, startNginx, type NginxPeer } from '../../support/nginx';
import { missingPeer } from '../../support/peer';
import { issueCert, makeCa } from '../../support/pki';
import { postgresBinDir, postgresInstall, startPostgres, type PostgresPeer } from '../../support/postgres';
import { makeSshKey, sshdInstall, sshdInstalled, startSshd, type SshKey, type SshdPeer } from '../../support/sshd';

const repo = path.resolve(__dirname, '../../..');

/** Copies the bundle alone into an empty dir (no node_modules reachable) and runs it there. */
function runBundle(bundleDir: string, type: string, values: Record<string, unknown>): Promise<TestResult> {
  return new Promise((resolve, reject) => {
    const script = `const { test } = require(${JSON.stringify(path.join(bundleDir, `${type}.js`))});
let input = ''; process.stdin.on('data', (c) => (input += c)).on('end', async () => {
  const r = await test(JSON.parse(input), { timeoutMs: 10000 });
  process.stdout.write(JSON.stringify(r));
});`;
    // Values go through stdin: a command line or the environment would show them to `ps`.
    const child = spawn(process.execPath, ['-e', script], { cwd: bundleDir, env: { PATH: process.env.PATH ?? '' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`bundle ${type} exited ${code}: ${err.slice(0, 2000)}`));
      resolve(JSON.parse(out) as TestResult);
    });
    child.stdin.end(JSON.stringify(values));
  });
}

describe('tester bundles from dist/ (real servers)', function () {
  let bundleDir: string;
  let work: string;
  let pg: PostgresPeer;
  let maria: MariadbPeer;
  let sshd: SshdPeer;
  let nginx: NginxPeer;
  let key: SshKey;
  const password = canary('bundle-password');

  before(async function () {
    if (!postgresBinDir()) missingPeer(this, 'PostgreSQL', postgresInstall);
    if (!mariadbInstalled()) missingPeer(this, 'MariaDB', mariadbInstall);
    if (!sshdInstalled()) missingPeer(this, 'OpenSSH server', sshdInstall);
    if (!nginxInstalled()) missingPeer(this, 'nginx', nginxInstall);
    execFileSync(process.execPath, ['esbuild.mjs'], { cwd: repo, stdio: ['ignore', 'ignore', 'pipe'] });
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-bundles-'));
    bundleDir = path.join(work, 'dist', 'testers');
    fs.mkdirSync(bundleDir, { recursive: true });
    for (const f of fs.readdirSync(path.join(repo, 'dist', 'testers')).filter((f) => f.endsWith('.js'))) {
      fs.copyFileSync(path.join(repo, 'dist', 'testers', f), path.join(bundleDir, f));
    }
    key = makeSshKey(work, 'bundle-key');
    const ca = makeCa(work, 'bundle-ca');
    [pg, maria, sshd, nginx] = await Promise.all([
      startPostgres(),
      startMariadb(),
      startSshd([key.publicKey]),
      startNginx({ credentials: { basic: { username: 'app', password }, bearerTokens: [password], apiKey: { header: 'X-API-Key', value: password } }, serverCert: issueCert(work, ca, 'srv', 'server'), clientCa: ca }),
    ]);
    await pg.createUser('bundle_user', password);
    await maria.createUser('bundle_user', password);
  });

  after(async () => {
    await Promise.all([pg?.stop(), maria?.stop(), sshd?.stop(), nginx?.stop()]);
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('builds one bundle per tester, each holding only its own driver', () => {
    assert.deepEqual(fs.readdirSync(bundleDir).sort(), ['http.js', 'mysql.js', 'postgres.js', 'ssh.js']);
    const http = fs.readFileSync(path.join(bundleDir, 'http.js'), 'utf8');
    const postgres = fs.readFileSync(path.join(bundleDir, 'postgres.js'), 'utf8');
    assert.ok(!/SCRAM-SERVER-FIRST-MESSAGE|mysql_native_password|ssh-userauth/.test(http), 'http bundle carries no database or SSH driver');
    assert.ok(postgres.includes('SCRAM-SERVER-FIRST-MESSAGE') && !postgres.includes('mysql_native_password'), 'postgres bundle carries pg only');
  });

  it('runs dist/testers/postgres.js (pg) from an empty folder', async () => {
    const r = await runBundle(bundleDir, 'postgres', { type: 'postgres', host: pg.host, port: pg.port, user: 'bundle_user', password });
    assert.equal(r.ok, true, r.message);
    const bad = await runBundle(bundleDir, 'postgres', { type: 'postgres', host: pg.host, port: pg.port, user: 'bundle_user', password: `${password}x` });
    assert.equal(bad.failureClass, 'badCredentials');
    assertNoCanary(JSON.stringify([r, bad]), [password]);
  });

  it('runs dist/testers/mysql.js (mysql2) from an empty folder', async () => {
    const r = await runBundle(bundleDir, 'mysql', { type: 'mysql', host: maria.host, port: maria.port, user: 'bundle_user', password });
    assert.equal(r.ok, true, r.message);
  });

  it('runs dist/testers/ssh.js (ssh2 without its native add-on) from an empty folder', async () => {
    const r = await runBundle(bundleDir, 'ssh', { type: 'ssh', host: sshd.host, port: sshd.port, user: sshd.user, privateKey: key.privateKey });
    assert.equal(r.ok, true, r.message);
  });

  it('runs dist/testers/http.js from an empty folder', async () => {
    const r = await runBundle(bundleDir, 'http', { type: 'http', url: `${nginx.httpUrl}/basic`, auth: { type: 'basic', username: 'app', password } });
    assert.equal(r.ok, true, r.message);
  });
});
