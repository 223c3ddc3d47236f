/**
 * A throw-away certificate authority and a loopback server certificate, made with openssl at test
 * time, so HTTPS test servers can be trusted through configuration (a `caCert` path) instead of
 * switching TLS verification off.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TlsFixture {
  dir: string;
  /** PEM of the CA that signed the server certificate; what a client must trust. */
  caCertPath: string;
  caCert: string;
  /** PEM certificate (SAN localhost, 127.0.0.1) and key for the server. */
  cert: string;
  key: string;
  /** A second CA that signed nothing here: trusting it must NOT make the server trusted. */
  otherCaCertPath: string;
  remove(): void;
}

function openssl(args: string[], cwd: string) {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

export function makeTlsFixture(): TlsFixture {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-tls-'));
  const days = '2';
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', days, '-subj', '/CN=connection-secrets test CA'], dir);
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'other.key', '-out', 'other.pem', '-days', days, '-subj', '/CN=unrelated CA'], dir);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost'], dir);
  fs.writeFileSync(path.join(dir, 'san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n');
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', days, '-extfile', 'san.ext'], dir);
  const read = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8');
  return {
    dir,
    caCertPath: path.join(dir, 'ca.pem'),
    caCert: read('ca.pem'),
    cert: read('server.pem'),
    key: read('server.key'),
    otherCaCertPath: path.join(dir, 'other.pem'),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
