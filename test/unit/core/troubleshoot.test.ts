import assert from 'node:assert/strict';
import path from 'node:path';
import { buildModel, parseConnectionsFile } from '../../../src/core/config';
import { ConnectionSecretsError } from '../../../src/core/errors';
import { MASK, Redactor } from '../../../src/core/redact';
import { firstFailure, redactBody, runChecks, troubleshootTargets, type Check, type CheckProgress } from '../../../src/core/troubleshoot';
import { canary } from '../../support/canary';

const ROOT = '/ws';
const file = (rel: string, text: string) => parseConnectionsFile(text, path.join(ROOT, rel), ROOT);
const check = (id: string, run: Check['run'], extra: Partial<Check> = {}): Check => ({ id, title: `title of ${id}`, step: 1, run, ...extra });

describe('troubleshooting: runChecks', () => {
  it('runs checks in order and reports progress for each', async () => {
    const events: CheckProgress[] = [];
    const results = await runChecks(
      [check('a', async () => ({ status: 'pass', evidence: ['asked a'] })), check('b', async () => ({ status: 'warn', fix: 'do b' }), { reproduce: 'echo b' })],
      { onProgress: (e) => events.push(e) },
    );
    assert.deepEqual(results.map((r) => [r.id, r.status]), [['a', 'pass'], ['b', 'warn']]);
    assert.deepEqual(events.map((e) => `${e.id}:${e.state}`), ['a:running', 'a:done', 'b:running', 'b:done']);
    assert.equal(results[1].reproduce, 'echo b');
    assert.equal(results[1].fix, 'do b');
  });

  it('skips a check whose prerequisite failed, naming it, and keeps the first failure first', async () => {
    let ran = false;
    const results = await runChecks([
      check('login', async () => {
        throw new ConnectionSecretsError('AccessDenied', 'login refused', { fix: 'grant login', detail: 'HTTP 403' });
      }),
      check('read', async () => ((ran = true), { status: 'pass' }), { needs: ['login'] }),
    ]);
    assert.equal(ran, false);
    assert.equal(results[0].status, 'fail');
    assert.equal(results[0].fix, 'grant login');
    assert.match(results[0].evidence[0], /AccessDenied \(HTTP 403\): login refused/);
    assert.equal(results[1].status, 'skipped');
    assert.match(results[1].reason ?? '', /"title of login" did not pass \(fail\)/);
    assert.equal(firstFailure(results)?.id, 'login');
  });

  it('fails a check that does not finish within its timeout, and aborts its signal', async () => {
    let aborted = false;
    const results = await runChecks(
      [
        check('slow', ({ signal }) => new Promise((resolve) => signal.addEventListener('abort', () => ((aborted = true), resolve({ status: 'pass' }))))),
      ],
      { timeoutMs: 50 },
    );
    assert.equal(results[0].status, 'fail');
    assert.match(results[0].evidence[0], /did not finish within/);
    assert.ok(aborted);
  });

  it('re-runs only the requested check and keeps the others', async () => {
    let runs = 0;
    const checks = [check('a', async () => ({ status: 'pass' })), check('b', async () => ((runs++), { status: 'fail', fix: 'x' }), { needs: ['a'] })];
    const first = await runChecks(checks);
    const again = await runChecks(checks, { only: ['b'], previous: first });
    assert.equal(runs, 2);
    assert.equal(again[0], first[0]);
  });

  it('redacts every value the redactor knows from evidence, fixes and commands', async () => {
    const secret = canary('runner');
    const redactor = new Redactor();
    redactor.add(secret);
    const [r] = await runChecks([check('leaky', async () => ({ status: 'fail', evidence: [`got ${secret}`], fix: `not ${secret}`, reproduce: `echo ${secret}` }))], { redactor });
    assert.ok(!JSON.stringify(r).includes(secret));
    assert.equal(r.evidence[0], `got ${MASK}`);
  });
});

describe('troubleshooting: targets', () => {
  const model = buildModel(ROOT, [
    file('connections.yaml', 'secretsManager:\n  scope: workspace\n  provider:\n    type: aws\n    region: us-east-1\n'),
    file(
      'p/connections.yaml',
      [
        'connections:',
        '  db:',
        '    type: postgres',
        '    host: h',
        '    user: "{{workato:sm:username:db-creds}}"',
        '    password: "{{workato:sm:password:db-creds}}"',
        '  api:',
        '    type: http',
        '    url: https://x',
        '    auth:',
        '      type: bearer',
        '      token: "Bearer {{workato:sm:token:api-token}}"',
        '',
      ].join('\n'),
    ),
  ]);

  it('collects the distinct secrets of one connection with their keys and uses', () => {
    const [t] = troubleshootTargets(model, { connection: 'db' });
    assert.equal(t.provider.type, 'aws');
    assert.equal(t.connection, 'db');
    assert.deepEqual(t.secrets, [{ secretId: 'db-creds', keys: ['username', 'password'], usedBy: ['db.user', 'db.password'] }]);
  });

  it('collects every connection of the provider in scope without a selection', () => {
    const targets = troubleshootTargets(model);
    assert.equal(targets.length, 1);
    assert.deepEqual(targets[0].secrets.map((s) => s.secretId), ['db-creds', 'api-token']);
  });

  it('names the closest connection for a typo', () => {
    assert.throws(() => troubleshootTargets(model, { connection: 'dbb' }), (e: ConnectionSecretsError) => e.code === 'InvalidConfig' && /"db"/.test(e.fix ?? ''));
  });
});

describe('troubleshooting: redactBody', () => {
  it('keeps the key names of a JSON secret string and masks every value', () => {
    const secret = canary('body');
    const body = { ARN: 'arn:x', Name: 'db', SecretString: JSON.stringify({ username: 'u', password: secret }), VersionId: 'v1' };
    const out = redactBody(body, ['SecretString']) as Record<string, unknown>;
    assert.ok(!JSON.stringify(out).includes(secret));
    assert.deepEqual(JSON.parse(out.SecretString as string), { username: MASK, password: MASK });
    assert.equal(out.VersionId, 'v1');
  });

  it('masks nested objects (Vault data) by key and non-JSON strings whole', () => {
    const out = redactBody({ data: { data: { password: 'p4ssw0rd' }, metadata: { version: 3 } } }, ['data']) as { data: unknown };
    assert.deepEqual(out, { data: { data: MASK, metadata: MASK } });
    assert.deepEqual(redactBody({ value: 'plain' }, ['value']), { value: MASK });
  });
});
