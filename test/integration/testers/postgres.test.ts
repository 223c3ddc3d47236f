/**
 * The postgres tester against a real PostgreSQL (Debian package), started on loopback with TLS
 * from a test CA made by openssl.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConnectionSecretsError } from '../../../src/core/errors';
import { testConnection } from '../../../src/testers';
import { canary } from '../../support/canary';
import { freePort, missingPeer } from '../../support/peer';
import { hasOpenssl, issueCert, makeCa, type Pem } from '../../support/pki';
import { postgresBinDir, postgresInstall, startPostgres, type PostgresPeer } from '../../support/postgres';
import { startSilentServer, type SilentServer } from '../../support/silentServer';
import { assertFailure, assertSuccess } from '../../support/testerAssert';

describe('postgres tester (real PostgreSQL)', function () {
  let pg: PostgresPeer;
  let ca: Pem;
  let otherCa: Pem;
  let silent: SilentServer;
  let dir: string;
  const password = canary('pg-password');
  const wrongPassword = canary('pg-wrong');
  const canaries = [password, wrongPassword];

  before(async function () {
    if (!postgresBinDir() || !hasOpenssl()) missingPeer(this, 'PostgreSQL', postgresInstall);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-pg-pki-'));
    ca = makeCa(dir, 'test-ca');
    otherCa = makeCa(dir, 'other-ca');
    pg = await startPostgres({ tls: issueCert(dir, ca, 'pg-server', 'server') });
    await pg.createUser('app_user', password);
    silent = await startSilentServer();
  });

  after(async () => {
    await pg?.stop();
    await silent?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const conn = (extra: Record<string, unknown> = {}) => ({ type: 'postgres', host: pg.host, port: pg.port, database: 'app_user', user: 'app_user', password, ...extra });

  it('succeeds with the right password and reports the server version', async () => {
    const r = await testConnection(conn());
    assertSuccess(r, canaries);
    assert.equal(r.details?.serverVersion, pg.version);
    assert.equal(r.details?.user, 'app_user');
    assert.equal(r.details?.tls, 'off');
    assert.match(r.message, /PostgreSQL 1\d/);
  });

  it('succeeds over TLS when the server certificate is issued by caCert', async () => {
    const r = await testConnection(conn({ ssl: true, caCert: ca.cert }));
    assertSuccess(r, canaries);
    assert.equal(r.details?.tls, 'on');
    assert.match(r.details?.tlsProtocol ?? '', /^TLSv1\.[23]$/);
    assert.equal(r.details?.serverCertificateIssuer, 'test-ca');
  });

  it('accepts caCert in the single-line \\n-escaped form secrets managers hold', async () => {
    const r = await testConnection(conn({ ssl: 'verify-full', caCert: ca.cert.trim().replace(/\n/g, '\\n') }));
    assertSuccess(r, canaries);
  });

  it('fails with badCredentials on a wrong password', async () => {
    const r = await testConnection(conn({ password: wrongPassword }));
    assertFailure(r, 'badCredentials', canaries, /rejected the password of user "app_user"/);
    assert.equal(r.details?.sqlState, '28P01');
  });

  it('fails with badCredentials on an unknown user', async () => {
    const r = await testConnection(conn({ user: 'nobody_here' }));
    assertFailure(r, 'badCredentials', canaries);
  });

  it('fails with tls when the server certificate is not trusted', async () => {
    const r = await testConnection(conn({ ssl: true }));
    assertFailure(r, 'tls', canaries, /not trusted.*caCert/);
  });

  it('fails with tls when caCert is a different CA', async () => {
    const r = await testConnection(conn({ ssl: true, caCert: otherCa.cert }));
    assertFailure(r, 'tls', canaries);
  });

  it('fails with unreachable when nothing listens on the port', async () => {
    const r = await testConnection(conn({ port: await freePort() }));
    assertFailure(r, 'unreachable', canaries, /refused the connection/);
  });

  it('fails with unreachable when the host name does not resolve', async () => {
    const r = await testConnection(conn({ host: 'no-such-host.invalid' }));
    assertFailure(r, 'unreachable', canaries, /does not resolve/);
  });

  it('fails with timeout when the server never answers', async () => {
    const r = await testConnection(conn({ port: silent.port }), { timeoutMs: 400 });
    assertFailure(r, 'timeout', canaries, /within 400 ms/);
    assert.ok(r.durationMs >= 390, `gave up after ${r.durationMs} ms, not before the limit`);
  });

  it('fails with config when the database does not exist', async () => {
    const r = await testConnection(conn({ database: 'missing_db' }));
    assertFailure(r, 'config', canaries, /Database "missing_db" does not exist/);
  });

  it('fails with config on a missing host, a bad port or a bad ssl value, without connecting', async () => {
    assertFailure(await testConnection(conn({ host: '' })), 'config', canaries, /host is missing/);
    assertFailure(await testConnection(conn({ port: 'abc' })), 'config', canaries, /port must be/);
    assertFailure(await testConnection(conn({ ssl: 'sometimes' })), 'config', canaries, /ssl must be/);
  });

  it('ignores PGPASSWORD and friends in the environment', async () => {
    const saved = { PGPASSWORD: process.env.PGPASSWORD, PGSSLMODE: process.env.PGSSLMODE };
    process.env.PGPASSWORD = password;
    process.env.PGSSLMODE = 'require';
    try {
      const r = await testConnection(conn({ password: '' }));
      assertFailure(r, 'config', canaries, /password is empty/);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it('rejects with Cancelled when the caller aborts, and leaves the server usable', async () => {
    const controller = new AbortController();
    const pending = testConnection(conn({ port: silent.port }), { signal: controller.signal, timeoutMs: 30_000 });
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(pending, (e: unknown) => e instanceof ConnectionSecretsError && e.code === 'Cancelled');
    assertSuccess(await testConnection(conn()), canaries);
  });
});
