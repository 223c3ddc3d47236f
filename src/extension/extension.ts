/**
 * Entry point. Only composes: builds the shared context, registers each feature, and returns the
 * API the in-editor tests use. No provider SDK is evaluated here; they load on first use.
 */
import * as vscode from 'vscode';
import type { ListingStats } from '../core/listings';
import type { WorkspaceModel } from '../core/model';
import { registerAssist } from './assist';
import { registerCodeActions } from './codeActions';
import { registerCodeLens } from './codeLens';
import { registerCommands } from './commands';
import { Ctx } from './ctx';
import { registerDiagnostics } from './diagnostics';
import { LintBadgeDecorationProvider } from './lintBadges';
import { registerLinting } from './linting';
import { ProblemDiagnostics } from './problems';
import { SecretValueDocuments, VALUE_SCHEME } from './secretValues';
import { ConnectionsTreeDataProvider } from './trees/connectionsTree';
import { ProvidersTreeDataProvider } from './trees/providersTree';
import { registerUriHandler, type HandledLink } from './uriHandler';

export interface ConnectionSecretsApi {
  providersTree: ProvidersTreeDataProvider;
  /** The Providers view: a reference's link reveals (and selects) its secret here. */
  providersView: vscode.TreeView<unknown>;
  connectionsTree: ConnectionsTreeDataProvider;
  model(): readonly WorkspaceModel[];
  /** Listings made for completion and fixes: started, pages fetched, answered from the cache. */
  listingStats(): ListingStats;
  cacheStats(): { entries: number; providerCalls: number };
  /** Resolves when the first load (and its diagnostics) is done. */
  ready: Promise<void>;
  /** The vscode:// links handled so far (`/refresh?connection=…`), most recent last. */
  handledLinks(): readonly HandledLink[];
}

export function activate(context: vscode.ExtensionContext): ConnectionSecretsApi {
  try {
    const ctx = new Ctx(context);
    context.subscriptions.push(ctx);

    const providersTree = new ProvidersTreeDataProvider(ctx);
    const connectionsTree = new ConnectionsTreeDataProvider(ctx);
    const documents = new SecretValueDocuments();
    const providersView = vscode.window.createTreeView<unknown>('connectionSecrets.providers', { treeDataProvider: providersTree as vscode.TreeDataProvider<unknown>, showCollapseAll: true });
    context.subscriptions.push(
      providersTree,
      connectionsTree,
      documents,
      providersView,
      vscode.window.createTreeView('connectionSecrets.connections', { treeDataProvider: connectionsTree, showCollapseAll: true }),
      vscode.workspace.registerTextDocumentContentProvider(VALUE_SCHEME, documents),
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        providersTree.refresh();
        connectionsTree.refresh();
      }),
    );
    const problems = new ProblemDiagnostics('connection-secrets');
    context.subscriptions.push(problems);
    registerCodeActions(context, problems, VALUE_SCHEME);
    const diagnostics = registerDiagnostics(ctx, problems);
    registerLinting(ctx, problems, { documents, updateDiagnostics: diagnostics.update });
    context.subscriptions.push(vscode.window.registerFileDecorationProvider(new LintBadgeDecorationProvider()));
    registerCommands(ctx, { providersTree, providersView, connectionsTree, documents, updateDiagnostics: diagnostics.update });
    registerAssist(ctx, problems);
    registerCodeLens(ctx, connectionsTree);
    const links = registerUriHandler(ctx);

    if (ctx.config.settings.showViewOnStartup) void vscode.commands.executeCommand('workbench.view.extension.connectionSecrets');

    const ready = ctx.models.reload().then(() => diagnostics.update());
    ready.catch((e: unknown) => ctx.log.error(`loading connections.yaml failed: ${String(e)}`));

    return {
      providersTree,
      providersView,
      connectionsTree,
      model: () => ctx.models.all,
      listingStats: () => ctx.listings.stats,
      cacheStats: () => ({ entries: ctx.resolver.cache.stats.entries, providerCalls: ctx.providerCalls }),
      ready,
      handledLinks: () => links.handled,
    };
  } catch (e) {
    // Say so instead of failing silently with empty views.
    void vscode.window.showErrorMessage(`Connection Secrets failed to start: ${e instanceof Error ? e.message : String(e)}`);
    throw e;
  }
}

export function deactivate(): void {
  // Everything is in context.subscriptions.
}
