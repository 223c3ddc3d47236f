/**
 * A minimal DER reader: enough to tell which structure a PEM body holds (PKCS#8, PKCS#1, SEC1,
 * encrypted PKCS#8, SubjectPublicKeyInfo, X.509 certificate) before Node's `crypto` parses it.
 * `crypto` decides validity; this only classifies, because OpenSSL 3 accepts a PKCS#8 key under a
 * PKCS#1 label (its decoders try every structure), so the label check needs the structure.
 *
 * Every read is bounds-checked and moves forward: time is linear in the input, and a hostile
 * length field can only make it stop early.
 */

export interface Tlv {
  /** Tag byte (class, constructed bit and number in one byte; high tag numbers are rejected). */
  tag: number;
  /** Offset of the first content byte. */
  start: number;
  /** Offset after the last content byte. */
  end: number;
}

export const TAG = {
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  utcTime: 0x17,
  generalizedTime: 0x18,
  sequence: 0x30,
  set: 0x31,
  context0: 0xa0,
  context1: 0xa1,
} as const;

/** Reads the TLV at `offset` that must end by `limit`; undefined when it is not DER. */
export function readTlv(der: Uint8Array, offset: number, limit = der.length): Tlv | undefined {
  if (offset + 2 > limit) return undefined;
  const tag = der[offset];
  if ((tag & 0x1f) === 0x1f) return undefined; // high tag numbers never occur in these structures
  let length = der[offset + 1];
  let start = offset + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    // DER: definite lengths only, minimal, at most 4 bytes here (4 GiB is far beyond any key).
    if (bytes === 0 || bytes > 4 || start + bytes > limit) return undefined;
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + der[start + i];
    start += bytes;
  }
  const end = start + length;
  if (end > limit) return undefined;
  return { tag, start, end };
}

/** The children of a constructed TLV, or undefined when they do not tile its content exactly. */
export function children(der: Uint8Array, parent: Tlv, max = 64): Tlv[] | undefined {
  const out: Tlv[] = [];
  let at = parent.start;
  while (at < parent.end) {
    if (out.length >= max) return undefined;
    const t = readTlv(der, at, parent.end);
    if (!t) return undefined;
    out.push(t);
    at = t.end;
  }
  return out;
}

/** Dotted form of an OID's content bytes. */
export function oidText(der: Uint8Array, t: Tlv): string {
  const parts: number[] = [];
  let value = 0;
  for (let i = t.start; i < t.end; i++) {
    value = value * 128 + (der[i] & 0x7f);
    if (!(der[i] & 0x80)) {
      if (parts.length === 0) parts.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
      else parts.push(value);
      value = 0;
    }
  }
  return parts.join('.');
}

export type DerKind =
  | 'pkcs8'
  | 'encrypted-pkcs8'
  | 'pkcs1-private'
  | 'sec1'
  | 'spki'
  | 'pkcs1-public'
  | 'certificate'
  | 'csr'
  | 'crl'
  | 'der'
  | 'not-der';

const SMALL_INT = (der: Uint8Array, t: Tlv, value: number) => t.tag === TAG.integer && t.end - t.start === 1 && der[t.start] === value;

/**
 * What a DER buffer holds, by its outer shape. `der` = well-formed DER of another shape;
 * `not-der` = not one complete DER value (truncated, trailing bytes, bad lengths).
 */
export function classifyDer(der: Uint8Array): DerKind {
  const outer = readTlv(der, 0);
  if (!outer || outer.end !== der.length) return 'not-der';
  if (outer.tag !== TAG.sequence) return 'der';
  const kids = children(der, outer, 16);
  if (!kids || kids.length === 0) return 'der';
  const [a, b, c] = kids;
  // PKCS#8 PrivateKeyInfo: version 0|1, AlgorithmIdentifier, OCTET STRING, [attributes], [public key].
  if (kids.length >= 3 && (SMALL_INT(der, a, 0) || SMALL_INT(der, a, 1)) && b.tag === TAG.sequence && c.tag === TAG.octetString) return 'pkcs8';
  // SEC1 ECPrivateKey: version 1, OCTET STRING, [0] parameters, [1] public key.
  if (kids.length >= 2 && SMALL_INT(der, a, 1) && b.tag === TAG.octetString && kids.slice(2).every((k) => k.tag === TAG.context0 || k.tag === TAG.context1)) return 'sec1';
  // PKCS#1 RSAPrivateKey: version, n, e, d, p, q, dp, dq, qinv (plus otherPrimeInfos for v1).
  if (kids.length >= 9 && kids.slice(0, 9).every((k) => k.tag === TAG.integer)) return 'pkcs1-private';
  // EncryptedPrivateKeyInfo: AlgorithmIdentifier (with an OID), OCTET STRING.
  if (kids.length === 2 && a.tag === TAG.sequence && b.tag === TAG.octetString) {
    const alg = children(der, a, 4);
    if (alg && alg[0]?.tag === TAG.oid) return 'encrypted-pkcs8';
  }
  // SubjectPublicKeyInfo: AlgorithmIdentifier, BIT STRING.
  if (kids.length === 2 && a.tag === TAG.sequence && b.tag === TAG.bitString) {
    const alg = children(der, a, 4);
    if (alg && alg[0]?.tag === TAG.oid) return 'spki';
  }
  // PKCS#1 RSAPublicKey: n, e.
  if (kids.length === 2 && a.tag === TAG.integer && b.tag === TAG.integer) return 'pkcs1-public';
  // Certificate, CertificationRequest and CertificateList: a signed SEQUENCE, AlgorithmIdentifier, BIT STRING.
  if (kids.length === 3 && a.tag === TAG.sequence && b.tag === TAG.sequence && c.tag === TAG.bitString) {
    const tbs = children(der, a, 16);
    if (!tbs || tbs.length === 0) return 'der';
    // TBSCertificate starts with [0] version (v3) or the serial INTEGER (v1), and has ≥ 6 fields.
    if (tbs.length >= 6 && (tbs[0].tag === TAG.context0 || tbs[0].tag === TAG.integer)) return 'certificate';
    // CertificationRequestInfo: version 0, subject, SPKI, [0] attributes.
    if (tbs.length >= 3 && SMALL_INT(der, tbs[0], 0) && tbs[1].tag === TAG.sequence && tbs[2].tag === TAG.sequence) return 'csr';
    // TBSCertList: [version 1], signature AlgorithmIdentifier, issuer Name, thisUpdate Time. Any
    // other signed shape (a certificate with a corrupted length, say) is not called a CRL: the
    // label check would otherwise tell the user to relabel a broken certificate.
    const crl = SMALL_INT(der, tbs[0], 1) ? tbs.slice(1) : tbs;
    if (crl.length >= 3 && crl[0].tag === TAG.sequence && crl[1].tag === TAG.sequence && (crl[2].tag === TAG.utcTime || crl[2].tag === TAG.generalizedTime)) return 'crl';
    return 'der';
  }
  return 'der';
}

/** The OID of a PKCS#8 / SPKI AlgorithmIdentifier, for naming the key type when crypto fails. */
export function algorithmOid(der: Uint8Array): string | undefined {
  const outer = readTlv(der, 0);
  if (!outer) return undefined;
  const kids = children(der, outer, 16);
  const alg = kids?.find((k) => k.tag === TAG.sequence);
  if (!alg) return undefined;
  const first = children(der, alg, 4)?.[0];
  return first?.tag === TAG.oid ? oidText(der, first) : undefined;
}
