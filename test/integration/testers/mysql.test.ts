/**
 * The mysql tester against a real MariaDB (Debian's mariadb-server), started on loopback with TLS
 * from a test CA made by openssl.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConnectionSecretsError } from '../../../src/core/errors';
import { testConnection } from '../../../src/testers';
import { canary } from '../../support/canary';
import { mariadbInstall, mariadbInstalled, startMariadb, type MariadbPeer } from '../../support/mariadb';
import { freePort, missingPeer } from '../../support/peer';
import { hasOpenssl, issueCert, makeCa, type Pem } from '../../support/pki';
import { startSilentServer, type SilentServer } from '../../support/silentServer';
import { assertFailure, assertSuccess } from '../../support/testerAssert';

describe('mysql tester (real MariaDB)', function () {
  let db: MariadbPeer;
  let ca: Pem;
  let silent: SilentServer;
  let dir: string;
  const password = canary('maria-password');
  const wrongPassword = canary('maria-wrong');
  const canaries = [password, wrongPassword];

  before(async function () {
    if (!mariadbInstalled() || !hasOpenssl()) missingPeer(this, 'MariaDB', mariadbInstall);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-maria-pki-'));
    ca = makeCa(dir, 'test-ca');
    db = await startMariadb({ tls: issueCert(dir, ca, 'maria-server', 'server') });
    await db.createUser('app_user', password);
    silent = await startSilentServer();
  });

  after(async () => {
    await db?.stop();
    await silent?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const conn = (extra: Record<string, unknown> = {}) => ({ type: 'mysql', host: db.host, port: db.port, database: 'app_user', user: 'app_user', password, ...extra });

  it('succeeds with the right password and reports the server version', async () => {
    const r = await testConnection(conn());
    assertSuccess(r, canaries);
    assert.equal(r.details?.serverVersion, db.version);
    assert.equal(r.details?.database, 'app_user');
    assert.match(r.message, /Connected to MariaDB 10\.\d+/);
  });

  it('succeeds over TLS when the server certificate is issued by caCert (also as type mariadb)', async () => {
    const r = await testConnection(conn({ type: 'mariadb', ssl: true, caCert: ca.cert }));
    assertSuccess(r, canaries);
    assert.equal(r.details?.tls, 'on');
    assert.equal(r.details?.serverCertificateIssuer, 'test-ca');
  });

  it('fails with badCredentials on a wrong password', async () => {
    const r = await testConnection(conn({ password: wrongPassword }));
    assertFailure(r, 'badCredentials', canaries, /rejected user "app_user"/);
    assert.equal(r.details?.errorCode, 'ER_ACCESS_DENIED_ERROR');
  });

  it('fails with tls when the server certificate is not trusted', async () => {
    const r = await testConnection(conn({ ssl: true }));
    assertFailure(r, 'tls', canaries, /not trusted.*caCert/);
  });

  it('fails with unreachable when nothing listens on the port', async () => {
    assertFailure(await testConnection(conn({ port: await freePort() })), 'unreachable', canaries, /refused/);
  });

  it('fails with unreachable when the host name does not resolve', async () => {
    assertFailure(await testConnection(conn({ host: 'no-such-host.invalid' })), 'unreachable', canaries);
  });

  it('fails with timeout when the server never answers', async () => {
    const r = await testConnection(conn({ port: silent.port }), { timeoutMs: 400 });
    assertFailure(r, 'timeout', canaries);
  });

  it('fails with denied when the user may not use the database, and config when the user is missing', async () => {
    assertFailure(await testConnection(conn({ database: 'mysql' })), 'denied', canaries, /may not use database "mysql"/);
    assertFailure(await testConnection(conn({ user: '' })), 'config', canaries, /user is missing/);
  });

  it('rejects with Cancelled when the caller aborts', async () => {
    const controller = new AbortController();
    const pending = testConnection(conn({ port: silent.port }), { signal: controller.signal, timeoutMs: 30_000 });
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(pending, (e: unknown) => e instanceof ConnectionSecretsError && e.code === 'Cancelled');
  });
});
