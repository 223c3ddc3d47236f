import assert from 'node:assert/strict';
import path from 'node:path';
import { loadWorkspace, parseConnectionsFile, providerFor } from '../../../src/core/config';
import { tempWorkspace } from '../../support/workspace';

const ROOT = '/ws';
const parse = (text: string, rel = 'connections.yaml') => parseConnectionsFile(text, path.join(ROOT, rel), ROOT);

describe('config loader', () => {
  it('reads a provider and connections with source ranges', () => {
    const f = parse(`secretsManager:
  scope: workspace
  provider:
    type: aws
    region: us-east-1
connections:
  jira:
    type: http
    url: https://example.atlassian.net
    auth:
      type: basic
      username: "{{workato:sm:username:jira}}"
      password: "x {{workato:sm:password:jira}}"
`);
    assert.deepEqual(f.problems, []);
    assert.equal(f.scope, 'workspace');
    assert.equal(f.provider?.type, 'aws');
    assert.equal(f.provider?.options.region, 'us-east-1');
    const jira = f.connections[0];
    assert.equal(jira.name, 'jira');
    assert.equal(jira.type, 'http');
    assert.deepEqual(jira.nameRange, { start: { line: 6, character: 2 }, end: { line: 6, character: 6 } });
    const pw = jira.fields.find((x) => x.path === 'auth.password')!;
    assert.equal(pw.references.length, 1);
    // The reference's range covers exactly `{{…}}` inside the quoted scalar.
    assert.deepEqual(pw.references[0].range, { start: { line: 12, character: 19 }, end: { line: 12, character: 47 } });
  });

  it('reports YAML syntax errors on their line and stops', () => {
    const f = parse('connections:\n  jira:\n    type: http\n   url: x\n');
    assert.equal(f.problems.length >= 1, true);
    assert.equal(f.problems[0].ruleId, 'yaml/syntax');
    assert.equal(f.problems[0].severity, 'error');
    assert.equal(f.problems[0].range.start.line, 3);
    assert.match(f.problems[0].message, /Fix the YAML/);
  });

  it('names unknown fields and suggests the closest one', () => {
    const f = parse('secretsManager:\n  provider:\n    type: vault\n    adress: https://v\n    auth: { method: token }\nconections: {}\n');
    const msgs = f.problems.map((p) => `${p.ruleId}@${p.range.start.line}: ${p.message}`);
    assert.ok(msgs.some((m) => m.startsWith('config/unknown-field@3') && m.includes('Did you mean "address"')), msgs.join('\n'));
    assert.ok(msgs.some((m) => m.startsWith('config/missing-field') && m.includes('"address"')), msgs.join('\n'));
    assert.ok(msgs.some((m) => m.startsWith('config/unknown-field@5') && m.includes('"connections"')), msgs.join('\n'));
  });

  it('rejects unknown provider types with a suggestion', () => {
    const f = parse('secretsManager:\n  provider:\n    type: azur\n');
    assert.equal(f.problems[0].ruleId, 'config/unknown-provider-type');
    assert.match(f.problems[0].message, /Did you mean "azure"/);
    assert.equal(f.provider, undefined);
  });

  it('refuses secrets manager credentials in the file', () => {
    const f = parse('secretsManager:\n  provider:\n    type: vault\n    address: https://v\n    auth:\n      method: approle\n      secretId: abc\n');
    const p = f.problems.find((x) => x.ruleId === 'config/credential-in-file');
    assert.ok(p);
    assert.match(p.message, /VAULT_SECRET_ID/);
    assert.equal(p.range.start.line, 6);
  });

  it('reports malformed references on their exact range', () => {
    const f = parse('connections:\n  db:\n    type: postgres\n    host: h\n    user: u\n    password: "{{workato:sm:password:db}"\n');
    const p = f.problems.find((x) => x.ruleId === 'ref/malformed')!;
    assert.ok(p);
    assert.equal(p.range.start.line, 5);
    assert.equal(p.range.start.character, 15);
  });

  it('checks connection fields and enum values', () => {
    const f = parse('connections:\n  api:\n    type: http\n    url: u\n    auth:\n      type: basci\n  x:\n    type: potsgres\n');
    assert.ok(f.problems.some((p) => p.ruleId === 'config/invalid-value' && /Did you mean "basic"/.test(p.message)));
    assert.ok(f.problems.some((p) => p.ruleId === 'config/unknown-connection-type' && /Did you mean "postgres"/.test(p.message)));
  });

  it('handles empty files and non-mappings', () => {
    assert.deepEqual(parse('').problems, []);
    assert.equal(parse('- a\n- b\n').problems[0].ruleId, 'config/not-a-mapping');
  });

  it('loads a folder tree and applies the provider in scope', async () => {
    const ws = tempWorkspace({
      'connections.yaml': 'secretsManager:\n  scope: workspace\n  provider:\n    type: env\n',
      'projects/a/connections.yaml': 'connections:\n  db:\n    type: postgres\n    host: h\n    user: "{{workato:sm:DB_USER}}"\n',
      'node_modules/x/connections.yaml': 'connections: {}\n',
    });
    try {
      const model = await loadWorkspace(ws.root);
      assert.equal(model.files.length, 2);
      assert.equal(model.scope, 'workspace');
      const db = model.connections.find((c) => c.name === 'db')!;
      assert.equal(db.project, 'projects/a');
      assert.equal(providerFor(model, db)?.type, 'env');
      assert.deepEqual(model.problems, []);
    } finally {
      ws.cleanup();
    }
  });
});
