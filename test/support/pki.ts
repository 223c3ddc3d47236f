/**
 * Test-time X.509 material made with the real `openssl` CLI: a CA, server certificates for
 * loopback and client certificates for mutual TLS. Everything lives in a temp dir the caller
 * removes; nothing is checked in.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface Pem {
  cert: string;
  key: string;
  certPath: string;
  keyPath: string;
}

function openssl(args: string[], cwd: string) {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** True when the openssl CLI is on PATH. */
export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

// EC P-256 keys: generated in milliseconds, unlike RSA, and accepted by nginx, PostgreSQL,
// MariaDB and Node alike.
const keyArgs = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** A self-signed CA named `name` in `dir`. */
export function makeCa(dir: string, name: string): Pem {
  const base = path.join(dir, name);
  openssl(['req', '-x509', ...keyArgs, '-keyout', `${base}.key`, '-out', `${base}.crt`, '-days', '2', '-subj', `/CN=${name}`], dir);
  return read(base);
}

/**
 * A certificate signed by `ca`: a server certificate for localhost/127.0.0.1 (`kind: 'server'`)
 * or a TLS client certificate (`kind: 'client'`).
 */
export function issueCert(dir: string, ca: Pem, name: string, kind: 'server' | 'client'): Pem {
  const base = path.join(dir, name);
  openssl(['req', ...keyArgs, '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', `/CN=${name}`], dir);
  const ext = `${base}.ext`;
  fs.writeFileSync(
    ext,
    kind === 'server'
      ? 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n'
      : 'extendedKeyUsage=clientAuth\n',
  );
  openssl(['x509', '-req', '-in', `${base}.csr`, '-CA', ca.certPath, '-CAkey', ca.keyPath, '-CAcreateserial', '-out', `${base}.crt`, '-days', '2', '-extfile', ext], dir);
  return read(base);
}

function read(base: string): Pem {
  return {
    cert: fs.readFileSync(`${base}.crt`, 'utf8'),
    key: fs.readFileSync(`${base}.key`, 'utf8'),
    certPath: `${base}.crt`,
    keyPath: `${base}.key`,
  };
}
