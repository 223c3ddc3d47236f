/**
 * The troubleshooting checklist as data (the seed's "Permission denied" guide, made executable).
 * Providers contribute `Check`s; `runChecks` runs them in order and reports `CheckResult`s, which
 * the CLI prints (`doctor`) and the editor's panel shows. Nothing here ever holds a secret value:
 * evidence is redacted before it leaves a check, and reproduction commands name credentials only
 * through environment variables (`$VAULT_TOKEN`, `$AWS_PROFILE` …).
 */
import type { ProviderConfig } from '../model';
import type { ProviderContext } from '../provider';

export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skipped';

/**
 * Step 1: credentials and permissions (identity, login, policies, capabilities, per-secret
 * access). Step 2: one raw API call to the secrets manager for a referenced secret.
 */
export type CheckStep = 1 | 2;

/** What a check reports when it ran. */
export interface CheckOutcome {
  status: CheckStatus;
  /** One line each: what was asked and what came back, values redacted. */
  evidence?: string[];
  /** Required for `fail` and `warn`: what to do, naming the missing permission, role or setting. */
  fix?: string;
  /** Why a check was skipped (a `skipped` outcome must say). */
  reason?: string;
  /**
   * Replaces the check's `reproduce` when the exact command is only known once it ran (the
   * role name read from the login, the secret version …). Never a secret in it.
   */
  reproduce?: string;
}

export interface CheckRunContext {
  signal: AbortSignal;
  /** Outcomes of the checks that already ran, by id (for checks that build on another's evidence). */
  results: ReadonlyMap<string, CheckResult>;
}

/** One step of the checklist. */
export interface Check {
  /** Stable, dotted: `<provider>.<what>` (`aws.identity`, `vault.capabilities.list`, `azure.token`). */
  id: string;
  title: string;
  step: CheckStep;
  /**
   * A command to reproduce the step by hand (AWS CLI, `vault`, `az`, `curl`), with credentials
   * as environment variables and no secret value in it.
   */
  reproduce?: string;
  /**
   * Ids of checks that must have passed (or warned) first; when one did not, this check is
   * skipped with a reason naming it, instead of failing again for the same cause.
   */
  needs?: readonly string[];
  run(context: CheckRunContext): Promise<CheckOutcome>;
}

/** A check as reported: the definition's facts plus its outcome. */
export interface CheckResult {
  id: string;
  title: string;
  step: CheckStep;
  status: CheckStatus;
  evidence: string[];
  fix?: string;
  reason?: string;
  reproduce?: string;
  durationMs: number;
}

/** A secret the target's connections reference, with the keys they read (names only). */
export interface ReferencedSecret {
  secretId: string;
  /** JSON keys read from it; empty when the whole value is used. */
  keys: string[];
  /** `<connection>.<field>` of each reference, for evidence. */
  usedBy: string[];
}

/** What is being troubleshot: one provider block and the secrets that matter for it. */
export interface TroubleshootTarget {
  provider: ProviderConfig;
  /** Set when troubleshooting one connection; otherwise every connection of the provider. */
  connection?: string;
  /** Distinct secrets referenced (well-formed references only), in first-use order. */
  secrets: ReferencedSecret[];
}

/**
 * Implemented by each provider module (exported as `troubleshoot` next to `createProvider`), so
 * its checks load with its SDK, on first use. The context is the one providers get: credentials
 * come from the same sources (SecretStorage prompt or environment), with the same timeouts.
 */
export type TroubleshooterFactory = (target: TroubleshootTarget, context: ProviderContext) => Check[] | Promise<Check[]>;
