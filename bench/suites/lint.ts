/**
 * The secret formatting linter against the obvious peer: 10,000 stored secret values (mixed valid
 * and malformed, made from openssl-generated RSA / EC / Ed25519 keys in PKCS#1, PKCS#8, SEC1 and
 * encrypted form, public keys and certificates) linted in process, versus checking the same
 * values with `openssl pkey -noout` / `openssl x509 -noout`, one process per PEM block, in the
 * same run, on all 10,000 values (about two minutes here; CS_BENCH_LINT_PEER_SAMPLE=<n> runs an even
 * sample and scales it, for a quick look — the row says so). The headline is the linter with its
 * parse memo off: the set repeats 14 bodies, which a memo would turn into cache hits that stored
 * secrets, each distinct, would not give. Also: growth from 1,000 to 10,000 values, and on hostile input from
 * 1 MB to 10 MB (10x = linear).
 */
import { spawnSync } from 'node:child_process';
import { lintSecretText } from '../../src/core/lint';
import { ParseCache } from '../../src/core/lint/keys';
import type { BenchRow } from '../run';
import { escaped, makeKeyMaterial } from '../../test/support/keyMaterial';

const VALUES = 10_000;
/** Values checked by the openssl loop (one process per PEM block); scaled to VALUES when fewer. */
const PEER_SAMPLE = Math.min(VALUES, Number(process.env.CS_BENCH_LINT_PEER_SAMPLE) || VALUES);
const RUNS = 3;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** The mixed set: every base in ten forms, seven of them malformed. */
function dataset(bases: string[], count: number): string[] {
  const forms: ((pem: string) => string)[] = [
    (p) => escaped(p), // valid, the seed's form
    (p) => JSON.stringify({ [p.includes('CERTIFICATE') ? 'certificate' : 'privateKey']: escaped(p), username: 'svc' }), // valid key/value
    (p) => p, // multi-line where escaped is expected (a warning)
    (p) => escaped(p.replace(/\n/g, '\r\n')), // CR LF
    (p) => p.replace(/\n/g, '\\\\n'), // double escaped
    (p) => escaped(p.replace(/\n(.{10})./, '\n$1*')), // a foreign character
    (p) => escaped(p.replace(/\n([^\n-]{8})[^\n-]*\n-----END/, '\n$1\n-----END')), // body cut short
    (p) => escaped(p).slice(0, -2), // no trailing newline
    (p) => escaped(p.replace(/-----END ([A-Z ]+)-----/, '-----END X509 CRL-----')), // END label differs
    (p) => p.trimEnd().replace(/\n/g, ' '), // line breaks flattened into spaces
  ];
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(forms[Math.floor(i / bases.length) % forms.length](bases[i % bases.length]));
  return out;
}

/** Our side: every value linted as a stored secret value; milliseconds. */
function lintAll(values: string[], memo: boolean): number {
  const parseCache = memo ? new ParseCache() : null;
  const t0 = performance.now();
  let problems = 0;
  for (const v of values) problems += lintSecretText(v, '/bench/value', { parseCache }).length;
  const ms = performance.now() - t0;
  if (problems === 0) throw new Error('the linter found nothing in a set that is mostly malformed');
  return ms;
}

/** The PEM blocks of a value as openssl would be given them (escapes undone, JSON unwrapped). */
function peerInputs(value: string): { cmd: 'x509' | 'pkey'; pem: string }[] {
  let text = value;
  try {
    const parsed = JSON.parse(value) as Record<string, unknown>;
    if (parsed && typeof parsed === 'object') text = Object.values(parsed).filter((x): x is string => typeof x === 'string' && x.includes('-----')).join('\n');
  } catch {
    /* plain text */
  }
  text = text.replace(/\\n/g, '\n');
  const blocks = text.split(/(?=-----BEGIN )/).filter((b) => b.includes('-----'));
  return (blocks.length ? blocks : [text]).map((pem) => ({ cmd: /BEGIN (TRUSTED )?CERTIFICATE/.test(pem) ? 'x509' : 'pkey', pem }));
}

/** The peer: one openssl process per PEM block; milliseconds for the sample, and the process count. */
function opensslLoop(values: string[]): { ms: number; processes: number; rejected: number } {
  let processes = 0;
  let rejected = 0;
  const t0 = performance.now();
  for (const v of values) {
    for (const { cmd, pem } of peerInputs(v)) {
      // -passin: an encrypted key fails at once instead of prompting.
      const r = spawnSync('openssl', [cmd, '-noout', ...(cmd === 'pkey' ? ['-passin', 'pass:'] : [])], { input: pem, stdio: ['pipe', 'ignore', 'ignore'] });
      processes++;
      if (r.status !== 0) rejected++;
    }
  }
  return { ms: performance.now() - t0, processes, rejected };
}

export default async function (): Promise<BenchRow[]> {
  const km = makeKeyMaterial();
  try {
    const bases = [km.rsaPkcs1, km.rsaPkcs8, km.ecSec1, km.ecPkcs8, km.ed25519Pkcs8, km.encryptedPkcs8, km.legacyEncrypted, km.rsaSpki, km.ecSpki, km.cert, km.rsaCert, km.ed25519Cert, km.shortCert, km.expiredCert];
    const values = dataset(bases, VALUES);
    lintAll(values.slice(0, 500), false); // warm up the JIT and OpenSSL's decoders

    const memo = median(Array.from({ length: RUNS }, () => lintAll(values, true)));
    const cold = median(Array.from({ length: RUNS }, () => lintAll(values, false)));
    const cold1k = median(Array.from({ length: RUNS }, () => lintAll(values.slice(0, VALUES / 10), false)));

    const step = Math.max(1, Math.floor(VALUES / PEER_SAMPLE));
    const sample = values.filter((_, i) => i % step === 0).slice(0, PEER_SAMPLE);
    const peer = opensslLoop(sample);
    const peerMs = (peer.ms / sample.length) * VALUES;

    // Hostile input: a value built to make a backtracking scanner explode, at 1 MB and 10 MB.
    const hostile = (mb: number) => `-----BEGIN PRIVATE KEY-----\\n${'A'.repeat(64).concat('\\n').repeat(Math.floor((mb * 1024 * 1024) / 66))}!-----END PRIVATE KEY-----`;
    // Best of five after a warm-up: single large allocations make these runs sensitive to GC pauses.
    const timeHostile = (text: string) => {
      lintSecretText(text, '/bench/hostile', { parseCache: null });
      return Math.min(
        ...Array.from({ length: 5 }, () => {
          const t0 = performance.now();
          lintSecretText(text, '/bench/hostile', { parseCache: null });
          return performance.now() - t0;
        }),
      );
    };
    const h1 = timeHostile(hostile(1));
    const h10 = timeHostile(hostile(10));

    const peerName = `openssl pkey/x509 -noout, 1 process per PEM block (${sample.length === VALUES ? `all ${VALUES} values` : `${sample.length} of ${VALUES} values, scaled`}, ${peer.processes} processes, ${peer.rejected} rejected)`;
    return [
      { name: `lint ${VALUES.toLocaleString('en')} stored values (${bases.length} openssl-made keys/certs × 10 forms), every body parsed by crypto`, value: +cold.toFixed(1), unit: 'ms', peer: +peerMs.toFixed(0), peerName, ratio: peerMs / cold },
      { name: `the same with the parse memo on (as shipped; the set repeats ${bases.length} bodies, so this flatters)`, value: +memo.toFixed(1), unit: 'ms', peer: +peerMs.toFixed(0), peerName, ratio: peerMs / memo },
      { name: 'lint per value, no memo', value: +((cold / VALUES) * 1000).toFixed(1), unit: 'µs/value', peer: +((peerMs / VALUES) * 1000).toFixed(0), peerName: 'openssl loop', ratio: peerMs / cold },
      { name: `growth 1,000 → 10,000 values, no memo (10 = linear)`, value: +(cold / cold1k).toFixed(2), unit: '× time' },
      { name: 'growth on a hostile value 1 MB → 10 MB, best of 5 (10 = linear)', value: +(h10 / h1).toFixed(2), unit: '× time' },
      { name: 'hostile 10 MB value (160k escaped body lines, a bad character), best of 5', value: +h10.toFixed(0), unit: 'ms' },
    ];
  } finally {
    km.remove();
  }
}
