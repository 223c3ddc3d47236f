/**
 * Keeps the diagnostics of every connections.yaml current (including unsaved edits). Problems go
 * through the one adapter (`ProblemDiagnostics`), which also serves their fixes to the code
 * action provider.
 */
import * as vscode from 'vscode';
import type { Problem, ProviderConfig, Scope } from '../core/model';
import { scopeChangeWarning } from '../core/scope';
import { checkWorkspace } from '../core/validate';
import type { Ctx } from './ctx';
import { ProblemDiagnostics } from './problems';

export function registerDiagnostics(ctx: Ctx, store: ProblemDiagnostics): { update: () => Promise<void> } {
  // The scope each folder had when first loaded: while the scope differs from it, the switch
  // warning stays on the scope line (shown once as a notification too).
  const initialScope = new Map<string, Scope>();
  const notified = new Map<string, Scope>();
  let generation = 0;
  /** The connection files this controller set diagnostics on (other owners keep theirs). */
  let owned = new Set<string>();

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
        // A missing secret gets "closest existing names" fixes from the (cached) listing.
        const secretIds = async (provider: ProviderConfig, parent?: string) => (await ctx.listings.list(provider, parent)).items.filter((s) => s.kind !== 'folder').map((s) => s.id);
        problems = await checkWorkspace(model, { ...(resolve ? { resolver: ctx.resolver, secretIds } : {}), lint: ctx.lintSettings(), fetched: (key) => ctx.valueLints.get(key) });
      } catch (e) {
        ctx.log.error(`checking ${model.root} failed: ${String(e)}`);
        problems = model.problems;
      }
      if (switched) problems.push(switched);
      for (const p of problems) byFile.set(p.file, [...(byFile.get(p.file) ?? []), p]);
    }
    if (mine !== generation) return; // a newer update is on its way
    for (const file of owned) if (!byFile.has(file)) store.delete(vscode.Uri.file(file));
    for (const [file, problems] of byFile) store.set(vscode.Uri.file(file), problems);
    owned = new Set(byFile.keys());
  }

  ctx.extension.subscriptions.push(
    ctx.models.onDidChange(() => void update()),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void update()),
  );
  return { update };
}
