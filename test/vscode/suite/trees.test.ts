import assert from 'node:assert/strict';
import { activate, assertNoSecret, children, describeItems, flatten, type ExtensionApi, type ShownItem } from './helpers';

/** The secrets in examples/demo/secrets.example.json and the connections of its three files. */
const demoSecrets = ['deploy', 'jira', 'payments', 'reporting', 'statuspage', 'warehouse'];
const demoConnections: Record<string, string[]> = {
  'workspace root': ['jira', 'status-page'],
  'projects/analytics': ['reporting-db', 'payments'],
  'projects/devops': ['warehouse', 'deploy-box'],
};

function find(items: ShownItem[], label: string): ShownItem {
  const item = items.find((i) => i.label === label);
  assert.ok(item, `no item "${label}" among: ${describeItems(items)}`);
  return item;
}

describe('sidebar trees on the demo workspace', () => {
  let api: ExtensionApi;
  before(async () => {
    api = await activate();
    await api.ready;
  });

  it('Providers lists the workspace file provider and the names of its secrets', async () => {
    const providers = await children(api.providersTree);
    assert.deepEqual(
      providers.map((p) => `${p.label} (${p.description.split(' — ')[0]})`),
      ['file (workspace)'],
      'the demo declares one file provider at the workspace root',
    );
    assert.ok(providers[0].collapsible);
    const secrets = await children(api.providersTree, providers[0].element);
    assert.deepEqual(secrets.map((s) => s.label).sort(), demoSecrets);
    for (const s of secrets) assert.match(s.contextValue, /\bsecret\b/, `${s.label} is not a secret item`);
  });

  it('Connections groups the demo connections by project', async () => {
    const projects = await children(api.connectionsTree);
    assert.deepEqual(projects.map((p) => p.label).sort(), Object.keys(demoConnections).sort());
    for (const p of projects) {
      const conns = await children(api.connectionsTree, p.element);
      assert.deepEqual(conns.map((c) => c.label).sort(), [...demoConnections[p.label]].sort(), `connections of ${p.label}`);
      assert.equal(p.description, `${conns.length} connections`);
    }
  });

  it('a connection expands to its fields with each reference resolved, values never shown', async () => {
    const root = find(await children(api.connectionsTree), 'workspace root');
    const jira = find(await children(api.connectionsTree, root.element), 'jira');
    const fields = await children(api.connectionsTree, jira.element);
    const byPath = Object.fromEntries(fields.map((f) => [f.label, f.description]));
    assert.match(byPath['auth.username'] ?? '', /^resolved\b/, 'auth.username');
    assert.match(byPath['auth.password'] ?? '', /^resolved\b/, 'auth.password');
    assert.equal(byPath['url'], 'https://example.atlassian.net/rest/api/2/myself', 'a literal field shows its value');
    // The connection's own item now reports the resolution.
    const again = find(await children(api.connectionsTree, root.element), 'jira');
    assert.equal(again.description, 'http · resolved');
  });

  it('a broken reference shows as unresolved with the reason', async () => {
    const analytics = find(await children(api.connectionsTree), 'projects/analytics');
    const payments = find(await children(api.connectionsTree, analytics.element), 'payments');
    const fields = await children(api.connectionsTree, payments.element);
    const value = find(fields, 'auth.value');
    assert.match(value.description, /^unresolved/);
    assert.match(value.tooltip, /apiKey/, 'the tooltip names the missing key');
  });

  it('no secret value appears anywhere in either tree', async () => {
    const shown = [...(await flatten(api.providersTree, 3)), ...(await flatten(api.connectionsTree, 4))];
    assert.ok(shown.length > 20, `expected the whole demo, got ${shown.length} items`);
    assertNoSecret(shown.map((i) => `${i.label}\n${i.description}\n${i.tooltip}`).join('\n'), 'the trees');
  });
});
