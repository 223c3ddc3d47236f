/**
 * "Test Connection" and "Test All Connections": resolve a connection's references (through the
 * cache) and authenticate to its application with them (src/testers). Results go to the
 * connection's tree item, its CodeLens and the log; a credential never does — the testers report
 * none, and every line passes the redactor anyway.
 */
import * as vscode from 'vscode';
import { providerFor } from '../core/config';
import { ConnectionSecretsError } from '../core/errors';
import type { Connection } from '../core/model';
import type { ResolvedConnection } from '../core/resolver';
import { FAILURE_CLASS_NAMES, formatSummary, serverKey, testAll, unresolvedResult, type TestAllSummary } from '../core/testAll';
import type { FailureClass, TestResult } from '../core/tester';
import { isTestable, testConnection } from '../testers';
import { pickConnection, type Factory, type Ui } from './commands';
import type { Ctx } from './ctx';

/** What the test commands return (to other commands and the in-editor tests): no credential. */
export interface TestOutcome {
  connection: string;
  project: string;
  type: string;
  ok: boolean;
  failureClass?: FailureClass;
  message: string;
  durationMs: number;
  details?: Record<string, string>;
}

/**
 * Says why nothing is tested in an untrusted workspace (testing fetches secrets and sends them to
 * the application) and offers the way out. True when the caller must stop.
 */
export function refuseUntrusted(ctx: Ctx, what: string, toDo: string): boolean {
  if (ctx.trusted) return false;
  void vscode.window
    .showWarningMessage(`${what}: this workspace is not trusted, so Connection Secrets fetches no secret and contacts no server. Trust the workspace to ${toDo}.`, 'Manage Workspace Trust')
    .then((a) => a && vscode.commands.executeCommand('workbench.trust.manage'));
  return true;
}

/** Tests a resolved connection; one that did not resolve, or has no tester, is reported untested. */
export async function testResolved(ctx: Ctx, r: ResolvedConnection, signal?: AbortSignal): Promise<TestResult> {
  if (!isTestable(r.connection.type)) {
    return { ok: false, failureClass: 'config', message: `Connections of type "${r.connection.type}" cannot be tested — testable types are http, postgres, mysql and ssh.`, durationMs: 0 };
  }
  if (!r.ok || !r.values) return unresolvedResult(r);
  return testConnection(r.values, { timeoutMs: ctx.config.settings.testTimeoutSeconds * 1000, signal });
}

/**
 * Records a result on the tree (until the file changes) and returns it as an outcome. `r` is the
 * resolution the test used: one that did not resolve was not tested, so it shows no duration.
 */
export function recordOutcome(ctx: Ctx, ui: Ui, r: ResolvedConnection, result: TestResult): TestOutcome {
  const connection = r.connection;
  const message = ctx.redactor.redact(result.message);
  const failure = result.ok ? undefined : FAILURE_CLASS_NAMES[result.failureClass ?? 'unknown'];
  const tested = r.ok && isTestable(connection.type);
  ui.connectionsTree.recordTest(connection, { ok: result.ok, message, failure, ...(tested ? { durationMs: result.durationMs } : {}) });
  return {
    connection: connection.name,
    project: connection.project,
    type: connection.type,
    ok: result.ok,
    ...(result.failureClass && !result.ok ? { failureClass: result.failureClass } : {}),
    message,
    durationMs: result.durationMs,
    ...(result.details ? { details: Object.fromEntries(Object.entries(result.details).map(([k, v]) => [k, ctx.redactor.redact(v)])) } : {}),
  };
}

/** "test passed (84 ms)" / "bad credentials — …". */
export function describeTest(o: TestOutcome): string {
  return o.ok ? `test passed (${o.durationMs} ms)` : `${FAILURE_CLASS_NAMES[o.failureClass ?? 'unknown']} — ${o.message}`;
}

/** "jira: test passed (84 ms)" / "jira: bad credentials — …". */
export function describeOutcome(o: TestOutcome): string {
  return `${o.connection}: ${describeTest(o)}`;
}

function logOutcome(ctx: Ctx, o: TestOutcome): void {
  const details = Object.entries(o.details ?? {}).map(([k, v]) => `${k}=${v}`);
  ctx.log.lines([`${o.ok ? 'ok  ' : 'FAIL'} ${o.project ? `${o.project}/` : ''}${o.connection} (${o.type}) ${o.durationMs} ms${o.failureClass ? ` [${o.failureClass}]` : ''}: ${o.message}`, ...(details.length ? [`     ${details.join(', ')}`] : [])]);
}

/** Shows one outcome, offering the next step: refresh after bad credentials, else the log. */
export function showOutcome(ctx: Ctx, o: TestOutcome, connection: Connection, prefix = ''): void {
  const text = `${prefix}${describeOutcome(o)}`;
  if (o.ok) {
    void vscode.window.showInformationMessage(text);
    return;
  }
  const canRefresh = o.failureClass === 'badCredentials' && connection.fields.some((f) => f.references.length);
  // A reference that did not resolve (core's unresolvedResult says "Not tested: …") or a denial
  // is what the troubleshooting checklist explains step by step.
  const canTroubleshoot = o.failureClass === 'denied' || o.message.startsWith('Not tested:');
  const actions = [...(canRefresh ? ['Refresh Connection'] : []), ...(canTroubleshoot ? ['Troubleshoot'] : []), 'Show Log'];
  void vscode.window.showWarningMessage(text, ...actions).then((a) => {
    const ref = { file: connection.file, name: connection.name };
    if (a === 'Refresh Connection') void vscode.commands.executeCommand('connectionSecrets.connection.refresh', ref);
    else if (a === 'Troubleshoot') void vscode.commands.executeCommand('connectionSecrets.troubleshoot.connection', ref);
    else if (a === 'Show Log') ctx.log.show();
  });
}

/**
 * Re-tests a connection that was just resolved (refresh after rotation); undefined for a type
 * without a tester. The caller reports the outcome with its own message.
 */
export async function retest(ctx: Ctx, ui: Ui, r: ResolvedConnection, signal?: AbortSignal): Promise<TestOutcome | undefined> {
  if (!isTestable(r.connection.type)) return undefined;
  const outcome = recordOutcome(ctx, ui, r, await testResolved(ctx, r, signal));
  logOutcome(ctx, outcome);
  return outcome;
}

function isCancelled(e: unknown): boolean {
  return e instanceof ConnectionSecretsError && e.code === 'Cancelled';
}

/** An AbortSignal that follows a cancellation token. */
function abortOn(token: vscode.CancellationToken): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const sub = token.onCancellationRequested(() => controller.abort());
  return { signal: controller.signal, dispose: () => sub.dispose() };
}

export const testCommands: Record<string, Factory> = {
  'connectionSecrets.connection.test': (ctx, ui) => async (arg) => {
    if (refuseUntrusted(ctx, 'Test Connection', 'test its connections')) return undefined;
    const picked = await pickConnection(ctx, arg);
    if (!picked) return undefined;
    const { model, connection } = picked;
    try {
      const outcome = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Testing ${connection.name}…`, cancellable: true },
        async (_progress, token) => {
          const abort = abortOn(token);
          try {
            const r = await ctx.resolver.resolveConnection(connection, providerFor(model, connection), abort.signal);
            if (abort.signal.aborted) throw new ConnectionSecretsError('Cancelled', 'Cancelled');
            ui.connectionsTree.record(r);
            return recordOutcome(ctx, ui, r, await testResolved(ctx, r, abort.signal));
          } finally {
            abort.dispose();
          }
        },
      );
      logOutcome(ctx, outcome);
      showOutcome(ctx, outcome, connection);
      return outcome;
    } catch (e) {
      if (!isCancelled(e)) throw e;
      ctx.log.info(`test of ${connection.name} cancelled`);
      void vscode.window.showInformationMessage(`Test of ${connection.name} cancelled.`);
      return undefined;
    }
  },

  'connectionSecrets.testAll': (ctx, ui) => async () => {
    if (refuseUntrusted(ctx, 'Test All Connections', 'test its connections')) return undefined;
    const groups = ctx.models.all.map((model) => ({ model, connections: model.connections.filter((c) => isTestable(c.type)) })).filter((g) => g.connections.length);
    const skipped = ctx.models.all.flatMap((m) => m.connections.filter((c) => !isTestable(c.type)));
    const total = groups.reduce((n, g) => n + g.connections.length, 0);
    if (total === 0) {
      void vscode.window.showInformationMessage(`No connection to test: testable types are http, postgres, mysql and ssh${skipped.length ? ` (${skipped.length} of another type skipped)` : ''}.`);
      return undefined;
    }
    const run = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Testing connections', cancellable: true },
      async (progress, token) => {
        const abort = abortOn(token);
        try {
          progress.report({ message: `resolving ${total} connection(s)…` });
          // Secrets are fetched once per provider for all the connections of a folder.
          const resolved = (await Promise.all(groups.map((g) => ctx.resolver.resolveConnections(g.model, g.connections, abort.signal)))).flat();
          for (const r of resolved) ui.connectionsTree.record(r);
          const outcomes: Array<TestOutcome | undefined> = new Array(resolved.length);
          const report = await testAll(resolved, (r, signal) => testResolved(ctx, r, signal), {
            keyOf: (r) => serverKey(r.values),
            signal: abort.signal,
            onResult: (i, result, done) => {
              outcomes[i] = recordOutcome(ctx, ui, resolved[i], result);
              progress.report({ increment: 100 / resolved.length, message: `${done} of ${resolved.length} · ${resolved[i].connection.name} ${result.ok ? 'passed' : 'failed'}` });
            },
          });
          return { resolved, outcomes, summary: report.summary };
        } finally {
          abort.dispose();
        }
      },
    );
    const tested = run.outcomes.filter((o): o is TestOutcome => !!o);
    ctx.log.lines([`Test all: ${run.resolved.length} connection(s)`]);
    for (const o of tested) logOutcome(ctx, o);
    for (const c of skipped) ctx.log.lines([`skip ${c.project ? `${c.project}/` : ''}${c.name} (${c.type}): no tester for this type`]);
    const line = `Tested ${run.summary.total} connection(s): ${formatSummary(run.summary)}${skipped.length ? `, ${skipped.length} skipped (no tester)` : ''} in ${run.summary.durationMs} ms`;
    ctx.log.info(line);
    if (run.summary.passed === run.summary.total) void vscode.window.showInformationMessage(line);
    else void vscode.window.showWarningMessage(line, 'Show Log').then((a) => a && ctx.log.show());
    return { summary: run.summary as TestAllSummary, results: tested, skipped: skipped.map((c) => c.name) };
  },
};
