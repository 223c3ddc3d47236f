import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activate, extension } from './helpers';

const commands = [
  'connectionSecrets.connection.resolve',
  'connectionSecrets.connection.refresh',
  'connectionSecrets.refreshAll',
  'connectionSecrets.secret.reveal',
  'connectionSecrets.secret.copy',
  'connectionSecrets.secret.open',
  'connectionSecrets.showLog',
];

describe('activation', () => {
  it('is trusted (the trusted pass must not run in restricted mode)', () => {
    assert.equal(vscode.workspace.isTrusted, true);
  });

  it('activates and returns its API', async () => {
    const api = await activate();
    await api.ready;
    assert.equal(extension().isActive, true);
    assert.equal(typeof api.providersTree?.getChildren, 'function', 'API lacks providersTree');
    assert.equal(typeof api.connectionsTree?.getChildren, 'function', 'API lacks connectionsTree');
    const stats = api.cacheStats();
    assert.equal(typeof stats.entries, 'number');
    assert.equal(typeof stats.providerCalls, 'number');
    assert.ok(Array.isArray(api.model()), 'model() is not an array');
  });

  it('contributes the Connection Secrets view container with Providers and Connections', () => {
    const contributes = extension().packageJSON.contributes ?? {};
    const container = (contributes.viewsContainers?.activitybar ?? []).find((c: { id: string }) => c.id === 'connectionSecrets');
    assert.ok(container, 'no activity bar view container "connectionSecrets"');
    assert.equal(container.title, 'Connection Secrets');
    const views = (contributes.views?.connectionSecrets ?? []).map((v: { id: string; name: string }) => `${v.id}=${v.name}`);
    assert.deepEqual(views, ['connectionSecrets.providers=Providers', 'connectionSecrets.connections=Connections']);
  });

  it('registers its views and commands in the workbench', async () => {
    await activate();
    const registered = new Set(await vscode.commands.getCommands(true));
    // The workbench creates these only for view containers and views it actually registered.
    for (const id of ['workbench.view.extension.connectionSecrets', 'connectionSecrets.providers.focus', 'connectionSecrets.connections.focus']) {
      assert.ok(registered.has(id), `workbench command ${id} missing: the view is not registered`);
    }
    const missing = commands.filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], `commands not registered: ${missing.join(', ')}`);
    await vscode.commands.executeCommand('workbench.view.extension.connectionSecrets');
  });
});
