import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { activate, assertNoSecret, children, demoSecretValues, waitFor, workspaceRoot, type ExtensionApi, type ResolveResult } from './helpers';

const MASK = '••••••••';

async function resolve(name: string): Promise<ResolveResult> {
  const r = await vscode.commands.executeCommand<ResolveResult | undefined>('connectionSecrets.connection.resolve', name);
  assert.ok(r, `resolving ${name} returned nothing (the command failed; see the Connection Secrets log)`);
  return r;
}

describe('resolving and refreshing connections', () => {
  let api: ExtensionApi;
  before(async () => {
    api = await activate();
    await api.ready;
  });

  it('resolves a connection by name with every reference masked', async () => {
    const r = await resolve('jira');
    assert.equal(r.connection, 'jira');
    const byPath = Object.fromEntries(r.fields.map((f) => [f.path, f]));
    assert.deepEqual(
      { status: byPath['auth.username']?.status, display: byPath['auth.username']?.display },
      { status: 'resolved', display: MASK },
    );
    assert.deepEqual({ status: byPath['auth.password']?.status, display: byPath['auth.password']?.display }, { status: 'resolved', display: MASK });
    assert.equal(byPath['url']?.status, 'literal');
    assert.equal(byPath['url']?.display, 'https://example.atlassian.net/rest/api/2/myself');
    assertNoSecret(JSON.stringify(r), 'the resolve result');
  });

  it('masks a reference inside a longer string and keeps the rest', async () => {
    const r = await resolve('status-page');
    const token = r.fields.find((f) => f.path === 'auth.token');
    assert.deepEqual(token && { status: token.status, display: token.display }, { status: 'resolved', display: `Bearer ${MASK}` });
    assertNoSecret(JSON.stringify(r), 'the resolve result');
  });

  it('reports a reference to a missing key as unresolved, without values', async () => {
    const r = await resolve('projects/analytics/payments');
    const value = r.fields.find((f) => f.path === 'auth.value');
    assert.equal(value?.status, 'unresolved');
    assert.equal(value?.display, '{{workato:sm:apiKey:payments}}', 'an unresolved reference is shown as written');
    assertNoSecret(JSON.stringify(r), 'the resolve result');
  });

  it('prints the masked result to the Connection Secrets output channel', async () => {
    await resolve('jira');
    await vscode.commands.executeCommand('connectionSecrets.showLog');
    const doc = await waitFor('the output channel document', () =>
      vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'output' && /Connection Secrets/.test(decodeURIComponent(d.uri.toString())) && /Resolved jira/.test(d.getText())),
    );
    const text = doc.getText();
    assert.match(text, /Resolved jira \(http\): 2\/2 reference\(s\)/);
    assert.ok(text.includes(`auth.password: ${MASK} [resolved]`), `the log lacks the masked field:\n${text.slice(-800)}`);
    assertNoSecret(text, 'the output channel');
  });

  it('shows a value only on request, in a read-only editor', async () => {
    const root = (await children(api.connectionsTree)).find((i) => i.label === 'workspace root');
    const jira = root && (await children(api.connectionsTree, root.element)).find((i) => i.label === 'jira');
    const password = jira && (await children(api.connectionsTree, jira.element)).find((i) => i.label === 'auth.password');
    assert.ok(password, 'no jira → auth.password item in the Connections tree');
    const editor = await vscode.commands.executeCommand<vscode.TextEditor>('connectionSecrets.secret.open', password.element);
    assert.ok(editor, 'open returned no editor');
    const expected = JSON.parse(fs.readFileSync(path.join(workspaceRoot(), 'secrets.json'), 'utf8')).jira.password;
    assert.equal(editor.document.getText(), expected);
    // A content-provider document: read-only in the editor, held in memory, never on disk.
    assert.equal(editor.document.uri.scheme, 'connection-secrets-value');
    assert.ok(!editor.document.uri.toString().includes(expected), 'the value is part of the editor URI');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('serves a second resolve from the cache, and refresh fetches the rotated secret', async () => {
    await resolve('jira');
    const cached = api.cacheStats();
    assert.ok(cached.entries > 0, 'nothing was cached after resolving');

    // Rotate the password behind the cache's back: a resolve still answers from the cache.
    const file = path.join(workspaceRoot(), 'secrets.json');
    const secrets = JSON.parse(fs.readFileSync(file, 'utf8'));
    secrets.jira.password = `rotated-jira-pass-${Date.now().toString(36)}`;
    fs.writeFileSync(file, JSON.stringify(secrets, null, 2));
    await resolve('jira');
    assert.equal(api.cacheStats().providerCalls, cached.providerCalls, 'a cached connection called the provider again');

    const report = await vscode.commands.executeCommand<{ connection: string; rotated: { secretId: string }[]; ok: boolean }>('connectionSecrets.connection.refresh', 'jira');
    assert.ok(report, 'refresh returned nothing (the command failed)');
    assert.ok(report.ok, 'jira did not resolve after the refresh');
    assert.deepEqual(report.rotated.map((r) => r.secretId), ['jira'], 'refresh did not notice the rotated secret');
    assert.ok(api.cacheStats().providerCalls > cached.providerCalls, 'refresh did not go back to the provider');
    assertNoSecret(JSON.stringify(report), 'the refresh report', demoSecretValues());
  });

  it('refresh all re-resolves every connection with references', async () => {
    const before = api.cacheStats().providerCalls;
    const r = await vscode.commands.executeCommand<{ refreshed: number; failed: number }>('connectionSecrets.refreshAll');
    assert.ok(r, 'refresh all returned nothing (the command failed)');
    assert.equal(r.refreshed, 6, 'the demo has six connections with references');
    assert.equal(r.failed, 1, 'payments has a broken reference');
    assert.ok(api.cacheStats().providerCalls > before);
  });
});
