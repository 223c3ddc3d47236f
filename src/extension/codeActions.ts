/**
 * The one `CodeActionProvider`: it turns the `fixes` of core problems into quick fixes (the
 * problem's preferred fix marked so), and offers "Fix all" as a `source.fixAll` action that
 * applies every certain, edit-only preferred fix of the document. Fixes that need the user's
 * confirmation (moving a value into the secrets manager) are commands and never part of fix-all.
 */
import * as vscode from 'vscode';
import type { Fix, Problem } from '../core/model';
import { ProblemDiagnostics, toRange } from './problems';

export const FIX_ALL_KIND = vscode.CodeActionKind.SourceFixAll.append('connectionSecrets');

/** Documents whose problems can carry fixes: connection files, PEM files, opened secret values. */
export function codeActionSelector(valueScheme: string): vscode.DocumentSelector {
  return [
    { scheme: 'file', pattern: '**/connections.yaml' },
    { scheme: 'file', pattern: '**/*.{pem,key,crt,cer}' },
    { scheme: valueScheme },
  ];
}

export class ProblemCodeActionProvider implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = {
    providedCodeActionKinds: [vscode.CodeActionKind.QuickFix, FIX_ALL_KIND],
  };

  constructor(private readonly store: ProblemDiagnostics) {}

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    if (context.only && !context.only.contains(vscode.CodeActionKind.QuickFix) && context.only.intersects(FIX_ALL_KIND)) {
      const all = this.fixAll(document);
      return all ? [all] : [];
    }
    const actions: vscode.CodeAction[] = [];
    for (const d of context.diagnostics) {
      const problem = this.store.problemFor(document.uri, d);
      for (const fix of problem?.fixes ?? []) actions.push(toAction(document.uri, fix, d));
    }
    if (actions.length && (!context.only || context.only.contains(vscode.CodeActionKind.QuickFix))) {
      const all = this.fixAll(document);
      if (all && countFixable(this.store.problems(document.uri)) > 1) actions.push(all);
    }
    return actions;
  }

  private fixAll(document: vscode.TextDocument): vscode.CodeAction | undefined {
    const edits = certainEdits(this.store.problems(document.uri));
    if (edits.length === 0) return undefined;
    const action = new vscode.CodeAction('Fix all Connection Secrets problems', FIX_ALL_KIND);
    const lf = this.store.problems(document.uri).some((p) => preferredEditFix(p)?.eol === 'lf');
    action.edit = toWorkspaceEdit(document.uri, edits, lf);
    return action;
  }
}

function toAction(uri: vscode.Uri, fix: Fix, diagnostic: vscode.Diagnostic): vscode.CodeAction {
  const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
  action.diagnostics = [diagnostic];
  action.isPreferred = fix.preferred ?? false;
  if (fix.edits.length) action.edit = toWorkspaceEdit(uri, fix.edits, fix.eol === 'lf');
  if (fix.command) action.command = { command: fix.command.id, title: fix.title, arguments: fix.command.args };
  return action;
}

function toWorkspaceEdit(uri: vscode.Uri, edits: Fix['edits'], lf: boolean): vscode.WorkspaceEdit {
  const edit = new vscode.WorkspaceEdit();
  const textEdits = edits.map((e) => vscode.TextEdit.replace(toRange(e.range), e.newText));
  // The editor converts inserted line breaks to the document's; a CR LF fix switches the document.
  if (lf) textEdits.push(vscode.TextEdit.setEndOfLine(vscode.EndOfLine.LF));
  edit.set(uri, textEdits);
  return edit;
}

function countFixable(problems: readonly Problem[]): number {
  return problems.filter((p) => preferredEditFix(p)).length;
}

function preferredEditFix(p: Problem): Fix | undefined {
  // A lone fix counts as the certain one unless it says otherwise (a "did you mean" guess does).
  const fix = p.fixes?.find((f) => f.preferred) ?? (p.fixes?.length === 1 && p.fixes[0].preferred !== false ? p.fixes[0] : undefined);
  return fix && !fix.command && fix.edits.length ? fix : undefined;
}

/** The preferred edit fixes of a document whose edits do not overlap (first come, first kept). */
export function certainEdits(problems: readonly Problem[]): Fix['edits'] {
  const taken: Fix['edits'] = [];
  const before = (a: Problem['range']['start'], b: Problem['range']['start']) => a.line < b.line || (a.line === b.line && a.character <= b.character);
  const overlaps = (x: Problem['range'], y: Problem['range']) => !(before(x.end, y.start) || before(y.end, x.start));
  for (const p of problems) {
    const fix = preferredEditFix(p);
    if (!fix || fix.edits.some((e) => taken.some((t) => overlaps(t.range, e.range)))) continue;
    taken.push(...fix.edits);
  }
  return taken;
}

export function registerCodeActions(context: vscode.ExtensionContext, store: ProblemDiagnostics, valueScheme: string): void {
  context.subscriptions.push(vscode.languages.registerCodeActionsProvider(codeActionSelector(valueScheme), new ProblemCodeActionProvider(store), ProblemCodeActionProvider.metadata));
}
