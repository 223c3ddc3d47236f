import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { ProviderConfig } from '../../../src/core/model';
import { listAll, type SecretsProvider } from '../../../src/core/provider';
import { isGitIgnored } from '../../../src/core/localFiles';
import { createProvider as envProvider } from '../../../src/providers/env';
import { createProvider as fileProvider } from '../../../src/providers/file';
import { ConnectionSecretsError } from '../../../src/core/errors';
import { assertNoCanary, canary } from '../../support/canary';
import { tempWorkspace } from '../../support/workspace';

const noCredentials = { get: async () => undefined, forget: async () => {} };
const config = (type: 'env' | 'file', options: Record<string, unknown>, dir = '/tmp'): ProviderConfig => ({
  type,
  options: { type, ...options },
  file: path.join(dir, 'connections.yaml'),
  dir,
  range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
});

describe('env provider', () => {
  const secret = canary('env');
  const env = { APP_DB_PASS: secret, APP_TOKEN: 't0ken-value', OTHER: 'x' };
  const p = envProvider(config('env', { prefix: 'APP_' }), { credentials: noCredentials, env }) as SecretsProvider;

  it('reads prefixed variables and lists names only', async () => {
    assert.equal((await p.getValue('DB_PASS')).value, secret);
    const names = [];
    for await (const s of listAll(p)) names.push(s.name);
    assert.deepEqual(names, ['DB_PASS', 'TOKEN']);
  });

  it('names the variable to set when one is missing', async () => {
    await assert.rejects(p.getValue('NOPE'), (e: ConnectionSecretsError) => e.code === 'NotFound' && /APP_NOPE is not set/.test(e.message) && /Set APP_NOPE/.test(e.fix!));
    const batch = await p.getValues(['DB_PASS', 'NOPE']);
    assert.equal((batch.get('DB_PASS') as { value: string }).value, secret);
    assert.ok(batch.get('NOPE') instanceof ConnectionSecretsError);
  });

  it('gives a version that changes with the value and does not reveal it', async () => {
    const v1 = await p.currentVersion!('DB_PASS');
    const p2 = envProvider(config('env', { prefix: 'APP_' }), { credentials: noCredentials, env: { ...env, APP_DB_PASS: 'rotated-value' } }) as SecretsProvider;
    assert.notEqual(await p2.currentVersion!('DB_PASS'), v1);
    assertNoCanary(String(v1), [secret]);
  });
});

describe('file provider', () => {
  const secret = canary('file');
  let ws: ReturnType<typeof tempWorkspace>;
  beforeEach(() => {
    const many = Object.fromEntries(Array.from({ length: 130 }, (_, i) => [`s${String(i).padStart(3, '0')}`, `v${i}`]));
    ws = tempWorkspace({ 'secrets.json': JSON.stringify({ db: { password: secret }, ...many }), 'broken.json': `{"a": "${secret}",\n "b" 1}` });
  });
  afterEach(() => ws.cleanup());

  it('pages through every secret until the provider is done', async () => {
    const p = fileProvider(config('file', { path: 'secrets.json' }, ws.root), { credentials: noCredentials }) as SecretsProvider;
    const first = await p.list({ pageSize: 50 });
    assert.equal(first.items.length, 50);
    assert.equal(first.nextToken, '50');
    const all = [];
    for await (const s of listAll(p, { pageSize: 50 })) all.push(s.id);
    assert.equal(all.length, 131);
    assert.equal((await p.list({ filter: 'S12' })).items.length, 10);
  });

  it('returns key/value secrets as JSON text', async () => {
    const p = fileProvider(config('file', { path: 'secrets.json' }, ws.root), { credentials: noCredentials }) as SecretsProvider;
    assert.equal(JSON.parse((await p.getValue('db')).value).password, secret);
  });

  it('explains a missing file and invalid JSON without showing content', async () => {
    const missing = fileProvider(config('file', { path: 'nope.json' }, ws.root), { credentials: noCredentials }) as SecretsProvider;
    await assert.rejects(missing.getValue('db'), (e: ConnectionSecretsError) => /nope.json does not exist/.test(e.message) && /Create/.test(e.fix!));
    const broken = fileProvider(config('file', { path: 'broken.json' }, ws.root), { credentials: noCredentials }) as SecretsProvider;
    await assert.rejects(broken.getValue('a'), (e: ConnectionSecretsError) => {
      assert.match(e.message, /broken.json is not valid JSON \(line 2\)/);
      assertNoCanary(`${e.message} ${e.fix}`, [secret]);
      return true;
    });
  });

  it('re-reads the file when it changes', async () => {
    const p = fileProvider(config('file', { path: 'secrets.json' }, ws.root), { credentials: noCredentials }) as SecretsProvider;
    const before = await p.currentVersion!('db');
    fs.writeFileSync(path.join(ws.root, 'secrets.json'), JSON.stringify({ db: { password: 'new-value-x' } }));
    assert.notEqual(await p.currentVersion!('db'), before);
  });

  it('tells whether git ignores the secrets file', async () => {
    execFileSync('git', ['init', '-q'], { cwd: ws.root });
    const file = path.join(ws.root, 'secrets.json');
    assert.equal(await isGitIgnored(file), false);
    fs.writeFileSync(path.join(ws.root, '.gitignore'), 'secrets.json\n');
    assert.equal(await isGitIgnored(file), true);
  });
});
