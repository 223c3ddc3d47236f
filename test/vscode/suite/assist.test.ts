import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { activate, assertNoSecret, children, waitFor, workspaceRoot, type ExtensionApi } from './helpers';

/** The secrets in examples/demo/secrets.example.json. */
const demoSecrets = ['deploy', 'jira', 'payments', 'reporting', 'statuspage', 'warehouse'];

function labels(list: vscode.CompletionList | undefined): string[] {
  return (list?.items ?? []).map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
}

function hoverText(hovers: vscode.Hover[]): string {
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');
}

/** The position right after `marker` (or at `offset` into it) on the first line that contains it. */
function positionOf(doc: vscode.TextDocument, marker: string, offset = marker.length): vscode.Position {
  const at = doc.getText().indexOf(marker);
  assert.ok(at >= 0, `"${marker}" is not in ${vscode.workspace.asRelativePath(doc.uri)}`);
  return doc.positionAt(at + offset);
}

describe('editor assistance for references (completion, hover, links) on the demo', () => {
  let api: ExtensionApi;
  const rootUri = () => vscode.Uri.file(path.join(workspaceRoot(), 'connections.yaml'));
  const analyticsUri = () => vscode.Uri.file(path.join(workspaceRoot(), 'projects/analytics/connections.yaml'));

  before(async () => {
    api = await activate();
    await api.ready;
  });

  describe('completion while typing a reference (unsaved edits)', () => {
    let doc: vscode.TextDocument;
    const probe = ['  assist-probe:', '    type: http', '    url: https://probe.example.com', '    auth:', '      type: basic', '      username: "{{workato:sm:}}"', '      password: "{{workato:sm::jira}}"', '      token: "{{workato:sm:password:jirra}}"', ''];

    before(async () => {
      doc = await vscode.workspace.openTextDocument(rootUri());
      await vscode.window.showTextDocument(doc);
      const end = doc.lineAt(doc.lineCount - 1);
      const edit = new vscode.WorkspaceEdit();
      edit.insert(rootUri(), end.range.end, (end.text.trim() ? '\n' : '') + probe.join('\n'));
      assert.ok(await vscode.workspace.applyEdit(edit));
    });

    after(async () => {
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.action.files.revert');
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      await waitFor('the reverted file to reach the model', () => !(api.model() as { connections: { name: string }[] }[]).some((m) => m.connections.some((c) => c.name === 'assist-probe')));
    });

    it('offers the file provider\'s secret names inside {{workato:sm:, then answers from the listing cache', async () => {
      const position = positionOf(doc, 'username: "{{workato:sm:}}"', 'username: "{{workato:sm:'.length);
      const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', rootUri(), position, ':');
      const secrets = labels(list).filter((l) => demoSecrets.includes(l));
      assert.deepEqual(secrets.sort(), demoSecrets, `got: ${labels(list).join(', ')}`);
      const jira = list.items.find((i) => i.label === 'jira')!;
      assert.equal(typeof jira.insertText === 'string' ? jira.insertText : jira.insertText?.value, 'jira', 'the braces are already there: only the name is inserted');
      // The listing counters, not cacheStats(): the diagnostics of the edit fetch in the background meanwhile.
      const after = api.listingStats();
      // One listing so far (by this request, or by the diagnostics looking for the closest name),
      // or none when the Providers tree had already paged through the provider (adopted).
      assert.ok(after.listings <= 1 && after.listings + after.adopted >= 1, `listings so far: ${JSON.stringify(after)}`);
      const listed = after.listings;
      for (let i = 0; i < 10; i++) await vscode.commands.executeCommand('vscode.executeCompletionItemProvider', rootUri(), position, ':');
      const again = api.listingStats();
      assert.equal(again.listings, listed, 'ten more requests listed again');
      assert.equal(again.pages, after.pages, 'ten more requests called list');
      assert.ok(again.hits >= after.hits + 10, 'ten more requests were answered from the listing cache');
      assertNoSecret(JSON.stringify(list.items), 'the completion items');
    });

    it('after the Providers tree paged through the provider, completion lists nothing again (the tree\'s listing is adopted)', async () => {
      await vscode.commands.executeCommand('connectionSecrets.providers.refresh');
      const [file] = await children(api.providersTree);
      assert.deepEqual((await children(api.providersTree, file.element)).map((s) => s.label).sort(), demoSecrets);
      const browsed = api.listingStats();
      assert.ok(browsed.adopted >= 1, `the tree's listing was not adopted: ${JSON.stringify(browsed)}`);
      const position = positionOf(doc, 'username: "{{workato:sm:}}"', 'username: "{{workato:sm:'.length);
      const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', rootUri(), position, ':');
      assert.deepEqual(labels(list).filter((l) => demoSecrets.includes(l)).sort(), demoSecrets);
      const after = api.listingStats();
      assert.equal(after.listings, browsed.listings, `completion listed the provider again: ${JSON.stringify({ browsed, after })}`);
      assert.equal(after.pages, browsed.pages);
      assert.ok(after.hits > browsed.hits);
    });

    it('offers the key names of the chosen JSON secret, never its values', async () => {
      const position = positionOf(doc, 'password: "{{workato:sm::jira}}"', 'password: "{{workato:sm:'.length);
      const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', rootUri(), position, ':');
      const keys = list.items.filter((i) => i.kind === vscode.CompletionItemKind.Property).map((i) => i.label);
      assert.deepEqual(keys.sort(), ['password', 'username']);
      assertNoSecret(JSON.stringify(list.items), 'the completion items');
    });

    it('offers connection types and auth types from the schema', async () => {
      const end = doc.lineAt(doc.lineCount - 1).range.end;
      const edit = new vscode.WorkspaceEdit();
      edit.insert(rootUri(), end, '  typed:\n    type: ');
      assert.ok(await vscode.workspace.applyEdit(edit));
      const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', rootUri(), doc.lineAt(doc.lineCount - 1).range.end);
      for (const t of ['http', 'postgres', 'mysql', 'ssh']) assert.ok(labels(list).includes(t), `no "${t}" among ${labels(list).join(', ')}`);
    });

    it('a renamed (missing) secret gets one diagnostic with a quick fix to the closest existing name', async () => {
      const position = positionOf(doc, '{{workato:sm:password:jirra}}', 3);
      const diag = await waitFor('the diagnostic on the missing secret', () => vscode.languages.getDiagnostics(rootUri()).find((d) => d.range.contains(position) && d.code === 'ref/unresolved'));
      assert.match(diag.message, /Closest existing secrets: jira\b/);
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', rootUri(), diag.range, vscode.CodeActionKind.QuickFix.value);
      const fix = actions.find((a) => a.title === 'Change to {{workato:sm:password:jira}}');
      assert.ok(fix, `no rename fix among: ${actions.map((a) => a.title).join('; ')}`);
      assert.equal(fix.isPreferred, false, 'a guess is never the preferred fix');
    });
  });

  it('hover on a resolved reference: provider, secret, key, version, status and reveal/copy links — no value', async () => {
    const doc = await vscode.workspace.openTextDocument(rootUri());
    const position = positionOf(doc, '{{workato:sm:password:jira}}', 5);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', rootUri(), position);
    const text = hoverText(hovers);
    assert.match(text, /Secret reference\*\* · \$\(pass\) resolved/);
    assert.match(text, /Provider: file \(workspace\)/);
    assert.match(text, /Secret: `jira`/);
    assert.match(text, /Key: `password`/);
    assert.match(text, /Version: `[0-9a-f]{12}`/);
    assert.match(text, /Last changed: not reported by the file provider/);
    assert.match(text, /\(command:connectionSecrets\.secret\.reveal\?/);
    assert.match(text, /\(command:connectionSecrets\.secret\.copy\?/);
    const md = hovers.flatMap((h) => h.contents).find((c): c is vscode.MarkdownString => c instanceof vscode.MarkdownString || (typeof c === 'object' && 'isTrusted' in c));
    assert.ok(md, 'the hover is Markdown');
    assertNoSecret(text, 'the hover of a resolved reference');
  });

  it('the hover\'s copy link copies the value through the usual copy command, never showing it', async () => {
    const doc = await vscode.workspace.openTextDocument(rootUri());
    const text = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', rootUri(), positionOf(doc, '{{workato:sm:password:jira}}', 5)));
    const link = /\(command:(connectionSecrets\.secret\.copy)\?([^ )]+)/.exec(text);
    assert.ok(link, 'no copy link in the hover');
    const args = JSON.parse(decodeURIComponent(link[2])) as unknown[];
    assert.deepEqual(args, [{ file: rootUri().fsPath, name: 'jira', field: 'auth.password' }]);
    await vscode.commands.executeCommand(link[1], ...args);
    const expected = (JSON.parse(fs.readFileSync(path.join(workspaceRoot(), 'secrets.json'), 'utf8')) as Record<string, Record<string, string>>).jira.password;
    // Compared, never printed.
    assert.ok((await vscode.env.clipboard.readText()) === expected, 'the clipboard does not hold the jira password');
    await vscode.env.clipboard.writeText('');
  });

  it('hover on an unresolved reference: why, the linter\'s message and the closest key — no value, no reveal link', async () => {
    const doc = await vscode.workspace.openTextDocument(analyticsUri());
    const position = positionOf(doc, '{{workato:sm:apiKey:payments}}', 5);
    const text = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', analyticsUri(), position));
    assert.match(text, /does not resolve/);
    assert.match(text, /Key: `apiKey`/);
    assert.match(text, /has no key "apiKey"/);
    assert.match(text, /Closest existing keys: api\\_key/);
    assert.doesNotMatch(text, /secret\.reveal|secret\.copy/);
    assertNoSecret(text, 'the hover of an unresolved reference');
  });

  it('a reference is a document link that reveals its secret in the Providers tree', async () => {
    // The editor also links the URLs in the file; ours are the command links.
    const links = (await vscode.commands.executeCommand<vscode.DocumentLink[]>('vscode.executeLinkProvider', rootUri())).filter((l) => l.target?.scheme === 'command');
    const targets = links.map((l) => l.target?.toString(true) ?? '');
    assert.equal(links.length, 3, `links: ${targets.join(', ')}`);
    const jira = links.find((l) => decodeURIComponent(l.target!.query).includes('"secretId":"jira"'));
    assert.ok(jira, `no link to jira among: ${targets.join(', ')}`);
    assert.equal(jira.target!.scheme, 'command');
    assert.equal(jira.target!.path, 'connectionSecrets.providers.reveal');
    // Followed as the editor follows a command link: the command with the JSON arguments.
    const args = JSON.parse(decodeURIComponent(jira.target!.query)) as unknown[];
    const result = await vscode.commands.executeCommand<{ revealed: string }>(jira.target!.path, ...args);
    assert.match(result?.revealed ?? '', /^secret:.*:jira$/);
    const selected = await waitFor('the tree selection', () => api.providersView.selection.length > 0 && api.providersView.selection);
    const item = await api.providersTree.getTreeItem(selected[0]);
    assert.equal(item.label, 'jira');
    assert.equal(item.id, result.revealed);
  });
});
