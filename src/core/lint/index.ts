/**
 * The secret formatting linter: entry points by kind of input. Rules live in the modules next to
 * this one; each returns plain problems with stable rule ids (see rules.ts) and, where a fix is
 * certain, its edits.
 *
 *   lintPemFile       a .pem / .key / .crt / .cer file (multi-line PEM expected)
 *   lintSecretText    one stored secret value (plain text or a JSON key/value object)
 *   lintConnections   the connections of a workspace model (connections.ts)
 */
import path from 'node:path';
import type { Fix, Problem, ProviderType, TextEdit, WorkspaceModel } from '../model';
import { LineIndex } from '../positions';
import { lintConnectionsFile } from './connections';
import type { ValueFindings } from './fetched';
import { resolveLintSettings, withoutDisabled, type LintSettings, type ResolvedLintSettings } from './options';
import { lintPem, looksLikePem } from './pem';
import { lintSecretValue } from './secretValue';
import type { ValueProblem } from './types';

export { FetchedValueLints, type ValueFinding, type ValueFindings } from './fetched';
export { RULES, isDisabled } from './rules';
export { resolveLintSettings, PEM_FORMS, type LintSettings, type ResolvedLintSettings } from './options';
export type { PemForm } from './types';
export { MOVE_COMMAND, WRITABLE_PROVIDERS, type MoveArgs } from './connections';

export const PEM_FILE_EXTENSIONS: readonly string[] = ['.pem', '.key', '.crt', '.cer'];

export function isPemFile(file: string): boolean {
  return PEM_FILE_EXTENSIONS.includes(path.extname(file).toLowerCase());
}

/**
 * Turns value problems (offsets in `text`) into problems of `file`. `wholeFile`: the value is the
 * whole document, so a fix that leaves no CR in a text with CR LF switches its line ends to LF.
 */
export function toProblems(text: string, file: string, problems: readonly ValueProblem[], wholeFile = false): Problem[] {
  if (problems.length === 0) return [];
  const index = new LineIndex(text);
  const crlf = wholeFile && text.includes('\r\n');
  return problems.map((p) => ({
    ruleId: p.ruleId,
    severity: p.severity,
    message: p.message,
    file,
    range: index.range(p.start, p.end),
    ...(p.fixes
      ? {
          fixes: p.fixes.map(
            (f): Fix => ({
              title: f.title,
              ...(f.preferred ? { preferred: true } : {}),
              edits: f.edits.map((e) => ({ range: index.range(e.start, e.end), newText: e.newText })),
              ...(crlf && f.edits.some((e) => e.start === 0 && e.end === text.length) && !f.edits.some((e) => e.newText.includes('\r')) ? { eol: 'lf' as const } : {}),
            }),
          ),
        }
      : {}),
  }));
}

/** A PEM file on disk: every PEM / X.509 rule, multi-line form expected. */
export function lintPemFile(text: string, file: string, settings?: LintSettings | ResolvedLintSettings): Problem[] {
  const s = resolveLintSettings(settings);
  if (!looksLikePem(text)) return [];
  const r = lintPem(text, { where: 'file', expectedForm: 'multiline', now: s.now, expiryWarningDays: s.expiryWarningDays, parseCache: s.parseCache });
  return toProblems(text, file, withoutDisabled(r.problems, s), true);
}

/** One stored secret value, as the secrets manager holds it. */
export function lintSecretText(text: string, file: string, settings?: LintSettings | ResolvedLintSettings, providerType?: ProviderType): Problem[] {
  const s = resolveLintSettings(settings);
  return toProblems(text, file, withoutDisabled(lintSecretValue(text, s, providerType).problems, s));
}

/** The lint rules over every connections.yaml of a model (the loader's own problems not included). */
export function lintConnections(model: WorkspaceModel, settings?: LintSettings | ResolvedLintSettings, fetched?: (cacheKey: string) => ValueFindings | undefined): Problem[] {
  const s = resolveLintSettings(settings);
  return withoutDisabled(
    model.files.flatMap((f) => lintConnectionsFile(f, { model, settings: s, fetched })),
    s,
  );
}

/** The command an opened (read-only) value's fixes run: store the fixed value after confirmation. */
export const STORE_FIXED_COMMAND = 'connectionSecrets.lint.storeFixedValue';

/** Which fix of which problem, found again by the command when it runs; never the value. */
export interface StoreFixArgs {
  uri: string;
  ruleId: string;
  line: number;
  character: number;
  title: string;
}

/** Applies non-overlapping edits (ranges in `text`) to a text. */
export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  const index = new LineIndex(text);
  const byOffset = edits.map((e) => ({ start: index.offset(e.range.start), end: index.offset(e.range.end), newText: e.newText })).sort((a, b) => b.start - a.start);
  let out = text;
  for (const e of byOffset) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}
