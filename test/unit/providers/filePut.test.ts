/** The file provider's write (`put`): one entry changes, everything else stays, atomically. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ConnectionSecretsError } from '../../../src/core/errors';
import type { ProviderConfig } from '../../../src/core/model';
import { planMove, storeCredential } from '../../../src/core/moveCredential';
import type { SecretsProvider } from '../../../src/core/provider';
import { createProvider } from '../../../src/providers/file';
import { canary } from '../../support/canary';
import { tempWorkspace } from '../../support/workspace';

const zero = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

describe('file provider: put', () => {
  let ws: ReturnType<typeof tempWorkspace>;
  let p: SecretsProvider;
  let file: string;
  beforeEach(() => {
    ws = tempWorkspace({ 'secrets.json': '{\n    "jira": { "user": "svc" },\n    "plain": "text-value"\n}\n' });
    file = path.join(ws.root, 'secrets.json');
    fs.chmodSync(file, 0o600);
    const config: ProviderConfig = { type: 'file', options: { type: 'file', path: 'secrets.json' }, file: path.join(ws.root, 'connections.yaml'), dir: ws.root, range: zero };
    p = createProvider(config, { credentials: { get: async () => undefined, forget: async () => {} } }) as SecretsProvider;
  });
  afterEach(() => ws.cleanup());

  it('adds a key to a key/value entry, keeps the other entries, the indentation and the file mode', async () => {
    const pw = canary('file-put');
    await p.getValue('jira'); // loads and caches the file: the write must invalidate that
    const plan = planMove({ type: 'file', options: {}, file: '', dir: '', range: zero }, { name: 'jira', type: 'http', file: '', project: '', nameRange: zero, range: zero, fields: [], raw: {} }, 'auth.password');
    const r = await storeCredential(p, plan, pw);
    assert.equal(r.created, false);
    const text = fs.readFileSync(file, 'utf8');
    assert.deepEqual(JSON.parse(text), { jira: { user: 'svc', password: pw }, plain: 'text-value' });
    assert.match(text, /^\{\n {4}"jira": \{\n {8}"user"/, 'four-space indentation kept');
    assert.ok(text.endsWith('}\n'));
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.equal(JSON.parse((await p.getValue('jira')).value).password, pw, 'the provider reads the new file');
    assert.deepEqual(fs.readdirSync(ws.root), ['secrets.json'], 'no temporary file is left behind');
  });

  it('creates new entries as objects (key/value) or strings (whole values)', async () => {
    assert.equal((await p.put!('db', JSON.stringify({ password: 'x1' }))).created, true);
    assert.equal((await p.put!('token', 'abc-123')).created, true);
    const json = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.deepEqual(json.db, { password: 'x1' });
    assert.equal(json.token, 'abc-123');
    // A string entry stays a string even when the new value looks like JSON.
    await p.put!('plain', '{"a":1}');
    assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')).plain, '{"a":1}');
  });

  it('refuses to overwrite and explains; a broken secrets file is reported, not replaced', async () => {
    await assert.rejects(storeCredential(p, { secretId: 'plain', key: 'password', reference: '' }, 'v'), (e: ConnectionSecretsError) => /not a JSON key\/value secret/.test(e.message));
    fs.writeFileSync(file, '{ broken');
    await assert.rejects(p.put!('x', 'y'), (e: ConnectionSecretsError) => e.code === 'InvalidConfig' && /not valid JSON/.test(e.message));
    assert.equal(fs.readFileSync(file, 'utf8'), '{ broken');
  });
});
