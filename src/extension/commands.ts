/**
 * All commands in one registry: `connectionSecrets.<area>.<verb>` → factory. Each command runs
 * behind one boundary that shows a failure once, with the variable part last.
 */
import * as vscode from 'vscode';
import { providerFor } from '../core/config';
import { describeError } from '../core/errors';
import type { Connection, WorkspaceModel } from '../core/model';
import { describeRotation, type RefreshReport } from '../core/resolver';
import type { Ctx } from './ctx';
import { lintCommands } from './lintCommands';
import { toRange } from './problems';
import { copyWithTimeout, SecretValueDocuments, valueOf } from './secretValues';
import { describeTest, retest, testCommands } from './testCommands';
import { troubleshootCommands } from './troubleshootCommands';
import { ConnectionItem, ConnectionsTreeDataProvider, FieldItem } from './trees/connectionsTree';
import { LoadMoreItem, ProvidersTreeDataProvider, SecretItem } from './trees/providersTree';
import { workatoCommands } from './workatoCommands';

export interface Ui {
  providersTree: ProvidersTreeDataProvider;
  /** The Providers view (for `reveal`). */
  providersView: vscode.TreeView<unknown>;
  connectionsTree: ConnectionsTreeDataProvider;
  documents: SecretValueDocuments;
  updateDiagnostics: () => Promise<void>;
}

type Command = (...args: unknown[]) => unknown;
export type Factory = (ctx: Ctx, ui: Ui) => Command;

/** A connection named exactly (as a CodeLens or a notification button passes it). */
export interface ConnectionRef {
  file: string;
  name: string;
}

/** One field of a connection, named exactly (a hover's reveal / copy link passes it as JSON). */
export interface FieldRef extends ConnectionRef {
  field: string;
}

/** A secret in the Providers view: the declaring file of its provider block and the secret id (a reference's link). */
export interface SecretRef {
  provider: string;
  secretId: string;
}

function isFieldRef(arg: unknown): arg is FieldRef {
  return isConnectionRef(arg) && typeof (arg as FieldRef).field === 'string';
}

function isConnectionRef(arg: unknown): arg is ConnectionRef {
  return !!arg && typeof arg === 'object' && typeof (arg as ConnectionRef).file === 'string' && typeof (arg as ConnectionRef).name === 'string';
}

/** A connection given as a tree item, a `ConnectionRef`, a name (`name` or `project/name`), or picked. */
export async function pickConnection(ctx: Ctx, arg: unknown): Promise<{ model: WorkspaceModel; connection: Connection } | undefined> {
  if (arg instanceof ConnectionItem) return { model: arg.model, connection: arg.connection };
  if (arg instanceof FieldItem) return { model: arg.parent.model, connection: arg.parent.connection };
  if (isConnectionRef(arg)) {
    for (const model of ctx.models.all) {
      const connection = model.connections.find((c) => c.file === arg.file && c.name === arg.name);
      if (connection) return { model, connection };
    }
    throw new Error(`no connection named "${arg.name}" in ${vscode.workspace.asRelativePath(arg.file)} (was the file changed?)`);
  }
  if (typeof arg === 'string') {
    const found = ctx.models.findConnection(arg);
    if (!found) throw new Error(`no connection named "${arg}" in this workspace`);
    return found;
  }
  const all = ctx.models.all.flatMap((model) => model.connections.map((connection) => ({ model, connection })));
  if (all.length === 0) {
    void vscode.window.showInformationMessage('No connections yet: add them to a connections.yaml file.');
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    all.map((x) => ({ label: x.connection.name, description: `${x.connection.type}${x.connection.project ? ` · ${x.connection.project}` : ''}`, x })),
    { title: 'Choose a connection', matchOnDescription: true },
  );
  return pick?.x;
}

/** A value source from the palette: connection, then one of its fields with references. */
async function pickValueItem(ctx: Ctx, ui: Ui, arg: unknown): Promise<SecretItem | FieldItem | undefined> {
  if (arg instanceof SecretItem || arg instanceof FieldItem) return arg;
  const picked = await pickConnection(ctx, arg);
  if (picked && isFieldRef(arg)) {
    const field = picked.connection.fields.find((f) => f.path === arg.field && f.references.length);
    if (!field) throw new Error(`${picked.connection.name} has no field "${arg.field}" with a secret reference (was the file changed?)`);
    return new FieldItem(new ConnectionItem(picked.model, picked.connection, undefined), field, undefined, !ctx.trusted);
  }
  if (!picked) return undefined;
  const item = new ConnectionItem(picked.model, picked.connection, undefined);
  const fields = picked.connection.fields.filter((f) => f.references.length);
  if (fields.length === 0) throw new Error(`${picked.connection.name} has no secret references`);
  const field = fields.length === 1 ? fields[0] : (await vscode.window.showQuickPick(fields.map((f) => ({ label: f.path, f })), { title: 'Choose a field' }))?.f;
  return field ? new FieldItem(item, field, undefined, !ctx.trusted) : undefined;
}

function rotationSummary(r: RefreshReport): string {
  if (r.rotated.length) return r.rotated.map(describeRotation).join('; ');
  return `no secret changed (${r.unchanged.length} checked)`;
}

export const commands: Record<string, Factory> = {
  'connectionSecrets.connection.resolve': (ctx, ui) => async (arg) => {
    const picked = await pickConnection(ctx, arg);
    if (!picked) return undefined;
    const { model, connection } = picked;
    const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Resolving ${connection.name}…` }, () =>
      ctx.resolver.resolveConnection(connection, providerFor(model, connection)),
    );
    ui.connectionsTree.record(r);
    const resolved = r.references.filter((x) => x.status === 'resolved').length;
    ctx.log.lines([`Resolved ${connection.name} (${connection.type}): ${resolved}/${r.references.length} reference(s)`, ...r.fields.map((f) => `  ${f.path}: ${f.display}${f.status === 'literal' ? '' : ` [${f.status}]`}`), ...r.references.filter((x) => x.error).map((x) => `  ${x.field}: ${x.error}`)]);
    const message = `${connection.name}: ${resolved} of ${r.references.length} reference(s) resolved`;
    if (r.ok) void vscode.window.showInformationMessage(message);
    else {
      void vscode.window.showWarningMessage(`${message}. ${r.references.find((x) => x.error)?.error ?? ''}`, 'Troubleshoot', 'Show Log').then((a) => {
        if (a === 'Troubleshoot') void vscode.commands.executeCommand('connectionSecrets.troubleshoot.connection', { file: connection.file, name: connection.name });
        else if (a === 'Show Log') ctx.log.show();
      });
    }
    return { connection: connection.name, ok: r.ok, fields: r.fields.map((f) => ({ path: f.path, display: f.display, status: f.status })) };
  },

  'connectionSecrets.connection.refresh': (ctx, ui) => async (arg) => {
    const picked = await pickConnection(ctx, arg);
    if (!picked) return undefined;
    const { report, test } = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Refreshing ${picked.connection.name}…` }, async () => {
      const report = await ctx.resolver.refreshConnection(picked.model, picked.connection);
      ui.connectionsTree.record(report.resolution);
      // After a rotation the question is whether the new secret works: test it again.
      return { report, test: await retest(ctx, ui, report.resolution) };
    });
    const line = `Refreshed ${picked.connection.name}: ${rotationSummary(report)}${test ? `; ${describeTest(test)}` : ''}`;
    ctx.log.info(line);
    if (!test || test.ok) void vscode.window.showInformationMessage(line);
    else void vscode.window.showWarningMessage(line, 'Show Log').then((a) => a && ctx.log.show());
    return { connection: report.connection, rotated: report.rotated, unchanged: report.unchanged, ok: report.resolution.ok, ...(test ? { test } : {}) };
  },

  'connectionSecrets.refreshAll': (ctx, ui) => async () => {
    const reports = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Refreshing connections', cancellable: true }, async (progress, token) => {
      await ctx.models.reload();
      const all = ctx.models.all.flatMap((model) => model.connections.filter((c) => c.fields.some((f) => f.references.length)).map((connection) => ({ model, connection })));
      const out: RefreshReport[] = [];
      for (const { model, connection } of all) {
        if (token.isCancellationRequested) break;
        progress.report({ message: connection.name, increment: 100 / Math.max(1, all.length) });
        if (!ctx.trusted) continue;
        out.push(await ctx.resolver.refreshConnection(model, connection));
      }
      return out;
    });
    ui.providersTree.refresh();
    for (const r of reports) ui.connectionsTree.record(r.resolution);
    await ui.updateDiagnostics();
    const rotated = reports.flatMap((r) => r.rotated);
    const failed = reports.filter((r) => !r.resolution.ok).length;
    const line = `Refreshed ${reports.length} connection(s): ${rotated.length ? rotated.map(describeRotation).join('; ') : 'no secret changed'}${failed ? `; ${failed} with unresolved references` : ''}`;
    ctx.log.info(line);
    void vscode.window.showInformationMessage(line);
    return { refreshed: reports.length, rotated, failed };
  },

  'connectionSecrets.secret.reveal': (ctx, ui) => async (arg) => {
    const item = await pickValueItem(ctx, ui, arg);
    if (!item) return;
    const { label, value } = await valueOf(ctx, item);
    const seconds = ctx.config.settings.revealSeconds;
    if (item instanceof SecretItem) ui.providersTree.reveal(item, value, seconds);
    else {
      void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `${label}: ${value}` }, () => new Promise((r) => setTimeout(r, seconds * 1000)));
    }
    ctx.log.info(`revealed ${label} for ${seconds} s`);
  },

  'connectionSecrets.secret.copy': (ctx, ui) => async (arg) => {
    const item = await pickValueItem(ctx, ui, arg);
    if (!item) return;
    const { label, value } = await valueOf(ctx, item);
    const seconds = ctx.config.settings.clipboardClearSeconds;
    await copyWithTimeout(value, seconds);
    ctx.log.info(`copied ${label} to the clipboard`);
    void vscode.window.showInformationMessage(`Copied ${label}.${seconds > 0 ? ` The clipboard is cleared in ${seconds} s.` : ''}`);
  },

  'connectionSecrets.secret.open': (ctx, ui) => async (arg) => {
    const item = await pickValueItem(ctx, ui, arg);
    if (!item) return;
    const { label, value, source } = await valueOf(ctx, item);
    ctx.log.info(`opened ${label} in a read-only editor`);
    return ui.documents.open(label, value, source);
  },

  'connectionSecrets.connection.reveal': () => async (arg) => {
    if (!(arg instanceof ConnectionItem)) return;
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(arg.connection.file));
    await vscode.window.showTextDocument(doc, { selection: toRange(arg.connection.nameRange), preserveFocus: true, preview: true });
  },

  'connectionSecrets.providers.loadMore': (_ctx, ui) => async (arg) => {
    if (arg instanceof LoadMoreItem) await ui.providersTree.loadMore(arg);
  },

  'connectionSecrets.providers.reveal': (ctx, ui) => async (arg) => {
    const ref = arg as SecretRef | undefined;
    if (!ref || typeof ref.provider !== 'string' || typeof ref.secretId !== 'string') return undefined;
    if (!ctx.trusted) throw new Error('this workspace is not trusted, so the Providers view lists no secrets. Trust it (Manage Workspace Trust) to browse them');
    const item = await ui.providersTree.findSecret(ref.provider, ref.secretId);
    if (!item) throw new Error(`the provider declared in ${vscode.workspace.asRelativePath(ref.provider)} does not list "${ref.secretId}". Check the name in the reference, or Reload Providers if it was just created`);
    await ui.providersView.reveal(item, { select: true, focus: true, expand: false });
    return { revealed: item.id };
  },

  'connectionSecrets.providers.refresh': (ctx, ui) => async () => {
    ctx.listings.invalidate();
    await ctx.resetProviders();
    ui.providersTree.refresh();
  },

  'connectionSecrets.connections.refresh': (ctx, ui) => async () => {
    await ctx.models.reload();
    ui.connectionsTree.refresh();
  },

  'connectionSecrets.showLog': (ctx) => () => ctx.log.show(),

  // The linter's fixes that write to a secrets manager (after confirmation).
  ...lintCommands,
  ...testCommands,
  ...workatoCommands,
  ...troubleshootCommands,
};

export function registerCommands(ctx: Ctx, ui: Ui): void {
  for (const [id, factory] of Object.entries(commands)) {
    const run = factory(ctx, ui);
    ctx.extension.subscriptions.push(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          return await run(...args);
        } catch (e) {
          const what = id.split('.').slice(1).join(' ');
          const message = ctx.redactor.redact(describeError(e));
          ctx.log.error(`${what} failed: ${message}`);
          void vscode.window.showErrorMessage(`Connection Secrets: ${what} failed: ${message}`, 'Show Log').then((a) => a && ctx.log.show());
          return undefined;
        }
      }),
    );
  }
}
