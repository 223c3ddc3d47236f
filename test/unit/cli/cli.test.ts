import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { main } from '../../../src/cli/main';
import type { CliIo } from '../../../src/cli/io';
import { assertNoCanary, canary } from '../../support/canary';
import { tempWorkspace } from '../../support/workspace';

async function run(argv: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), cwd, env };
  const code = await main(argv, io);
  return { code, stdout, stderr, all: stdout + stderr };
}

describe('CLI', () => {
  const pw = canary('cli-pw');
  const envSecret = canary('cli-env');
  let ws: ReturnType<typeof tempWorkspace>;
  before(() => {
    ws = tempWorkspace({
      '.gitignore': 'secrets.json\n',
      'connections.yaml': 'secretsManager:\n  scope: workspace\n  provider:\n    type: file\n    path: secrets.json\n',
      'projects/app/connections.yaml': `connections:
  db:
    type: postgres
    host: localhost
    user: "{{workato:sm:user:db}}"
    password: "{{workato:sm:password:db}}"
  broken:
    type: postgres
    host: localhost
    user: app
    password: "{{workato:sm:pasword:db}}"
`,
      'secrets.json': JSON.stringify({ db: { user: 'app', password: pw } }),
    });
  });
  after(() => ws.cleanup());

  it('validate reports the unresolved key on its line and exits 1', async () => {
    const r = await run(['validate'], ws.root);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /projects\/app\/connections.yaml:11:16: error ref\/missing-key: .*has no key "pasword" — Use one of its keys: user, password/);
    assert.match(r.stdout, /1 error\(s\), 0 warning\(s\) in 2 file\(s\), 2 connection\(s\), workspace scope/);
    assertNoCanary(r.all, [pw]);
  });

  it('validate --offline does not fetch, --format json is machine-readable', async () => {
    const r = await run(['validate', '--offline', '--format', 'json'], ws.root);
    assert.equal(r.code, 0);
    const json = JSON.parse(r.stdout);
    assert.equal(json.scope, 'workspace');
    assert.deepEqual(json.problems, []);
  });

  it('resolve masks values unless --reveal is given', async () => {
    const masked = await run(['resolve', 'db'], ws.root);
    assert.equal(masked.code, 0);
    assert.match(masked.stdout, /password\s+•+\s+\[resolved\]/);
    assertNoCanary(masked.all, [pw]);
    const json = JSON.parse((await run(['resolve', 'projects/app/db', '--format', 'json'], ws.root)).stdout);
    assert.equal(json.ok, true);
    assertNoCanary(JSON.stringify(json), [pw]);
    const revealed = await run(['resolve', 'db', '--reveal'], ws.root);
    assert.ok(revealed.stdout.includes(pw), '--reveal shows the value');
  });

  it('resolve exits 1 with the reason when a reference fails', async () => {
    const r = await run(['resolve', 'broken'], ws.root);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /unresolved: password .*has no key "pasword"/);
    assertNoCanary(r.all, [pw]);
  });

  it('secrets lists names only', async () => {
    const r = await run(['secrets', '--format', 'json'], ws.root);
    assert.equal(r.code, 0);
    assert.deepEqual(JSON.parse(r.stdout).providers[0].secrets.map((s: { id: string }) => s.id), ['db']);
    assertNoCanary(r.all, [pw]);
  });

  it('usage errors exit 2 with one line naming the fix', async () => {
    for (const argv of [['nope'], ['resolve'], ['resolve', 'missing'], ['validate', '--format', 'xml'], ['validate', '--bogus']]) {
      const r = await run(argv, ws.root);
      assert.equal(r.code, 2, argv.join(' '));
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, /--help/);
    }
    const none = await run(['validate', 'empty-dir'], ws.root);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no connections.yaml found/);
  });

  it('env provider errors name the variable; values never leak', async () => {
    const e = tempWorkspace({ 'connections.yaml': 'secretsManager:\n  provider:\n    type: env\n    prefix: CS_\nconnections:\n  api:\n    type: http\n    url: https://x\n    auth:\n      type: bearer\n      token: "{{workato:sm:TOKEN}}"\n' });
    try {
      const missing = await run(['resolve', 'api'], e.root, {});
      assert.equal(missing.code, 1);
      assert.match(missing.stdout, /CS_TOKEN is not set/);
      const ok = await run(['resolve', 'api', '--format', 'json'], e.root, { CS_TOKEN: envSecret });
      assert.equal(ok.code, 0);
      assertNoCanary(ok.all, [envSecret]);
    } finally {
      e.cleanup();
    }
  });

  it('runs as a real process with the documented exit codes', () => {
    const repo = path.resolve(__dirname, '../../..');
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'resolve', 'db', ws.root], { cwd: repo, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /db \(postgres\)/);
    assertNoCanary(r.stdout + r.stderr, [pw]);
  });

  it('an AWS command prints its own output only: no SDK Node-version warning ahead of it', () => {
    // An unreachable endpoint: the SDK client is built and called, no server is needed.
    const aws = tempWorkspace({ 'connections.yaml': 'secretsManager:\n  scope: workspace\n  provider:\n    type: aws\n    region: us-east-1\n    endpoint: http://127.0.0.1:1\nconnections: {}\n' });
    try {
      const repo = path.resolve(__dirname, '../../..');
      const env = { PATH: process.env.PATH, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'example' };
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'secrets', aws.root], { cwd: repo, encoding: 'utf8', env });
      assert.equal(r.status, 1, r.stdout + r.stderr);
      assert.match(r.stdout + r.stderr, /Cannot reach http:\/\/127\.0\.0\.1:1/);
      assert.doesNotMatch(r.stderr, /NodeVersionSupportWarning|Warning:/);
    } finally {
      aws.cleanup();
    }
  });
});

describe('CLI validate on a broken secrets file', () => {
  it('names the file and the fix without printing its content', async () => {
    const secret = canary('broken-file');
    const ws = tempWorkspace({ '.gitignore': 's.json\n', 'connections.yaml': 'secretsManager:\n  provider:\n    type: file\n    path: s.json\n', 's.json': `{"a": "${secret}",` });
    try {
      const r = await run(['validate', '--offline'], ws.root);
      assert.equal(r.code, 1);
      assert.match(r.stdout, /connections.yaml:3:5: error file\/invalid-json: The secrets file s.json is not a JSON object/);
      assertNoCanary(r.all, [secret]);
    } finally {
      ws.cleanup();
    }
  });
});
