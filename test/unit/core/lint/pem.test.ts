/**
 * PEM / X.509 rules on keys and certificates generated at test time by openssl: each rule fails on
 * a broken variant and passes on the original, and each fix yields a value that lints clean and
 * parses with Node's crypto.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { lintPemFile, lintSecretText } from '../../../../src/core/lint';
import { children, classifyDer, readTlv, TAG } from '../../../../src/core/lint/der';
import { applyEdits, assertClean, describe as list, only, parseAll, preferredFix } from '../../../support/lintAssert';
import { escaped, makeKeyMaterial, PASSPHRASE, type KeyMaterial } from '../../../support/keyMaterial';

let km: KeyMaterial;
const DAY = 86_400_000;

before(function () {
  this.timeout(60_000);
  km = makeKeyMaterial();
});
after(() => km?.remove());

/** Every kind of real material, with the passphrase it needs. */
function samples(): { name: string; pem: string; passphrase?: string }[] {
  const s = [
    { name: 'RSA PKCS#1', pem: km.rsaPkcs1 },
    { name: 'RSA PKCS#8', pem: km.rsaPkcs8 },
    { name: 'RSA public (SPKI)', pem: km.rsaSpki },
    { name: 'RSA public (PKCS#1)', pem: km.rsaPublicPkcs1 },
    { name: 'EC SEC1', pem: km.ecSec1 },
    { name: 'EC PKCS#8', pem: km.ecPkcs8 },
    { name: 'EC public', pem: km.ecSpki },
    { name: 'Ed25519 PKCS#8', pem: km.ed25519Pkcs8 },
    { name: 'Ed25519 public', pem: km.ed25519Spki },
    { name: 'encrypted PKCS#8', pem: km.encryptedPkcs8, passphrase: PASSPHRASE },
    { name: 'legacy encrypted PKCS#1', pem: km.legacyEncrypted, passphrase: PASSPHRASE },
    { name: 'certificate (EC)', pem: km.cert },
    { name: 'certificate (RSA)', pem: km.rsaCert },
    { name: 'certificate (Ed25519)', pem: km.ed25519Cert },
  ];
  if (km.openssh) s.push({ name: 'OpenSSH Ed25519', pem: km.openssh.plain }, { name: 'OpenSSH Ed25519 (encrypted)', pem: km.openssh.encrypted });
  return s;
}

const file = (text: string) => lintPemFile(text, '/ws/key.pem');
const secret = (text: string, pemForm?: 'escaped' | 'multiline' | 'either') => lintSecretText(text, '/ws/value', { pemForm });

/** Applies the preferred fix of `ruleId`, then checks the result lints clean and parses. */
function fixAndCheck(text: string, lint: (t: string) => ReturnType<typeof file>, ruleId: string, passphrase?: string): string {
  const p = only(lint(text), ruleId);
  const fixed = applyEdits(text, preferredFix(p).edits);
  assertClean(lint(fixed));
  parseAll(fixed, passphrase);
  return fixed;
}

describe('PEM rules', () => {
  it('real keys and certificates of every kind lint clean as files and as escaped secrets', () => {
    for (const s of samples()) {
      assertClean(file(s.pem), []);
      assertClean(secret(escaped(s.pem)), []);
      parseAll(s.pem, s.passphrase);
    }
  });

  it('pem/crlf: Windows line ends, fixed by normalising to LF', () => {
    for (const s of samples()) {
      const crlf = s.pem.replace(/\n/g, '\r\n');
      // Editors re-insert the document's own line ends, so the file's fix also switches them to LF.
      assert.equal(preferredFix(only(file(crlf), 'pem/crlf')).eol, 'lf');
      const fixed = fixAndCheck(crlf, file, 'pem/crlf', s.passphrase);
      assert.equal(fixed, s.pem, s.name);
      fixAndCheck(escaped(s.pem).replace(/\\n/g, '\\r\\n'), secret, 'pem/crlf', s.passphrase);
    }
  });

  it('pem/double-escaped: \\\\n in a secret, fixed by removing the double escaping', () => {
    for (const s of samples()) {
      const fixed = fixAndCheck(s.pem.replace(/\n/g, '\\\\n'), secret, 'pem/double-escaped', s.passphrase);
      assert.equal(fixed, escaped(s.pem), s.name);
      // In a file, the same fix converts to multi-line.
      assert.equal(fixAndCheck(s.pem.replace(/\n/g, '\\\\n'), file, 'pem/double-escaped', s.passphrase), s.pem);
    }
  });

  it('pem/flattened-newlines: line breaks turned into spaces, fixed by restoring them', () => {
    // Legacy encrypted PEM is left out: its flattened headers cannot be told apart any more.
    for (const s of samples().filter((x) => !x.pem.includes('Proc-Type'))) {
      const flat = s.pem.trimEnd().replace(/\n/g, ' ');
      const problems = secret(flat);
      assert.ok(problems.some((p) => p.ruleId === 'pem/flattened-newlines'), `${s.name}: ${list(problems)}`);
      const fixed = applyEdits(flat, preferredFix(problems.find((p) => p.ruleId === 'pem/flattened-newlines')!).edits);
      assertClean(secret(fixed));
      parseAll(fixed, s.passphrase);
    }
  });

  it('pem/mixed-newlines: escaped and real line breaks mixed, fixed to the expected form; "either" offers both', () => {
    for (const s of samples()) {
      let n = 0;
      const mixed = s.pem.replace(/\n/g, () => (n++ % 2 ? '\\n' : '\n'));
      assert.equal(fixAndCheck(mixed, secret, 'pem/mixed-newlines', s.passphrase), escaped(s.pem));
      assert.equal(fixAndCheck(mixed, (t) => secret(t, 'multiline'), 'pem/mixed-newlines', s.passphrase), s.pem);
      const either = only(secret(mixed, 'either'), 'pem/mixed-newlines');
      assert.deepEqual(either.fixes!.map((f) => f.title).sort(), ['Convert to multi-line', 'Convert to the escaped single line']);
    }
  });

  it('pem/expected-escaped and pem/expected-multiline follow the pemForm setting; files need multi-line', () => {
    for (const s of samples()) {
      assert.equal(fixAndCheck(s.pem, secret, 'pem/expected-escaped', s.passphrase), escaped(s.pem));
      assert.equal(fixAndCheck(escaped(s.pem), (t) => secret(t, 'multiline'), 'pem/expected-multiline', s.passphrase), s.pem);
      assertClean(secret(s.pem, 'either'));
      assertClean(secret(escaped(s.pem), 'either'));
      assertClean(secret(s.pem, 'multiline'));
      const inFile = only(file(escaped(s.pem)), 'pem/expected-multiline');
      assert.equal(inFile.severity, 'error');
      assert.equal(fixAndCheck(escaped(s.pem), file, 'pem/expected-multiline', s.passphrase), s.pem);
    }
  });

  it('pem/missing-trailing-newline: in a file, in a secret, and between two blocks', () => {
    for (const s of samples()) {
      assert.equal(fixAndCheck(s.pem.trimEnd(), file, 'pem/missing-trailing-newline', s.passphrase), s.pem);
      assert.equal(fixAndCheck(escaped(s.pem).slice(0, -2), secret, 'pem/missing-trailing-newline', s.passphrase), escaped(s.pem));
    }
    const chain = km.cert.trimEnd() + km.rsaCert;
    const between = only(file(chain), 'pem/missing-trailing-newline');
    assert.equal(between.severity, 'error');
    assert.deepEqual(fixAndCheck(chain, file, 'pem/missing-trailing-newline'), km.cert + km.rsaCert);
  });

  it('pem/header-newline and pem/footer-newline: body glued to the BEGIN or END line', () => {
    for (const s of samples()) {
      const lines = s.pem.split('\n');
      const glueHead = [lines[0] + lines[1], ...lines.slice(2)].join('\n');
      assert.equal(fixAndCheck(glueHead, file, 'pem/header-newline', s.passphrase), s.pem, s.name);
      const end = lines.length - 2;
      const glueFoot = [...lines.slice(0, end - 1), lines[end - 1] + lines[end], ''].join('\n');
      assert.equal(fixAndCheck(glueFoot, file, 'pem/footer-newline', s.passphrase), s.pem, s.name);
    }
  });

  it('pem/blank-line: an empty line in the body, which Node rejects', () => {
    for (const s of samples().filter((x) => !x.pem.includes('Proc-Type'))) {
      const lines = s.pem.split('\n');
      const broken = [...lines.slice(0, 2), '', ...lines.slice(2)].join('\n');
      if (s.name.startsWith('OpenSSH')) continue; // parsed by the OpenSSH parser, not Node
      assert.throws(() => parseAll(broken, s.passphrase), Error, `${s.name}: Node accepted the empty line`);
      assert.equal(fixAndCheck(broken, file, 'pem/blank-line', s.passphrase), s.pem);
    }
  });

  it('pem/encapsulated-headers: the empty line after Proc-Type / DEK-Info is required', () => {
    const broken = km.legacyEncrypted.replace(/(DEK-Info: [^\n]+\n)\n/, '$1');
    assert.equal(fixAndCheck(broken, file, 'pem/encapsulated-headers', PASSPHRASE), km.legacyEncrypted);
  });

  it('pem/line-length: an unwrapped body is reported (info) and re-wrapped at 64', () => {
    const lines = km.rsaPkcs8.trimEnd().split('\n');
    const long = `${lines[0]}\n${lines.slice(1, -1).join('')}\n${lines[lines.length - 1]}\n`;
    const p = only(file(long), 'pem/line-length');
    assert.equal(p.severity, 'info');
    assert.equal(fixAndCheck(long, file, 'pem/line-length'), km.rsaPkcs8);
  });

  it('pem/invalid-base64: a foreign character at its exact position, data after padding, a cut body', () => {
    const lines = km.rsaPkcs8.split('\n');
    lines[3] = `${lines[3].slice(0, 10)}*${lines[3].slice(11)}`;
    const bad = only(file(lines.join('\n')), 'pem/invalid-base64');
    assert.deepEqual(bad.range, { start: { line: 3, character: 10 }, end: { line: 3, character: 11 } });
    assert.equal(bad.fixes, undefined, 'no fix can know the lost data');
    const cut = km.ecPkcs8.replace(/\n([^\n-]+)\n-----END/, (_, last: string) => `\n${last.slice(0, -3)}\n-----END`);
    only(file(cut), 'pem/invalid-base64');
    const quoted = km.ecPkcs8.replace('\n', '\n"');
    assert.match(only(file(quoted), 'pem/invalid-base64').message, /quote/);
    assertClean(file(km.ecPkcs8));
  });

  it('pem/missing-begin, pem/missing-end, pem/malformed-boundary', () => {
    const lines = km.ecPkcs8.split('\n');
    only(file(lines.slice(1).join('\n')), 'pem/missing-begin');
    only(file(lines.slice(0, -2).join('\n') + '\n'), 'pem/missing-end');
    const fourDashes = km.ecPkcs8.replace('-----BEGIN', '----BEGIN');
    assert.equal(fixAndCheck(fourDashes, file, 'pem/malformed-boundary'), km.ecPkcs8);
  });

  it('pem/malformed-boundary on glued boundaries with a long run of dashes: the fix removes the problem it was offered for', () => {
    // Found by the mutation property (seed -1815869665): a stray END glued to a BEGIN by 14
    // dashes. While the run was read only 10 dashes deep, fixing one boundary moved the other.
    const glued = `-----END CERTIFICATE-----${'-'.repeat(9)}${km.rsaPkcs1.slice(5)}`;
    const problems = file(glued).filter((p) => p.ruleId === 'pem/malformed-boundary');
    assert.ok(problems.length > 0);
    for (const p of problems) {
      const again = file(applyEdits(glued, preferredFix(p).edits));
      assert.equal(again.find((x) => x.ruleId === p.ruleId && x.range.start.line === p.range.start.line && x.range.start.character === p.range.start.character), undefined);
    }
  });

  it('a colon in a body line is a base64 error there, not an encapsulated header a fix would keep', () => {
    // Found by the mutation property: "---:-BEGIN …" glued after a BEGIN line was taken for a
    // header, so "Put the BEGIN line on its own line" re-rendered it as one, which OpenSSL refuses
    // ("not proc type"). Only a group opened by Proc-Type is headers (RFC 1421).
    const comment = km.ecPkcs8.replace('-----\n', '-----\nComment: exported by hand\n');
    const p = only(file(comment), 'pem/invalid-base64');
    assert.equal(p.range.start.line, 1);
    const glued = `-----BEGIN PRIVATE KEY----- ---:-${km.ecPkcs8.slice(5)}`;
    for (const q of file(glued)) {
      const fix = q.fixes?.find((f) => f.preferred) ?? q.fixes?.[0];
      if (!fix) continue;
      const fixed = applyEdits(glued, fix.edits);
      if (file(fixed).every((x) => x.severity === 'info')) parseAll(fixed);
    }
    // The real headers of a legacy encrypted key still are headers.
    assertClean(file(km.legacyEncrypted), []);
  });

  it('pem/label-mismatch: END label differs, fixed to the label the body confirms', () => {
    const wrongEnd = km.rsaPkcs1.replace('END RSA PRIVATE KEY', 'END PRIVATE KEY');
    assert.equal(fixAndCheck(wrongEnd, file, 'pem/label-mismatch'), km.rsaPkcs1);
  });

  it('pem/wrong-label: the body parses, but as another type; fixed by relabelling', () => {
    const cases: [string, string, string][] = [
      [km.rsaPkcs1, 'RSA PRIVATE KEY', 'PRIVATE KEY'],
      [km.rsaPkcs8, 'PRIVATE KEY', 'RSA PRIVATE KEY'],
      [km.ecSec1, 'EC PRIVATE KEY', 'PRIVATE KEY'],
      [km.ecPkcs8, 'PRIVATE KEY', 'EC PRIVATE KEY'],
      [km.encryptedPkcs8, 'ENCRYPTED PRIVATE KEY', 'PRIVATE KEY'],
      [km.cert, 'CERTIFICATE', 'PUBLIC KEY'],
      [km.rsaSpki, 'PUBLIC KEY', 'RSA PUBLIC KEY'],
      [km.crl, 'X509 CRL', 'CERTIFICATE'],
    ];
    for (const [pem, right, wrong] of cases) {
      const mislabelled = pem.split(right).join(wrong);
      const p = only(file(mislabelled), 'pem/wrong-label');
      assert.match(p.message, new RegExp(`Relabel it as ${right}`));
      assert.equal(fixAndCheck(mislabelled, file, 'pem/wrong-label', pem === km.encryptedPkcs8 ? PASSPHRASE : undefined), pem);
    }
  });

  it('a real CRL under its own label is clean; a certificate whose DER was corrupted into another signed shape is not called a CRL', () => {
    assert.deepEqual(file(km.crl), []);
    // Found by the mutation property: one changed base64 character made the serial number's length
    // swallow the next three fields. The DER still tiled, so the body was classified as a CRL and
    // the user told to relabel a broken certificate. Built here deterministically from the cert.
    const [head, ...rest] = km.cert.trimEnd().split('\n');
    const foot = rest.pop()!;
    const der = Buffer.from(rest.join(''), 'base64');
    const outer = readTlv(der, 0)!;
    const tbs = readTlv(der, outer.start)!;
    const fields = children(der, tbs)!;
    assert.equal(fields[1].tag, TAG.integer, 'the serial number follows the version');
    der[fields[1].start - 1] = fields[4].end - fields[1].start; // serial now runs to the end of the validity
    assert.equal(classifyDer(der), 'der');
    const corrupted = `${head}\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n${foot}\n`;
    const problems = file(corrupted);
    assert.deepEqual(problems.filter((p) => p.ruleId === 'pem/wrong-label'), [], 'a corrupted certificate was called another type');
    only(problems, 'pem/der-invalid');
  });

  it('pem/der-invalid: base64 that decodes to no valid structure, checked by crypto', () => {
    const reencode = (pem: string, mutate: (der: Buffer) => Buffer) => {
      const [head, ...rest] = pem.trimEnd().split('\n');
      const foot = rest.pop()!;
      const der = mutate(Buffer.from(rest.join(''), 'base64'));
      return `${head}\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n${foot}\n`;
    };
    for (const s of samples().filter((x) => !x.pem.includes('Proc-Type'))) {
      const truncated = reencode(s.pem, (d) => d.subarray(0, d.length - 7));
      const p = only(file(truncated), 'pem/der-invalid');
      assert.equal(p.severity, 'error', s.name);
      // OpenSSH keys are read by the linter's own container parser, not by crypto.
      if (!s.name.startsWith('OpenSSH')) assert.throws(() => parseAll(truncated, s.passphrase), Error, `${s.name}: crypto read the truncated body`);
    }
    // Random bytes under a key label: not DER at all.
    const random = reencode(km.ecPkcs8, () => crypto.randomBytes(120));
    only(file(random), 'pem/der-invalid');
  });

  it('pem/unknown-label, pem/text-outside, pem/too-many-blocks', () => {
    only(file(km.ecPkcs8.split('PRIVATE KEY').join('SECRET THING')), 'pem/unknown-label');
    const withText = `Bag Attributes\n    friendlyName: test\n${escaped(km.cert)}`;
    const outside = only(secret(withText), 'pem/text-outside');
    assert.equal(outside.severity, 'info');
    const fixed = applyEdits(withText, preferredFix(outside).edits);
    assertClean(secret(fixed));
    parseAll(fixed);
    assertClean(file(`Certificate:\n    Data: explanatory text\n${km.cert}`));
    const many = '-----BEGIN CERTIFICATE-----\n'.repeat(2001);
    only(file(many), 'pem/too-many-blocks');
  });

  it('x509/expired, x509/not-yet-valid, x509/expiring (window from the setting)', () => {
    only(file(km.expiredCert), 'x509/expired');
    only(file(km.futureCert), 'x509/not-yet-valid');
    const soon = only(file(km.shortCert), 'x509/expiring');
    assert.equal(soon.severity, 'warning');
    assertClean(lintPemFile(km.shortCert, '/ws/c.pem', { expiryWarningDays: 1 }));
    assertClean(lintPemFile(km.shortCert, '/ws/c.pem', { expiryWarningDays: 0 }));
    assertClean(file(km.cert));
    // The same real certificate, checked at other times.
    only(lintPemFile(km.cert, '/ws/c.pem', { now: Date.now() + 500 * DAY }), 'x509/expired');
    only(lintPemFile(km.cert, '/ws/c.pem', { now: Date.now() - 2 * DAY }), 'x509/not-yet-valid');
    only(lintPemFile(km.cert, '/ws/c.pem', { now: Date.now() + 390 * DAY }), 'x509/expiring');
  });

  it('x509/key-mismatch: a key and a certificate in one value that do not belong together', () => {
    assertClean(file(km.ecPkcs8 + km.cert));
    assertClean(file(km.cert + km.ecSec1));
    assertClean(file(km.rsaPkcs1 + km.rsaCert));
    assertClean(file(km.ed25519Pkcs8 + km.ed25519Cert));
    const mismatch = only(file(km.rsaPkcs8 + km.cert), 'x509/key-mismatch');
    assert.equal(mismatch.range.start.line, 0, 'reported on the key');
    only(file(km.cert + km.ed25519Pkcs8), 'x509/key-mismatch');
    // A certificate chain with its key: the key matches one of them.
    assertClean(file(km.ecPkcs8 + km.cert + km.rsaCert));
  });

  it('messages never contain the value, whatever the value holds', () => {
    const canary = 'CANARYVALUE0123456789';
    const variants = [
      km.ecPkcs8.replace('\n', `\n${canary}*\n`),
      km.ecPkcs8.replace(/PRIVATE KEY/g, canary),
      `${canary}\n${km.ecPkcs8}`,
      km.ecPkcs8.replace('-----BEGIN PRIVATE KEY-----', `-----BEGIN ${canary}----`),
    ];
    for (const v of variants) {
      for (const p of [...file(v), ...secret(v), ...secret(escaped(v))]) {
        assert.ok(!p.message.includes(canary), `${p.ruleId} message contains the value: ${p.message}`);
        assert.ok(!p.message.includes(km.ecPkcs8.split('\n')[1].slice(0, 16)), `${p.ruleId} message contains key material`);
      }
    }
  });
});
