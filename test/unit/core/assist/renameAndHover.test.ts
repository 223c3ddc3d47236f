import assert from 'node:assert/strict';
import { hoverMarkdown, referenceAtPosition, referencesInFile } from '../../../../src/core/assist/hover';
import { loadWorkspace } from '../../../../src/core/config';
import { SecretListings } from '../../../../src/core/listings';
import type { SecretsProvider } from '../../../../src/core/provider';
import { Resolver } from '../../../../src/core/resolver';
import { closestNames } from '../../../../src/core/schema';
import { checkWorkspace } from '../../../../src/core/validate';
import { createProvider } from '../../../../src/providers/file';
import { assertNoCanary, canary } from '../../../support/canary';
import { tempWorkspace } from '../../../support/workspace';

const noCredentials = { credentials: { get: async () => undefined, forget: async () => {} } };

describe('closestNames', () => {
  it('ranks typos and renames with a suffix, nearest first, and leaves unrelated names out', () => {
    assert.deepEqual(closestNames('jira', ['jira-prod', 'jiro', 'warehouse', 'JIRA']), ['jiro', 'jira-prod']);
    assert.deepEqual(closestNames('pasword', ['password', 'username']), ['password']);
    assert.deepEqual(closestNames('x', ['warehouse']), []);
    assert.equal(closestNames('a', Array.from({ length: 10 }, (_, i) => `a${i}`)).length, 3);
  });
});

describe('SecretListings: one listing per cache lifetime', () => {
  it('reuses a listing until the TTL passes, shares one in flight, and does not keep failures', async () => {
    let now = 0;
    let lists = 0;
    let fail = false;
    const provider = { list: async () => { lists++; if (fail) throw new Error('down'); return { items: [{ id: 'a', name: 'a' }] }; } } as unknown as SecretsProvider;
    const l = new SecretListings({ getProvider: async () => provider, ttlMs: 1000, now: () => now });
    const config = { type: 'file' as const, options: { path: 's.json' }, file: '/w/connections.yaml', dir: '/w', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } };
    await Promise.all([l.list(config), l.list(config), l.list(config)]);
    assert.equal(lists, 1);
    now = 999;
    await l.list(config);
    assert.equal(lists, 1);
    now = 1000;
    fail = true;
    await assert.rejects(l.list(config), /down/);
    fail = false;
    await l.list(config);
    assert.equal(lists, 3);
    assert.deepEqual(l.stats, { listings: 3, pages: 3, hits: 3, adopted: 0 });
  });

  it('adopts a listing the Providers tree paged to the end: no provider call until the TTL passes', async () => {
    let now = 0;
    let lists = 0;
    const provider = { list: async () => { lists++; return { items: [{ id: 'listed', name: 'listed' }] }; } } as unknown as SecretsProvider;
    const l = new SecretListings({ getProvider: async () => provider, ttlMs: 1000, now: () => now });
    const config = { type: 'file' as const, options: { path: 's.json' }, file: '/w/connections.yaml', dir: '/w', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } };
    l.adopt(config, undefined, [{ id: 'from-tree', name: 'from-tree' }]);
    assert.deepEqual((await l.list(config)).items.map((s) => s.id), ['from-tree']);
    assert.equal(lists, 0);
    // Newer than a kept listing, so it replaces it; a folder is kept apart from the root.
    l.adopt(config, undefined, [{ id: 'newer', name: 'newer' }]);
    assert.deepEqual(l.peek(config)?.items.map((s) => s.id), ['newer']);
    assert.equal(l.peek(config, 'folder/'), undefined);
    now = 1000;
    assert.deepEqual((await l.list(config)).items.map((s) => s.id), ['listed']);
    assert.equal(lists, 1);
    l.adopt(config, undefined, [{ id: 'again', name: 'again' }]);
    l.invalidate(config);
    assert.equal(l.peek(config), undefined);
    assert.deepEqual(l.stats, { listings: 1, pages: 1, hits: 1, adopted: 3 });
  });
});

describe('rename safety: a missing secret referenced by several connections', () => {
  const password = canary('renamed');
  let ws: ReturnType<typeof tempWorkspace>;
  beforeEach(() => {
    ws = tempWorkspace({
      'secrets.json': JSON.stringify({ 'jira-prod': { username: 'u', password }, warehouse: { password } }),
      'connections.yaml': `secretsManager:
  provider:
    type: file
    path: secrets.json
connections:
  jira:
    type: http
    url: https://x
    auth:
      type: basic
      username: "{{workato:sm:username:jira}}"
      password: "{{workato:sm:password:jira}}"
  jira-backup:
    type: http
    url: https://y
    auth:
      type: bearer
      token: "Bearer {{workato:sm:password:jira}}"
  db:
    type: postgres
    host: h
    user: u
    password: "{{workato:sm:pasword:warehouse}}"
`,
      '.gitignore': 'secrets.json\n',
    });
  });
  afterEach(() => ws.cleanup());

  it('reports one diagnostic per reference, each with fixes to the closest existing names (never preferred)', async () => {
    const model = await loadWorkspace(ws.root);
    const provider = createProvider(model.files[0].provider!, noCredentials) as SecretsProvider;
    const resolver = new Resolver({ getProvider: async () => provider });
    const listings = new SecretListings({ getProvider: async () => provider });
    const problems = await checkWorkspace(model, { resolver, lint: false, secretIds: async (c, parent) => (await listings.list(c, parent)).items.map((s) => s.id) });
    const missing = problems.filter((p) => p.ruleId === 'ref/unresolved');
    assert.equal(missing.length, 3, 'three references to the renamed secret, three diagnostics');
    assert.deepEqual(new Set(missing.map((p) => p.range.start.line)).size, 3);
    for (const p of missing) {
      assert.match(p.message, /Closest existing secrets: jira-prod\./);
      assert.deepEqual(p.fixes?.map((f) => [f.title, f.preferred]), [[`Change to ${p.fixes![0].edits[0].newText}`, false]]);
      assert.match(p.fixes![0].edits[0].newText, /^\{\{workato:sm:(username|password):jira-prod\}\}$/);
    }
    const key = problems.find((p) => p.ruleId === 'ref/missing-key')!;
    assert.match(key.message, /Closest existing keys: password\./);
    assert.equal(key.fixes?.[0].edits[0].newText, '{{workato:sm:password:warehouse}}');
    assertNoCanary(JSON.stringify(problems), [password], 'problems');
  });

  it('without a listing, or when it fails, the diagnostics stand without fixes', async () => {
    const model = await loadWorkspace(ws.root);
    const provider = createProvider(model.files[0].provider!, noCredentials) as SecretsProvider;
    const resolver = new Resolver({ getProvider: async () => provider });
    const problems = await checkWorkspace(model, { resolver, lint: false, secretIds: async () => { throw new Error('denied'); } });
    const missing = problems.filter((p) => p.ruleId === 'ref/unresolved');
    assert.equal(missing.length, 3);
    for (const p of missing) assert.equal(p.fixes, undefined);
  });

  it('hover: provider, secret, key, status and the reason — never the value', async () => {
    const model = await loadWorkspace(ws.root);
    const file = model.files[0].path;
    const refs = referencesInFile(model, file);
    assert.equal(refs.length, 4);
    const located = referenceAtPosition(model, file, refs[1].ref.range.start)!;
    assert.equal(located.target?.secretId, 'jira');
    const error = 'Secret "jira" is not in secrets.json — Add "jira" to secrets.json, or fix the reference.';
    const unresolved = hoverMarkdown({ located, status: 'unresolved', error, problems: [`{{workato:sm:password:jira}} does not resolve: ${error} Closest existing secrets: jira-prod.`] });
    assert.match(unresolved, /does not resolve/);
    assert.match(unresolved, /Provider: file \(workspace\)/);
    assert.match(unresolved, /Secret: `jira`/);
    assert.match(unresolved, /Key: `password`/);
    assert.match(unresolved, /\*\*Problems\*\*\n- \\\{\\\{workato:sm:password:jira\\\}\\\} does not resolve: Secret "jira" is not in secrets\\\.json/);
    assert.match(unresolved, /Closest existing secrets: jira\\-prod/);
    assert.equal(unresolved.split('is not in secrets').length, 2, 'the reason is said once, by the diagnostic');
    const resolved = hoverMarkdown({ located, status: 'resolved', version: 'abc123', updatedOn: new Date('2026-01-02T03:04:05Z'), problems: ['key/value: the private key is malformed'] });
    assert.match(resolved, /resolved/);
    assert.match(resolved, /Version: `abc123`/);
    assert.match(resolved, /Last changed: 2026-01-02 03:04 UTC/);
    assert.match(resolved, /\*\*Problems\*\*\n- key\/value: the private key is malformed/);
    assertNoCanary(unresolved + resolved, [password], 'hover');
  });
});

describe('rename safety on AWS: names compared, the form of the reference kept', () => {
  const arn = (name: string) => `arn:aws:secretsmanager:us-east-1:111122223333:secret:${name}-AbCdEf`;
  it('suggests by name for a reference by name or by ARN, not every ARN', async () => {
    const { parseConnectionsFile, buildModel } = await import('../../../../src/core/config');
    const { ConnectionSecretsError } = await import('../../../../src/core/errors');
    const text = `secretsManager:
  provider:
    type: aws
    region: us-east-1
connections:
  a:
    type: postgres
    host: h
    user: "{{workato:sm:username:jira}}"
    password: "{{workato:sm:password:${arn('jira')}}}"
`;
    const model = buildModel('/ws', [parseConnectionsFile(text, '/ws/connections.yaml', '/ws')]);
    const provider = {
      getValues: async (ids: readonly string[]) => new Map(ids.map((id) => [id, new ConnectionSecretsError('NotFound', `Secrets Manager can't find the specified secret "${id}"`)])),
    } as unknown as SecretsProvider;
    const resolver = new Resolver({ getProvider: async () => provider });
    const problems = await checkWorkspace(model, { resolver, lint: false, secretIds: async () => [arn('jira-prod'), arn('warehouse'), arn('billing')] });
    const fixes = problems.filter((p) => p.ruleId === 'ref/unresolved').map((p) => p.fixes?.map((f) => f.edits[0].newText));
    assert.deepEqual(fixes, [['{{workato:sm:username:jira-prod}}'], [`{{workato:sm:password:${arn('jira-prod')}}}`]]);
  });
});
