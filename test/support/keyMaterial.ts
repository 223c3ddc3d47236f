/**
 * Real keys and certificates for the linter's tests and bench, made at test time with the
 * `openssl` CLI (and `ssh-keygen` for OpenSSH keys): RSA, EC and Ed25519 in PKCS#1, PKCS#8 and
 * SEC1, encrypted PKCS#8 and legacy encrypted PEM, public keys, and certificates that are valid,
 * expiring, expired and not yet valid (the last two through `openssl ca` with explicit dates).
 * Nothing is checked in; the temp dir is removed by `remove()`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const PASSPHRASE = 'lint-test-passphrase';

export interface KeyMaterial {
  dir: string;
  rsaPkcs1: string;
  rsaPkcs8: string;
  rsaSpki: string;
  rsaPublicPkcs1: string;
  ecSec1: string;
  ecPkcs8: string;
  ecSpki: string;
  ed25519Pkcs8: string;
  ed25519Spki: string;
  /** EC key, PKCS#8 encrypted with PASSPHRASE (AES-256, PBKDF2). */
  encryptedPkcs8: string;
  /** RSA key, PKCS#1 with legacy PEM encryption (Proc-Type / DEK-Info) with PASSPHRASE. */
  legacyEncrypted: string;
  /** Self-signed for `ecPkcs8`, valid 400 days. */
  cert: string;
  /** Self-signed for `rsaPkcs8`, valid 400 days. */
  rsaCert: string;
  /** Self-signed for `ed25519Pkcs8`, valid 400 days. */
  ed25519Cert: string;
  /** For `ecPkcs8`, valid 2 days (inside any expiry window). */
  shortCert: string;
  /** For `ecPkcs8`, valid January–March 2020. */
  expiredCert: string;
  /** For `ecPkcs8`, valid from 2099. */
  futureCert: string;
  /** A certificate revocation list issued with `ecPkcs8` for `cert` (empty, 30 days). */
  crl: string;
  /** `ssh-keygen` Ed25519 keys in the OpenSSH format, when ssh-keygen is installed. */
  openssh?: { plain: string; encrypted: string };
  remove(): void;
}

function run(cmd: string, args: string[], cwd: string) {
  execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

export function hasSshKeygen(): boolean {
  return spawnSync('ssh-keygen', ['-?'], { stdio: 'ignore' }).error === undefined;
}

/** Generates everything in a fresh temp dir (about a second; RSA generation dominates). */
export function makeKeyMaterial(): KeyMaterial {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-keys-'));
  const o = (...args: string[]) => run('openssl', args, dir);
  o('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'rsa8.pem');
  o('rsa', '-in', 'rsa8.pem', '-traditional', '-out', 'rsa1.pem');
  o('pkey', '-in', 'rsa8.pem', '-pubout', '-out', 'rsa.pub.pem');
  o('rsa', '-in', 'rsa8.pem', '-RSAPublicKey_out', '-out', 'rsa1.pub.pem');
  o('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ec1.pem');
  o('pkey', '-in', 'ec1.pem', '-out', 'ec8.pem');
  o('pkey', '-in', 'ec8.pem', '-pubout', '-out', 'ec.pub.pem');
  o('genpkey', '-algorithm', 'ed25519', '-out', 'ed.pem');
  o('pkey', '-in', 'ed.pem', '-pubout', '-out', 'ed.pub.pem');
  o('pkcs8', '-topk8', '-in', 'ec8.pem', '-v2', 'aes-256-cbc', '-passout', `pass:${PASSPHRASE}`, '-out', 'enc8.pem');
  o('rsa', '-in', 'rsa8.pem', '-traditional', '-aes256', '-passout', `pass:${PASSPHRASE}`, '-out', 'rsa1.enc.pem');
  o('req', '-x509', '-key', 'ec8.pem', '-out', 'cert.pem', '-days', '400', '-subj', '/CN=lint.example.com');
  o('req', '-x509', '-key', 'rsa8.pem', '-out', 'rsacert.pem', '-days', '400', '-subj', '/CN=rsa.example.com');
  o('req', '-x509', '-key', 'ed.pem', '-out', 'edcert.pem', '-days', '400', '-subj', '/CN=ed.example.com');
  o('req', '-x509', '-key', 'ec8.pem', '-out', 'short.pem', '-days', '2', '-subj', '/CN=short.example.com');
  // Past and future validity need explicit dates, which only `openssl ca` takes in OpenSSL 3.0.
  o('req', '-new', '-key', 'ec8.pem', '-subj', '/CN=dated.example.com', '-out', 'dated.csr');
  fs.writeFileSync(path.join(dir, 'index.txt'), '');
  fs.writeFileSync(path.join(dir, 'serial'), '01\n');
  fs.writeFileSync(path.join(dir, 'ca.cnf'), '[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\nserial=serial\nnew_certs_dir=.\ndefault_md=sha256\npolicy=p\nunique_subject=no\n[p]\ncommonName=supplied\n');
  const ca = (out: string, start: string, end: string) => o('ca', '-batch', '-config', 'ca.cnf', '-selfsign', '-keyfile', 'ec8.pem', '-in', 'dated.csr', '-startdate', start, '-enddate', end, '-notext', '-out', out);
  ca('expired.pem', '20200101000000Z', '20200301000000Z');
  ca('future.pem', '20990101000000Z', '20991231000000Z');
  o('ca', '-batch', '-config', 'ca.cnf', '-gencrl', '-keyfile', 'ec8.pem', '-cert', 'cert.pem', '-crldays', '30', '-out', 'crl.pem');
  let openssh: KeyMaterial['openssh'];
  if (hasSshKeygen()) {
    run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'lint-test', '-f', 'ossh'], dir);
    run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', PASSPHRASE, '-C', 'lint-test', '-f', 'ossh.enc'], dir);
    openssh = { plain: read(dir, 'ossh'), encrypted: read(dir, 'ossh.enc') };
  }
  return {
    dir,
    rsaPkcs1: read(dir, 'rsa1.pem'),
    rsaPkcs8: read(dir, 'rsa8.pem'),
    rsaSpki: read(dir, 'rsa.pub.pem'),
    rsaPublicPkcs1: read(dir, 'rsa1.pub.pem'),
    ecSec1: read(dir, 'ec1.pem'),
    ecPkcs8: read(dir, 'ec8.pem'),
    ecSpki: read(dir, 'ec.pub.pem'),
    ed25519Pkcs8: read(dir, 'ed.pem'),
    ed25519Spki: read(dir, 'ed.pub.pem'),
    encryptedPkcs8: read(dir, 'enc8.pem'),
    legacyEncrypted: read(dir, 'rsa1.enc.pem'),
    cert: read(dir, 'cert.pem'),
    rsaCert: read(dir, 'rsacert.pem'),
    ed25519Cert: read(dir, 'edcert.pem'),
    shortCert: read(dir, 'short.pem'),
    expiredCert: read(dir, 'expired.pem'),
    futureCert: read(dir, 'future.pem'),
    crl: read(dir, 'crl.pem'),
    openssh,
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

function read(dir: string, file: string): string {
  return fs.readFileSync(path.join(dir, file), 'utf8');
}

/** The seed's single-line form: every line break written as the two characters `\n`. */
export function escaped(pem: string): string {
  return pem.replace(/\n/g, '\\n');
}
