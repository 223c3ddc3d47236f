/**
 * MySQL and MariaDB connections, with the `mysql2` driver: connect (password authentication, TLS
 * when `ssl` asks for it) and run `SELECT VERSION()`. Success means the server accepted the user
 * and password (for the database, if one is named) and answered a query.
 */
import mysql from 'mysql2';
import type tls from 'node:tls';
import type { ConnectionTester } from '../core/tester';
import { TestFailure, classifyNetworkError, credentialValues, hostPort, port, required, runTest, str, tlsMode, unknownFailure } from './common';
import { peerDetails, trustedCas } from './tls';

function classifyMysql(e: unknown, target: string, user: string, database: string | undefined, ssl: boolean): TestFailure {
  const err = e as { code?: string; errno?: number; message?: string };
  const text = err.message ?? '';
  const facts = err.code ? { errorCode: err.code } : undefined;
  switch (err.code) {
    case 'ER_ACCESS_DENIED_ERROR':
    case 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR':
      return new TestFailure('badCredentials', `${target} rejected user "${user}" with this password — store the current password in the secret behind password${ssl ? '' : ' (or, if the account requires TLS, set ssl: true)'}.`, facts);
    case 'ER_DBACCESS_DENIED_ERROR':
      return new TestFailure('denied', `User "${user}" may not use database "${database}" on ${target} — grant the user privileges on it, or fix database.`, facts);
    case 'ER_BAD_DB_ERROR':
      return new TestFailure('config', `Database "${database}" does not exist on ${target} — fix database in connections.yaml.`, facts);
    case 'ER_HOST_NOT_PRIVILEGED':
    case 'ER_HOST_IS_BLOCKED':
      return new TestFailure('denied', `${target} does not accept connections from this machine (${err.code}) — ask the database administrator to allow this host.`, facts);
    case 'ER_SECURE_TRANSPORT_REQUIRED':
      return new TestFailure('config', `${target} accepts only TLS connections — set ssl: true.`, facts);
    case 'HANDSHAKE_NO_SSL_SUPPORT':
      return new TestFailure('tls', `${target} does not offer TLS — set ssl: false, or enable TLS on the server.`, facts);
    case 'ER_CON_COUNT_ERROR':
    case 'ER_TOO_MANY_USER_CONNECTIONS':
      return new TestFailure('unknown', `${target} has too many connections — try again later.`, facts);
    case 'ER_NOT_SUPPORTED_AUTH_MODE':
      return new TestFailure('config', `${target} asks for an authentication method the mysql2 driver lacks — use mysql_native_password or caching_sha2_password for user "${user}".`, facts);
    case 'HANDSHAKE_SSL_ERROR': {
      // mysql2 overwrites the TLS error's code; OpenSSL's message tells which check failed.
      const original = tlsCodeFromMessage(text);
      return (original && classifyNetworkError({ code: original }, target)) || new TestFailure('tls', `TLS handshake with ${target} failed (${text.slice(0, 120)}) — check the server's certificate and caCert.`, facts);
    }
    case 'PROTOCOL_CONNECTION_LOST':
      return new TestFailure('unreachable', `${target} closed the connection during the handshake — check that the port is MySQL's.`, facts);
  }
  if (/unknown plugin|authentication plugin/i.test(text)) {
    return new TestFailure('config', `${target} asks for an authentication plugin the mysql2 driver lacks (${text.slice(0, 100)}) — use mysql_native_password or caching_sha2_password for user "${user}".`);
  }
  return classifyNetworkError(e, target) ?? unknownFailure(e, target);
}

const tlsMessages: Array<[RegExp, string]> = [
  [/unable to verify the first certificate/i, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
  [/self[- ]signed certificate in certificate chain/i, 'SELF_SIGNED_CERT_IN_CHAIN'],
  [/self[- ]signed certificate/i, 'DEPTH_ZERO_SELF_SIGNED_CERT'],
  [/unable to get (local )?issuer certificate/i, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'],
  [/certificate has expired/i, 'CERT_HAS_EXPIRED'],
  [/certificate is not yet valid/i, 'CERT_NOT_YET_VALID'],
  [/does not match certificate's altnames/i, 'ERR_TLS_CERT_ALTNAME_INVALID'],
];

function tlsCodeFromMessage(text: string): string | undefined {
  return tlsMessages.find(([re]) => re.test(text))?.[1];
}

export const test: ConnectionTester = async (connection, options) => {
  const host = typeof connection.host === 'string' ? connection.host : '';
  let target = host || 'the connection';
  try {
    target = hostPort(host, port(connection, 3306));
  } catch {
    /* reported inside runTest */
  }
  let ssl = false;
  let user = '';
  let database: string | undefined;
  return runTest(options, { target, secrets: credentialValues(connection), classify: (e) => classifyMysql(e, target, user, database, ssl) }, async (ctx) => {
    required(connection, 'host');
    const p = port(connection, 3306);
    user = required(connection, 'user');
    database = str(connection, 'database');
    ssl = tlsMode(connection.ssl);
    const ca = trustedCas(str(connection, 'caCert'));
    const conn = mysql.createConnection({
      host,
      port: p,
      user,
      password: str(connection, 'password') ?? '',
      database,
      ssl: ssl ? { rejectUnauthorized: true, verifyIdentity: true, ...(ca ? { ca } : {}) } : undefined,
      connectTimeout: options.timeoutMs ?? 10_000,
    });
    // Errors after the test settled (the server closing the socket) must not go uncaught.
    conn.on('error', () => undefined);
    ctx.onCleanup(() => conn.destroy());
    const rows = await new Promise<Array<{ v: string; u: string; d: string | null }>>((resolve, reject) => {
      conn.query('SELECT VERSION() AS v, CURRENT_USER() AS u, DATABASE() AS d', (err, result) => (err ? reject(err) : resolve(result as Array<{ v: string; u: string; d: string | null }>)));
    });
    const row = rows[0];
    const stream = (conn as unknown as { stream?: tls.TLSSocket }).stream;
    const tlsFacts = ssl ? peerDetails(stream) : {};
    await new Promise<void>((resolve) => conn.end(() => resolve()));
    const flavour = /mariadb/i.test(row.v) ? 'MariaDB' : 'MySQL';
    return {
      message: `Connected to ${flavour} ${row.v.split('-')[0]} at ${target} as ${row.u}${row.d ? ` (database "${row.d}")` : ''}${ssl ? `, ${tlsFacts.tlsProtocol ?? 'TLS'}` : ''}.`,
      details: { serverVersion: row.v, user: row.u, ...(row.d ? { database: row.d } : {}), tls: ssl ? 'on' : 'off', ...tlsFacts },
    };
  });
};
