/**
 * A "Test connection" CodeLens above each testable connection in `connections.yaml`, followed by
 * the last result while it stands (the same one the Connections tree shows). Positions come from
 * the workspace model, which follows unsaved edits, so a lens names exactly the connection the
 * commands will test.
 */
import * as vscode from 'vscode';
import { isTestable } from '../testers';
import type { Ctx } from './ctx';
import { toRange } from './problems';
import type { ConnectionRef } from './commands';
import type { ConnectionsTreeDataProvider } from './trees/connectionsTree';

export class ConnectionCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.emitter.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly ctx: Ctx,
    private readonly tree: ConnectionsTreeDataProvider,
  ) {
    const changed = () => this.emitter.fire();
    this.subscriptions = [ctx.models.onDidChange(changed), tree.onDidChangeTreeData(changed), vscode.workspace.onDidGrantWorkspaceTrust(changed)];
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    // Testing fetches secrets: in restricted mode there is nothing to offer.
    if (!this.ctx.trusted) return [];
    const lenses: vscode.CodeLens[] = [];
    for (const model of this.ctx.models.all) {
      for (const c of model.connections) {
        if (c.file !== document.uri.fsPath || !isTestable(c.type)) continue;
        const range = toRange(c.nameRange);
        const ref: ConnectionRef = { file: c.file, name: c.name };
        lenses.push(new vscode.CodeLens(range, { title: '$(beaker) Test connection', tooltip: `Resolve ${c.name}'s secrets and authenticate to the application`, command: 'connectionSecrets.connection.test', arguments: [ref] }));
        const last = this.tree.lastTest(c);
        if (last) {
          const title = last.ok ? `$(pass) test passed${last.durationMs !== undefined ? ` · ${last.durationMs} ms` : ''}` : `$(error) ${last.failure ?? 'test failed'}`;
          lenses.push(new vscode.CodeLens(range, { title, tooltip: last.message, command: 'connectionSecrets.showLog' }));
        }
      }
    }
    return lenses;
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.emitter.dispose();
  }
}

/** Registers the lens for connection files; returns the provider (the in-editor tests read it). */
export function registerCodeLens(ctx: Ctx, tree: ConnectionsTreeDataProvider): ConnectionCodeLensProvider {
  const provider = new ConnectionCodeLensProvider(ctx, tree);
  ctx.extension.subscriptions.push(provider, vscode.languages.registerCodeLensProvider({ scheme: 'file', pattern: '**/connections.yaml' }, provider));
  return provider;
}
