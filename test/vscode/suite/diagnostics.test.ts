import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { activate, waitFor, workspaceRoot, type ExtensionApi } from './helpers';

const SOURCE = 'connection-secrets';

function ours(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === SOURCE);
}

describe('diagnostics on connections.yaml', () => {
  // A folder that exists from the start: the recursive file watcher can miss a file created
  // right after its new parent folder (inotify watches new folders only once it sees them).
  const dir = () => path.join(workspaceRoot(), 'projects');
  const file = () => path.join(dir(), 'connections.yaml');

  let api: ExtensionApi;
  before(async () => {
    api = await activate();
    await api.ready;
  });

  const connectionNames = () => (api.model() as { connections: { name: string; file: string }[] }[]).flatMap((m) => m.connections.map((c) => c.name));
  const inBrokenDir = () => (api.model() as { files: { path: string }[] }[]).some((m) => m.files.some((f) => f.path === file()));

  after(async () => {
    fs.rmSync(file(), { force: true });
  });

  it('the demo reports exactly its two deliberate problems: a broken reference and a malformed key, on their lines', async () => {
    const errors = () =>
      vscode.languages
        .getDiagnostics()
        .flatMap(([uri, ds]) => ds.filter((d) => d.source === SOURCE && d.severity === vscode.DiagnosticSeverity.Error).map((d) => `${vscode.workspace.asRelativePath(uri)}:${d.range.start.line + 1} ${d.code} ${d.message}`))
        .sort();
    // The malformed key is found in the fetched value (as the cache stores it) and reported on its reference.
    const found = await waitFor('both deliberate errors', () => errors().length >= 2 && errors());
    assert.equal(found.length, 2, found.join('\n'));
    assert.match(found[0], /^projects\/analytics\/connections\.yaml:17 ref\/missing-key .*"apiKey".*api_key/);
    assert.match(found[1], /^projects\/devops\/connections\.yaml:18 pem\/invalid-base64 The value of secret "deploy", key "privateKey": .*not base64/);
  });

  it('reports invalid YAML in a new file, on its line, and forgets the file when it is deleted', async () => {
    // Written behind the editor's back (never opened), as a git checkout would.
    fs.writeFileSync(file(), ['connections:', '  api:', '    type: http', '    url: [unclosed', ''].join('\n'));
    const uri = vscode.Uri.file(file());
    const diags = await waitFor('a diagnostic on the broken file', () => ours(uri).length > 0 && ours(uri));
    const error = diags.find((d) => d.severity === vscode.DiagnosticSeverity.Error);
    assert.ok(error, `no error among: ${diags.map((d) => d.message).join('; ')}`);
    assert.ok(error.range.start.line >= 2, `the error points at line ${error.range.start.line + 1}, not at the broken value`);

    fs.rmSync(file());
    await waitFor('the deleted file to leave the model', () => !inBrokenDir());
    await waitFor('its diagnostics to go', () => ours(uri).length === 0);
  });

  it('reports a malformed reference while the file is edited, and clears when fixed', async () => {
    const uri = vscode.Uri.file(path.join(workspaceRoot(), 'connections.yaml'));
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    try {
      const end = doc.lineAt(doc.lineCount - 1);
      const lead = end.text.trim() ? '\n' : '';
      const added = ['  broken-ref:', '    type: http', '    url: https://api.example.com', '    auth:', '      type: bearer', '      token: "{{workato:sm:}}"', ''];
      const tokenLine = end.lineNumber + (lead ? 1 : 0) + 5;
      let edit = new vscode.WorkspaceEdit();
      edit.insert(uri, end.range.end, lead + added.join('\n'));
      assert.ok(await vscode.workspace.applyEdit(edit));
      assert.equal(doc.lineAt(tokenLine).text.trim(), 'token: "{{workato:sm:}}"');
      const diags = await waitFor('a diagnostic on the malformed reference', () => {
        const ds = ours(uri).filter((d) => d.range.start.line === tokenLine);
        return ds.length > 0 && ds;
      });
      assert.equal(diags[0].severity, vscode.DiagnosticSeverity.Error, diags[0].message);
      assert.ok(connectionNames().includes('broken-ref'), 'the unsaved edit did not reach the model');

      edit = new vscode.WorkspaceEdit();
      edit.replace(uri, doc.lineAt(tokenLine).range, '      token: "{{workato:sm:token:statuspage}}"');
      assert.ok(await vscode.workspace.applyEdit(edit));
      await waitFor('the diagnostic to clear', () => ours(uri).filter((d) => d.range.start.line === tokenLine).length === 0);
    } finally {
      // Back to the demo as shipped, for the files that run after this one.
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.action.files.revert');
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    }
    await waitFor('the reverted file to reach the model', () => !connectionNames().includes('broken-ref'));
  });
});
