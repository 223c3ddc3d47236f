import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activate } from './helpers';

describe('untrusted workspace', () => {
  it('opens in restricted mode', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  it('still activates (limited support in untrusted workspaces)', async () => {
    const api = await activate();
    assert.equal(api.cacheStats().providerCalls, 0);
  });
});
