/**
 * The ssh tester against a real OpenSSH server (Debian's openssh-server) on loopback, accepting
 * RSA keys generated in PEM form by ssh-keygen at test time.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConnectionSecretsError } from '../../../src/core/errors';
import { testConnection } from '../../../src/testers';
import { canary } from '../../support/canary';
import { freePort, missingPeer } from '../../support/peer';
import { startSilentServer, type SilentServer } from '../../support/silentServer';
import { makeSshKey, sshdInstall, sshdInstalled, startSshd, type SshKey, type SshdPeer } from '../../support/sshd';
import { assertFailure, assertSuccess } from '../../support/testerAssert';

/** A private key's body lines are as secret as the whole key. */
function keyCanaries(key: SshKey): string[] {
  return key.privateKey.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----') && !l.includes(':'));
}

describe('ssh tester (real OpenSSH server)', function () {
  let sshd: SshdPeer;
  let silent: SilentServer;
  let dir: string;
  let key: SshKey;
  let encrypted: SshKey;
  let stranger: SshKey;
  const passphrase = canary('ssh-passphrase');
  const wrongPassphrase = canary('ssh-wrong-pass');
  let canaries: string[];

  before(async function () {
    if (!sshdInstalled()) missingPeer(this, 'OpenSSH server', sshdInstall);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-ssh-keys-'));
    key = makeSshKey(dir, 'app');
    encrypted = makeSshKey(dir, 'app-encrypted', passphrase);
    stranger = makeSshKey(dir, 'stranger');
    canaries = [passphrase, wrongPassphrase, ...keyCanaries(key), ...keyCanaries(encrypted), ...keyCanaries(stranger)];
    sshd = await startSshd([key.publicKey, encrypted.publicKey]);
    silent = await startSilentServer();
  });

  after(async () => {
    await sshd?.stop();
    await silent?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const conn = (extra: Record<string, unknown> = {}) => ({ type: 'ssh', host: sshd.host, port: sshd.port, user: sshd.user, privateKey: key.privateKey, ...extra });

  it('the keys are PEM, as the issue asks', () => {
    assert.match(key.privateKey, /^-----BEGIN RSA PRIVATE KEY-----\n/);
    assert.match(encrypted.privateKey, /Proc-Type: 4,ENCRYPTED/);
  });

  it('succeeds with the authorized PEM key and reports the server and host key', async () => {
    const r = await testConnection(conn());
    assertSuccess(r, canaries);
    assert.equal(r.details?.auth, 'publickey');
    assert.equal(r.details?.hostKeyFingerprint, sshd.hostKeyFingerprint);
    assert.match(r.details?.serverVersion ?? '', /^OpenSSH_/);
  });

  it('succeeds with the key in the single-line \\n-escaped form and a pinned host key', async () => {
    const r = await testConnection(conn({ privateKey: key.privateKey.trim().replace(/\n/g, '\\n'), hostKey: sshd.hostKeyFingerprint }));
    assertSuccess(r, canaries);
    assert.equal(r.details?.hostKeyVerified, 'yes');
  });

  it('succeeds with an encrypted PEM key and its passphrase (also as type sftp)', async () => {
    assertSuccess(await testConnection(conn({ type: 'sftp', privateKey: encrypted.privateKey, passphrase })), canaries);
  });

  it('fails with badCredentials on a key the server does not know', async () => {
    const r = await testConnection(conn({ privateKey: stranger.privateKey }));
    assertFailure(r, 'badCredentials', canaries, new RegExp(`rejected the credentials of user "${sshd.user}"`));
  });

  it('fails with badCredentials on a wrong passphrase, and config on a missing one', async () => {
    assertFailure(await testConnection(conn({ privateKey: encrypted.privateKey, passphrase: wrongPassphrase })), 'badCredentials', canaries, /passphrase does not decrypt/);
    assertFailure(await testConnection(conn({ privateKey: encrypted.privateKey })), 'config', canaries, /encrypted — set passphrase/);
  });

  it('fails with config on something that is not a key', async () => {
    assertFailure(await testConnection(conn({ privateKey: canaries[0] })), 'config', canaries, /not a private key/);
  });

  it('fails with tls (identity) when the host key differs from the pinned one', async () => {
    const wrong = `SHA256:${'A'.repeat(43)}`;
    const r = await testConnection(conn({ hostKey: wrong }));
    assertFailure(r, 'tls', canaries, /host key .* is SHA256:/);
    assert.equal(r.details?.hostKeyFingerprint, sshd.hostKeyFingerprint);
  });

  it('fails with unreachable when nothing listens on the port', async () => {
    assertFailure(await testConnection(conn({ port: await freePort() })), 'unreachable', canaries);
  });

  it('fails with unreachable when the host name does not resolve', async () => {
    assertFailure(await testConnection(conn({ host: 'no-such-host.invalid' })), 'unreachable', canaries);
  });

  it('fails with timeout when the server never sends its banner', async () => {
    assertFailure(await testConnection(conn({ port: silent.port }), { timeoutMs: 400 }), 'timeout', canaries);
  });

  it('rejects with Cancelled when the caller aborts', async () => {
    const controller = new AbortController();
    const pending = testConnection(conn({ port: silent.port }), { signal: controller.signal, timeoutMs: 30_000 });
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(pending, (e: unknown) => e instanceof ConnectionSecretsError && e.code === 'Cancelled');
  });
});
