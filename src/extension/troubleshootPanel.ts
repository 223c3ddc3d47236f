/**
 * The Troubleshoot panel: one webview that shows a provider's checklist as it runs, re-runs one
 * check or all, and copies a check's reproduction command. What passes or fails is decided by the
 * checks (src/providers/<type>/troubleshoot.ts, run by core's `runChecks`); this file only feeds
 * their redacted results to the webview and the log.
 *
 * The webview gets a strict CSP (nothing but its own script, with a nonce, and stylesheet), may
 * load only `media/troubleshoot/`, and receives data only as messages
 * (`troubleshootProtocol.ts`), rendered with `textContent`.
 */
import crypto from 'node:crypto';
import * as vscode from 'vscode';
import { firstFailure, runChecks, type Check, type CheckResult, type TroubleshootTarget } from '../core/troubleshoot';
import { troubleshootChecks } from '../providers';
import type { Ctx } from './ctx';
import { isWebviewMessage, type HostMessage, type WebviewMessage } from './troubleshootProtocol';

/** What to troubleshoot, as the panel's heading shows it. */
export interface TroubleshootRequest {
  /** `Connection "jira"`, `Provider file (workspace)`. */
  title: string;
  subtitle: string;
  target: TroubleshootTarget;
}

/** What the Troubleshoot commands return (to the in-editor tests): redacted results only. */
export interface TroubleshootRun {
  title: string;
  provider: string;
  connection?: string;
  results: CheckResult[];
  /** The id of the first failing check, the one to fix first. */
  firstFailure?: string;
}

/** The results as the commands return them. */
function outcome(request: TroubleshootRequest, results: CheckResult[]): TroubleshootRun {
  const first = firstFailure(results);
  return {
    title: request.title,
    provider: request.target.provider.type,
    ...(request.target.connection ? { connection: request.target.connection } : {}),
    results,
    ...(first ? { firstFailure: first.id } : {}),
  };
}

const STATUS_WORD: Record<CheckResult['status'], string> = { pass: 'PASS', fail: 'FAIL', warn: 'WARN', skipped: 'SKIP' };

export class TroubleshootPanel implements vscode.Disposable {
  static readonly viewType = 'connectionSecrets.troubleshoot';

  private readonly panel: vscode.WebviewPanel;
  private readonly disposables: vscode.Disposable[] = [];
  private request?: TroubleshootRequest;
  private checks: Check[] = [];
  private results = new Map<string, CheckResult>();
  private running?: string;
  private runInFlight?: Promise<CheckResult[]>;
  private error?: { message: string; fix?: string };
  private webviewReady = false;
  private disposed = false;
  private abort?: AbortController;
  /** Bumped on each new target: progress of a run for an earlier target is dropped. */
  private generation = 0;

  constructor(
    private readonly ctx: Ctx,
    onDispose: () => void,
  ) {
    const root = vscode.Uri.joinPath(ctx.extension.extensionUri, 'media', 'troubleshoot');
    this.panel = vscode.window.createWebviewPanel(TroubleshootPanel.viewType, 'Troubleshoot', vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [root],
    });
    this.panel.webview.html = html(this.panel.webview, root);
    this.disposables.push(
      this.panel.webview.onDidReceiveMessage((m: unknown) => this.receive(m)),
      this.panel.onDidDispose(() => {
        this.disposed = true;
        this.abort?.abort();
        for (const d of this.disposables) d.dispose();
        onDispose();
      }),
    );
  }

  /**
   * Shows the panel on a new target (a panel already open is revealed and re-targeted; a run for
   * the previous target is cancelled), runs every check and resolves with the results.
   */
  async show(request: TroubleshootRequest): Promise<TroubleshootRun> {
    this.abort?.abort();
    const generation = ++this.generation;
    this.request = request;
    this.checks = [];
    this.results = new Map();
    this.running = undefined;
    this.error = undefined;
    this.panel.title = `Troubleshoot: ${request.title}`;
    this.panel.reveal(undefined, false);
    let checks: Check[];
    try {
      checks = await troubleshootChecks(request.target, this.ctx.providerContext());
    } catch (e) {
      if (generation === this.generation) {
        const err = e as { message?: string; fix?: string };
        this.error = { message: this.ctx.redactor.redact(err.message ?? String(e)), fix: err.fix && this.ctx.redactor.redact(err.fix) };
        this.replay();
      }
      throw e;
    }
    // Another command re-targeted the panel while the checks loaded: that one runs, not this.
    if (generation !== this.generation) return outcome(request, []);
    this.checks = checks;
    this.replay();
    return outcome(request, await this.run());
  }

  private async run(only?: string[]): Promise<CheckResult[]> {
    const generation = this.generation;
    const request = this.request!;
    const abort = new AbortController();
    this.abort = abort;
    const previous = [...this.results.values()];
    const pending = runChecks(this.checks, {
      signal: abort.signal,
      redactor: this.ctx.redactor,
      ...(only ? { only, previous } : {}),
      onProgress: (event) => {
        if (generation !== this.generation) return;
        if (event.state === 'running') {
          this.running = event.id;
          this.results.delete(event.id);
        } else {
          this.running = undefined;
          this.results.set(event.id, event.result);
        }
        this.post(event.state === 'running' ? { type: 'progress', id: event.id, state: 'running' } : { type: 'progress', id: event.id, state: 'done', result: event.result });
      },
    });
    this.runInFlight = pending;
    try {
      const results = await pending;
      if (generation === this.generation) {
        this.post({ type: 'done', ...(firstFailure(results) ? { firstFailure: firstFailure(results)!.id } : {}) });
        this.logSummary(request, results, only);
      }
      return results;
    } finally {
      if (this.runInFlight === pending) this.runInFlight = undefined;
    }
  }

  private logSummary(request: TroubleshootRequest, results: CheckResult[], only: string[] | undefined): void {
    const count = (s: CheckResult['status']) => results.filter((r) => r.status === s).length;
    const lines = [
      `Troubleshoot ${request.title} (${request.target.provider.type})${only ? ` — ran again: ${only.join(', ')}` : ''}: ${count('pass')} passed, ${count('fail')} failed, ${count('warn')} warning(s), ${count('skipped')} skipped`,
    ];
    for (const r of results) {
      lines.push(`  ${STATUS_WORD[r.status]} ${r.id}: ${r.title}${r.reason ? ` (${r.reason})` : ''}`);
      if (r.status === 'fail' || r.status === 'warn') {
        for (const e of r.evidence) lines.push(`       ${e}`);
        if (r.fix) lines.push(`       fix: ${r.fix}`);
      }
    }
    const first = firstFailure(results);
    if (first) lines.push(`  First problem: ${first.title}${first.fix ? ` — ${first.fix}` : ''}`);
    this.ctx.log.lines(lines);
  }

  private receive(raw: unknown): void {
    if (!isWebviewMessage(raw)) return;
    const m: WebviewMessage = raw;
    switch (m.type) {
      case 'ready':
        this.webviewReady = true;
        this.replay();
        return;
      case 'copy':
        void this.copy(m.id);
        return;
      case 'rerun':
      case 'runAll': {
        // One run at a time: the webview disables its buttons while one is in flight.
        if (this.runInFlight || this.checks.length === 0) return;
        if (m.type === 'rerun' && !this.checks.some((c) => c.id === m.id)) return;
        this.run(m.type === 'rerun' ? [m.id] : undefined).catch((e: unknown) => this.ctx.log.error(`troubleshoot failed: ${String(e)}`));
        return;
      }
    }
  }

  private async copy(id: string): Promise<void> {
    const result = this.results.get(id);
    const command = result?.reproduce ?? this.checks.find((c) => c.id === id)?.reproduce;
    if (!command) return;
    // Reproduction commands name credentials only as environment variables; redacted anyway.
    const title = result?.title ?? id;
    try {
      await vscode.env.clipboard.writeText(this.ctx.redactor.redact(command));
      void vscode.window.showInformationMessage(`Copied the command that reproduces "${title}".`);
    } catch (e) {
      // A browser-hosted workbench may be denied the clipboard; the command is on the panel.
      void vscode.window.showWarningMessage(`Copying the command of "${title}" failed: ${String(e)}. Select it in the panel instead.`);
    }
  }

  /** Sends the whole state: the webview may have (re)loaded and know nothing. */
  private replay(): void {
    if (!this.request) return;
    this.post({
      type: 'target',
      title: this.request.title,
      subtitle: this.request.subtitle,
      checks: this.checks.map((c) => ({ id: c.id, title: c.title, step: c.step })),
    });
    if (this.error) {
      this.post({ type: 'error', message: this.error.message, ...(this.error.fix ? { fix: this.error.fix } : {}) });
      return;
    }
    for (const c of this.checks) {
      const result = this.results.get(c.id);
      if (result) this.post({ type: 'progress', id: c.id, state: 'done', result });
    }
    if (this.running) this.post({ type: 'progress', id: this.running, state: 'running' });
    else if (!this.runInFlight && this.checks.length && this.results.size === this.checks.length) {
      const first = firstFailure([...this.results.values()]);
      this.post({ type: 'done', ...(first ? { firstFailure: first.id } : {}) });
    }
  }

  private post(message: HostMessage): void {
    // Before the script says it is ready, messages could be lost; `ready` replays the state.
    if (this.webviewReady && !this.disposed) void this.panel.webview.postMessage(message);
  }

  dispose(): void {
    this.panel.dispose();
  }
}

/** The page: a static skeleton, our stylesheet and script; no data in it (that comes as messages). */
function html(webview: vscode.Webview, root: vscode.Uri): string {
  const nonce = crypto.randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(root, 'main.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(root, 'panel.css'));
  const csp = [`default-src 'none'`, `style-src ${webview.cspSource}`, `script-src 'nonce-${nonce}'`, `img-src ${webview.cspSource}`, `font-src ${webview.cspSource}`].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style.toString()}">
<title>Troubleshoot</title>
</head>
<body>
<header>
  <h1 id="title">Troubleshoot</h1>
  <p id="subtitle"></p>
  <button id="run-all" type="button" disabled>Run all again</button>
</header>
<section id="summary" role="status" aria-live="polite"></section>
<ol id="checks" aria-label="Checks"></ol>
<script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
}
