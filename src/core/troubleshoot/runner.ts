/**
 * Runs a provider's checklist in order, one check at a time (later checks build on earlier ones,
 * and a person reads them top to bottom), each under its own timeout, and reports every result as
 * it settles. A check that throws fails with the error's message and fix; a check whose `needs`
 * did not pass is skipped, naming the one that did not. Every string leaving here is redacted.
 */
import { ConnectionSecretsError, describeError } from '../errors';
import type { Redactor } from '../redact';
import type { Check, CheckResult } from './types';

/** Default time limit of one check; a check may make a few provider calls, each with its own timeout. */
export const DEFAULT_CHECK_TIMEOUT_MS = 30_000;

export type CheckProgress = { id: string; state: 'running' } | { id: string; state: 'done'; result: CheckResult };

export interface RunChecksOptions {
  signal?: AbortSignal;
  /** Called when a check starts and when it settles, in order. */
  onProgress?: (event: CheckProgress) => void;
  /** Masks any value the process has seen (belt and braces: checks redact their own evidence). */
  redactor?: Redactor;
  /** Re-run only these ids; the others keep their `previous` result (and still satisfy `needs`). */
  only?: readonly string[];
  previous?: readonly CheckResult[];
  timeoutMs?: number;
}

/** Statuses that let a dependent check run. */
const SATISFIES: ReadonlySet<string> = new Set(['pass', 'warn']);

export async function runChecks(checks: readonly Check[], options: RunChecksOptions = {}): Promise<CheckResult[]> {
  const results = new Map<string, CheckResult>();
  for (const r of options.previous ?? []) results.set(r.id, r);
  const out: CheckResult[] = [];
  for (const check of checks) {
    const kept = options.only && !options.only.includes(check.id) ? results.get(check.id) : undefined;
    if (kept) {
      out.push(kept);
      continue;
    }
    options.onProgress?.({ id: check.id, state: 'running' });
    const result = redactResult(await runOne(check, results, options), options.redactor);
    results.set(check.id, result);
    out.push(result);
    options.onProgress?.({ id: check.id, state: 'done', result });
  }
  return out;
}

async function runOne(check: Check, results: Map<string, CheckResult>, options: RunChecksOptions): Promise<CheckResult> {
  const base = { id: check.id, title: check.title, step: check.step, reproduce: check.reproduce };
  const started = Date.now();
  const unmet = (check.needs ?? []).map((id) => results.get(id)).find((r) => !r || !SATISFIES.has(r.status));
  if (unmet || (check.needs ?? []).some((id) => !results.has(id))) {
    const missing = unmet ?? { title: (check.needs ?? []).find((id) => !results.has(id)) ?? '?', status: 'not run' };
    return { ...base, status: 'skipped', evidence: [], reason: `"${missing.title}" did not pass (${missing.status}); fix that first`, durationMs: 0 };
  }
  if (options.signal?.aborted) {
    return { ...base, status: 'skipped', evidence: [], reason: 'cancelled', durationMs: 0 };
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  const controller = new AbortController();
  const onAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // Settle first: a check that answers its abort at once must not win the race.
        reject(new ConnectionSecretsError('Timeout', `The check did not finish within ${Math.round(timeoutMs / 1000)} s`, { fix: 'Check that the secrets manager is reachable from here, then run the check again.' }));
        controller.abort();
      }, timeoutMs);
    });
    const outcome = await Promise.race([check.run({ signal: controller.signal, results }), timeout]);
    return {
      ...base,
      status: outcome.status,
      evidence: outcome.evidence ?? [],
      fix: outcome.fix,
      reason: outcome.reason,
      reproduce: outcome.reproduce ?? check.reproduce,
      durationMs: Date.now() - started,
    };
  } catch (e) {
    if (options.signal?.aborted) return { ...base, status: 'skipped', evidence: [], reason: 'cancelled', durationMs: Date.now() - started };
    const err = e instanceof ConnectionSecretsError ? e : undefined;
    return {
      ...base,
      status: 'fail',
      evidence: [err ? `${err.code}${err.detail ? ` (${err.detail})` : ''}: ${err.message}` : describeError(e)],
      fix: err?.fix,
      durationMs: Date.now() - started,
    };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}

function redactResult(r: CheckResult, redactor: Redactor | undefined): CheckResult {
  if (!redactor) return r;
  const red = (s: string | undefined) => (s === undefined ? s : redactor.redact(s));
  return { ...r, evidence: r.evidence.map((e) => redactor.redact(e)), fix: red(r.fix), reason: red(r.reason), reproduce: red(r.reproduce) };
}

/** The first check that failed, the one a person should fix first. */
export function firstFailure(results: readonly CheckResult[]): CheckResult | undefined {
  return results.find((r) => r.status === 'fail');
}
