/**
 * PostgreSQL connections, with the `pg` driver: connect (password authentication, TLS when
 * `ssl` asks for it) and run `show server_version`. Success means the server accepted the user and
 * password for the database and answered a query.
 */
import { Client, type ClientConfig } from 'pg';
import type tls from 'node:tls';
import type { ConnectionTester } from '../core/tester';
import { TestFailure, classifyNetworkError, credentialValues, hostPort, port, required, runTest, str, tlsMode, unknownFailure } from './common';
import { peerDetails, trustedCas } from './tls';

/** SQLSTATE classes a user acts on differently. */
function classifyPostgres(e: unknown, target: string, user: string, database: string, ssl: boolean): TestFailure {
  const err = e as { code?: string; message?: string };
  const text = err.message ?? '';
  switch (err.code) {
    case '28P01':
      return new TestFailure('badCredentials', `${target} rejected the password of user "${user}" — store the current password in the secret behind password.`, { sqlState: err.code });
    case '28000':
      if (/no pg_hba\.conf entry/.test(text)) {
        if (!ssl && /no encryption/.test(text)) {
          return new TestFailure('config', `${target} accepts user "${user}" only over TLS — set ssl: true.`, { sqlState: err.code });
        }
        return new TestFailure('denied', `${target} does not let user "${user}" connect to "${database}" from this machine (pg_hba.conf) — ask the database administrator to allow it.`, { sqlState: err.code });
      }
      return new TestFailure('badCredentials', `${target} rejected user "${user}" (${text.slice(0, 120)}) — check user and the password secret.`, { sqlState: err.code });
    case '3D000':
      return new TestFailure('config', `Database "${database}" does not exist on ${target} — fix database in connections.yaml.`, { sqlState: err.code });
    case '42501':
      return new TestFailure('denied', `User "${user}" may not connect to "${database}" on ${target} (${text.slice(0, 120)}) — grant CONNECT on the database to the user.`, { sqlState: err.code });
    case '53300':
      return new TestFailure('unknown', `${target} has too many connections — try again later.`, { sqlState: err.code });
    case '57P03':
      return new TestFailure('unknown', `${target} is starting up or shutting down — try again in a moment.`, { sqlState: err.code });
  }
  if (text === 'The server does not support SSL connections') {
    return new TestFailure('tls', `${target} does not offer TLS — set ssl: false, or enable ssl on the server.`);
  }
  if (/password must be a (non-empty )?string/i.test(text)) {
    return new TestFailure('config', 'password is empty but the server asks for one — set password (or the secret it refers to) in connections.yaml.');
  }
  if (/Connection terminated due to connection timeout/.test(text)) {
    return new TestFailure('timeout', `${target} did not complete the PostgreSQL handshake in time — check host and port, or raise the timeout.`);
  }
  if (/Connection terminated unexpectedly/.test(text)) {
    return new TestFailure('unreachable', `${target} closed the connection during the handshake — check that the port is PostgreSQL's.`);
  }
  return classifyNetworkError(e, target) ?? unknownFailure(e, target);
}

export const test: ConnectionTester = async (connection, options) => {
  const host = typeof connection.host === 'string' ? connection.host : '';
  let p = 5432;
  let target = host || 'the connection';
  try {
    p = port(connection, 5432);
    target = hostPort(host, p);
  } catch {
    /* port is validated again, inside runTest, as a config failure */
  }
  let ssl = false;
  let user = '';
  let database = '';
  return runTest(options, { target, secrets: credentialValues(connection), classify: (e) => classifyPostgres(e, target, user, database, ssl) }, async (ctx) => {
    required(connection, 'host');
    port(connection, 5432);
    user = required(connection, 'user');
    database = str(connection, 'database') ?? user;
    ssl = tlsMode(connection.ssl);
    const password = str(connection, 'password') ?? '';
    const ca = trustedCas(str(connection, 'caCert'));
    const config: ClientConfig = {
      host,
      port: p,
      user,
      database,
      // A function, so that an empty password is sent as such instead of falling back to
      // PGPASSWORD or ~/.pgpass, which would test something other than the connection.
      password: async () => password,
      // Always explicit, so PGSSLMODE and friends in the environment do not change the test.
      ssl: ssl ? { rejectUnauthorized: true, ...(ca ? { ca } : {}) } : false,
      connectionTimeoutMillis: options.timeoutMs ?? 10_000,
      application_name: 'connection-secrets test',
    };
    const client = new Client(config);
    // A connection error after connect() settles must not become an uncaught 'error' event.
    client.on('error', () => undefined);
    ctx.onCleanup(() => {
      const stream = (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream;
      stream?.destroy();
    });
    await client.connect();
    try {
      const res = await client.query<{ server_version: string; u: string; d: string }>('select current_setting($1) as server_version, current_user as u, current_database() as d', ['server_version']);
      const row = res.rows[0];
      const stream = (client as unknown as { connection?: { stream?: tls.TLSSocket } }).connection?.stream;
      const tlsFacts = ssl ? peerDetails(stream) : {};
      return {
        message: `Connected to PostgreSQL ${row.server_version.split(' ')[0]} at ${target} as "${row.u}" (database "${row.d}"${ssl ? `, ${tlsFacts.tlsProtocol ?? 'TLS'}` : ''}).`,
        details: { serverVersion: row.server_version, user: row.u, database: row.d, tls: ssl ? 'on' : 'off', ...tlsFacts },
      };
    } finally {
      await client.end().catch(() => undefined);
    }
  });
};
