/**
 * What a PEM body really is, decided by Node's `crypto` (`createPrivateKey`, `createPublicKey`,
 * `X509Certificate`) after `der.ts` has classified its shape. OpenSSH private keys, which
 * `crypto` does not read, are checked by parsing their documented binary container
 * (PROTOCOL.key in OpenSSH) here; `ssh2` is not loaded for it, so linting never pulls in the SSH
 * client bundle.
 *
 * Parsing a PKCS#8 key costs OpenSSL 3 about half a millisecond, so results are memoised by the
 * SHA-256 of the DER in a bounded cache: an editor re-lints the same value on every keystroke and
 * a workspace holds the same CA certificate in many secrets.
 */
import crypto from 'node:crypto';
import { classifyDer, type DerKind } from './der';

/** The PEM labels the linter knows, what each must contain, and what it is. */
export const PEM_LABELS: Record<string, { der?: DerKind; what: string; kind: 'private' | 'encrypted' | 'public' | 'certificate' | 'other' }> = {
  'PRIVATE KEY': { der: 'pkcs8', what: 'a PKCS#8 private key', kind: 'private' },
  'RSA PRIVATE KEY': { der: 'pkcs1-private', what: 'a PKCS#1 RSA private key', kind: 'private' },
  'EC PRIVATE KEY': { der: 'sec1', what: 'a SEC1 EC private key', kind: 'private' },
  'ENCRYPTED PRIVATE KEY': { der: 'encrypted-pkcs8', what: 'an encrypted PKCS#8 private key', kind: 'encrypted' },
  'OPENSSH PRIVATE KEY': { what: 'an OpenSSH private key', kind: 'private' },
  'PUBLIC KEY': { der: 'spki', what: 'a SubjectPublicKeyInfo public key', kind: 'public' },
  'RSA PUBLIC KEY': { der: 'pkcs1-public', what: 'a PKCS#1 RSA public key', kind: 'public' },
  CERTIFICATE: { der: 'certificate', what: 'an X.509 certificate', kind: 'certificate' },
  'X509 CERTIFICATE': { der: 'certificate', what: 'an X.509 certificate', kind: 'certificate' },
  'TRUSTED CERTIFICATE': { what: 'an OpenSSL trusted certificate', kind: 'other' },
  'CERTIFICATE REQUEST': { der: 'csr', what: 'a certificate signing request', kind: 'other' },
  'NEW CERTIFICATE REQUEST': { der: 'csr', what: 'a certificate signing request', kind: 'other' },
  'X509 CRL': { der: 'crl', what: 'a certificate revocation list', kind: 'other' },
  'DSA PRIVATE KEY': { what: 'a DSA private key', kind: 'private' },
  'DH PARAMETERS': { what: 'Diffie-Hellman parameters', kind: 'other' },
  'EC PARAMETERS': { what: 'EC parameters', kind: 'other' },
  PKCS7: { what: 'a PKCS#7 structure', kind: 'other' },
  CMS: { what: 'a CMS structure', kind: 'other' },
};

/** The label a DER shape belongs under, for the relabel fix. */
export const LABEL_FOR_DER: Partial<Record<DerKind, string>> = {
  pkcs8: 'PRIVATE KEY',
  'encrypted-pkcs8': 'ENCRYPTED PRIVATE KEY',
  'pkcs1-private': 'RSA PRIVATE KEY',
  sec1: 'EC PRIVATE KEY',
  spki: 'PUBLIC KEY',
  'pkcs1-public': 'RSA PUBLIC KEY',
  certificate: 'CERTIFICATE',
  csr: 'CERTIFICATE REQUEST',
  crl: 'X509 CRL',
};

export interface ParsedBody {
  /** The shape of the DER (for OpenSSH keys: `der`, their container is not DER). */
  derKind: DerKind;
  /** True when crypto (or the OpenSSH parser) read it as a valid `derKind`. */
  ok: boolean;
  /** Why it did not parse; from OpenSSL or the parser, never containing input bytes. */
  error?: string;
  /** `rsa`, `ec`, `ed25519`, `ssh-ed25519` … */
  keyType?: string;
  encrypted?: boolean;
  /**
   * The public key (of a key, or of a certificate's subject): equal for a key and its certificate.
   * Kept as crypto's object and reduced to `publicKeyId` only when a value holds both, because
   * exporting it costs a quarter of a key's lint time and most values hold one block.
   */
  publicKey?: crypto.KeyObject;
  certificate?: { notBefore: number; notAfter: number; subject: string };
}

/** A bounded memo of parse results keyed by the body's digest. */
export class ParseCache {
  private readonly entries = new Map<string, ParsedBody>();
  hits = 0;
  misses = 0;

  constructor(readonly maxEntries = 2048) {}

  get(key: string): ParsedBody | undefined {
    const v = this.entries.get(key);
    if (v) {
      this.hits++;
      this.entries.delete(key);
      this.entries.set(key, v);
    } else this.misses++;
    return v;
  }

  set(key: string, value: ParsedBody): void {
    this.entries.set(key, value);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }
}

/** The cache used when the caller passes none (one per process, bounded). */
export const defaultParseCache = new ParseCache();

function opensslReason(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  // "error:068000A8:asn1 encoding routines::wrong tag" → "asn1 encoding routines: wrong tag"
  const parts = m.split(':').filter((p) => p && !/^error$|^[0-9A-F]{8}$/.test(p));
  return parts.join(': ').slice(0, 120) || 'not readable';
}

/**
 * Parses a base64-decoded PEM body as its DER shape says, with crypto. The label is not needed:
 * the caller compares `derKind` with what the label promises.
 */
export function parseDer(der: Buffer, cache: ParseCache | null = defaultParseCache): ParsedBody {
  const key = cache ? crypto.createHash('sha256').update(der).digest('base64') : '';
  const cached = cache?.get(key);
  if (cached) return cached;
  const result = parseUncached(der);
  cache?.set(key, result);
  return result;
}

function parseUncached(der: Buffer): ParsedBody {
  const derKind = classifyDer(der);
  try {
    switch (derKind) {
      case 'pkcs8':
      case 'pkcs1-private':
      case 'sec1': {
        const type = derKind === 'pkcs8' ? 'pkcs8' : derKind === 'sec1' ? 'sec1' : 'pkcs1';
        const k = crypto.createPrivateKey({ key: der, format: 'der', type });
        return { derKind, ok: true, keyType: k.asymmetricKeyType, publicKey: crypto.createPublicKey(k) };
      }
      case 'encrypted-pkcs8':
        try {
          crypto.createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
          return { derKind, ok: false, error: 'it is not encrypted' };
        } catch (e) {
          // OpenSSL recognises EncryptedPrivateKeyInfo and then asks for the passphrase.
          if ((e as { code?: string }).code === 'ERR_MISSING_PASSPHRASE') return { derKind, ok: true, encrypted: true };
          return { derKind, ok: false, error: opensslReason(e) };
        }
      case 'spki':
      case 'pkcs1-public': {
        const k = crypto.createPublicKey({ key: der, format: 'der', type: derKind === 'spki' ? 'spki' : 'pkcs1' });
        return { derKind, ok: true, keyType: k.asymmetricKeyType, publicKey: k };
      }
      case 'certificate': {
        const x = new crypto.X509Certificate(der);
        const cn = /(?:^|\n)CN=([^\n]{1,200})/.exec(x.subject)?.[1];
        return {
          derKind,
          ok: true,
          keyType: x.publicKey.asymmetricKeyType,
          publicKey: x.publicKey,
          certificate: { notBefore: Date.parse(x.validFrom), notAfter: Date.parse(x.validTo), subject: cn ? `CN=${cn}` : x.subject.split('\n')[0] ?? '' },
        };
      }
      case 'csr':
      case 'crl':
      case 'der':
        return { derKind, ok: true };
      case 'not-der':
        return { derKind, ok: false, error: 'the decoded bytes are not one complete DER structure (truncated, or extra bytes at the end)' };
    }
  } catch (e) {
    return { derKind, ok: false, error: opensslReason(e) };
  }
}

/** True when the passphrase decrypts the (encrypted PKCS#8 or legacy encrypted PEM) key. */
export function decrypts(pemText: string, passphrase: string): boolean {
  try {
    crypto.createPrivateKey({ key: pemText, format: 'pem', passphrase });
    return true;
  } catch {
    return false;
  }
}

/** SHA-256 of a public key's SubjectPublicKeyInfo: equal for a key and its certificate. */
export function publicKeyId(k: crypto.KeyObject): string {
  return crypto.createHash('sha256').update(k.export({ type: 'spki', format: 'der' })).digest('hex');
}

/** The public key of a decrypted key, for the certificate match (undefined when it fails). */
export function publicKeyOf(pemText: string, passphrase?: string): crypto.KeyObject | undefined {
  try {
    return crypto.createPublicKey(crypto.createPrivateKey({ key: pemText, format: 'pem', ...(passphrase !== undefined ? { passphrase } : {}) }));
  } catch {
    return undefined;
  }
}

const OPENSSH_MAGIC = Buffer.from('openssh-key-v1\0', 'latin1');
const OPENSSH_CIPHERS: Record<string, number> = {
  none: 8,
  'aes128-ctr': 16,
  'aes192-ctr': 16,
  'aes256-ctr': 16,
  'aes128-cbc': 16,
  'aes192-cbc': 16,
  'aes256-cbc': 16,
  'aes128-gcm@openssh.com': 16,
  'aes256-gcm@openssh.com': 16,
  'chacha20-poly1305@openssh.com': 8,
  '3des-cbc': 8,
};

/** Parses the `openssh-key-v1` container: magic, cipher, KDF, keys, check integers. */
export function parseOpenSsh(data: Buffer): ParsedBody {
  const fail = (error: string): ParsedBody => ({ derKind: 'der', ok: false, error });
  if (data.length < OPENSSH_MAGIC.length || !data.subarray(0, OPENSSH_MAGIC.length).equals(OPENSSH_MAGIC)) {
    return fail('it does not start with the "openssh-key-v1" magic');
  }
  let at = OPENSSH_MAGIC.length;
  const u32 = (): number | undefined => {
    if (at + 4 > data.length) return undefined;
    const v = data.readUInt32BE(at);
    at += 4;
    return v;
  };
  const bytes = (): Buffer | undefined => {
    const n = u32();
    if (n === undefined || at + n > data.length) return undefined;
    const b = data.subarray(at, at + n);
    at += n;
    return b;
  };
  const cipher = bytes()?.toString('latin1');
  const kdf = bytes()?.toString('latin1');
  const kdfOptions = bytes();
  const count = u32();
  if (cipher === undefined || kdf === undefined || kdfOptions === undefined || count === undefined) return fail('its header is truncated');
  const block = OPENSSH_CIPHERS[cipher];
  if (!block) return fail('it names an unknown cipher');
  if (kdf !== 'none' && kdf !== 'bcrypt') return fail('it names an unknown key derivation function');
  if ((cipher === 'none') !== (kdf === 'none')) return fail('its cipher and key derivation function disagree');
  if (count < 1 || count > 16) return fail('it declares an implausible number of keys');
  let keyType: string | undefined;
  for (let i = 0; i < count; i++) {
    const pub = bytes();
    if (!pub || pub.length < 4) return fail('a public key blob is truncated');
    const n = pub.readUInt32BE(0);
    if (4 + n > pub.length) return fail('a public key blob is malformed');
    keyType ??= pub.subarray(4, 4 + n).toString('latin1');
  }
  const priv = bytes();
  if (!priv) return fail('the private section is truncated');
  if (at !== data.length) return fail('there are extra bytes after the private section');
  if (priv.length % block !== 0) return fail('the private section is not a whole number of cipher blocks');
  if (cipher !== 'none') return { derKind: 'der', ok: true, keyType, encrypted: true };
  if (priv.length < 8 || priv.readUInt32BE(0) !== priv.readUInt32BE(4)) return fail('its check integers differ (the key is corrupt)');
  const n = priv.length >= 12 ? priv.readUInt32BE(8) : -1;
  if (n < 0 || 12 + n > priv.length || priv.subarray(12, 12 + n).toString('latin1') !== keyType) return fail('its private key does not match its public key type');
  return { derKind: 'der', ok: true, keyType, encrypted: false };
}
