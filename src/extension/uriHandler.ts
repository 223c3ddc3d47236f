/**
 * `vscode://connection-secrets.connection-secrets/refresh?connection=<name>`: lets a rotation
 * pipeline or another tool on this machine ask for "Refresh Connection" after it rotated a secret.
 *
 * Any local program can open such a link, so the handler runs without asking (a pipeline has
 * nobody to answer) but gives a link no more power than the button: it refreshes one connection
 * already defined in this trusted workspace — clears its cached secrets, fetches them again from
 * the provider in scope and re-tests it — and shows the same masked result. It never reveals,
 * copies or returns a value, never creates or edits a connection, refuses in an untrusted
 * workspace, and joins a request for a connection whose refresh is still running instead of
 * starting another (a flood of links causes one refresh at a time per connection).
 */
import * as vscode from 'vscode';
import type { Ctx } from './ctx';

/** One link handled, for the log and the in-editor tests. Never holds a value. */
export interface HandledLink {
  path: string;
  connection?: string;
  /** What the refresh command returned, or why nothing ran. */
  outcome: unknown;
  refused?: 'untrusted' | 'unknownPath' | 'badConnection';
}

const MAX_NAME = 200;

export class RefreshUriHandler implements vscode.UriHandler {
  /** The links handled in this session, most recent last (bounded). */
  readonly handled: HandledLink[] = [];
  private readonly running = new Map<string, Promise<unknown>>();

  constructor(private readonly ctx: Ctx) {}

  async handleUri(uri: vscode.Uri): Promise<void> {
    const h = await this.handle(uri);
    this.handled.push(h);
    if (this.handled.length > 50) this.handled.shift();
  }

  private async handle(uri: vscode.Uri): Promise<HandledLink> {
    const path = uri.path.replace(/\/+$/, '');
    if (path !== '/refresh') {
      this.ctx.log.warn(`ignored a link to ${shown(path)}: the only link Connection Secrets handles is /refresh?connection=<name>`);
      void vscode.window.showWarningMessage(`Connection Secrets cannot open links to "${shown(path)}". The supported link is ${vscode.env.uriScheme}://connection-secrets.connection-secrets/refresh?connection=<name>.`);
      return { path, outcome: undefined, refused: 'unknownPath' };
    }
    const name = new URLSearchParams(uri.query).get('connection')?.trim() ?? '';
    // The name comes from another program: keep what is echoed short and printable.
    if (!name || name.length > MAX_NAME || [...name].some(isControl)) {
      void vscode.window.showWarningMessage('A link asked Connection Secrets to refresh a connection but named none (or an invalid name). Use …/refresh?connection=<name> or …/refresh?connection=<project>/<name>.');
      return { path, connection: name ? shown(name) : undefined, outcome: undefined, refused: 'badConnection' };
    }
    if (!this.ctx.trusted) {
      this.ctx.log.warn(`refused a link to refresh ${name}: the workspace is not trusted`);
      void vscode.window
        .showWarningMessage(`A link asked to refresh "${name}", but this workspace is not trusted, so Connection Secrets fetches no secret. Trust the workspace, then open the link again.`, 'Manage Workspace Trust')
        .then((a) => a && vscode.commands.executeCommand('workbench.trust.manage'));
      return { path, connection: name, outcome: undefined, refused: 'untrusted' };
    }
    this.ctx.log.info(`a link asked to refresh ${name}`);
    let run = this.running.get(name);
    if (!run) {
      // The command does the work and reports it (rotated versions, the re-test), or shows why
      // it failed (an unknown name, say) through the one error boundary.
      run = Promise.resolve(vscode.commands.executeCommand('connectionSecrets.connection.refresh', name)).finally(() => this.running.delete(name));
      this.running.set(name, run);
    }
    return { path, connection: name, outcome: await run };
  }
}

function isControl(ch: string): boolean {
  const c = ch.charCodeAt(0);
  return c < 0x20 || c === 0x7f;
}

function shown(text: string): string {
  const printable = [...text].filter((ch) => !isControl(ch)).join('');
  return printable.length > 60 ? `${printable.slice(0, 60)}…` : printable;
}

export function registerUriHandler(ctx: Ctx): RefreshUriHandler {
  const handler = new RefreshUriHandler(ctx);
  ctx.extension.subscriptions.push(vscode.window.registerUriHandler(handler));
  return handler;
}
