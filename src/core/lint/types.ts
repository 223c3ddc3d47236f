/**
 * Problems inside one value (a PEM file's text, a stored secret, a YAML scalar), with offsets in
 * that value. The container that holds the value (file, JSON secret, connections.yaml) maps them
 * to `Problem`s with ranges in its own text.
 */
import type { Severity } from '../model';

/** Replace `[start, end)` of the value with `newText`. */
export interface ValueEdit {
  start: number;
  end: number;
  newText: string;
}

export interface ValueFix {
  title: string;
  edits: ValueEdit[];
  preferred?: boolean;
}

export interface ValueProblem {
  ruleId: string;
  severity: Severity;
  /** Says what is wrong and how to fix it; never contains any part of the value. */
  message: string;
  start: number;
  end: number;
  fixes?: ValueFix[];
}

/** Expected PEM form of stored secret values (setting `connectionSecrets.lint.pemForm`). */
export type PemForm = 'escaped' | 'multiline' | 'either';

/** Applies edits (non-overlapping, any order) to a value. */
export function applyValueEdits(value: string, edits: readonly ValueEdit[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start);
  let out = value;
  for (const e of sorted) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}
