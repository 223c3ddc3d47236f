/**
 * The workspace model of each folder, kept current: reloaded (debounced) when a
 * connections.yaml is created, changed, deleted or edited in an open editor.
 */
import * as vscode from 'vscode';
import { CONNECTIONS_FILE, loadWorkspace } from '../core/config';
import type { Connection, WorkspaceModel } from '../core/model';
import type { Log } from './log';

export class WorkspaceModels implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  /** Fires after the models were reloaded. */
  readonly onDidChange = this.emitter.event;
  private readonly disposables: vscode.Disposable[] = [];
  private models: WorkspaceModel[] = [];
  private timer: NodeJS.Timeout | undefined;
  private loading: Promise<void> | undefined;

  constructor(private readonly log: Log) {
    const watcher = vscode.workspace.createFileSystemWatcher(`**/${CONNECTIONS_FILE}`);
    // Deleting a folder reports the folder only, not the connection files inside it.
    const deletions = vscode.workspace.createFileSystemWatcher('**/*', true, true, false);
    this.disposables.push(
      watcher,
      deletions,
      deletions.onDidDelete((uri) => {
        if (this.models.some((m) => m.files.some((f) => f.path.startsWith(uri.fsPath + '/')))) this.schedule();
      }),
      watcher.onDidCreate(() => this.schedule()),
      watcher.onDidChange(() => this.schedule()),
      watcher.onDidDelete(() => this.schedule()),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (isConnectionsFile(e.document.uri)) this.schedule();
      }),
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (isConnectionsFile(d.uri)) this.schedule();
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.schedule()),
    );
  }

  get all(): readonly WorkspaceModel[] {
    return this.models;
  }

  /** Loads now (and waits for it); later changes reload in the background. */
  async reload(): Promise<void> {
    const run = async () => {
      const folders = vscode.workspace.workspaceFolders?.filter((f) => f.uri.scheme === 'file') ?? [];
      // Unsaved edits win over the disk; a document VS Code still holds for a deleted file does not.
      const candidates = vscode.workspace.textDocuments.filter((d) => isConnectionsFile(d.uri));
      const live = await Promise.all(candidates.map(async (d) => d.isDirty || (await exists(d.uri))));
      const open = new Map(candidates.filter((_, i) => live[i]).map((d) => [d.uri.fsPath, d]));
      const readFile = async (file: string) => {
        const doc = open.get(file);
        if (doc) return doc.getText();
        return Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.file(file))).toString('utf8');
      };
      this.models = await Promise.all(
        folders.map((f) => loadWorkspace(f.uri.fsPath, { readFile, extraFiles: [...open.keys()].filter((p) => p.startsWith(f.uri.fsPath)) })),
      );
      this.log.debug(`loaded ${this.models.reduce((n, m) => n + m.files.length, 0)} connections.yaml file(s)`);
      await vscode.commands.executeCommand('setContext', 'connectionSecrets.hasConnectionFiles', this.models.some((m) => m.files.length > 0));
      this.emitter.fire();
    };
    this.loading = (this.loading ?? Promise.resolve()).then(run, run);
    return this.loading;
  }

  private schedule() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.reload().catch((e: unknown) => this.log.error(`reloading connections.yaml failed: ${String(e)}`));
    }, 250);
  }

  /** The model that holds a connection. */
  modelOf(connection: Connection): WorkspaceModel | undefined {
    return this.models.find((m) => m.connections.includes(connection)) ?? this.models.find((m) => connection.file.startsWith(m.root));
  }

  findConnection(name: string): { model: WorkspaceModel; connection: Connection } | undefined {
    for (const model of this.models) {
      const c = model.connections.find((x) => x.name === name || `${x.project}/${x.name}` === name);
      if (c) return { model, connection: c };
    }
    return undefined;
  }

  dispose() {
    clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
    this.emitter.dispose();
  }
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

export function isConnectionsFile(uri: vscode.Uri): boolean {
  return uri.scheme === 'file' && uri.path.endsWith(`/${CONNECTIONS_FILE}`);
}
