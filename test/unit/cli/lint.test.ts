/** `connection-secrets lint`: inputs (--as), formats (text, json, sarif), exit codes, no values printed. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { main } from '../../../src/cli/main';
import type { CliIo } from '../../../src/cli/io';
import { RULES } from '../../../src/core/lint';
import { assertNoCanary, canary } from '../../support/canary';
import { escaped, makeKeyMaterial, type KeyMaterial } from '../../support/keyMaterial';
import { tempWorkspace } from '../../support/workspace';

async function run(argv: string[], cwd: string) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), cwd, env: {} };
  const code = await main(['lint', ...argv], io);
  return { code, stdout, stderr, all: stdout + stderr };
}

describe('CLI lint', function () {
  this.timeout(60_000);
  let km: KeyMaterial;
  let ws: ReturnType<typeof tempWorkspace>;
  const pw = canary('lint-pw');
  const stored = canary('lint-stored');
  before(() => {
    km = makeKeyMaterial();
    ws = tempWorkspace({
      '.gitignore': 'secrets.json\n',
      'connections.yaml': `secretsManager:\n  scope: workspace\n  provider:\n    type: file\n    path: secrets.json\nconnections:\n  db:\n    type: postgres\n    host: h\n    user: u\n    password: ${pw}\n  box:\n    type: ssh\n    host: h\n    user: u\n    privateKey: "{{workato:sm:privateKey:deploy}}"\n`,
      'secrets.json': JSON.stringify({ deploy: { privateKey: '-----BEGIN OPENSSH PRIVATE KEY-----\\nnot-a-real-key\\n-----END OPENSSH PRIVATE KEY-----\\n', note: stored } }),
      'certs/good.pem': km.cert,
      'certs/crlf.crt': km.cert.replace(/\n/g, '\r\n'),
      'certs/expired.cer': km.expiredCert,
      'values/aws-plain.txt': escaped(km.ecPkcs8),
      'values/kv.json': JSON.stringify({ privateKey: escaped(km.rsaPkcs8), certificate: escaped(km.cert), password: stored }),
      'values/double.txt': km.ecPkcs8.replace(/\n/g, '\\\\n'),
    });
  });
  after(() => {
    ws?.cleanup();
    km?.remove();
  });

  it('text: one line per problem with file:line:col, a summary, exit 1 on errors', async () => {
    const r = await run(['certs'], ws.root);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^certs\/crlf\.crt:1:28: warning pem\/crlf: /m);
    assert.match(r.stdout, /^certs\/expired\.cer:1:1: error x509\/expired: The certificate \(CN=dated\.example\.com\) expired on 2020-03-01/m);
    assert.doesNotMatch(r.stdout, /good\.pem/);
    assert.match(r.stdout, /1 error\(s\), 1 warning\(s\), 0 info in 3 file\(s\)\n$/);
    const clean = await run(['certs/good.pem'], ws.root);
    assert.equal(clean.code, 0);
    assert.match(clean.stdout, /^0 error\(s\), 0 warning\(s\), 0 info in 1 file\(s\)\n$/);
  });

  it('--as secret: the exact content is one stored value; --provider aws requires JSON key/value', async () => {
    const aws = await run(['--as', 'secret', '--provider', 'aws', 'values/aws-plain.txt', 'values/kv.json'], ws.root);
    assert.equal(aws.code, 1);
    assert.match(aws.stdout, /values\/aws-plain\.txt:1:1: error secret\/not-key-value/);
    assert.match(aws.stdout, /values\/kv\.json:1:\d+: error x509\/key-mismatch/);
    const plain = await run(['--as', 'secret', 'values/aws-plain.txt'], ws.root);
    assert.equal(plain.code, 0, plain.stdout);
    const double = await run(['values/double.txt'], ws.root);
    assert.match(double.stdout, /error pem\/double-escaped/);
    // The same file read as a PEM file on disk.
    const asFile = await run(['--as', 'file', 'values/aws-plain.txt'], ws.root);
    assert.match(asFile.stdout, /error pem\/expected-multiline/);
    assertNoCanary(aws.all + plain.all, [stored]);
  });

  it('connections.yaml: connection rules offline; --resolve lints the fetched values too; no value is printed', async () => {
    const offline = await run(['connections.yaml'], ws.root);
    assert.equal(offline.code, 0, 'only a warning offline');
    assert.match(offline.stdout, /^connections\.yaml:11:15: warning conn\/hard-coded-credential: "password" of connection "db"/m);
    const online = await run(['--resolve', 'connections.yaml'], ws.root);
    assert.equal(online.code, 1);
    assert.match(online.stdout, /^connections\.yaml:16:18: error pem\/invalid-base64: The value of secret "deploy", key "privateKey": /m);
    assertNoCanary(offline.all + online.all, [pw, stored]);
    assert.ok(!online.all.includes('not-a-real-key'));
  });

  it('--format json: {"problems":[{file, ruleId, severity, message, line, column}]}', async () => {
    const r = await run(['--format', 'json', 'certs', 'connections.yaml'], ws.root);
    assert.equal(r.code, 1);
    const json = JSON.parse(r.stdout) as { problems: Record<string, unknown>[] };
    assert.deepEqual(Object.keys(json), ['problems']);
    assert.ok(json.problems.length >= 3);
    for (const p of json.problems) {
      assert.deepEqual(Object.keys(p).sort(), ['column', 'file', 'line', 'message', 'ruleId', 'severity']);
      assert.ok(['error', 'warning', 'info'].includes(p.severity as string));
      assert.ok(typeof p.line === 'number' && typeof p.column === 'number');
    }
    assert.ok(json.problems.some((p) => p.file === 'certs/expired.cer' && p.ruleId === 'x509/expired' && p.line === 1 && p.column === 1));
    assertNoCanary(r.all, [pw, stored]);
  });

  it('--format sarif: SARIF 2.1.0 with the rules and results code scanning reads', async () => {
    const r = await run(['--format', 'sarif', 'certs', 'connections.yaml'], ws.root);
    assert.equal(r.code, 1);
    const sarif = JSON.parse(r.stdout);
    assert.equal(sarif.version, '2.1.0');
    assert.match(sarif.$schema, /sarif-2\.1\.0/);
    assert.equal(sarif.runs.length, 1);
    const run0 = sarif.runs[0];
    assert.equal(run0.tool.driver.name, 'connection-secrets');
    const rules = run0.tool.driver.rules as { id: string; shortDescription: { text: string }; defaultConfiguration: { level: string } }[];
    for (const id of Object.keys(RULES)) assert.ok(rules.some((x) => x.id === id), `rule ${id} is listed`);
    for (const rule of rules) {
      assert.ok(rule.shortDescription.text.length > 10);
      assert.ok(['error', 'warning', 'note'].includes(rule.defaultConfiguration.level));
    }
    assert.ok(run0.results.length >= 3);
    for (const res of run0.results) {
      assert.equal(typeof res.ruleId, 'string');
      assert.equal(rules[res.ruleIndex].id, res.ruleId, 'ruleIndex points at the rule');
      assert.ok(['error', 'warning', 'note'].includes(res.level));
      assert.ok(res.message.text.length > 10);
      assert.equal(res.locations.length, 1);
      const loc = res.locations[0].physicalLocation;
      assert.equal(loc.artifactLocation.uriBaseId, 'SRCROOT');
      assert.ok(!path.isAbsolute(loc.artifactLocation.uri));
      assert.ok(Number.isInteger(loc.region.startLine) && loc.region.startLine >= 1);
      assert.ok(Number.isInteger(loc.region.startColumn) && loc.region.startColumn >= 1);
    }
    const expired = run0.results.find((x: { ruleId: string }) => x.ruleId === 'x509/expired');
    assert.equal(expired.locations[0].physicalLocation.artifactLocation.uri, 'certs/expired.cer');
    assert.equal(expired.level, 'error');
    assert.ok(run0.originalUriBaseIds.SRCROOT.uri.startsWith('file://'));
    assertNoCanary(r.all, [pw, stored]);
  });

  it('settings as flags: --pem-form, --expiry-days, --disable', async () => {
    fs.writeFileSync(path.join(ws.root, 'values/multi.txt'), km.shortCert);
    const def = await run(['values/multi.txt'], ws.root);
    assert.match(def.stdout, /warning pem\/expected-escaped/);
    assert.match(def.stdout, /warning x509\/expiring/);
    const tuned = await run(['--pem-form', 'multiline', '--expiry-days', '1', 'values/multi.txt'], ws.root);
    assert.match(tuned.stdout, /^0 error\(s\), 0 warning\(s\)/m);
    const off = await run(['--disable', 'pem/expected-escaped', '--disable', 'x509/*', 'values/multi.txt'], ws.root);
    assert.match(off.stdout, /^0 error\(s\), 0 warning\(s\)/m);
  });

  it('usage errors exit 2 with a line that names the fix', async () => {
    for (const argv of [[], ['--as', 'blob', 'certs'], ['--format', 'xml', 'certs'], ['missing.pem'], ['--as', 'secret', 'certs'], ['--pem-form', 'wavy', 'certs'], ['--expiry-days=-3', 'certs'], ['--provider', 'gcp', 'certs'], ['--bogus']]) {
      const r = await run(argv, ws.root);
      assert.equal(r.code, 2, `${argv.join(' ')}: ${r.all}`);
      assert.match(r.stderr, /^connection-secrets lint: .+ Run connection-secrets lint --help\.\n$/);
    }
  });
});
