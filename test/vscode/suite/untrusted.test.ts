import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { activate, assertNoSecret, children, extension, flatten, openLink, waitFor, workspaceRoot, type ExtensionApi } from './helpers';

/**
 * Runs only in the restricted-mode pass (CS_VSCODE_MODE=untrusted): the folder is not trusted,
 * so nothing may be fetched, while pure linting still works.
 */
describe('untrusted workspace', () => {
  let api: ExtensionApi;

  it('opens in restricted mode', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  it('still activates (limited support) and has fetched nothing', async () => {
    api = await activate();
    await api.ready;
    assert.equal(api.cacheStats().providerCalls, 0);
    assert.ok(api.model().length > 0, 'the workspace files were not even loaded');
  });

  it('the Providers view is empty and its welcome content says why', async () => {
    assert.deepEqual(await children(api.providersTree), []);
    const welcome = (extension().packageJSON.contributes?.viewsWelcome ?? []) as { view: string; contents: string; when?: string }[];
    const why = welcome.find((w) => w.view === 'connectionSecrets.providers' && w.when === '!isWorkspaceTrusted');
    assert.ok(why, 'no welcome content for the untrusted Providers view');
    assert.match(why.contents, /not trusted/);
  });

  it('Connections lists the connections and marks each reference as not resolved because of trust', async () => {
    const shown = await flatten(api.connectionsTree, 3);
    const references = shown.filter((i) => /\breference\b/.test(i.contextValue));
    assert.ok(references.length >= 8, `expected the demo's references, got ${references.length}`);
    for (const r of references) assert.equal(r.description, 'not resolved (untrusted workspace)', r.label);
    assert.equal(api.cacheStats().providerCalls, 0, 'expanding the trees fetched secrets');
  });

  it('resolve and refresh fetch nothing', async () => {
    const r = await vscode.commands.executeCommand('connectionSecrets.connection.resolve', 'jira');
    assert.ok(!r || !JSON.stringify(r).includes('"resolved"'), 'a connection resolved in an untrusted workspace');
    await vscode.commands.executeCommand('connectionSecrets.connection.refresh', 'jira');
    await vscode.commands.executeCommand('connectionSecrets.refreshAll');
    // Value commands on a field item (a connection name would ask which field).
    const password = (await flatten(api.connectionsTree, 3)).find((i) => i.label === 'auth.password');
    assert.ok(password, 'no auth.password field in the Connections tree');
    await vscode.commands.executeCommand('connectionSecrets.secret.reveal', password.element);
    await vscode.commands.executeCommand('connectionSecrets.secret.open', password.element);
    assert.equal(api.cacheStats().providerCalls, 0);
    assert.equal(api.cacheStats().entries, 0);
    if (r) assertNoSecret(JSON.stringify(r), 'the resolve result');
  });

  it('tests nothing: Test Connection, Test All and Workato clear-cache refuse, and no CodeLens invites it', async () => {
    assert.equal(await vscode.commands.executeCommand('connectionSecrets.connection.test', 'jira'), undefined);
    assert.equal(await vscode.commands.executeCommand('connectionSecrets.testAll'), undefined);
    const cleared = await vscode.commands.executeCommand<{ ok: boolean; code?: string }>('connectionSecrets.workato.clearCache');
    assert.deepEqual(cleared, { ok: false, code: 'Untrusted' });
    const uri = vscode.Uri.file(path.join(workspaceRoot(), 'connections.yaml'));
    await vscode.workspace.openTextDocument(uri);
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
    assert.deepEqual(lenses.filter((l) => l.command?.command?.startsWith('connectionSecrets.')), []);
    assert.equal(api.cacheStats().providerCalls, 0);
  });

  it('troubleshoots nothing: both Troubleshoot commands refuse, open no panel and fetch nothing', async () => {
    assert.equal(await vscode.commands.executeCommand('connectionSecrets.troubleshoot.connection', 'jira'), undefined);
    assert.equal(await vscode.commands.executeCommand('connectionSecrets.troubleshoot.provider', 'file'), undefined);
    const panels = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('connectionSecrets.troubleshoot'));
    assert.deepEqual(panels.map((t) => t.label), []);
    assert.equal(api.cacheStats().providerCalls, 0);
  });

  it('refuses a vscode:// refresh link', async () => {
    const links = api as ExtensionApi & { handledLinks(): readonly { connection?: string; refused?: string; outcome: unknown }[] };
    const before = links.handledLinks().length;
    await openLink('/refresh?connection=jira');
    const handled = await waitFor('the link to be handled', () => links.handledLinks().length > before && links.handledLinks()[links.handledLinks().length - 1], 60_000);
    assert.deepEqual({ connection: handled.connection, refused: handled.refused, outcome: handled.outcome }, { connection: 'jira', refused: 'untrusted', outcome: undefined });
    assert.equal(api.cacheStats().providerCalls, 0);
  });

  it('still lints connections.yaml (pure checks need no trust)', async () => {
    // In a folder that exists from the start (see diagnostics.test.ts).
    const file = path.join(workspaceRoot(), 'projects', 'connections.yaml');
    fs.writeFileSync(file, ['connections:', '  api:', '    type: http', '    url: https://api.example.com', '    auth:', '      type: bearer', '      token: "{{workato:sm:}}"', ''].join('\n'));
    try {
      const uri = vscode.Uri.file(file);
      const diags = await waitFor('a diagnostic in the untrusted workspace', () => {
        const ds = vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'connection-secrets');
        return ds.length > 0 && ds;
      });
      assert.ok(diags.some((d) => d.range.start.line === 6), diags.map((d) => `${d.range.start.line + 1}: ${d.message}`).join('; '));
      assert.equal(api.cacheStats().providerCalls, 0);
    } finally {
      fs.rmSync(file, { force: true });
    }
  });
  it('editor assistance fetches nothing: schema completion only, a hover that says why, no links', async () => {
    const uri = vscode.Uri.file(path.join(workspaceRoot(), 'connections.yaml'));
    const doc = await vscode.workspace.openTextDocument(uri);
    const text = doc.getText();
    const inRef = doc.positionAt(text.indexOf('{{workato:sm:password:jira}}') + '{{workato:sm:password:'.length);
    const secrets = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, inRef, ':');
    assert.deepEqual(secrets.items.filter((i) => i.kind === vscode.CompletionItemKind.Value).map((i) => i.label), [], 'secret names offered in restricted mode');
    const typeValue = doc.positionAt(text.indexOf('type: file') + 'type: '.length);
    const types = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, typeValue);
    assert.ok(types.items.some((i) => i.label === 'vault'), 'the schema still offers provider types');
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, inRef);
    const hover = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');
    assert.match(hover, /not trusted, so nothing is fetched/);
    assert.doesNotMatch(hover, /command:/);
    const links = await vscode.commands.executeCommand<vscode.DocumentLink[]>('vscode.executeLinkProvider', uri);
    assert.deepEqual(links.filter((l) => l.target?.scheme === 'command'), [], 'links to the Providers view (which lists nothing here)');
    assert.equal(api.cacheStats().providerCalls, 0);
    assertNoSecret(hover, 'the hover');
  });
});
