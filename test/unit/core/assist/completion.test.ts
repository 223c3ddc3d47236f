import assert from 'node:assert/strict';
import path from 'node:path';
import { completeAt, type CompletionRequest } from '../../../../src/core/assist/completion';
import { SecretListings } from '../../../../src/core/listings';
import type { ProviderConfig } from '../../../../src/core/model';
import type { SecretPage, SecretsProvider } from '../../../../src/core/provider';
import { Resolver } from '../../../../src/core/resolver';
import { SecretCache } from '../../../../src/core/cache';
import { createProvider } from '../../../../src/providers/file';
import { assertNoCanary, canary } from '../../../support/canary';
import { tempWorkspace } from '../../../support/workspace';

function at(marked: string): [string, number] {
  const i = marked.indexOf('|');
  return [marked.slice(0, i) + marked.slice(i + 1), i];
}

const noCredentials = { credentials: { get: async () => undefined, forget: async () => {} } };

describe('completeAt: references on the real file provider', () => {
  const password = canary('pw');
  const token = canary('token');
  let ws: ReturnType<typeof tempWorkspace>;
  let config: ProviderConfig;
  let calls: { list: number; getValues: number };
  let request: CompletionRequest;
  let listings: SecretListings;

  beforeEach(() => {
    ws = tempWorkspace({ 'secrets.json': JSON.stringify({ jira: { username: 'u', password }, 'jira-prod': { password }, statuspage: token, reporting: { user: 'r', password } }) });
    config = { type: 'file', options: { path: 'secrets.json' }, file: path.join(ws.root, 'connections.yaml'), dir: ws.root, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } };
    const real = createProvider(config, noCredentials) as SecretsProvider;
    calls = { list: 0, getValues: 0 };
    const counted: SecretsProvider = {
      ...real,
      list: async (o) => {
        calls.list++;
        return real.list(o);
      },
      getValues: async (ids, s) => {
        calls.getValues++;
        return real.getValues(ids, s);
      },
    };
    const resolver = new Resolver({ getProvider: async () => counted, cache: new SecretCache() });
    listings = new SecretListings({ getProvider: async () => counted, pageSize: 2 });
    request = { provider: config, isRootFile: true, sources: { list: (c, p) => listings.list(c, p), keysOf: (c, id) => resolver.keysOf(c, id) } };
  });
  afterEach(() => ws.cleanup());

  it('offers the secret names right after {{workato:sm:, closing the reference', async () => {
    const [t, o] = at('    password: "{{workato:sm:|"');
    const a = await completeAt(t, o, request);
    assert.equal(a.inReference, true);
    assert.deepEqual(a.items.map((i) => i.label).sort(), ['jira', 'jira-prod', 'reporting', 'statuspage']);
    const jira = a.items.find((i) => i.label === 'jira')!;
    assert.equal(jira.insertText, 'jira}}');
    assert.equal(jira.replaceStart, o);
    // Paged as the tree pages (2 per call): 4 secrets → 2 list calls, values never read.
    assert.equal(calls.list, 2);
    assert.equal(calls.getValues, 0);
  });

  it('offers the keys of the chosen secret — names only — and no closing braces when they are there', async () => {
    const [t, o] = at('    password: "{{workato:sm:|:jira}}"');
    const a = await completeAt(t, o, request);
    assert.deepEqual(a.items.map((i) => [i.label, i.kind, i.insertText]), [
      ['username', 'key', 'username'],
      ['password', 'key', 'password'],
    ]);
    assertNoCanary(JSON.stringify(a), [password, token], 'completion items');
  });

  it('a plain (non-JSON) secret has no keys', async () => {
    const [t, o] = at('    token: "{{workato:sm:|:statuspage}}"');
    assert.deepEqual((await completeAt(t, o, request)).items, []);
  });

  it('offers }} once the reference is complete', async () => {
    const [t, o] = at('    password: "{{workato:sm:password:jira|"');
    const a = await completeAt(t, o, request);
    assert.ok(a.items.some((i) => i.kind === 'close' && i.insertText === '}}'));
    // The secret part is being typed too: the names still come, from the cached listing.
    assert.ok(a.items.some((i) => i.label === 'jira' && i.insertText === 'jira}}'));
  });

  it('answers 100 requests from one listing per cache lifetime', async () => {
    const [t, o] = at('    password: "{{workato:sm:password:|"');
    for (let i = 0; i < 100; i++) await completeAt(t, o, request);
    assert.equal(listings.stats.listings, 1);
    assert.equal(calls.list, 2, 'one listing of two pages');
  });

  it('reports a failing provider in errors and still answers', async () => {
    const failing = new SecretListings({
      getProvider: async () => ({ list: async (): Promise<SecretPage> => { throw new Error(`denied (${password})`); } }) as unknown as SecretsProvider,
    });
    const [t, o] = at('    password: "{{workato:sm:password:jira|"');
    const a = await completeAt(t, o, { ...request, sources: { ...request.sources!, list: (c) => failing.list(c) } });
    assert.deepEqual(a.items.map((i) => i.kind), ['close']);
    assert.equal(a.errors.length, 1);
    assert.match(a.errors[0], /listing secrets of the file provider .* failed: denied/);
  });

  it('fetches nothing without sources (untrusted workspace)', async () => {
    const [t, o] = at('    password: "{{workato:sm:|"');
    assert.deepEqual((await completeAt(t, o, { ...request, sources: undefined })).items, []);
    assert.equal(calls.list + calls.getValues, 0);
  });
});

describe('completeAt: AWS and Vault forms', () => {
  const config = (type: 'aws' | 'vault'): ProviderConfig => ({ type, options: {}, file: '/ws/connections.yaml', dir: '/ws', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } });
  const arn = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:jira-AbCdEf';

  it('aws: a secret chosen first gets an empty key stop before it and asks for the keys', async () => {
    const sources = { list: async () => ({ items: [{ id: arn, name: 'jira', kind: 'secret' as const }], truncated: false }), keysOf: async () => ['password'] };
    const [t, o] = at('  password: "{{workato:sm:|"');
    const [item] = (await completeAt(t, o, { provider: config('aws'), isRootFile: true, sources })).items;
    assert.equal(item.insertText, '$1:jira}}');
    assert.equal(item.snippet, true);
    assert.equal(item.retrigger, true);
    // Typing an ARN inserts the ARN.
    const [t2, o2] = at('  password: "{{workato:sm:password:arn:|"');
    const [byArn] = (await completeAt(t2, o2, { provider: config('aws'), isRootFile: true, sources })).items;
    assert.equal(byArn.insertText, `${arn}}}`);
    assert.equal(byArn.filterText, arn);
  });

  it('vault: engines, then folders and secrets of the folder typed so far', async () => {
    const parents: (string | undefined)[] = [];
    const sources = {
      list: async (_c: ProviderConfig, parent?: string) => {
        parents.push(parent);
        if (!parent) return { items: [{ id: 'kv2:', name: 'kv2/', kind: 'folder' as const, description: 'KV v2' }], truncated: false };
        return { items: [{ id: `${parent}payments/`, name: 'payments/', kind: 'folder' as const }, { id: `${parent}db`, name: 'db', kind: 'secret' as const }], truncated: false };
      },
      keysOf: async () => undefined,
    };
    const req = { provider: config('vault'), isRootFile: true, sources };
    const [t, o] = at('  password: "{{workato:sm:password:|"');
    const engines = (await completeAt(t, o, req)).items;
    assert.deepEqual(engines.map((i) => [i.label, i.insertText, i.retrigger]), [['kv2/', 'kv2:', true]]);
    const [t2, o2] = at('  password: "{{workato:sm:password:kv2:apps/|"');
    const inFolder = (await completeAt(t2, o2, req)).items;
    assert.deepEqual(parents.at(-1), 'kv2:apps/');
    assert.deepEqual(inFolder.map((i) => [i.label, i.kind, i.insertText]), [
      ['payments/', 'folder', 'payments/'],
      ['db', 'secret', 'db}}'],
    ]);
    assert.equal(inFolder[1].replaceStart, o2);
  });
});

describe('completeAt: schema-based fields and types (no provider needed)', () => {
  const none: CompletionRequest = { isRootFile: true };

  it('offers provider types, then the fields of the chosen type', async () => {
    const [t, o] = at('secretsManager:\n  provider:\n    type: |\n');
    assert.deepEqual((await completeAt(t, o, none)).items.map((i) => i.label), ['aws', 'vault', 'azure', 'env', 'file']);
    const [t2, o2] = at('secretsManager:\n  provider:\n    type: vault\n    |\n');
    const fields = (await completeAt(t2, o2, none)).items.map((i) => i.label);
    assert.deepEqual(fields.sort(), ['address', 'auth', 'caCert', 'namespace']);
  });

  it('offers scope only in the root file', async () => {
    const [t, o] = at('secretsManager:\n  |\n');
    assert.deepEqual((await completeAt(t, o, none)).items.map((i) => i.label).sort(), ['provider', 'scope']);
    assert.deepEqual((await completeAt(t, o, { isRootFile: false })).items.map((i) => i.label), ['provider']);
  });

  it('offers connection types, their fields and auth types', async () => {
    const [t, o] = at('connections:\n  db:\n    type: |\n');
    assert.deepEqual((await completeAt(t, o, none)).items.map((i) => i.label), ['http', 'postgres', 'mysql', 'ssh']);
    const [t2, o2] = at('connections:\n  db:\n    type: postgres\n    host: h\n    |\n');
    assert.deepEqual((await completeAt(t2, o2, none)).items.map((i) => i.label).sort(), ['database', 'description', 'password', 'port', 'ssl', 'user']);
    const [t3, o3] = at('connections:\n  api:\n    type: http\n    auth:\n      type: |\n');
    assert.deepEqual((await completeAt(t3, o3, none)).items.map((i) => i.label), ['basic', 'bearer', 'apiKey', 'oauth2ClientCredentials', 'mtls']);
  });

  it('completes the reference prefix', async () => {
    const [t, o] = at('connections:\n  a:\n    password: "{{wor|');
    const [item] = (await completeAt(t, o, none)).items;
    assert.equal(item.insertText, '{{workato:sm:');
    assert.equal(item.replaceStart, t.indexOf('{{'));
  });
});
