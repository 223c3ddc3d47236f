/**
 * SSH (and SFTP) connections, with the `ssh2` client: public-key authentication with the private
 * key from the connection (PEM or OpenSSH form, optionally encrypted with `passphrase`), or a
 * password. Success means the server accepted the user's key (or password): no command is run.
 *
 * `hostKey` (optional) pins the server's host key by its fingerprint as `ssh-keygen -l` prints it
 * (`SHA256:…`); a different key fails the test as a TLS-class (identity) failure. Without it,
 * the fingerprint seen is reported in the details, like ssh's first connection.
 */
import { createHash } from 'node:crypto';
import { Client, utils, type ConnectConfig } from 'ssh2';
import type { ConnectionTester } from '../core/tester';
import { TestFailure, classifyNetworkError, credentialValues, hostPort, pem, port, required, runTest, str, unknownFailure } from './common';

function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** Parses the key up front so that a key problem is told apart from a server refusing it. */
function checkKey(privateKey: string, passphrase: string | undefined): string {
  const key = pem(privateKey);
  const parsed = utils.parseKey(key, passphrase);
  if (!(parsed instanceof Error)) return key;
  const msg = parsed.message;
  if (/no passphrase given/i.test(msg)) {
    throw new TestFailure('config', 'privateKey is encrypted — set passphrase (or the secret it refers to).');
  }
  if (passphrase && /passphrase|decrypt|bad|Malformed/i.test(msg)) {
    throw new TestFailure('badCredentials', 'passphrase does not decrypt privateKey — store the right passphrase, or the matching key.');
  }
  throw new TestFailure('config', 'privateKey is not a private key the SSH client can read — store it in PEM (-----BEGIN RSA PRIVATE KEY-----) or OpenSSH (-----BEGIN OPENSSH PRIVATE KEY-----) form.');
}

export const test: ConnectionTester = async (connection, options) => {
  const host = typeof connection.host === 'string' ? connection.host : '';
  let target = host || 'the connection';
  try {
    target = hostPort(host, port(connection, 22));
  } catch {
    /* reported inside runTest */
  }
  let user = '';
  let mismatch: { seen: string; expected: string } | undefined;
  const classify = (e: unknown): TestFailure => {
    const err = e as { level?: string; message?: string };
    if (mismatch) {
      return new TestFailure('tls', `The host key of ${target} is ${mismatch.seen}, not the expected ${mismatch.expected} — if the server's key was changed on purpose, update hostKey; otherwise do not trust this server.`, { hostKeyFingerprint: mismatch.seen });
    }
    if (err.level === 'client-authentication') {
      return new TestFailure('badCredentials', `${target} rejected the credentials of user "${user}" — store the private key whose public key is in ~${user}/.ssh/authorized_keys on the server, or fix user.`);
    }
    if (err.level === 'client-timeout') {
      return new TestFailure('timeout', `${target} did not complete the SSH handshake in time — check that the port is SSH's, or raise the timeout.`);
    }
    if (err.level === 'protocol' || err.level === 'handshake') {
      return new TestFailure('unknown', `The SSH handshake with ${target} failed (${(err.message ?? '').slice(0, 120)}) — check that the port is SSH's and the server supports current algorithms.`);
    }
    return classifyNetworkError(e, target) ?? unknownFailure(e, target);
  };
  return runTest(options, { target, secrets: credentialValues(connection), classify }, async (ctx) => {
    required(connection, 'host');
    const p = port(connection, 22);
    user = str(connection, 'user') ?? required(connection, 'username', 'user');
    const passphrase = str(connection, 'passphrase');
    const rawKey = str(connection, 'privateKey');
    const password = str(connection, 'password');
    if (!rawKey && !password) throw new TestFailure('config', 'privateKey is missing or empty — set it (or the secret it refers to) in connections.yaml.');
    const expected = str(connection, 'hostKey')?.trim();
    if (expected && !/^SHA256:[A-Za-z0-9+/]{43}=?$/.test(expected)) {
      throw new TestFailure('config', 'hostKey must be a SHA256 fingerprint as `ssh-keygen -l -f <host key>` prints it (SHA256:…) — fix it in connections.yaml.');
    }
    const key = rawKey ? checkKey(rawKey, passphrase) : undefined;
    const client = new Client();
    ctx.onCleanup(() => client.end());
    const config: ConnectConfig = {
      host,
      port: p,
      username: user,
      privateKey: key,
      passphrase,
      password,
      readyTimeout: options.timeoutMs ?? 10_000,
      // Only the given credentials: no agent, no keyboard-interactive prompts.
      tryKeyboard: false,
      hostVerifier: (hostKey: Buffer) => {
        const seen = fingerprint(hostKey);
        ctx.details.hostKeyFingerprint = seen;
        if (expected && expected.replace(/=$/, '') !== seen) {
          mismatch = { seen, expected };
          return false;
        }
        return true;
      },
    };
    await new Promise<void>((resolve, reject) => {
      client.once('ready', () => resolve());
      client.on('error', reject);
      ctx.signal.addEventListener('abort', () => client.end(), { once: true });
      client.connect(config);
      // ssh2 leaves Nagle's algorithm on; with the server's delayed ACKs every handshake round
      // trip then waits for them (measured: 120-150 ms per test on loopback, 35-70 ms without).
      client.setNoDelay(true);
    });
    const serverVersion = (client as unknown as { _remoteVer?: string })._remoteVer;
    client.end();
    return {
      message: `Authenticated to ${target} as "${user}" with ${key ? 'the private key' : 'the password'}${serverVersion ? ` (${serverVersion})` : ''}${expected ? ', host key verified' : ''}.`,
      details: { user, auth: key ? 'publickey' : 'password', ...(serverVersion ? { serverVersion } : {}), hostKeyVerified: expected ? 'yes' : 'no (no hostKey set)' },
    };
  });
};
