/** The linter's settings, shared by the editor (settings), the CLI (flags) and the tests. */
import { defaultParseCache, type ParseCache } from './keys';
import { isDisabled } from './rules';
import type { PemForm } from './types';

export interface LintSettings {
  /** Expected PEM form of stored secret values. Default `escaped` (one line with `\n` escapes). */
  pemForm?: PemForm;
  /** Warn about certificates that expire within this many days (0: never). Default 30. */
  expiryWarningDays?: number;
  /** Rule ids (or `prefix/*`) that are switched off. */
  disabledRules?: readonly string[];
  /** The time certificates are checked against (tests); default now. */
  now?: number;
  /** Memo of parsed key/certificate bodies; null: parse every time. Default: one per process. */
  parseCache?: ParseCache | null;
}

export interface ResolvedLintSettings {
  pemForm: PemForm;
  expiryWarningDays: number;
  disabledRules: readonly string[];
  now: number;
  parseCache: ParseCache | null;
}

export const PEM_FORMS: readonly PemForm[] = ['escaped', 'multiline', 'either'];

export function resolveLintSettings(s: LintSettings = {}): ResolvedLintSettings {
  return {
    pemForm: s.pemForm && PEM_FORMS.includes(s.pemForm) ? s.pemForm : 'escaped',
    expiryWarningDays: typeof s.expiryWarningDays === 'number' && s.expiryWarningDays >= 0 ? s.expiryWarningDays : 30,
    disabledRules: s.disabledRules ?? [],
    now: s.now ?? Date.now(),
    parseCache: s.parseCache === undefined ? defaultParseCache : s.parseCache,
  };
}

/** Drops problems of switched-off rules. */
export function withoutDisabled<T extends { ruleId: string }>(problems: T[], s: Pick<ResolvedLintSettings, 'disabledRules'>): T[] {
  return s.disabledRules.length ? problems.filter((p) => !isDisabled(p.ruleId, s.disabledRules)) : problems;
}
