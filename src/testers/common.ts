/**
 * What every tester shares: the time limit and cancellation, the mapping of Node's network and
 * TLS errors to failure classes, reading fields of a resolved connection, and the last line of
 * defence that scrubs credential values out of anything a result carries.
 */
import { ConnectionSecretsError } from '../core/errors';
import type { FailureClass, ResolvedConnectionValues, TestOptions, TestResult } from '../core/tester';

export const DEFAULT_TIMEOUT_MS = 10_000;

/** A failed test, thrown inside an attempt and turned into a `TestResult` by `runTest`. */
export class TestFailure extends Error {
  constructor(
    readonly failureClass: FailureClass,
    message: string,
    readonly details: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'TestFailure';
  }
}

export interface Attempt {
  /** Fires on timeout or cancellation; pass it to every I/O call that takes one. */
  signal: AbortSignal;
  /** Registers a clean-up (destroying a socket) run when the attempt is abandoned or done. */
  onCleanup(fn: () => void): void;
  /** Non-secret facts gathered so far; kept on failure too. */
  details: Record<string, string>;
}

export interface AttemptOutcome {
  message: string;
  details?: Record<string, string>;
}

export interface RunSpec {
  /** "host:port" or the URL's origin and path: what the messages name. */
  target: string;
  /** Credential values to scrub from messages and details, whatever their field. */
  secrets: readonly string[];
  /** Turns anything thrown (other than a TestFailure) into a failure. */
  classify: (error: unknown) => TestFailure;
}

/**
 * Runs one test attempt with a time limit (default 10 s) and the caller's abort signal, and
 * converts its outcome into a `TestResult`. A timeout is a `timeout` result; a cancellation by
 * the caller rejects with a `Cancelled` error instead, so "Test all" can stop.
 */
export async function runTest(
  options: TestOptions,
  spec: RunSpec,
  attempt: (ctx: Attempt) => Promise<AttemptOutcome>,
): Promise<TestResult> {
  const started = performance.now();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const parent = options.signal;
  if (parent?.aborted) throw cancelled();
  const controller = new AbortController();
  const cleanups: Array<() => void> = [];
  const details: Record<string, string> = {};
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  let onParentAbort: (() => void) | undefined;
  const abandoned = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
      reject(new TestFailure('timeout', `No answer from ${spec.target} within ${formatSeconds(timeoutMs)} — check that the host and port are right and that no firewall drops the traffic, or raise the timeout.`));
    }, timeoutMs);
    onParentAbort = () => {
      controller.abort();
      reject(cancelled());
    };
    parent?.addEventListener('abort', onParentAbort, { once: true });
  });
  const finish = (r: Omit<TestResult, 'durationMs'>): TestResult => ({
    ...r,
    message: scrub(r.message, spec.secrets),
    durationMs: Math.round(performance.now() - started),
    details: scrubDetails(r.details, spec.secrets),
  });
  try {
    const outcome = await Promise.race([attempt({ signal: controller.signal, onCleanup: (fn) => cleanups.push(fn), details }), abandoned]);
    return finish({ ok: true, message: outcome.message, details: { ...details, ...outcome.details } });
  } catch (e) {
    if (e instanceof ConnectionSecretsError && e.code === 'Cancelled') throw e;
    if (parent?.aborted && !timedOut) throw cancelled();
    const failure = timedOut && !(e instanceof TestFailure) ? new TestFailure('timeout', `No answer from ${spec.target} within ${formatSeconds(timeoutMs)}.`) : e instanceof TestFailure ? e : spec.classify(e);
    return finish({ ok: false, failureClass: failure.failureClass, message: failure.message, details: { ...details, ...failure.details } });
  } finally {
    clearTimeout(timer);
    if (onParentAbort) parent?.removeEventListener('abort', onParentAbort);
    for (const fn of cleanups) {
      try {
        fn();
      } catch {
        /* closing a half-open socket may throw; nothing to report */
      }
    }
  }
}

function cancelled() {
  return new ConnectionSecretsError('Cancelled', 'Test cancelled.');
}

function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}

/** Replaces every credential value (and each long line of a multi-line one) with `***`. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secretFragments(secrets)) out = out.split(s).join('***');
  return out;
}

function scrubDetails(details: Record<string, string> | undefined, secrets: readonly string[]) {
  if (!details || Object.keys(details).length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(details)) out[k] = scrub(String(v), secrets);
  return out;
}

function secretFragments(secrets: readonly string[]): string[] {
  const fragments = new Set<string>();
  for (const s of secrets) {
    // Very short values would mangle every message; a tester never prints a value itself, so
    // this net is for library messages that echo one, which only happens with real credentials.
    if (s.length >= 4) fragments.add(s);
    for (const line of s.split(/\r?\n|\\n/)) {
      const t = line.trim();
      if (t.length >= 16 && !t.startsWith('-----')) fragments.add(t);
    }
  }
  // Longest first, so a value is not half-replaced by one of its lines.
  return [...fragments].sort((a, b) => b.length - a.length);
}

// ---- reading fields --------------------------------------------------------------------------

export function str(values: Record<string, unknown>, field: string, path = field): string | undefined {
  const v = values[field];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new TestFailure('config', `${path} must be a string — fix it in connections.yaml.`);
}

export function required(values: Record<string, unknown>, field: string, path = field): string {
  const v = str(values, field, path);
  if (v === undefined) throw new TestFailure('config', `${path} is missing or empty — set it (or the secret it refers to) in connections.yaml.`);
  return v;
}

export function port(values: Record<string, unknown>, fallback: number): number {
  const raw = values.port;
  if (raw === undefined || raw === null || raw === '') return fallback;
  const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new TestFailure('config', `port must be a number from 1 to 65535 — fix it in connections.yaml.`);
  return n;
}

export function sub(values: Record<string, unknown>, field: string): Record<string, unknown> | undefined {
  const v = values[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw new TestFailure('config', `${field} must be a mapping — fix it in connections.yaml.`);
  return v as Record<string, unknown>;
}

/**
 * PEM from a secret: secrets managers often hold it on one line with literal `\n` escapes (the
 * form a JSON key/value secret produces); both forms are accepted.
 */
export function pem(value: string): string {
  const text = value.includes('-----') && !value.includes('\n') && value.includes('\\n') ? value.replace(/\\n/g, '\n') : value;
  return text.trim() + '\n';
}

/** The values of the credential-bearing fields, wherever they sit in the mapping. */
export function credentialValues(connection: ResolvedConnectionValues): string[] {
  const out: string[] = [];
  const secretFields = /^(password|passphrase|privateKey|token|value|clientSecret|key|secret|apiKey|accessToken)$/i;
  const walk = (v: unknown, key: string) => {
    if (typeof v === 'string') {
      if (secretFields.test(key)) out.push(v);
    } else if (v && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) walk(child, k);
    }
  };
  walk(connection, '');
  return out;
}

/** `host:port`, bracketing IPv6 literals. */
export function hostPort(host: string, p: number): string {
  return host.includes(':') ? `[${host}]:${p}` : `${host}:${p}`;
}

/**
 * `ssl`: false / "disable" (default) for plain connections; true / "require" / "verify-full" for
 * TLS with the server's certificate and host name verified against the system CAs plus `caCert`.
 * Unlike libpq's "require", verification is never skipped.
 */
export function tlsMode(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === '' || value === 'false' || value === 'disable') return false;
  if (value === true || value === 'true' || value === 'require' || value === 'verify-full' || value === 'verify-ca') return true;
  throw new TestFailure('config', 'ssl must be true or false (or disable, require, verify-full) — fix it in connections.yaml.');
}

// ---- classifying Node errors -----------------------------------------------------------------

const certUntrusted = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_CHAIN_TOO_LONG',
  'INVALID_CA',
  'CERT_REJECTED',
]);

/** The error's `code`, looking through `cause` chains (fetch wraps socket errors). */
export function errorCode(e: unknown): string | undefined {
  for (let cur: unknown = e, depth = 0; cur && depth < 5; cur = (cur as { cause?: unknown }).cause, depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/**
 * Maps socket, DNS and TLS errors to failure classes with messages that name the fix.
 * `caField` is the connection field that adds a trusted CA, for the untrusted-certificate fix.
 * Returns undefined for errors that are not network or TLS errors.
 */
export function classifyNetworkError(e: unknown, target: string, caField = 'caCert'): TestFailure | undefined {
  const code = errorCode(e);
  if (!code) return undefined;
  switch (code) {
    case 'ECONNREFUSED':
      return new TestFailure('unreachable', `${target} refused the connection — check the host and port, and that the server is running.`, { errorCode: code });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return new TestFailure('unreachable', `The host name of ${target} does not resolve — check the host name, or your DNS/VPN.`, { errorCode: code });
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
    case 'ENETDOWN':
    case 'EADDRNOTAVAIL':
      return new TestFailure('unreachable', `No network route to ${target} — check the host, your network or VPN.`, { errorCode: code });
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ERR_SOCKET_CLOSED':
    case 'UND_ERR_SOCKET':
      return new TestFailure('unreachable', `${target} closed the connection — check that the port is the right service's and whether it expects TLS.`, { errorCode: code });
    case 'ETIMEDOUT':
    case 'ESOCKETTIMEDOUT':
      return new TestFailure('timeout', `Connecting to ${target} timed out — check the host and port and that no firewall drops the traffic.`, { errorCode: code });
    case 'CERT_HAS_EXPIRED':
      return new TestFailure('tls', `The TLS certificate of ${target} has expired — renew the certificate on the server.`, { errorCode: code });
    case 'CERT_NOT_YET_VALID':
      return new TestFailure('tls', `The TLS certificate of ${target} is not valid yet — check the server's certificate dates and this machine's clock.`, { errorCode: code });
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return new TestFailure('tls', `The TLS certificate of ${target} is not issued for that host name — use a host name the certificate names.`, { errorCode: code });
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
    case 'ERR_SSL_PACKET_LENGTH_TOO_LONG':
      return new TestFailure('tls', `${target} does not speak TLS on that port — use the TLS port, or turn TLS off for this connection.`, { errorCode: code });
  }
  if (certUntrusted.has(code)) {
    return new TestFailure('tls', `The TLS certificate of ${target} is not trusted (${code}) — add the CA that issued it as ${caField}, or fix the server's certificate chain.`, { errorCode: code });
  }
  if (code === 'EPROTO' && /wrong version number|packet length too long|http request/i.test(e instanceof Error ? e.message : '')) {
    return new TestFailure('tls', `${target} does not speak TLS on that port — use the TLS port, or turn TLS off for this connection.`, { errorCode: code });
  }
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code === 'EPROTO') {
    return new TestFailure('tls', `TLS handshake with ${target} failed (${code}) — check the TLS settings of the server and of this connection.`, { errorCode: code });
  }
  return undefined;
}

/** Last resort: an unexpected error, named by its code or class, never by its (maybe echoing) text alone. */
export function unknownFailure(e: unknown, target: string): TestFailure {
  const code = errorCode(e);
  const text = e instanceof Error ? e.message : String(e);
  return new TestFailure('unknown', `Testing ${target} failed: ${text.split('\n')[0].slice(0, 200)}${code ? ` (${code})` : ''}`, code ? { errorCode: code } : {});
}
