/** Connection rules on real connections.yaml files (loaded by the real loader), and the checkWorkspace hook. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { loadWorkspace } from '../../../../src/core/config';
import { SecretCache } from '../../../../src/core/cache';
import { FetchedValueLints, lintConnections, MOVE_COMMAND } from '../../../../src/core/lint';
import type { Problem } from '../../../../src/core/model';
import { Resolver } from '../../../../src/core/resolver';
import { checkWorkspace } from '../../../../src/core/validate';
import { createProvider } from '../../../../src/providers/file';
import { applyEdits, assertClean, only, parseAll, preferredFix } from '../../../support/lintAssert';
import { escaped, makeKeyMaterial, PASSPHRASE, type KeyMaterial } from '../../../support/keyMaterial';
import { tempWorkspace } from '../../../support/workspace';

let km: KeyMaterial;
before(function () {
  this.timeout(60_000);
  km = makeKeyMaterial();
});
after(() => km?.remove());

const providerBlock = (type: string, extra = '') => `secretsManager:\n  provider:\n    type: ${type}\n${extra}`;

async function lintYaml(yaml: string, extraFiles: Record<string, string> = {}) {
  const ws = tempWorkspace({ 'connections.yaml': yaml, ...extraFiles });
  try {
    const model = await loadWorkspace(ws.root);
    return { model, problems: lintConnections(model), text: yaml, file: path.join(ws.root, 'connections.yaml') };
  } finally {
    ws.cleanup();
  }
}

/** A YAML double-quoted scalar holding `value`. */
const dq = (value: string) => JSON.stringify(value);

describe('connection rules', () => {
  it('conn/hard-coded-credential: a literal in a credential field, with the move fix (a command, no value in its arguments)', async () => {
    const yaml = `${providerBlock('file', '    path: secrets.json\n')}connections:\n  jira:\n    type: http\n    url: https://x.example.com\n    auth:\n      type: basic\n      username: svc\n      password: hunter2-literal\n`;
    const { problems } = await lintYaml(yaml);
    const p = only(problems, 'conn/hard-coded-credential');
    assert.equal(p.range.start.line, 11);
    assert.equal(p.fixes?.[0].command?.id, MOVE_COMMAND);
    assert.deepEqual(Object.keys(p.fixes![0].command!.args[0] as object).sort(), ['connection', 'field', 'file']);
    assert.ok(!JSON.stringify(p).includes('hunter2-literal'), 'the problem never carries the value');
    const referenced = yaml.replace('hunter2-literal', '"{{workato:sm:password:jira}}"');
    assertClean((await lintYaml(referenced)).problems);
  });

  it('conn/hard-coded-credential: env cannot be written (the message says so, no fix); no provider: add one', async () => {
    const env = await lintYaml(`${providerBlock('env')}connections:\n  db:\n    type: postgres\n    host: h\n    user: u\n    password: literal-pass\n`);
    const p = only(env.problems, 'conn/hard-coded-credential');
    assert.match(p.message, /env provider cannot be written/);
    assert.equal(p.fixes, undefined);
    const none = await lintYaml(`connections:\n  db:\n    type: postgres\n    host: h\n    user: u\n    password: literal-pass\n`);
    assert.match(only(none.problems, 'conn/hard-coded-credential').message, /Add a secretsManager provider/);
  });

  it('a PEM written into connections.yaml: exact range inside the quoted scalar, fix re-encodes the scalar', async () => {
    const pem = km.cert.replace(/\n/g, '\r\n');
    const yaml = `${providerBlock('file', '    path: s.json\n')}connections:\n  api:\n    type: http\n    url: https://x.example.com\n    auth:\n      type: mtls\n      certificate: ${dq(pem)}\n      privateKey: "{{workato:sm:key:api}}"\n`;
    const { problems } = await lintYaml(yaml);
    const p = only(problems, 'pem/crlf');
    const line = yaml.split('\n')[p.range.start.line];
    assert.equal(line.slice(p.range.start.character, p.range.end.character), '\\r\\n', 'the range is the escaped CR LF in the YAML source');
    const fixed = applyEdits(yaml, preferredFix(p).edits);
    assertClean((await lintYaml(fixed)).problems);
    const value = (parseDocument(fixed).toJS() as { connections: { api: { auth: { certificate: string } } } }).connections.api.auth.certificate;
    assert.equal(value, km.cert);
    parseAll(value);
  });

  it('a PEM in a block literal keeps the block style when fixed', async () => {
    const indent = '        ';
    const lines = km.ecPkcs8.trimEnd().split('\n');
    const broken = [lines[0], lines[1], '', ...lines.slice(2)];
    const yaml = `connections:\n  box:\n    type: ssh\n    host: h\n    user: u\n    privateKey: |\n${broken.map((l) => (l ? indent + l : '')).join('\n')}\n    port: 22\n`;
    const { problems } = await lintYaml(yaml);
    const p = only(problems, 'pem/blank-line');
    assert.equal(p.range.start.line, 8, 'the empty line itself');
    const fixed = applyEdits(yaml, preferredFix(p).edits);
    assert.match(fixed, /privateKey: \|\n {8}-----BEGIN PRIVATE KEY-----\n/);
    assert.match(fixed, /-----END PRIVATE KEY-----\n {4}port: 22\n/);
    const after = await lintYaml(fixed);
    assertClean(after.problems, ['conn/hard-coded-credential']);
    parseAll((after.model.connections[0].raw as { privateKey: string }).privateKey);
  });

  it('pem/encrypted-no-passphrase and pem/wrong-passphrase for a key written with its connection', async () => {
    const conn = (extra: string) => `connections:\n  box:\n    type: ssh\n    host: h\n    user: u\n    privateKey: ${dq(escaped(km.encryptedPkcs8))}\n${extra}`;
    only((await lintYaml(conn(''))).problems, 'pem/encrypted-no-passphrase');
    assertClean((await lintYaml(conn(`    passphrase: ${PASSPHRASE}\n`))).problems, ['conn/hard-coded-credential']);
    only((await lintYaml(conn('    passphrase: wrong-one\n'))).problems, 'pem/wrong-passphrase');
    // A referenced passphrase is not known offline: nothing to say.
    assertClean((await lintYaml(conn('    passphrase: "{{workato:sm:pp}}"\n'))).problems, ['conn/hard-coded-credential']);
  });

  it('ref/vault-engine-reserved (range on the engine), ref/kv2-data-prefix (with fix), ref/invalid-for-provider', async () => {
    const vault = `${providerBlock('vault', '    address: https://v.example.com\n    auth:\n      method: token\n')}connections:\n  db:\n    type: postgres\n    host: h\n    user: "{{workato:sm:user:k@v:apps/db}}"\n    password: "{{workato:sm:password:kv:data/apps/db}}"\n`;
    const { problems } = await lintYaml(vault);
    const reserved = only(problems, 'ref/vault-engine-reserved');
    const line = vault.split('\n')[reserved.range.start.line];
    assert.equal(line.slice(reserved.range.start.character, reserved.range.end.character), 'k@v');
    const data = only(problems, 'ref/kv2-data-prefix');
    const fixed = applyEdits(vault, preferredFix(data).edits);
    assert.match(fixed, /"\{\{workato:sm:password:kv:apps\/db\}\}"/);
    assert.ok(!(await lintYaml(fixed)).problems.some((p) => p.ruleId === 'ref/kv2-data-prefix'));
    // Through checkWorkspace: the scope rule's generic report of the reserved engine is replaced by the precise one.
    const ws = tempWorkspace({ 'connections.yaml': vault });
    try {
      const all = await checkWorkspace(await loadWorkspace(ws.root));
      only(all, 'ref/vault-engine-reserved');
      assert.ok(!all.some((p) => p.ruleId === 'ref/invalid-for-provider'), all.map((p) => p.ruleId).join(', '));
    } finally {
      ws.cleanup();
    }
    const aws = tempWorkspace({ 'connections.yaml': `${providerBlock('aws', '    region: us-east-1\n')}connections:\n  db:\n    type: postgres\n    host: h\n    user: u\n    password: "{{workato:sm:onlyaname}}"\n` });
    try {
      only(await checkWorkspace(await loadWorkspace(aws.root)), 'ref/invalid-for-provider');
    } finally {
      aws.cleanup();
    }
  });

  it('findings of fetched values are reported on the reference that points at them', async () => {
    const yaml = `${providerBlock('file', '    path: secrets.json\n')}connections:\n  box:\n    type: ssh\n    host: h\n    user: u\n    privateKey: "{{workato:sm:privateKey:deploy}}"\n  enc:\n    type: ssh\n    host: h\n    user: u\n    privateKey: "{{workato:sm:privateKey:enc}}"\n`;
    const secrets = { deploy: { privateKey: '-----BEGIN OPENSSH PRIVATE KEY-----\\nnot-a-real-key\\n-----END OPENSSH PRIVATE KEY-----\\n' }, enc: { privateKey: escaped(km.encryptedPkcs8) } };
    const ws = tempWorkspace({ '.gitignore': 'secrets.json\n', 'connections.yaml': yaml, 'secrets.json': JSON.stringify(secrets) });
    try {
      const model = await loadWorkspace(ws.root);
      const fetched = new FetchedValueLints();
      // The cache lints every value it stores: resolution costs no extra call for the linter.
      const cache = new SecretCache({ onStore: (k, v) => fetched.record(k, v) });
      const provider = createProvider(model.files[0].provider!, { credentials: { get: async () => undefined, forget: async () => {} } });
      const resolver = new Resolver({ getProvider: async () => provider, cache });
      const problems: Problem[] = await checkWorkspace(model, { resolver, fetched: (k) => fetched.get(k) });
      const bad = only(problems, 'pem/invalid-base64');
      assert.equal(bad.range.start.line, 9);
      assert.match(bad.message, /^The value of secret "deploy", key "privateKey": /);
      const enc = only(problems, 'pem/encrypted-no-passphrase');
      assert.equal(enc.range.start.line, 14);
      for (const p of problems) assert.ok(!p.message.includes('not-a-real-key'));
      // Offline (no resolver, nothing fetched) the file alone is clean.
      assertClean(await checkWorkspace(await loadWorkspace(ws.root), {}));
      assert.ok(fs.existsSync(path.join(ws.root, 'secrets.json')));
    } finally {
      ws.cleanup();
    }
  });

  it('switched-off rules are not reported; lint: false leaves the lint rules out of checkWorkspace', async () => {
    const yaml = `connections:\n  db:\n    type: postgres\n    host: h\n    user: u\n    password: literal-pass\n`;
    const ws = tempWorkspace({ 'connections.yaml': yaml });
    try {
      const model = await loadWorkspace(ws.root);
      only(await checkWorkspace(model), 'conn/hard-coded-credential');
      assertClean(await checkWorkspace(model, { lint: { disabledRules: ['conn/hard-coded-credential'] } }));
      assertClean(await checkWorkspace(model, { lint: { disabledRules: ['conn/*'] } }));
      assertClean(await checkWorkspace(model, { lint: false }));
    } finally {
      ws.cleanup();
    }
  });
});
