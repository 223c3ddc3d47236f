/**
 * Keeps lint diagnostics on open PEM files (.pem, .key, .crt, .cer) and on secret values opened
 * read-only from the trees. connections.yaml is linted with the rest of its checks (diagnostics.ts
 * → checkWorkspace). The core decides; this only converts and publishes through the one adapter.
 *
 * Opened values are read-only, so their fixes become commands that store the fixed value in the
 * secrets manager after confirmation (lintCommands.ts) — offered only when the value's secret is
 * known and its provider can be written.
 */
import * as vscode from 'vscode';
import { isPemFile, lintPemFile, lintSecretText, STORE_FIXED_COMMAND, type StoreFixArgs } from '../core/lint';
import type { Problem } from '../core/model';
import type { Ctx } from './ctx';
import type { ProblemDiagnostics } from './problems';
import { VALUE_SCHEME, type SecretValueDocuments } from './secretValues';

export interface LintingDeps {
  documents: SecretValueDocuments;
  updateDiagnostics: () => Promise<void>;
}

/** Lint problems of an opened value, with its fixes turned into store commands. */
export function valueDocumentProblems(ctx: Ctx, documents: SecretValueDocuments, doc: vscode.TextDocument): Problem[] {
  const source = documents.sourceOf(doc.uri);
  // A key read out of a key/value secret is a plain value; the whole secret has its provider's shape rules.
  const problems = lintSecretText(doc.getText(), doc.uri.toString(), ctx.lintSettings(), source && source.key === undefined ? source.config.type : undefined);
  const writable = !!source && source.config.type !== 'env';
  return problems.map((p) => {
    if (!p.fixes) return p;
    if (!writable) return { ...p, fixes: undefined };
    return {
      ...p,
      fixes: p.fixes.map((f) => {
        const args: StoreFixArgs = { uri: doc.uri.toString(), ruleId: p.ruleId, line: p.range.start.line, character: p.range.start.character, title: f.title };
        return { title: `${f.title} and store it in the ${source!.config.type} secrets manager…`, edits: [], ...(f.preferred ? { preferred: true } : {}), command: { id: STORE_FIXED_COMMAND, args: [args] } };
      }),
    };
  });
}

export function registerLinting(ctx: Ctx, store: ProblemDiagnostics, deps: LintingDeps): void {
  const timers = new Map<string, NodeJS.Timeout>();
  const lint = (doc: vscode.TextDocument) => {
    try {
      if (doc.uri.scheme === 'file' && isPemFile(doc.uri.fsPath)) store.set(doc.uri, lintPemFile(doc.getText(), doc.uri.fsPath, ctx.lintSettings()));
      else if (doc.uri.scheme === VALUE_SCHEME) store.set(doc.uri, valueDocumentProblems(ctx, deps.documents, doc));
    } catch (e) {
      ctx.log.error(`linting ${doc.uri.scheme === VALUE_SCHEME ? 'an opened value' : vscode.workspace.asRelativePath(doc.uri)} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  const schedule = (doc: vscode.TextDocument) => {
    const key = doc.uri.toString();
    clearTimeout(timers.get(key));
    timers.set(
      key,
      setTimeout(() => {
        timers.delete(key);
        lint(doc);
      }, 200),
    );
  };
  for (const doc of vscode.workspace.textDocuments) lint(doc);
  ctx.extension.subscriptions.push(
    vscode.workspace.onDidOpenTextDocument(lint),
    vscode.workspace.onDidChangeTextDocument((e) => schedule(e.document)),
    vscode.workspace.onDidCloseTextDocument((doc) => {
      clearTimeout(timers.get(doc.uri.toString()));
      if ((doc.uri.scheme === 'file' && isPemFile(doc.uri.fsPath)) || doc.uri.scheme === VALUE_SCHEME) store.delete(doc.uri);
    }),
    ctx.config.onDidChange(() => {
      // New settings: every open document, and connections.yaml (whose values are fetched again).
      for (const doc of vscode.workspace.textDocuments) lint(doc);
      void deps.updateDiagnostics();
    }),
    { dispose: () => timers.forEach((t) => clearTimeout(t)) },
  );
}
