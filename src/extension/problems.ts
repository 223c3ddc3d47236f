/**
 * The one adapter from core `Problem`s to VS Code `Diagnostic`s. It also remembers the problem
 * behind each diagnostic per document, because the diagnostics VS Code hands to a code action
 * provider are copies: the fixes are found again by rule id, range and message.
 */
import * as vscode from 'vscode';
import type { Problem, Range } from '../core/model';

export const DIAGNOSTIC_SOURCE = 'connection-secrets';

export function toRange(r: Range): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

const SEVERITY: Record<Problem['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

export function toDiagnostic(p: Problem): vscode.Diagnostic {
  const d = new vscode.Diagnostic(toRange(p.range), p.message, SEVERITY[p.severity]);
  d.source = DIAGNOSTIC_SOURCE;
  d.code = p.ruleId;
  return d;
}

/** A diagnostic collection that keeps the `Problem` (and so the fixes) behind each diagnostic. */
export class ProblemDiagnostics implements vscode.Disposable {
  private readonly collection: vscode.DiagnosticCollection;
  private readonly byUri = new Map<string, Problem[]>();

  constructor(name: string) {
    this.collection = vscode.languages.createDiagnosticCollection(name);
  }

  set(uri: vscode.Uri, problems: readonly Problem[]): void {
    if (problems.length === 0) return this.delete(uri);
    this.byUri.set(uri.toString(), [...problems]);
    this.collection.set(uri, problems.map(toDiagnostic));
  }

  delete(uri: vscode.Uri): void {
    this.byUri.delete(uri.toString());
    this.collection.delete(uri);
  }

  problems(uri: vscode.Uri): readonly Problem[] {
    return this.byUri.get(uri.toString()) ?? [];
  }

  /** The problem a (copied) diagnostic of ours stands for. */
  problemFor(uri: vscode.Uri, d: vscode.Diagnostic): Problem | undefined {
    if (d.source !== DIAGNOSTIC_SOURCE) return undefined;
    const code = typeof d.code === 'object' ? d.code.value : d.code;
    return this.problems(uri).find((p) => p.ruleId === code && p.message === d.message && toRange(p.range).isEqual(d.range));
  }

  dispose(): void {
    this.byUri.clear();
    this.collection.dispose();
  }
}
