/**
 * "Troubleshoot Connection" and "Troubleshoot Provider": pick what to troubleshoot (tree item,
 * name, or a quick pick), build its target from the model, and show the checklist in the
 * Troubleshoot panel. They return the redacted results (`TroubleshootRun`) for the tests.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import { providersInScope } from '../core/config';
import type { ProviderConfig, WorkspaceModel } from '../core/model';
import { troubleshootTargets, type TroubleshootTarget } from '../core/troubleshoot';
import { pickConnection, type Factory } from './commands';
import type { Ctx } from './ctx';
import { refuseUntrusted } from './testCommands';
import { ProviderItem } from './trees/providersTree';
import { TroubleshootPanel, type TroubleshootRequest } from './troubleshootPanel';

/** One panel per activation, shared by both commands (a second command re-targets it). */
const panels = new WeakMap<Ctx, TroubleshootPanel>();

function panelFor(ctx: Ctx): TroubleshootPanel {
  let panel = panels.get(ctx);
  if (!panel) {
    panel = new TroubleshootPanel(ctx, () => panels.delete(ctx));
    panels.set(ctx, panel);
  }
  return panel;
}

/** Where a provider block is declared, as the Providers view says it ("workspace", "projects/aws"). */
function whereOf(model: WorkspaceModel, config: ProviderConfig): string {
  return path.relative(model.root, config.dir) || 'workspace';
}

function secretsPhrase(target: TroubleshootTarget): string {
  const n = target.secrets.length;
  return `${n} referenced secret${n === 1 ? '' : 's'}`;
}

/** A provider given as a Providers tree item, as `type` or `type (where)`, or picked. */
async function pickProvider(ctx: Ctx, arg: unknown): Promise<{ model: WorkspaceModel; provider: ProviderConfig } | undefined> {
  if (arg instanceof ProviderItem) return { model: arg.model, provider: arg.config };
  const all = ctx.models.all.flatMap((model) => providersInScope(model).map((provider) => ({ model, provider, label: `${provider.type} (${whereOf(model, provider)})` })));
  if (typeof arg === 'string') {
    const found = all.filter((p) => p.label === arg || p.provider.type === arg);
    if (found.length === 1) return found[0];
    throw new Error(found.length ? `"${arg}" matches ${found.length} providers; name one of: ${found.map((p) => p.label).join(', ')}` : `no provider "${arg}" in this workspace (known: ${all.map((p) => p.label).join(', ') || 'none'})`);
  }
  if (all.length === 0) {
    void vscode.window.showInformationMessage('No secrets manager is configured: add a secretsManager.provider block to connections.yaml.');
    return undefined;
  }
  if (all.length === 1) return all[0];
  const pick = await vscode.window.showQuickPick(
    all.map((p) => ({ label: p.provider.type, description: whereOf(p.model, p.provider), p })),
    { title: 'Choose a secrets manager to troubleshoot', matchOnDescription: true },
  );
  return pick?.p;
}

export const troubleshootCommands: Record<string, Factory> = {
  'connectionSecrets.troubleshoot.connection': (ctx) => async (arg) => {
    if (refuseUntrusted(ctx, 'Troubleshoot Connection', 'troubleshoot its connections')) return undefined;
    const picked = await pickConnection(ctx, arg);
    if (!picked) return undefined;
    const { model, connection } = picked;
    const [target] = troubleshootTargets(model, { connection: connection.name });
    const request: TroubleshootRequest = {
      title: `connection "${connection.name}"`,
      subtitle: `${connection.type}${connection.project ? ` in ${connection.project}` : ''} · ${target.provider.type} provider (${whereOf(model, target.provider)}) · ${secretsPhrase(target)}`,
      target,
    };
    return panelFor(ctx).show(request);
  },

  'connectionSecrets.troubleshoot.provider': (ctx) => async (arg) => {
    if (refuseUntrusted(ctx, 'Troubleshoot Provider', 'troubleshoot its secrets managers')) return undefined;
    const picked = await pickProvider(ctx, arg);
    if (!picked) return undefined;
    const [target] = troubleshootTargets(picked.model, { provider: picked.provider });
    const users = new Set(target.secrets.flatMap((s) => s.usedBy.map((u) => u.split('.')[0])));
    const request: TroubleshootRequest = {
      title: `provider ${picked.provider.type} (${whereOf(picked.model, picked.provider)})`,
      subtitle: `declared in ${vscode.workspace.asRelativePath(picked.provider.file)} · ${secretsPhrase(target)} from ${users.size} connection${users.size === 1 ? '' : 's'}`,
      target,
    };
    return panelFor(ctx).show(request);
  },
};
