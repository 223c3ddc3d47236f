/**
 * Every rule the linter (and `validate`) can report: stable id, default severity, what it finds
 * and the fix it offers. The CLI's SARIF output lists them; docs/linting.md mirrors this table; a
 * unit test checks that every id a rule emits is here.
 */
import type { Severity } from '../model';

export interface RuleInfo {
  severity: Severity;
  /** What the rule finds, one sentence. */
  what: string;
  /** The quick fix, when one is offered. */
  fix?: string;
}

export const RULES: Record<string, RuleInfo> = {
  'pem/missing-begin': { severity: 'error', what: 'An END line with no BEGIN line before it.' },
  'pem/missing-end': { severity: 'error', what: 'A BEGIN line with no END line after it.' },
  'pem/malformed-boundary': { severity: 'error', what: 'A BEGIN/END line without exactly five dashes, a space and a capitalised label.', fix: 'Rewrite the line (known labels).' },
  'pem/label-mismatch': { severity: 'error', what: 'The END label differs from the BEGIN label.', fix: 'Use the label the body confirms on both lines.' },
  'pem/unknown-label': { severity: 'warning', what: 'A label that is not a key, certificate or other known PEM type.' },
  'pem/header-newline': { severity: 'error', what: 'No line break after the BEGIN line.', fix: 'Put the BEGIN line on its own line.' },
  'pem/footer-newline': { severity: 'error', what: 'No line break before the END line.', fix: 'Put the END line on its own line.' },
  'pem/encapsulated-headers': { severity: 'error', what: 'Proc-Type / DEK-Info headers not followed by an empty line.', fix: 'Add the empty line.' },
  'pem/blank-line': { severity: 'error', what: 'An empty line inside the body (OpenSSL stops reading there).', fix: 'Remove the empty line.' },
  'pem/invalid-base64': { severity: 'error', what: 'A body character outside base64, data after the padding, or a body cut short.' },
  'pem/line-length': { severity: 'info', what: 'Body lines longer than 76 characters.', fix: 'Wrap the body at 64 characters.' },
  'pem/der-invalid': { severity: 'error', what: 'The decoded body does not parse (Node crypto) as what the label says: PKCS#8, PKCS#1, SEC1, encrypted PKCS#8, public key, X.509 certificate, OpenSSH key.' },
  'pem/wrong-label': { severity: 'error', what: 'The body parses, but as another type than the label says (e.g. PKCS#1 under PRIVATE KEY).', fix: 'Relabel it.' },
  'pem/double-escaped': { severity: 'error', what: 'Line breaks escaped twice (\\\\n).', fix: 'Remove the double escaping.' },
  'pem/flattened-newlines': { severity: 'error', what: 'Line breaks replaced by spaces.', fix: 'Restore the line breaks.' },
  'pem/mixed-newlines': { severity: 'error', what: 'Escaped \\n and real line breaks in the same value.', fix: 'Convert to the escaped single line / to multi-line.' },
  'pem/crlf': { severity: 'warning', what: 'Windows line ends (CR LF).', fix: 'Normalise line ends to LF.' },
  'pem/missing-trailing-newline': { severity: 'warning', what: 'No line break after the END line (an error between two blocks).', fix: 'Add the trailing newline.' },
  'pem/expected-escaped': { severity: 'warning', what: 'A secret value in multi-line form where the escaped single line is expected (setting lint.pemForm).', fix: 'Convert to the escaped single line.' },
  'pem/expected-multiline': { severity: 'warning', what: 'The escaped single-line form in a PEM file (error) or where multi-line is expected (setting lint.pemForm).', fix: 'Convert to multi-line.' },
  'pem/text-outside': { severity: 'info', what: 'Text outside the BEGIN…END blocks of a secret value.', fix: 'Remove it.' },
  'pem/too-many-blocks': { severity: 'warning', what: 'More than 2,000 BEGIN/END lines; the rest is not checked.' },
  'pem/encrypted-no-passphrase': { severity: 'warning', what: 'An encrypted private key with no passphrase configured next to it.' },
  'pem/wrong-passphrase': { severity: 'error', what: 'The configured passphrase does not decrypt the key.' },
  'x509/expired': { severity: 'error', what: 'The certificate has expired.' },
  'x509/not-yet-valid': { severity: 'error', what: 'The certificate is not valid yet.' },
  'x509/expiring': { severity: 'warning', what: 'The certificate expires within the warning window (setting lint.expiryWarningDays).' },
  'x509/key-mismatch': { severity: 'error', what: 'A private key and a certificate stored together whose public keys differ.' },
  'secret/not-key-value': { severity: 'error', what: 'An AWS secret that is not a JSON key/value object (Workato reads only those).' },
  'secret/invalid-json': { severity: 'warning', what: 'A secret value that starts like JSON but does not parse (an error for AWS).' },
  'secret/disabled': { severity: 'error', what: 'A referenced Azure secret is disabled.' },
  'secret/expired': { severity: 'error', what: 'A referenced Azure secret is past its expiry date.' },
  'secret/not-yet-active': { severity: 'error', what: 'A referenced Azure secret is before its activation date.' },
  'ref/malformed': { severity: 'error', what: 'A reference that does not follow {{workato:sm:…}}.' },
  'ref/invalid-for-provider': { severity: 'error', what: 'A reference whose parts do not fit the provider in scope (e.g. an AWS reference without a key).' },
  'ref/vault-engine-reserved': { severity: 'error', what: 'A Vault engine name with a character Workato reserves (; / ? : @ & = + $ ,).' },
  'ref/kv2-data-prefix': { severity: 'warning', what: 'A Vault path starting with data/, which the KV v2 API adds itself.', fix: 'Remove data/.' },
  'ref/missing-key': { severity: 'error', what: 'The referenced key does not exist in the secret.' },
  'ref/unresolved': { severity: 'error', what: 'A reference that does not resolve (missing secret, denied, unreachable provider).' },
  'conn/hard-coded-credential': { severity: 'warning', what: 'A literal value in a credential field (password, token, clientSecret, privateKey, …).', fix: 'Move it into the secrets manager (after confirmation) and reference it.' },
};

/** True when `ruleId` is switched off by an entry of `disabled` (an id, or a prefix like `x509/*`). */
export function isDisabled(ruleId: string, disabled: readonly string[]): boolean {
  for (const d of disabled) {
    if (d === ruleId) return true;
    if (d.endsWith('/*') && ruleId.startsWith(d.slice(0, -1))) return true;
  }
  return false;
}
