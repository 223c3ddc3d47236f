/**
 * `connection-secrets doctor`: arguments, exit codes, the text and JSON forms, groups per
 * provider. The aws provider is pointed at a refused loopback port (nothing listens on port 9),
 * so its real checklist runs and fails at sign-in without any server; the checklist against moto
 * is in test/integration/troubleshoot/aws.test.ts.
 */
import assert from 'node:assert/strict';
import { main } from '../../../src/cli/main';
import type { CliIo } from '../../../src/cli/io';
import { assertNoCanary, canary } from '../../support/canary';
import { startSilentServer } from '../../support/silentServer';
import { tempWorkspace } from '../../support/workspace';

async function run(argv: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), cwd, env };
  const code = await main(argv, io);
  return { code, stdout, stderr, all: stdout + stderr };
}

const REFUSED = 'http://127.0.0.1:9';

describe('CLI doctor', function () {
  this.timeout(60_000);
  const secretKey = canary('doctor-key');
  const filePw = canary('doctor-file');
  const env = { AWS_ACCESS_KEY_ID: 'AKIAUNITDOCTOR000000', AWS_SECRET_ACCESS_KEY: secretKey, CONNECTION_SECRETS_TIMEOUT_MS: '3000' };
  let ws: ReturnType<typeof tempWorkspace>;
  before(() => {
    ws = tempWorkspace({
      '.gitignore': 'secrets.json\n',
      'connections.yaml': 'secretsManager:\n  scope: project\n',
      'projects/cloud/connections.yaml': `secretsManager:
  provider:
    type: aws
    region: us-east-1
    endpoint: ${REFUSED}
connections:
  warehouse:
    type: postgres
    host: localhost
    user: "{{workato:sm:username:prod/warehouse}}"
    password: "{{workato:sm:password:prod/warehouse}}"
`,
      'projects/local/connections.yaml': `secretsManager:
  provider:
    type: file
    path: secrets.json
connections:
  cache:
    type: postgres
    host: localhost
    password: "{{workato:sm:password:cache}}"
`,
      'projects/local/secrets.json': JSON.stringify({ cache: { password: filePw } }),
    });
  });
  after(() => ws.cleanup());

  it('--help prints the usage and exits 0', async () => {
    const r = await run(['doctor', '--help'], ws.root);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /connection-secrets doctor \[dir\] \[--connection <name>\]/);
    assert.match((await run(['--help'], ws.root)).stdout, /doctor\s+troubleshoot "Permission denied"/);
  });

  it('usage errors exit 2 with one line: unknown connection (naming the closest), bad format, both selectors', async () => {
    const unknown = await run(['doctor', '--connection', 'warehose'], ws.root, env);
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stderr, 'connection-secrets doctor: no connection "warehose" (did you mean "warehouse"?). Run connection-secrets doctor --help.\n');
    const far = await run(['doctor', '--connection', 'zzzzzzzzzz'], ws.root, env);
    assert.equal(far.code, 2);
    assert.match(far.stderr, /no connection "zzzzzzzzzz"; the closest name is "\w+" \(2 connection\(s\) defined\)/);
    assert.equal((await run(['doctor', '--format', 'xml'], ws.root, env)).code, 2);
    assert.equal((await run(['doctor', '--connection', 'cache', '--provider-file', 'projects/local'], ws.root, env)).code, 2);
    const noFile = await run(['doctor', '--provider-file', 'projects/none/connections.yaml'], ws.root, env);
    assert.equal(noFile.code, 2);
    assert.match(noFile.stderr, /providers are declared in: projects\/cloud\/connections.yaml, projects\/local\/connections.yaml/);
  });

  it('project scope: each provider is a labelled group; a failing sign-in skips the rest; exit 1', async () => {
    const r = await run(['doctor'], ws.root, env);
    assert.equal(r.code, 1, r.all);
    assertNoCanary(r.all, [secretKey, filePw]);
    assert.match(r.stdout, /^aws \(projects\/cloud\/connections\.yaml\): 1 referenced secret\(s\)$/m);
    assert.match(r.stdout, /^ {2}FAIL aws\.identity {2}Signed in to AWS$/m);
    assert.match(r.stdout, /sts:GetCallerIdentity → ECONNREFUSED: Cannot reach http:\/\/127\.0\.0\.1:9 \(ECONNREFUSED\)/);
    assert.match(r.stdout, /^ {9}fix: Check that "endpoint" \(http:\/\/127\.0\.0\.1:9\) is right/m);
    assert.match(r.stdout, /^ {2}SKIP aws\.listSecrets {2}ListSecrets allowed\n {9}skipped: "Signed in to AWS" did not pass \(fail\); fix that first$/m);
    assert.match(r.stdout, /^file \(projects\/local\/connections\.yaml\): 1 referenced secret\(s\)$/m);
    // A failing group does not stop the next: the file provider's checks all run, and pass.
    for (const id of ['file.exists', 'file.json', 'file.gitIgnored', 'file.secrets', 'file.rawRead']) assert.match(r.stdout, new RegExp(`^ {2}PASS ${id.replace('.', '\\.')} `, 'm'));
    assert.match(r.stdout, /fix "aws\.identity" first$/m);
  });

  it('--format json: exactly {"checks":[…]} with id, title, status, evidence, fix, reproduce (+ reason, provider)', async () => {
    const r = await run(['doctor', '--provider-file', 'projects/cloud/connections.yaml', '--format', 'json'], ws.root, env);
    assert.equal(r.code, 1, r.all);
    assertNoCanary(r.all, [secretKey, filePw]);
    const json = JSON.parse(r.stdout) as { checks: Record<string, unknown>[] };
    assert.deepEqual(Object.keys(json), ['checks']);
    assert.deepEqual(
      json.checks.map((c) => [c.id, c.status]),
      [
        ['aws.identity', 'fail'],
        ['aws.assumeRole', 'skipped'],
        ['aws.listSecrets', 'skipped'],
        ['aws.getSecretValue', 'skipped'],
        ['aws.batchGetSecretValue', 'skipped'],
        ['aws.describeSecret', 'skipped'],
        ['aws.kms', 'skipped'],
        ['aws.rawCall', 'skipped'],
      ],
    );
    for (const c of json.checks) {
      assert.deepEqual(Object.keys(c).filter((k) => !['reason'].includes(k)), ['id', 'title', 'status', 'evidence', 'fix', 'reproduce', 'provider']);
      assert.equal(c.provider, 'aws (projects/cloud/connections.yaml)');
      if (c.status === 'skipped') assert.equal(typeof c.reason, 'string');
    }
    assert.equal(json.checks[0].reproduce, `aws sts get-caller-identity --region us-east-1 --endpoint-url ${REFUSED}`);
  });

  it('a provider that never answers: the sign-in check times out with the fix, nothing hangs', async () => {
    const silent = await startSilentServer();
    const quiet = tempWorkspace({
      'connections.yaml': `secretsManager:\n  scope: workspace\n  provider:\n    type: aws\n    region: us-east-1\n    endpoint: http://127.0.0.1:${silent.port}\nconnections:\n  db:\n    type: postgres\n    host: localhost\n    password: "{{workato:sm:password:app/db}}"\n`,
    });
    try {
      const started = Date.now();
      const r = await run(['doctor', '--format', 'json'], quiet.root, { ...env, CONNECTION_SECRETS_TIMEOUT_MS: '1000' });
      assert.equal(r.code, 1, r.all);
      assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
      const identity = (JSON.parse(r.stdout) as { checks: { id: string; status: string; evidence: string[]; fix: string }[] }).checks[0];
      assert.equal(identity.id, 'aws.identity');
      assert.equal(identity.status, 'fail');
      assert.match(identity.evidence.join('\n'), /sts:GetCallerIdentity → Timeout: sts:GetCallerIdentity timed out after 1 s/);
      assert.match(identity.fix, /reachable/);
    } finally {
      quiet.cleanup();
      await silent.stop();
    }
  });

  it('--connection limits the run to that connection\'s provider and secrets', async () => {
    const r = await run(['doctor', '--connection', 'projects/cloud/warehouse'], ws.root, env);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^aws \(projects\/cloud\/connections\.yaml\), connection warehouse: 1 referenced secret\(s\)$/m);
    assert.doesNotMatch(r.stdout, /^file /m);
  });
});
