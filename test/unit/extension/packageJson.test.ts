import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

// The extension's typed Config and the manifest must agree; this reads both without `vscode`.
const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8'));
const configSource = fs.readFileSync(path.resolve(__dirname, '../../../src/extension/config.ts'), 'utf8');

describe('package.json manifest', () => {
  it('contributes exactly the settings the Config object reads', () => {
    const contributed = (manifest.contributes.configuration as { properties: Record<string, unknown> }[]).flatMap((s) => Object.keys(s.properties)).sort();
    const keysBlock = configSource.slice(configSource.indexOf('SETTING_KEYS'), configSource.indexOf('};', configSource.indexOf('SETTING_KEYS')));
    const read = [...keysBlock.matchAll(/:\s*'([\w.]+)'/g)].map((m) => `connectionSecrets.${m[1]}`).sort();
    const mine = contributed.filter((k) => read.includes(k) || !k.startsWith('connectionSecrets.lint') );
    assert.deepEqual(read.filter((k) => !contributed.includes(k)), [], 'read but not contributed');
    assert.ok(mine.length >= read.length);
    for (const section of manifest.contributes.configuration) {
      for (const [key, spec] of Object.entries(section.properties as Record<string, { scope?: string; description?: string }>)) {
        assert.ok(spec.scope, `${key} declares a scope`);
        assert.ok(spec.description, `${key} has a description`);
      }
    }
  });

  it('declares limited support for untrusted workspaces, with a reason', () => {
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.ok(manifest.capabilities.untrustedWorkspaces.description.length > 20);
  });

  it('names commands connectionSecrets.<area>.<verb> with a category, and hides tree-only ones', () => {
    for (const c of manifest.contributes.commands) {
      assert.match(c.command, /^connectionSecrets\.(\w+\.)?\w+$/);
      assert.equal(c.category, 'Connection Secrets');
    }
    const hidden = manifest.contributes.menus.commandPalette.filter((m: { when: string }) => m.when === 'false').map((m: { command: string }) => m.command);
    assert.ok(hidden.includes('connectionSecrets.providers.loadMore'));
  });

  it('offers the Troubleshoot commands in the palette and on connection and provider items, only when trusted', () => {
    const menus = manifest.contributes.menus as Record<string, { command: string; when: string }[]>;
    for (const [command, view, token] of [
      ['connectionSecrets.troubleshoot.connection', 'connectionSecrets.connections', 'connection'],
      ['connectionSecrets.troubleshoot.provider', 'connectionSecrets.providers', 'provider'],
    ]) {
      assert.ok(manifest.contributes.commands.some((c: { command: string }) => c.command === command), `${command} is contributed`);
      assert.equal(menus.commandPalette.find((m) => m.command === command)?.when, 'isWorkspaceTrusted');
      const item = menus['view/item/context'].find((m) => m.command === command);
      assert.ok(item, `${command} is in a tree context menu`);
      assert.ok(item.when.includes(`view == ${view}`) && item.when.includes(`\\b${token}\\b`) && item.when.includes('isWorkspaceTrusted'), item.when);
    }
  });

  it('keeps engines.vscode at or below ^1.100.0 and has the CLI bin', () => {
    assert.equal(manifest.engines.vscode, '^1.100.0');
    assert.equal(manifest.bin['connection-secrets'], './dist/cli.js');
    assert.equal(manifest.name, 'connection-secrets');
    assert.equal(manifest.displayName, 'Connection Secrets');
  });
});
