/** TLS material from connection fields: trusted CAs, client certificates, peer facts for details. */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import type tls from 'node:tls';
import { TestFailure, pem } from './common';

/**
 * Trust for a connection: without `caCert`, the system's roots; with it, the PEM CA(s) it holds
 * and only those — as curl's --cacert and libpq's sslrootcert do. (Adding them to Node's ~140
 * roots would also cost ~100 ms of parsing per test.) Never switches verification off.
 */
export function trustedCas(caCert: string | undefined, field = 'caCert'): string[] | undefined {
  if (!caCert) return undefined;
  const text = pem(caCert);
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  if (!blocks) throw new TestFailure('config', `${field} is not a PEM certificate (-----BEGIN CERTIFICATE-----) — store the CA certificate in PEM form.`);
  for (const b of blocks) {
    try {
      new X509Certificate(b);
    } catch {
      throw new TestFailure('config', `${field} holds a PEM block that is not a valid X.509 certificate — store the CA certificate again.`);
    }
  }
  return blocks;
}

/**
 * A client certificate and its key for mutual TLS, checked before any connection: a malformed
 * PEM is a configuration problem, a key that does not belong to the certificate is a wrong
 * credential.
 */
export function clientCertificate(certificate: string, privateKey: string, passphrase: string | undefined, prefix: string): { cert: string; key: string; passphrase?: string; subject: string; validTo: string } {
  let x509: X509Certificate;
  const cert = pem(certificate);
  try {
    x509 = new X509Certificate(cert);
  } catch {
    throw new TestFailure('config', `${prefix}.certificate is not a PEM X.509 certificate — store the client certificate in PEM form (-----BEGIN CERTIFICATE-----).`);
  }
  const key = pem(privateKey);
  let keyObject;
  try {
    keyObject = createPrivateKey({ key, format: 'pem', passphrase });
  } catch (e) {
    const msg = e instanceof Error ? e.message : '';
    if (/passphrase|decrypt/i.test(msg)) {
      throw new TestFailure(passphrase ? 'badCredentials' : 'config', passphrase ? `${prefix}.passphrase does not decrypt ${prefix}.privateKey — store the right passphrase.` : `${prefix}.privateKey is encrypted — set ${prefix}.passphrase.`);
    }
    throw new TestFailure('config', `${prefix}.privateKey is not a PEM private key — store the key in PEM form (-----BEGIN PRIVATE KEY-----).`);
  }
  if (!x509.checkPrivateKey(keyObject)) {
    throw new TestFailure('badCredentials', `${prefix}.privateKey does not belong to ${prefix}.certificate — store the key the certificate was issued for.`, { clientCertificate: x509.subject.replace(/\n/g, ', ') });
  }
  const now = Date.now();
  if (Date.parse(x509.validTo) < now) {
    throw new TestFailure('badCredentials', `The client certificate in ${prefix}.certificate expired on ${new Date(x509.validTo).toISOString().slice(0, 10)} — issue a new one and store it.`);
  }
  return { cert, key, passphrase, subject: x509.subject.replace(/\n/g, ', '), validTo: new Date(x509.validTo).toISOString() };
}

/** Non-secret facts about an established TLS session. */
export function peerDetails(socket: tls.TLSSocket | undefined): Record<string, string> {
  if (!socket || typeof socket.getPeerCertificate !== 'function') return {};
  const out: Record<string, string> = {};
  const protocol = socket.getProtocol?.();
  if (protocol) out.tlsProtocol = protocol;
  const cert = socket.getPeerCertificate();
  if (cert && Object.keys(cert).length) {
    if (cert.subject?.CN) out.serverCertificate = String(cert.subject.CN);
    if (cert.issuer?.CN) out.serverCertificateIssuer = String(cert.issuer.CN);
    if (cert.valid_to) out.serverCertificateExpires = new Date(cert.valid_to).toISOString();
  }
  return out;
}
