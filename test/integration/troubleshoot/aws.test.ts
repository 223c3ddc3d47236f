/**
 * The AWS troubleshooting checklist against moto with IAM enforcement on: for each denied setup
 * the FIRST failing check is the one that names the cause, and its fix names the missing action,
 * the external ID or the Deny; a fully permitted user (and a correctly assumed role) passes
 * every check. Then `connection-secrets doctor --format json` end to end on one denied setup.
 *
 * moto's differences that shape these tests (docs/providers/aws.md): denials are HTTP 403 XML
 * and never say "explicit deny" (the checklist reads the user's IAM policies to tell), policies
 * match only `Resource: "*"`, and KMS is not involved in moto's GetSecretValue (the KMS check's
 * failure path is unit-tested with recorded AWS answers instead).
 */
import assert from 'node:assert/strict';
import { main } from '../../../src/cli/main';
import type { CliIo } from '../../../src/cli/io';
import { Redactor } from '../../../src/core/redact';
import { firstFailure, runChecks, type CheckResult, type TroubleshootTarget } from '../../../src/core/troubleshoot';
import { troubleshoot } from '../../../src/providers/aws';
import { assertNoCanary, canary } from '../../support/canary';
import { awsBlock, createRole, createUser, keysContext, MOTO_ACCOUNT, seedSecrets, startMoto, type AwsKeys, type Moto } from '../../support/moto';
import { tempWorkspace } from '../../support/workspace';

const allow = (...actions: string[]) => ({ Effect: 'Allow', Action: actions, Resource: '*' });
const deny = (...actions: string[]) => ({ Sid: 'NoValues', Effect: 'Deny', Action: actions, Resource: '*' });
const ALL_SM = ['secretsmanager:ListSecrets', 'secretsmanager:GetSecretValue', 'secretsmanager:BatchGetSecretValue', 'secretsmanager:DescribeSecret'];

describe('troubleshooting: aws checklist (moto, IAM enforcement on)', function () {
  this.timeout(120_000);
  let moto: Moto;
  const canaries: string[] = [];
  const keys: Record<string, AwsKeys> = {};
  let roleArn: string;
  const externalId = 'ws-7f3a-doctor';

  before(async function () {
    moto = await startMoto(this);
    await seedSecrets(moto, 'doc/', 2, (i) => {
      const password = canary(`doctor${i}`);
      canaries.push(password);
      return { username: `app${i}`, password };
    });
    keys.full = await createUser(moto, 'full', [allow(...ALL_SM)]);
    keys.noGet = await createUser(moto, 'no-get', [allow('secretsmanager:ListSecrets', 'secretsmanager:BatchGetSecretValue', 'secretsmanager:DescribeSecret')]);
    keys.getOnly = await createUser(moto, 'get-only', [allow('secretsmanager:GetSecretValue')]);
    // May read its own IAM policies, so the checklist can find the Deny (moto never says "explicit").
    keys.denied = await createUser(moto, 'denied', [allow('secretsmanager:*', 'iam:Get*', 'iam:List*'), deny('secretsmanager:GetSecretValue')]);
    keys.deniedBlind = await createUser(moto, 'denied-blind', [allow('secretsmanager:*'), deny('secretsmanager:GetSecretValue')]);
    keys.assumer = await createUser(moto, 'assumer', [allow('sts:AssumeRole')]);
    roleArn = await createRole(moto, 'doctor-reader', `arn:aws:iam::${MOTO_ACCOUNT}:user/assumer`, externalId, [allow(...ALL_SM)]);
    await moto.enforceIam();
  });
  after(async () => moto?.stop());

  function target(options: Record<string, unknown> = {}): TroubleshootTarget {
    return {
      provider: awsBlock({ region: moto.region, endpoint: moto.endpoint, ...options }),
      secrets: [
        { secretId: 'doc/000', keys: ['username', 'password'], usedBy: ['db.username', 'db.password'] },
        { secretId: 'doc/001', keys: ['password'], usedBy: ['api.password'] },
      ],
    };
  }

  async function run(k: AwsKeys, options: Record<string, unknown> = {}): Promise<CheckResult[]> {
    const ctx = keysContext(k, { timeoutMs: 10_000 });
    const checks = await troubleshoot(target(options), ctx);
    const results = await runChecks(checks, { redactor: new Redactor() });
    const text = JSON.stringify(results);
    assertNoCanary(text, canaries, 'check results');
    assertNoCanary(ctx.logged.join('\n'), canaries, 'provider log');
    assert.ok(!text.includes(k.secretAccessKey), 'the secret access key is never in a result');
    for (const r of results) {
      if (r.status === 'fail' || r.status === 'warn') assert.ok(r.fix, `${r.id} has a fix`);
      if (r.status === 'skipped') assert.ok(r.reason, `${r.id} says why it was skipped`);
    }
    return results;
  }

  const byId = (results: CheckResult[], id: string) => results.find((r) => r.id === id)!;
  const summary = (results: CheckResult[]) => results.map((r) => `${r.id}:${r.status}${r.reason ? ` (${r.reason})` : ''}\n  ${r.evidence.join('\n  ')}\n  fix: ${r.fix ?? ''}`).join('\n');

  it('a fully permitted user: every check passes (AssumeRole skipped: no role configured)', async () => {
    const results = await run(keys.full);
    for (const r of results) {
      if (r.id === 'aws.assumeRole') assert.equal(r.status, 'skipped', summary(results));
      else assert.equal(r.status, 'pass', summary(results));
    }
    assert.match(byId(results, 'aws.identity').evidence.join('\n'), new RegExp(`sts:GetCallerIdentity → arn:aws:iam::${MOTO_ACCOUNT}:user/full \\(account ${MOTO_ACCOUNT}\\)`));
    assert.match(byId(results, 'aws.getSecretValue').evidence.join('\n'), /"doc\/000" → allowed, version [\w-]+, keys: username, password/);
    const raw = byId(results, 'aws.rawCall');
    assert.equal(raw.step, 2);
    assert.match(raw.evidence[0], /X-Amz-Target: secretsmanager.GetSecretValue \{"SecretId":"doc\/000"\} → HTTP 200/);
    // The key names stay, every value is masked.
    assert.match(raw.evidence[1], /"CreatedDate":"\d{4}-\d\d-\d\dT/, 'dates as the wire had them');
    assert.match(raw.evidence[1], /"SecretString":"\{\\"username\\":\\"••••••••\\",\\"password\\":\\"••••••••\\"\}"/);
    assert.match(byId(results, 'aws.getSecretValue').reproduce!, /^aws secretsmanager get-secret-value --secret-id doc\/000 --query .* --region us-east-1 --endpoint-url http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('a role assumed with the right external ID: every check passes, as the role session', async () => {
    const results = await run(keys.assumer, { roleArn, externalId });
    assert.deepEqual(results.filter((r) => r.status !== 'pass').map((r) => r.id), [], summary(results));
    assert.match(byId(results, 'aws.assumeRole').evidence.join('\n'), /assumed-role\/doctor-reader\/connection-secrets-doctor/);
    assert.match(byId(results, 'aws.assumeRole').reproduce!, new RegExp(`aws sts assume-role --role-arn ${roleArn} --role-session-name connection-secrets-doctor --external-id ${externalId}`));
    assert.match(byId(results, 'aws.listSecrets').reproduce!, /^eval "\$\(aws sts assume-role .*\)" && aws secretsmanager list-secrets/);
  });

  it('a user without GetSecretValue: the first failure is aws.getSecretValue, naming the action and the user', async () => {
    const results = await run(keys.noGet);
    const first = firstFailure(results);
    assert.equal(first?.id, 'aws.getSecretValue', summary(results));
    assert.match(first.fix!, /Add "secretsmanager:GetSecretValue" on arn:aws:secretsmanager:us-east-1:123456789012:secret:doc\/000-\*, .*doc\/001-\* to an IAM policy of arn:aws:iam::123456789012:user\/no-get/);
    assert.match(first.evidence.join('\n'), /"doc\/000" → AccessDenied, HTTP 403: Access denied: arn:aws:iam::123456789012:user\/no-get may not call secretsmanager:GetSecretValue/);
    // KMS was never reached, so it is skipped rather than failing for the same cause.
    assert.equal(byId(results, 'aws.kms').status, 'skipped');
    assert.equal(byId(results, 'aws.listSecrets').status, 'pass');
  });

  it('a user with only GetSecretValue: aws.listSecrets fails naming secretsmanager:ListSecrets; batch and describe warn', async () => {
    const results = await run(keys.getOnly);
    assert.equal(firstFailure(results)?.id, 'aws.listSecrets', summary(results));
    assert.match(byId(results, 'aws.listSecrets').fix!, /Add "secretsmanager:ListSecrets" on Resource "\*" to an IAM policy of arn:aws:iam::123456789012:user\/get-only/);
    assert.equal(byId(results, 'aws.getSecretValue').status, 'pass');
    const batch = byId(results, 'aws.batchGetSecretValue');
    assert.equal(batch.status, 'warn', summary(results));
    assert.match(batch.fix!, /secretsmanager:BatchGetSecretValue/);
    assert.match(batch.evidence.join('\n'), /falls back to one GetSecretValue per secret/);
    assert.equal(byId(results, 'aws.describeSecret').status, 'warn');
    assert.match(byId(results, 'aws.describeSecret').fix!, /secretsmanager:DescribeSecret/);
  });

  it('a role whose trust policy needs an external ID, given a wrong one: the first failure is aws.assumeRole, naming externalId', async () => {
    const results = await run(keys.assumer, { roleArn, externalId: 'ws-wrong-id' });
    const first = firstFailure(results);
    assert.equal(first?.id, 'aws.assumeRole', summary(results));
    assert.match(first.evidence[0], /sts:AssumeRole arn:aws:iam::123456789012:role\/doctor-reader with external ID "ws-wrong-id" → AccessDenied/);
    assert.match(first.fix!, /Set externalId in connections\.yaml to exactly the value of the "sts:ExternalId" condition in the trust policy of arn:aws:iam::123456789012:role\/doctor-reader/);
    assert.match(first.fix!, /user\/assumer/);
    // Everything after the sign-in is skipped with the reason, not failed again.
    for (const id of ['aws.listSecrets', 'aws.getSecretValue', 'aws.batchGetSecretValue', 'aws.describeSecret', 'aws.kms', 'aws.rawCall']) {
      assert.equal(byId(results, id).status, 'skipped', summary(results));
      assert.match(byId(results, id).reason!, /Role assumed with the external ID/);
    }
  });

  it('an explicit Deny of GetSecretValue: named as an explicit deny in the user\'s policy', async () => {
    const results = await run(keys.denied);
    const first = firstFailure(results);
    assert.equal(first?.id, 'aws.getSecretValue', summary(results));
    assert.match(first.fix!, /Remove or narrow the explicit Deny of "secretsmanager:GetSecretValue" in inline policy "denied-policy" of user denied \(statement "NoValues"\)/);
    assert.match(first.evidence.join('\n'), /IAM policies of arn:aws:iam::123456789012:user\/denied → 1 read; explicit Deny of secretsmanager:GetSecretValue/);
  });

  it('an explicit Deny by a user who may not read IAM: says so, and still names the action', async () => {
    const results = await run(keys.deniedBlind);
    const first = firstFailure(results);
    assert.equal(first?.id, 'aws.getSecretValue', summary(results));
    assert.match(first.evidence.join('\n'), /IAM policies of arn:aws:iam::123456789012:user\/denied-blind → not read: .*AccessDenied.*whether a Deny statement is involved is unknown/);
    assert.match(first.fix!, /Add "secretsmanager:GetSecretValue" on .* to an IAM policy of arn:aws:iam::123456789012:user\/denied-blind\. If a policy already allows it, a Deny statement/);
  });

  it('connection-secrets doctor --format json on the user without GetSecretValue: exit 1, the JSON contract, no value', async () => {
    const ws = tempWorkspace({
      'connections.yaml': `secretsManager:
  scope: workspace
  provider:
    type: aws
    region: ${moto.region}
    endpoint: ${moto.endpoint}
connections:
  db:
    type: postgres
    host: localhost
    user: "{{workato:sm:username:doc/000}}"
    password: "{{workato:sm:password:doc/000}}"
  api:
    type: http
    url: https://example.com
    auth:
      type: bearer
      token: "{{workato:sm:password:doc/001}}"
`,
    });
    try {
      const io = (out: string[]): CliIo => ({
        stdout: (t) => void out.push(t),
        stderr: (t) => void out.push(t),
        cwd: ws.root,
        env: { AWS_ACCESS_KEY_ID: keys.noGet.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.noGet.secretAccessKey, CONNECTION_SECRETS_TIMEOUT_MS: '10000' },
      });
      const out: string[] = [];
      const code = await main(['doctor', '--connection', 'db', '--format', 'json'], io(out));
      const text = out.join('');
      assertNoCanary(text, canaries, 'doctor output');
      assert.ok(!text.includes(keys.noGet.secretAccessKey));
      assert.equal(code, 1, text);
      const json = JSON.parse(text) as { checks: Record<string, unknown>[] };
      assert.deepEqual(Object.keys(json), ['checks']);
      for (const c of json.checks) {
        for (const k of ['id', 'title', 'status', 'evidence', 'fix', 'reproduce']) assert.ok(k in c, `${String(c.id)} has "${k}"`);
        assert.ok(Array.isArray(c.evidence));
      }
      const failed = json.checks.find((c) => c.status === 'fail')!;
      assert.equal(failed.id, 'aws.getSecretValue');
      assert.match(String(failed.fix), /secretsmanager:GetSecretValue/);
      // --connection db: only the secret db references.
      assert.match((failed.evidence as string[]).join('\n'), /doc\/000/);
      assert.doesNotMatch((failed.evidence as string[]).join('\n'), /doc\/001/);

      const textOut: string[] = [];
      assert.equal(await main(['doctor'], io(textOut)), 1);
      const printed = textOut.join('');
      assertNoCanary(printed, canaries, 'doctor text output');
      assert.match(printed, /^aws \(connections\.yaml\): 2 referenced secret\(s\)$/m);
      assert.match(printed, /^ {2}PASS aws\.identity {2}Signed in to AWS$/m);
      assert.match(printed, /^ {2}FAIL aws\.getSecretValue {2}GetSecretValue allowed on each referenced secret$/m);
      assert.match(printed, /^ {9}fix: Add "secretsmanager:GetSecretValue"/m);
      assert.match(printed, /^ {9}reproduce: aws secretsmanager get-secret-value --secret-id doc\/000/m);
      assert.match(printed, /passed, 2 failed, .*; fix "aws.getSecretValue" first$/m);
    } finally {
      ws.cleanup();
    }
  });
});
