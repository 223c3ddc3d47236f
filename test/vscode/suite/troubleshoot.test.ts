/**
 * The Troubleshoot commands inside a real VS Code, on the demo workspace (file provider): the
 * panel opens (one webview tab, re-targeted by the next command), a healthy connection passes
 * every check, the demo's broken reference fails first on the missing key with the fix naming
 * the existing one, and no secret value of secrets.json is in anything the commands return.
 * (What the panel draws is read from the screen by the UI tier: test/vscode/ui/troubleshoot.test.ts.)
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activate, assertNoSecret, flatten, waitFor, type ExtensionApi } from './helpers';

interface CheckResult {
  id: string;
  title: string;
  step: number;
  status: 'pass' | 'fail' | 'warn' | 'skipped';
  evidence: string[];
  fix?: string;
  reason?: string;
  reproduce?: string;
}

interface TroubleshootRun {
  title: string;
  provider: string;
  connection?: string;
  results: CheckResult[];
  firstFailure?: string;
}

const VIEW_TYPE = 'connectionSecrets.troubleshoot';

function troubleshootTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(VIEW_TYPE));
}

async function troubleshoot(command: 'connection' | 'provider', arg: unknown): Promise<TroubleshootRun> {
  const run = await vscode.commands.executeCommand<TroubleshootRun | undefined>(`connectionSecrets.troubleshoot.${command}`, arg);
  assert.ok(run, `Troubleshoot ${command} returned nothing (the command failed; see the Connection Secrets log)`);
  assertNoSecret(JSON.stringify(run), `the results of Troubleshoot ${command}`);
  return run;
}

const statuses = (run: TroubleshootRun) => Object.fromEntries(run.results.map((r) => [r.id, r.status]));

describe('troubleshooting (the checklist panel on the demo)', () => {
  let api: ExtensionApi;

  before(async () => {
    api = await activate();
    await api.ready;
  });

  after(async () => {
    await vscode.window.tabGroups.close(troubleshootTabs());
  });

  it('registers Troubleshoot Connection and Troubleshoot Provider', async () => {
    const all = await vscode.commands.getCommands(true);
    assert.ok(all.includes('connectionSecrets.troubleshoot.connection'));
    assert.ok(all.includes('connectionSecrets.troubleshoot.provider'));
  });

  it('opens the panel on a healthy connection, where every check passes', async () => {
    const run = await troubleshoot('connection', 'jira');
    assert.equal(run.connection, 'jira');
    assert.equal(run.provider, 'file');
    assert.deepEqual(statuses(run), { 'file.exists': 'pass', 'file.json': 'pass', 'file.gitIgnored': 'pass', 'file.secrets': 'pass', 'file.rawRead': 'pass' });
    assert.equal(run.firstFailure, undefined);
    // Step 2 shows the entry's structure with every value masked.
    assert.equal(run.results[4].evidence[0], 'read "jira" from secrets.json → {"jira":{"username":"••••••••","password":"••••••••"}}');
    const tab = await waitFor('the Troubleshoot panel', () => troubleshootTabs()[0]);
    assert.equal(tab.label, 'Troubleshoot: connection "jira"');
  });

  it('re-targets the same panel on the demo\'s broken reference: the first problem is the missing key, and the fix names the existing one', async () => {
    const run = await troubleshoot('connection', 'payments');
    assert.equal(run.firstFailure, 'file.secrets');
    const failed = run.results.find((r) => r.id === 'file.secrets');
    assert.match(failed?.evidence.join('\n') ?? '', /secret "payments" keys "apiKey" → missing "apiKey" \(has "api_key"\)/);
    assert.match(failed?.fix ?? '', /Secret "payments" has no key "apiKey" — did you mean "api_key"\?/);
    // Everything before it passed: the first failure is the real cause.
    assert.deepEqual(run.results.slice(0, 3).map((r) => r.status), ['pass', 'pass', 'pass']);
    await waitFor('the panel to show payments', () => troubleshootTabs().length === 1 && troubleshootTabs()[0].label === 'Troubleshoot: connection "payments"');
  });

  it('writes the summary to the Connection Secrets log, led by the first problem, with no value', async () => {
    await vscode.commands.executeCommand('connectionSecrets.showLog');
    const doc = await waitFor('the output channel document', () =>
      vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'output' && /Connection Secrets/.test(decodeURIComponent(d.uri.toString())) && /Troubleshoot connection "payments"/.test(d.getText())),
    );
    const text = doc.getText();
    assert.match(text, /Troubleshoot connection "payments" \(file\): 4 passed, 1 failed, 0 warning\(s\), 0 skipped/);
    assert.match(text, /FAIL file\.secrets: Each referenced secret and key is in the file/);
    assert.match(text, /First problem: Each referenced secret and key is in the file — Secret "payments" has no key "apiKey"/);
    assertNoSecret(text, 'the output channel');
  });

  it('takes a Connections tree item, as its context menu passes it', async () => {
    const item = (await flatten(api.connectionsTree, 2)).find((i) => i.label === 'status-page' && /\bconnection\b/.test(i.contextValue));
    assert.ok(item, 'no status-page item in the Connections tree');
    const run = await troubleshoot('connection', item.element);
    assert.equal(run.connection, 'status-page');
    assert.equal(run.firstFailure, undefined);
  });

  it('Troubleshoot Provider checks every secret the workspace references, from a Providers tree item', async () => {
    const provider = (await flatten(api.providersTree, 1)).find((i) => i.contextValue === 'provider');
    assert.ok(provider, 'no provider item in the Providers tree');
    const run = await troubleshoot('provider', provider.element);
    assert.equal(run.title, 'provider file (workspace)');
    const secrets = run.results.find((r) => r.id === 'file.secrets');
    assert.equal(secrets?.status, 'fail');
    for (const name of ['jira', 'statuspage', 'warehouse', 'reporting', 'payments', 'deploy']) {
      assert.ok(secrets?.evidence.some((e) => e.startsWith(`secret "${name}"`)), `no evidence line for "${name}": ${secrets?.evidence.join('; ')}`);
    }
    assert.equal(secrets?.evidence.length, 6);
    assert.equal(troubleshootTabs().length, 1, 'a second panel was opened');
  });
});
