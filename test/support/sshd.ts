/**
 * A real OpenSSH server (Debian's `openssh-server`) for the ssh tester: `sshd -D -e -f <temp
 * config>` on a free loopback port, with a freshly generated host key and an authorized_keys file
 * in a temp dir. The login user is whoever runs the tests (root in CI, hence
 * `PermitRootLogin prohibit-password`: keys only). `StrictModes no` because the temp files are not
 * in the user's home; PAM is off so no system account configuration is touched.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort, startServer, type Server } from './peer';

export const sshdInstall = 'bash scripts/ci/install.d/50-apps.sh (Debian package openssh-server)';
const sshdPath = '/usr/sbin/sshd';

export function sshdInstalled(): boolean {
  return fs.existsSync(sshdPath) && fs.existsSync('/usr/bin/ssh-keygen');
}

export interface SshKey {
  /** PEM private key (`-----BEGIN RSA PRIVATE KEY-----`, encrypted when made with a passphrase). */
  privateKey: string;
  publicKey: string;
}

/** A new RSA key pair in PEM form, as `ssh-keygen -m PEM` writes it. */
export function makeSshKey(dir: string, name: string, passphrase = ''): SshKey {
  const file = path.join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-m', 'PEM', '-N', passphrase, '-C', name, '-f', file], { stdio: 'ignore' });
  return { privateKey: fs.readFileSync(file, 'utf8'), publicKey: fs.readFileSync(`${file}.pub`, 'utf8') };
}

export interface SshdPeer {
  host: string;
  port: number;
  user: string;
  /** The server's host key fingerprint as OpenSSH prints it: `SHA256:<base64>`. */
  hostKeyFingerprint: string;
  version: string;
  /** Replaces the authorized keys (rotation). */
  authorize(publicKeys: string[]): void;
  stop(): Promise<void>;
}

export async function startSshd(authorizedKeys: string[]): Promise<SshdPeer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-sshd-'));
  const hostKey = path.join(dir, 'host_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey], { stdio: 'ignore' });
  const fingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${hostKey}.pub`], { encoding: 'utf8' }).split(' ')[1];
  const authFile = path.join(dir, 'authorized_keys');
  const authorize = (keys: string[]) => fs.writeFileSync(authFile, keys.map((k) => k.trim()).join('\n') + '\n', { mode: 0o600 });
  authorize(authorizedKeys);
  const user = os.userInfo().username;
  const port = await freePort();
  const config = path.join(dir, 'sshd_config');
  fs.writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${dir}/sshd.pid`,
      `AuthorizedKeysFile ${authFile}`,
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      `AllowUsers ${user}`,
      'StrictModes no',
      'UsePAM no',
      'LogLevel VERBOSE',
      'MaxStartups 100:30:200',
      '',
    ].join('\n'),
  );
  // sshd insists on its privilege separation directory when started as root.
  if (process.getuid?.() === 0) fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  let server: Server;
  try {
    server = await startServer(sshdPath, ['-D', '-e', '-f', config], { ready: () => banner(port).then((b) => b.startsWith('SSH-')) });
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    host: '127.0.0.1',
    port,
    user,
    hostKeyFingerprint: fingerprint,
    version: (await banner(port)).trim(),
    authorize,
    async stop() {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The identification line an SSH server sends first. */
function banner(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    s.setTimeout(2_000, () => s.destroy(new Error('no banner')));
    s.once('data', (b) => {
      s.destroy();
      resolve(b.toString().split('\n')[0]);
    });
    s.once('error', reject);
  });
}
