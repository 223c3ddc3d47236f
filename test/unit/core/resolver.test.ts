import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadWorkspace } from '../../../src/core/config';
import { ConnectionSecretsError } from '../../../src/core/errors';
import type { ProviderConfig } from '../../../src/core/model';
import type { SecretsProvider } from '../../../src/core/provider';
import { MASK } from '../../../src/core/redact';
import { extractKey, Resolver } from '../../../src/core/resolver';
import { createProvider } from '../../../src/providers/file';
import { assertNoCanary, canary } from '../../support/canary';
import { tempWorkspace } from '../../support/workspace';

/** The real file provider, with its calls counted. */
function counted(config: ProviderConfig) {
  const provider = createProvider(config, { credentials: { get: async () => undefined, forget: async () => {} } }) as SecretsProvider;
  const calls = { getValues: 0, ids: [] as string[][] };
  const wrapped: SecretsProvider = {
    ...provider,
    getValues: async (ids, signal) => {
      calls.getValues++;
      calls.ids.push([...ids]);
      return provider.getValues(ids, signal);
    },
    list: provider.list,
    getValue: provider.getValue,
    describe: provider.describe,
    currentVersion: provider.currentVersion,
  };
  return { wrapped, calls };
}

describe('Resolver (with the real file provider)', () => {
  const pw = canary('pw');
  const token = canary('token');
  let ws: ReturnType<typeof tempWorkspace>;

  beforeEach(() => {
    ws = tempWorkspace({
      'connections.yaml': `secretsManager:
  provider:
    type: file
    path: secrets.json
connections:
  db:
    type: postgres
    host: h
    user: "{{workato:sm:user:db}}"
    password: "{{workato:sm:password:db}}"
  api:
    type: http
    url: https://x
    auth:
      type: bearer
      token: "Bearer {{workato:sm:token}}"
  broken:
    type: postgres
    host: h
    user: "{{workato:sm:usr:db}}"
    password: "{{workato:sm:password:nope}}"
`,
      'secrets.json': JSON.stringify({ db: { user: 'app', password: pw }, token }),
    });
  });
  afterEach(() => ws.cleanup());

  it('resolves references, masks displays and substitutes values for testers', async () => {
    const model = await loadWorkspace(ws.root);
    const { wrapped } = counted(model.files[0].provider!);
    const resolver = new Resolver({ getProvider: async () => wrapped });
    const [db, api] = await resolver.resolveConnections(model, model.connections.slice(0, 2));
    assert.equal(db.ok, true);
    assert.equal(db.fields.find((f) => f.path === 'password')!.display, MASK);
    assert.equal((db.values as Record<string, unknown>).password, pw);
    assert.equal(((api.values as Record<string, Record<string, unknown>>).auth).token, `Bearer ${token}`);
    assert.equal(api.fields.find((f) => f.path === 'auth.token')!.display, `Bearer ${MASK}`);
    assertNoCanary(JSON.stringify([db.fields, api.fields, db.references, api.references]), [pw, token], 'displays');
  });

  it('fetches all distinct secrets of a resolution in one provider call', async () => {
    const model = await loadWorkspace(ws.root);
    const { wrapped, calls } = counted(model.files[0].provider!);
    const resolver = new Resolver({ getProvider: async () => wrapped });
    await resolver.resolveConnections(model);
    assert.equal(calls.getValues, 1);
    assert.deepEqual(calls.ids[0].sort(), ['db', 'nope', 'token']);
  });

  it('makes one provider call for N parallel resolutions of one secret', async () => {
    const model = await loadWorkspace(ws.root);
    const { wrapped, calls } = counted(model.files[0].provider!);
    const resolver = new Resolver({ getProvider: async () => wrapped });
    const db = model.connections[0];
    const results = await Promise.all(Array.from({ length: 25 }, () => resolver.resolveConnection(db, model.files[0].provider)));
    assert.equal(calls.getValues, 1);
    assert.ok(results.every((r) => r.ok));
  });

  it('reports errors per reference, naming existing keys but no values', async () => {
    const model = await loadWorkspace(ws.root);
    const { wrapped } = counted(model.files[0].provider!);
    const resolver = new Resolver({ getProvider: async () => wrapped });
    const broken = await resolver.resolveConnection(model.connections[2], model.files[0].provider);
    assert.equal(broken.ok, false);
    assert.equal(broken.values, undefined);
    const [usr, nope] = broken.references;
    assert.equal(usr.status, 'unresolved');
    assert.match(usr.error!, /has no key "usr" — Use one of its keys: user, password/);
    assert.equal(nope.status, 'unresolved');
    assert.match(nope.error!, /"nope" is not in secrets.json/);
    assertNoCanary(JSON.stringify(broken.references), [pw, token], 'errors');
  });

  it('refresh reports a rotation with old and new versions and re-resolves', async () => {
    const model = await loadWorkspace(ws.root);
    const { wrapped, calls } = counted(model.files[0].provider!);
    const resolver = new Resolver({ getProvider: async () => wrapped });
    const db = model.connections[0];
    await resolver.resolveConnection(db, model.files[0].provider);
    const unchanged = await resolver.refreshConnection(model, db);
    assert.deepEqual(unchanged.rotated, []);
    assert.deepEqual(unchanged.unchanged, ['db']);
    assert.equal(calls.getValues, 1, 'an unchanged version is not fetched again');

    const rotated = canary('rotated');
    fs.writeFileSync(path.join(ws.root, 'secrets.json'), JSON.stringify({ db: { user: 'app', password: rotated }, token }));
    const report = await resolver.refreshConnection(model, db);
    assert.equal(report.rotated.length, 1);
    assert.equal(report.rotated[0].secretId, 'db');
    assert.notEqual(report.rotated[0].oldVersion, report.rotated[0].newVersion);
    assert.equal((report.resolution.values as Record<string, unknown>).password, rotated);
  });

  it('invalidates the secrets of one connection', async () => {
    const model = await loadWorkspace(ws.root);
    const { wrapped } = counted(model.files[0].provider!);
    const resolver = new Resolver({ getProvider: async () => wrapped });
    await resolver.resolveConnections(model);
    assert.equal(resolver.cache.stats.entries, 2);
    assert.equal(resolver.invalidateConnection(model, model.connections[0]), 1);
    assert.equal(resolver.cache.stats.entries, 1);
  });

  it('registers fetched values with the redactor', async () => {
    const model = await loadWorkspace(ws.root);
    const { wrapped } = counted(model.files[0].provider!);
    const resolver = new Resolver({ getProvider: async () => wrapped });
    await resolver.resolveConnections(model);
    assertNoCanary(resolver.redactor.redact(`oops ${pw} and ${token}`), [pw, token]);
  });

  it('a provider that cannot be created fails each reference with its reason', async () => {
    const model = await loadWorkspace(ws.root);
    const resolver = new Resolver({
      getProvider: async () => {
        throw new ConnectionSecretsError('Unauthenticated', 'no credentials', { fix: 'Set VAULT_TOKEN.' });
      },
    });
    const r = await resolver.resolveConnection(model.connections[0], model.files[0].provider);
    assert.equal(r.ok, false);
    assert.ok(r.references.every((x) => x.error === 'no credentials — Set VAULT_TOKEN.'));
  });
});

describe('extractKey', () => {
  it('names the Workato rule for AWS secrets that are not key/value', () => {
    assert.throws(
      () => extractKey({ id: 's', value: 'plain-text' }, { secretId: 's', key: 'password' }, 'aws'),
      (e: ConnectionSecretsError) => e.code === 'NotKeyValue' && /Workato reads AWS secrets as JSON key\/value/.test(e.fix ?? '') && !e.message.includes('plain-text'),
    );
  });
  it('returns non-string leaves as JSON and whole values without a key', () => {
    assert.equal(extractKey({ id: 's', value: '{"port":5432}' }, { secretId: 's', key: 'port' }, 'file'), '5432');
    assert.equal(extractKey({ id: 's', value: 'whole' }, { secretId: 's' }, 'azure'), 'whole');
  });
});
