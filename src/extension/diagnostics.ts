/**
 * The one adapter from core `Problem`s to VS Code `Diagnostic`s, and the controller that keeps
 * the diagnostics of every connections.yaml current (including unsaved edits).
 */
import * as vscode from 'vscode';
import type { Problem, Range, Scope } from '../core/model';
import { scopeChangeWarning } from '../core/scope';
import { checkWorkspace } from '../core/validate';
import type { Ctx } from './ctx';

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

export function registerDiagnostics(ctx: Ctx): { collection: vscode.DiagnosticCollection; update: () => Promise<void> } {
  const collection = vscode.languages.createDiagnosticCollection('connection-secrets');
  // The scope each folder had when first loaded: while the scope differs from it, the switch
  // warning stays on the scope line (shown once as a notification too).
  const initialScope = new Map<string, Scope>();
  const notified = new Map<string, Scope>();
  let generation = 0;

  async function update(): Promise<void> {
    const mine = ++generation;
    const byFile = new Map<string, Problem[]>();
    for (const model of ctx.models.all) {
      for (const f of model.files) byFile.set(f.path, []);
      if (!initialScope.has(model.root) && model.files.length) initialScope.set(model.root, model.scope);
      const initial = initialScope.get(model.root);
      const switched = initial && initial !== model.scope ? scopeChangeWarning(initial, model.files) : undefined;
      if (switched && notified.get(model.root) !== model.scope) {
        notified.set(model.root, model.scope);
        void vscode.window.showWarningMessage(switched.message);
      }
      if (!switched) notified.delete(model.root);
      const resolve = ctx.trusted && ctx.config.settings.resolveInDiagnostics;
      let problems: Problem[];
      try {
        problems = await checkWorkspace(model, resolve ? { resolver: ctx.resolver } : {});
      } catch (e) {
        ctx.log.error(`checking ${model.root} failed: ${String(e)}`);
        problems = model.problems;
      }
      if (switched) problems.push(switched);
      for (const p of problems) byFile.set(p.file, [...(byFile.get(p.file) ?? []), p]);
    }
    if (mine !== generation) return; // a newer update is on its way
    collection.clear();
    for (const [file, problems] of byFile) collection.set(vscode.Uri.file(file), problems.map(toDiagnostic));
  }

  ctx.extension.subscriptions.push(
    collection,
    ctx.models.onDidChange(() => void update()),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void update()),
  );
  return { collection, update };
}
