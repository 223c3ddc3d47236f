/**
 * The secret formatting linter inside a real VS Code: a malformed key in connections.yaml and in a
 * .pem file gets a diagnostic whose quick fix (and fix-all) repairs it, the demo's malformed secret
 * carries a badge in both trees, and an opened value offers a fix that asks before storing.
 * Keys are made at test time with openssl (the extension host runs on this machine).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { activate, assertNoSecret, children, describeItems, waitFor, workspaceRoot, type ExtensionApi, type ShownItem } from './helpers';

const SOURCE = 'connection-secrets';

function ours(uri: vscode.Uri, code?: string): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === SOURCE && (code === undefined || d.code === code));
}

function openssl(...args: string[]): string {
  return execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

async function codeActions(uri: vscode.Uri, range: vscode.Range, kind?: string): Promise<vscode.CodeAction[]> {
  return (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, range, kind)) ?? [];
}

/** Runs a fix's command, failing instead of hanging if a dialog were to wait for an answer. */
async function runCommand(command: vscode.Command): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${command.command} did not return`)), 30_000);
  });
  try {
    return await Promise.race([vscode.commands.executeCommand(command.command, ...(command.arguments ?? [])), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function find(items: ShownItem[], label: string): ShownItem {
  const item = items.find((i) => i.label === label);
  assert.ok(item, `no item "${label}" among: ${describeItems(items)}`);
  return item;
}

describe('secret formatting linter', () => {
  let api: ExtensionApi;
  let key: string;
  before(async () => {
    api = await activate();
    await api.ready;
    key = openssl('genpkey', '-algorithm', 'ed25519');
  });

  it('a malformed key in connections.yaml: a diagnostic on the exact characters, fixed by its quick fix', async () => {
    const uri = vscode.Uri.file(path.join(workspaceRoot(), 'connections.yaml'));
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const secretsFile = path.join(workspaceRoot(), 'secrets.json');
    const secretsBefore = fs.readFileSync(secretsFile, 'utf8');
    try {
      const end = doc.lineAt(doc.lineCount - 1);
      const lead = end.text.trim() ? '\n' : '';
      const crlf = JSON.stringify(key.replace(/\n/g, '\r\n'));
      const added = ['  lint-box:', '    type: ssh', '    host: lint.example.com', '    user: deploy', `    privateKey: ${crlf}`, ''];
      const keyLine = end.lineNumber + (lead ? 1 : 0) + 4;
      const edit = new vscode.WorkspaceEdit();
      edit.insert(uri, end.range.end, lead + added.join('\n'));
      assert.ok(await vscode.workspace.applyEdit(edit));

      const [crlfDiag] = await waitFor('the CR LF diagnostic on the key', () => {
        const ds = ours(uri, 'pem/crlf').filter((d) => d.range.start.line === keyLine);
        return ds.length > 0 && ds;
      });
      assert.equal(crlfDiag.severity, vscode.DiagnosticSeverity.Warning);
      assert.equal(doc.getText(crlfDiag.range), '\\r\\n', 'the range is the escaped CR LF in the YAML');
      assert.ok(!crlfDiag.message.includes(key.split('\n')[1]), 'the message does not quote the key');

      const fixes = await codeActions(uri, crlfDiag.range, vscode.CodeActionKind.QuickFix.value);
      const normalise = fixes.find((a) => a.title === 'Normalise line ends to LF');
      assert.ok(normalise?.edit, `no "Normalise line ends to LF" quick fix among: ${fixes.map((a) => a.title).join(', ')}`);
      assert.equal(normalise.isPreferred, true);
      assert.ok(await vscode.workspace.applyEdit(normalise.edit));
      await waitFor('the CR LF diagnostic to clear', () => ours(uri, 'pem/crlf').length === 0);
      assert.ok(!doc.lineAt(keyLine).text.includes('\\r'), 'the fixed scalar still holds CR');
      const fixedValue = JSON.parse(doc.lineAt(keyLine).text.replace(/^\s*privateKey: /, '')) as string;
      assert.equal(fixedValue, key);
      crypto.createPrivateKey(fixedValue);

      // The literal key is also a hard-coded credential: its fix moves it, after a modal confirmation.
      const [hardCoded] = await waitFor('the hard-coded credential warning', () => {
        const ds = ours(uri, 'conn/hard-coded-credential').filter((d) => d.range.start.line === keyLine);
        return ds.length > 0 && ds;
      });
      const move = (await codeActions(uri, hardCoded.range, vscode.CodeActionKind.QuickFix.value)).find((a) => a.title.startsWith('Move to the file secrets manager'));
      assert.ok(move?.command, 'no move fix');
      assert.ok(!JSON.stringify(move.command.arguments).includes(key.split('\n')[1]), 'the command arguments carry the value');
      // VS Code refuses dialogs in extension test mode: the move is declined, and nothing changes.
      assert.deepEqual(await runCommand(move.command), { moved: false });
      assert.equal(fs.readFileSync(secretsFile, 'utf8'), secretsBefore, 'secrets.json changed without confirmation');
      assert.match(doc.lineAt(keyLine).text, /privateKey: "-----BEGIN PRIVATE KEY-----/);
    } finally {
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.action.files.revert');
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    }
    await waitFor('the reverted file to reach the model', () => !(api.model() as { connections: { name: string }[] }[]).some((m) => m.connections.some((c) => c.name === 'lint-box')));
  });

  it('a malformed key in a .pem file: diagnostics, a quick fix, and fix-all', async () => {
    const dir = path.join(workspaceRoot(), 'certs');
    const file = path.join(dir, 'lint-demo.pem');
    fs.mkdirSync(dir, { recursive: true });
    // Body glued to the BEGIN line, and Windows line ends.
    const lines = key.trimEnd().split('\n');
    fs.writeFileSync(file, `${lines[0]}${lines[1]}\r\n${lines.slice(2).join('\r\n')}\r\n`);
    const uri = vscode.Uri.file(file);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    try {
      const diags = await waitFor('diagnostics on the .pem file', () => ours(uri).length >= 2 && ours(uri));
      const codes = diags.map((d) => String(d.code)).sort();
      assert.deepEqual(codes, ['pem/crlf', 'pem/header-newline'], diags.map((d) => d.message).join(' | '));
      const header = diags.find((d) => d.code === 'pem/header-newline')!;
      assert.equal(header.severity, vscode.DiagnosticSeverity.Error);
      assert.equal(header.range.start.line, 0);
      const quick = await codeActions(uri, header.range, vscode.CodeActionKind.QuickFix.value);
      assert.ok(
        quick.some((a) => a.title === 'Put the BEGIN line on its own line' && a.isPreferred),
        quick.map((a) => a.title).join(', '),
      );
      const all = await codeActions(uri, new vscode.Range(0, 0, 0, 0), 'source.fixAll.connectionSecrets');
      assert.equal(all.length, 1, `fix-all actions: ${all.map((a) => a.title).join(', ')}`);
      assert.ok(all[0].edit);
      // Applied the way the editor applies it (the API's round trip of a code action drops its
      // end-of-line edit, which switches the document from CR LF to LF).
      await vscode.commands.executeCommand('editor.action.sourceAction', { kind: 'source.fixAll.connectionSecrets', apply: 'first' });
      await waitFor('the diagnostics to clear', () => ours(uri).length === 0).catch((e: Error) => {
        throw new Error(`${e.message}: ${ours(uri).map((d) => d.code).join(', ')}; line ends ${doc.eol === vscode.EndOfLine.CRLF ? 'CR LF' : 'LF'}`);
      });
      assert.equal(doc.eol, vscode.EndOfLine.LF);
      assert.equal(doc.getText(), key, 'fix-all restored the key as openssl wrote it');
      await doc.save();
      crypto.createPrivateKey(fs.readFileSync(file, 'utf8'));
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      fs.rmSync(dir, { recursive: true, force: true });
    }
    await waitFor('the closed file to lose its diagnostics', () => ours(uri).length === 0);
  });

  it('the demo secret with a malformed key carries a badge and the problem in the tooltip, in both trees', async () => {
    const provider = (await children(api.providersTree))[0];
    const deploy = await waitFor('the badge on the deploy secret', async () => {
      const item = (await children(api.providersTree, provider.element)).find((s) => s.label === 'deploy');
      return item && /\blintProblems\b/.test(item.contextValue) && item;
    });
    assert.match(deploy.tooltip, /pem\/invalid-base64/);
    assert.match(deploy.tooltip, /key `privateKey`/);
    assert.match(deploy.description, /1 problem/);
    assert.equal((deploy.item.iconPath as vscode.ThemeIcon).id, 'error');
    assert.equal(deploy.item.resourceUri?.scheme, 'connection-secrets-lint', 'no badge (FileDecoration) on the item');
    const jira = find(await children(api.providersTree, provider.element), 'jira');
    assert.doesNotMatch(jira.contextValue, /lintProblems/, 'a well-formed secret has no badge');

    const devops = find(await children(api.connectionsTree), 'projects/devops');
    const box = find(await children(api.connectionsTree, devops.element), 'deploy-box');
    const field = await waitFor('the badge on deploy-box.privateKey', async () => {
      const f = (await children(api.connectionsTree, box.element)).find((x) => x.label === 'privateKey');
      return f && /\blintProblems\b/.test(f.contextValue) && f;
    });
    assert.match(field.description, /^resolved\b.*1 problem/);
    assert.match(field.tooltip, /not base64/);
    assertNoSecret([deploy, jira, field].map((i) => `${i.label}\n${i.description}\n${i.tooltip}`).join('\n'), 'the badged items');
  });

  it('an opened value shows its problems; the fix asks before storing the fixed value', async () => {
    const secretsFile = path.join(workspaceRoot(), 'secrets.json');
    const original = fs.readFileSync(secretsFile, 'utf8');
    const secrets = JSON.parse(original) as Record<string, unknown>;
    // The first line break real, the others escaped: mixed forms.
    secrets['lint-sample'] = { privateKey: key.replace(/\n/g, '\\n').replace('\\n', '\n') };
    fs.writeFileSync(secretsFile, JSON.stringify(secrets, null, 2));
    try {
      await vscode.commands.executeCommand('connectionSecrets.providers.refresh');
      const provider = (await children(api.providersTree))[0];
      const sample = await waitFor('the new secret in the Providers view', async () => (await children(api.providersTree, provider.element)).find((s) => s.label === 'lint-sample'));
      const editor = await vscode.commands.executeCommand<vscode.TextEditor>('connectionSecrets.secret.open', sample.element);
      assert.ok(editor, 'open returned no editor');
      const uri = editor.document.uri;
      assert.equal(uri.scheme, 'connection-secrets-value');
      const [mixed] = await waitFor('a diagnostic on the opened value', () => {
        const ds = ours(uri, 'pem/mixed-newlines');
        return ds.length > 0 && ds;
      });
      const actions = await codeActions(uri, mixed.range, vscode.CodeActionKind.QuickFix.value);
      const store = actions.find((a) => a.title === 'Convert to the escaped single line and store it in the file secrets manager…');
      assert.ok(store?.command, `no store fix among: ${actions.map((a) => a.title).join(', ')}`);
      assert.equal(store.edit, undefined, 'a read-only document gets no edit');
      assert.deepEqual(await runCommand(store.command), { stored: false }, 'stored without confirmation');
      assert.deepEqual(JSON.parse(fs.readFileSync(secretsFile, 'utf8'))['lint-sample'], secrets['lint-sample']);
      // Opening it fetched it: the sidebar badges it too.
      await waitFor('the badge on the opened secret', async () => /\blintProblems\b/.test(find(await children(api.providersTree, provider.element), 'lint-sample').contextValue));
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    } finally {
      fs.writeFileSync(secretsFile, original);
      await vscode.commands.executeCommand('connectionSecrets.providers.refresh');
    }
  });
});
