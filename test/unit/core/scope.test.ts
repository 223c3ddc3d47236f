import assert from 'node:assert/strict';
import path from 'node:path';
import { buildModel, parseConnectionsFile, providerFor } from '../../../src/core/config';
import { scopeChangeWarning } from '../../../src/core/scope';

const ROOT = '/ws';
const file = (rel: string, text: string) => parseConnectionsFile(text, path.join(ROOT, rel), ROOT);
const conn = (name: string, ref: string) => `connections:\n  ${name}:\n    type: postgres\n    host: h\n    user: u\n    password: "${ref}"\n`;

describe('scope rule', () => {
  it('workspace scope: projects use the root provider', () => {
    const m = buildModel(ROOT, [file('connections.yaml', 'secretsManager:\n  scope: workspace\n  provider:\n    type: env\n'), file('p/connections.yaml', conn('db', '{{workato:sm:PW}}'))]);
    assert.deepEqual(m.problems, []);
    assert.equal(providerFor(m, m.connections[0])?.type, 'env');
  });

  it('workspace scope: a project provider is a blended-scope error on its block', () => {
    const m = buildModel(ROOT, [
      file('connections.yaml', 'secretsManager:\n  scope: workspace\n  provider:\n    type: env\n'),
      file('p/connections.yaml', 'secretsManager:\n  provider:\n    type: file\n    path: s.json\n' + conn('db', '{{workato:sm:PW}}').replace('connections:\n', 'connections:\n')),
    ]);
    const p = m.problems.find((x) => x.ruleId === 'scope/blended')!;
    assert.ok(p);
    assert.equal(p.file, path.join(ROOT, 'p/connections.yaml'));
    assert.equal(p.range.start.line, 2);
    assert.match(p.message, /scope: project/);
  });

  it('project scope: a root provider is blended; a project without one cannot resolve', () => {
    const m = buildModel(ROOT, [
      file('connections.yaml', 'secretsManager:\n  scope: project\n  provider:\n    type: env\n'),
      file('a/connections.yaml', 'secretsManager:\n  provider:\n    type: env\n' + conn('ok', '{{workato:sm:PW}}')),
      file('b/connections.yaml', conn('orphan', '{{workato:sm:PW}}')),
    ]);
    assert.ok(m.problems.some((p) => p.ruleId === 'scope/blended' && p.file.endsWith('/ws/connections.yaml')));
    const orphan = m.problems.find((p) => p.ruleId === 'scope/no-provider')!;
    assert.ok(orphan.file.endsWith('b/connections.yaml'));
    assert.match(orphan.message, /declares no provider/);
    assert.equal(providerFor(m, m.connections.find((c) => c.name === 'ok')!)?.type, 'env');
    assert.equal(providerFor(m, m.connections.find((c) => c.name === 'orphan')!), undefined);
  });

  it('infers project scope when only projects declare providers', () => {
    const m = buildModel(ROOT, [file('a/connections.yaml', 'secretsManager:\n  provider:\n    type: env\n')]);
    assert.equal(m.scope, 'project');
  });

  it('rejects scope outside the root file', () => {
    const f = file('a/connections.yaml', 'secretsManager:\n  scope: project\n');
    assert.equal(f.problems[0].ruleId, 'scope/not-in-root');
  });

  it('checks each reference against the provider type', () => {
    const m = buildModel(ROOT, [file('connections.yaml', 'secretsManager:\n  provider:\n    type: aws\n    region: us-east-1\n' + conn('db', '{{workato:sm:jira}}'))]);
    const p = m.problems.find((x) => x.ruleId === 'ref/invalid-for-provider')!;
    assert.match(p.message, /AWS references name a key and a secret/);
  });

  it('warns that switching scope breaks existing references', () => {
    const after = [file('connections.yaml', 'secretsManager:\n  scope: project\n'), file('a/connections.yaml', 'secretsManager:\n  provider:\n    type: env\n' + conn('db', '{{workato:sm:PW}}'))];
    const w = scopeChangeWarning('workspace', after)!;
    assert.equal(w.ruleId, 'scope/switched');
    assert.equal(w.severity, 'warning');
    assert.match(w.message, /from workspace to project: 1 reference\(s\) in 1 connection/);
    assert.equal(w.range.start.line, 1);
    assert.equal(scopeChangeWarning('project', after), undefined);
  });
});
