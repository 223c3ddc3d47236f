/**
 * The AWS checklist on answers moto cannot give: real-AWS denials (KMS, DecryptionFailure, the
 * "explicit deny in …" wording) recorded in test/fixtures/aws go through the real SDK
 * deserializers, scripted at the HTTP layer because AWS is not reachable from the build
 * machines. The IAM/moto behaviour of the same checks is in test/integration/troubleshoot/aws.test.ts.
 */
import assert from 'node:assert/strict';
import type { ProviderContext } from '../../../src/core/provider';
import { firstFailure, runChecks, type CheckResult, type TroubleshootTarget } from '../../../src/core/troubleshoot';
import { troubleshoot, type AwsClientsFactory } from '../../../src/providers/aws';
import { denyingStatements, iamPrincipalArn, principalOf } from '../../../src/providers/aws/iamPolicies';
import { assertNoCanary } from '../../support/canary';
import { assumeRoleOk, fixture, json, scriptedClients, type Answer, type SentRequest } from '../../support/awsScripted';
import { awsBlock } from '../../support/moto';

const SECRET_KEY = 'CANARY-unit-secret-key-z9Q';
const VALUE = 'CANARY-unit-value-z9Q';
const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const noSleep = { retries: 0, sleep: async () => undefined, random: () => 0.5 };

const identityOk = (arn = 'arn:aws:iam::111122223333:user/dev'): Answer => ({
  status: 200,
  headers: { 'content-type': 'text/xml' },
  body: `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>${arn}</Arn><UserId>AIDA</UserId><Account>111122223333</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
});
const valueOk = (id: string) => json({ ARN: `arn:aws:secretsmanager:us-east-1:111122223333:secret:${id}-AbCdEf`, Name: id, VersionId: 'v1', SecretString: JSON.stringify({ password: VALUE }), VersionStages: ['AWSCURRENT'], CreatedDate: 1764806400 });
const described = (id: string, kms = true) => json({ ARN: `arn:aws:secretsmanager:us-east-1:111122223333:secret:${id}-AbCdEf`, Name: id, ...(kms ? { KmsKeyId: KEY_ARN } : {}), VersionIdsToStages: { v1: ['AWSCURRENT'] } });

/** Every operation succeeds unless `override` answers it. */
function script(override: (r: SentRequest) => Answer | undefined = () => undefined) {
  return (r: SentRequest): Answer => {
    const o = override(r);
    if (o) return o;
    const id = String(r.input.SecretId ?? 'app/db');
    switch (r.operation) {
      case 'GetCallerIdentity':
        return identityOk(r.accessKeyId?.startsWith('ASIA') ? 'arn:aws:sts::111122223333:assumed-role/reader/connection-secrets-doctor' : undefined);
      case 'AssumeRole':
        return assumeRoleOk(String(r.input.RoleArn));
      case 'ListSecrets':
        return json({ SecretList: [{ Name: 'app/db' }] });
      case 'GetSecretValue':
        return valueOk(id);
      case 'BatchGetSecretValue':
        return json({ SecretValues: [{ Name: 'app/db', SecretString: JSON.stringify({ password: VALUE }) }], Errors: [] });
      case 'DescribeSecret':
        return described(id);
      default:
        return json({ __type: 'UnknownOperationException' }, 400);
    }
  };
}

const target = (options: Record<string, unknown> = {}, secrets = [{ secretId: 'app/db', keys: ['password'], usedBy: ['db.password'] }]): TroubleshootTarget => ({
  provider: awsBlock({ region: 'us-east-1', ...options }),
  secrets,
});

async function run(s: ReturnType<typeof script>, t = target(), env: NodeJS.ProcessEnv = { AWS_ACCESS_KEY_ID: 'AKIAUNITTEST', AWS_SECRET_ACCESS_KEY: SECRET_KEY }) {
  const scripted = scriptedClients(s);
  const ctx: ProviderContext = { credentials: { get: async () => undefined, forget: async () => undefined }, env };
  const checks = await troubleshoot(t, ctx, { clients: scripted.factory, policyReader: null, retry: noSleep });
  const results = await runChecks(checks);
  assertNoCanary(JSON.stringify(results), [SECRET_KEY, VALUE], 'check results');
  return { results, sent: scripted.sent };
}

const byId = (results: CheckResult[], id: string) => results.find((r) => r.id === id)!;

describe('aws troubleshooting checks (recorded AWS answers)', () => {
  it('KMS "Access to KMS is not allowed": the first failure is aws.kms, naming kms:Decrypt on the key and the principal', async () => {
    const { results } = await run(script((r) => (r.operation === 'GetSecretValue' ? fixture('access-denied-kms') : undefined)));
    const first = firstFailure(results);
    assert.equal(first?.id, 'aws.kms');
    assert.match(first.fix!, new RegExp(`Allow "kms:Decrypt" for arn:aws:iam::111122223333:user/dev on the KMS key ${KEY_ARN}`));
    assert.match(first.evidence[0], /kms:Decrypt via secretsmanager:GetSecretValue "app\/db" \(key arn:aws:kms:.*\) → AccessDeniedException, HTTP 400: .*kms:Decrypt/);
    // GetSecretValue itself was allowed by IAM: it is not blamed.
    assert.equal(byId(results, 'aws.getSecretValue').status, 'pass');
    assert.match(byId(results, 'aws.getSecretValue').evidence[0], /allowed by IAM; decryption failed \(see "aws.kms"\)/);
  });

  it('DecryptionFailure: aws.kms fails with the same fix', async () => {
    const { results } = await run(script((r) => (r.operation === 'GetSecretValue' ? fixture('decryption-failure') : undefined)));
    assert.equal(firstFailure(results)?.id, 'aws.kms');
    assert.match(byId(results, 'aws.kms').fix!, /kms:Decrypt/);
    assert.match(byId(results, 'aws.kms').evidence[0], /DecryptionFailure/);
  });

  it('the real-AWS explicit-deny wording is named as an explicit deny without reading IAM', async () => {
    const { results } = await run(script((r) => (r.operation === 'GetSecretValue' ? fixture('access-denied-get-secret-value-explicit-deny') : undefined)));
    const first = firstFailure(results);
    assert.equal(first?.id, 'aws.getSecretValue');
    assert.match(first.fix!, /^Remove or narrow the explicit Deny of "secretsmanager:GetSecretValue" in an identity-based policy \(principal arn:aws:iam::111122223333:user\/dev\)/);
  });

  it('"no permissions boundary allows": the fix adds the Allow and points at the boundary', async () => {
    // Wording of implicit denials by a boundary, from the IAM User Guide ("Troubleshoot access denied error messages").
    const boundary = json(
      {
        __type: 'AccessDeniedException',
        Message:
          'User: arn:aws:iam::111122223333:user/dev is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:us-east-1:111122223333:secret:app/db-AbCdEf because no permissions boundary allows the secretsmanager:GetSecretValue action',
      },
      400,
    );
    const { results } = await run(script((r) => (r.operation === 'GetSecretValue' ? boundary : undefined)));
    const first = firstFailure(results);
    assert.equal(first?.id, 'aws.getSecretValue');
    assert.match(first.fix!, /^Add "secretsmanager:GetSecretValue" on arn:aws:secretsmanager:us-east-1:111122223333:secret:app\/db-\* to an IAM policy of arn:aws:iam::111122223333:user\/dev\. AWS says no permissions boundary allows it: check that policy too\./);
  });

  it('a batch call refused by a service control policy warns (the provider falls back) and names the SCP', async () => {
    const { results } = await run(script((r) => (r.operation === 'BatchGetSecretValue' ? fixture('access-denied-batch-explicit-deny-scp') : undefined)));
    assert.equal(firstFailure(results), undefined);
    const batch = byId(results, 'aws.batchGetSecretValue');
    assert.equal(batch.status, 'warn');
    assert.match(batch.fix!, /explicit Deny of "secretsmanager:BatchGetSecretValue" in a service control policy/);
  });

  it('every check passes on a permitted setup, and the raw answer keeps key names with values masked', async () => {
    const { results } = await run(script());
    assert.deepEqual(results.filter((r) => r.status !== 'pass').map((r) => `${r.id}:${r.status}`), ['aws.assumeRole:skipped']);
    assert.match(byId(results, 'aws.rawCall').evidence[1], /^response: \{.*"SecretString":"\{\\"password\\":\\"••••••••\\"\}"/);
    assert.match(byId(results, 'aws.rawCall').evidence[1], /"CreatedDate":"2025-12-04T00:00:00.000Z"/, 'dates as the wire had them');
    assert.match(byId(results, 'aws.kms').evidence[0], new RegExp(`key ${KEY_ARN}\\) → decrypted`));
  });

  it('with a role and a profile: --profile signs AssumeRole only, the role session runs the rest, no credential in a command', async () => {
    // Whether profile "dev" exists on this machine does not matter: the commands are the same either way.
    const { results } = await run(script(), target({ roleArn: 'arn:aws:iam::111122223333:role/reader', externalId: 'ws-7f3a', profile: 'dev' }), {});
    assert.equal(byId(results, 'aws.assumeRole').reproduce, 'aws sts assume-role --role-arn arn:aws:iam::111122223333:role/reader --role-session-name connection-secrets-doctor --external-id ws-7f3a --region us-east-1 --profile dev --query AssumedRoleUser.Arn');
    const list = byId(results, 'aws.listSecrets').reproduce!;
    assert.match(list, /^eval "\$\(aws sts assume-role .* --profile dev --query 'Credentials\.\[AccessKeyId,SecretAccessKey,SessionToken\]' --output text \| awk .*\)" && aws secretsmanager list-secrets --max-results 1 --query 'SecretList\[\]\.Name' --region us-east-1$/);
    assert.match(byId(results, 'aws.identity').reproduce!, /^aws sts get-caller-identity --region us-east-1 --profile dev$/);
  });

  it('with a role whose sign-in fails: one failure, everything after it skipped (the raw call too)', async () => {
    const { results } = await run(
      script((r) => (r.operation === 'GetCallerIdentity' ? fixture('invalid-signature') : undefined)),
      target({ roleArn: 'arn:aws:iam::111122223333:role/reader', externalId: 'ws-7f3a' }),
    );
    assert.deepEqual(results.map((r) => r.status), ['fail', 'skipped', 'skipped', 'skipped', 'skipped', 'skipped', 'skipped', 'skipped']);
    assert.match(byId(results, 'aws.rawCall').reason!, /"Signed in to AWS" did not pass \(fail\)/);
  });

  it('a denial under a role names the action, not the role, as what was denied', async () => {
    const { results } = await run(
      script((r) => (r.operation === 'ListSecrets' ? { ...fixture('moto-access-denied'), body: fixture('moto-access-denied').body.replace('GetSecretValue', 'ListSecrets') } : undefined)),
      target({ roleArn: 'arn:aws:iam::111122223333:role/reader', externalId: 'ws-7f3a' }),
    );
    const list = byId(results, 'aws.listSecrets');
    assert.equal(list.status, 'fail');
    assert.match(list.evidence[0], /may not call secretsmanager:ListSecrets$/);
    assert.match(list.fix!, /^Add "secretsmanager:ListSecrets" on Resource "\*" to an IAM policy of arn:aws:iam::111122223333:role\/reader\./);
  });

  it('assumes the role with the external ID and reports the session', async () => {
    const { results, sent } = await run(script(), target({ roleArn: 'arn:aws:iam::111122223333:role/reader', externalId: 'ws-7f3a' }));
    assert.equal(firstFailure(results), undefined, JSON.stringify(results, null, 1));
    assert.match(byId(results, 'aws.assumeRole').evidence.join('\n'), /with external ID "ws-7f3a" → session issued\n.*assumed-role\/reader\/connection-secrets-doctor/);
    const assumeCalls = sent.filter((r) => r.operation === 'AssumeRole');
    assert.equal(assumeCalls.length, 1, 'one session for the whole run');
    assert.equal(assumeCalls[0].input.ExternalId, 'ws-7f3a');
    assert.ok(sent.filter((r) => r.service === 'secretsmanager').every((r) => r.accessKeyId?.startsWith('ASIA')), 'Secrets Manager calls are signed by the role session');
  });

  it('each check releases the clients it opened; re-running AssumeRole asks STS again', async () => {
    const scripted = scriptedClients(script());
    let created = 0;
    let destroyed = 0;
    const factory: AwsClientsFactory = (settings) => {
      const clients = scripted.factory(settings);
      for (const c of [clients.secretsManager, clients.sts]) {
        created++;
        const destroy = c.destroy.bind(c);
        c.destroy = () => {
          destroyed++;
          destroy();
        };
      }
      return clients;
    };
    const ctx: ProviderContext = { credentials: { get: async () => undefined, forget: async () => undefined }, env: { AWS_ACCESS_KEY_ID: 'AKIAUNITTEST', AWS_SECRET_ACCESS_KEY: SECRET_KEY } };
    const checks = await troubleshoot(target({ roleArn: 'arn:aws:iam::111122223333:role/reader', externalId: 'ws-7f3a' }), ctx, { clients: factory, policyReader: null, retry: noSleep });
    const first = await runChecks(checks);
    assert.equal(firstFailure(first), undefined);
    assert.ok(created > 0);
    assert.equal(destroyed, created, 'every client is released when its check settles');
    const again = await runChecks(checks, { only: ['aws.assumeRole'], previous: first });
    assert.equal(again.find((r) => r.id === 'aws.assumeRole')?.status, 'pass');
    assert.equal(scripted.sent.filter((r) => r.operation === 'AssumeRole').length, 2, 'one AssumeRole per run, and one for the re-run');
    assert.equal(destroyed, created);
  });

  it('no referenced secret: the per-secret checks and the raw call are skipped with the reason', async () => {
    const { results } = await run(script(), target({}, []));
    for (const id of ['aws.getSecretValue', 'aws.batchGetSecretValue', 'aws.describeSecret', 'aws.kms', 'aws.rawCall']) {
      assert.equal(byId(results, id).status, 'skipped');
      assert.match(byId(results, id).reason!, /references a secret/);
    }
  });

  it('many secrets: calls run a few at a time, evidence keeps the order of the references', async () => {
    const secrets = Array.from({ length: 9 }, (_, i) => ({ secretId: `app/s${i}`, keys: ['password'], usedBy: [`c${i}.password`] }));
    // Four calls are in flight at once, so they may settle in any order; the evidence may not.
    const { results, sent } = await run(script((r) => (r.operation === 'GetSecretValue' && r.input.SecretId === 'app/s4' ? fixture('access-denied-get-secret-value') : undefined)), target({}, secrets));
    const get = byId(results, 'aws.getSecretValue');
    assert.deepEqual(get.evidence.slice(0, 9).map((e) => /"(app\/s\d)"/.exec(e)?.[1]), secrets.map((s) => s.secretId));
    assert.match(get.evidence[4], /app\/s4" → AccessDeniedException, HTTP 400/);
    assert.equal(get.status, 'fail');
    assert.equal(sent.filter((r) => r.operation === 'GetSecretValue').length, 9 * 2 + 1, 'getSecretValue, kms and the raw call');
  });

  it('a referenced key the secret lacks is a warning naming it', async () => {
    const { results } = await run(script(), target({}, [{ secretId: 'app/db', keys: ['password', 'pasword'], usedBy: ['db.password'] }]));
    const get = byId(results, 'aws.getSecretValue');
    assert.equal(get.status, 'warn');
    assert.match(get.evidence[0], /keys: password; referenced but absent: pasword/);
  });

  it('a malformed block is one failing check with the fix', async () => {
    const { results } = await run(script(), target({ region: 'mars-1' }));
    assert.equal(results.length, 1);
    assert.equal(results[0].id, 'aws.config');
    assert.equal(results[0].status, 'fail');
    assert.match(results[0].evidence[0], /region "mars-1" is not an AWS region code/);
    assert.match(results[0].fix!, /us-east-1/);
  });
});

describe('aws troubleshooting: reading IAM policies for a Deny', () => {
  it('matches Deny statements by action wildcard, NotAction and resource; reads URL-encoded documents', () => {
    const doc = (statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
    const action = 'secretsmanager:GetSecretValue';
    const arn = 'arn:aws:secretsmanager:us-east-1:1:secret:prod/db-AbCdEf';
    assert.equal(denyingStatements(doc([{ Effect: 'Deny', Action: 'secretsmanager:Get*', Resource: '*' }]), action, arn).length, 1);
    assert.equal(denyingStatements(doc([{ Effect: 'Deny', Action: ['SecretsManager:getsecretvalue'], Resource: '*' }]), action, arn).length, 1, 'actions compare case-insensitively');
    assert.equal(denyingStatements(doc([{ Effect: 'Deny', NotAction: 'secretsmanager:List*', Resource: '*' }]), action, arn).length, 1);
    assert.equal(denyingStatements(doc([{ Effect: 'Deny', NotAction: 'secretsmanager:*', Resource: '*' }]), action, arn).length, 0);
    assert.equal(denyingStatements(doc([{ Effect: 'Deny', Action: '*', Resource: 'arn:aws:secretsmanager:*:*:secret:dev/*' }]), action, arn).length, 0);
    assert.equal(denyingStatements(doc([{ Effect: 'Allow', Action: '*', Resource: '*' }]), action, arn).length, 0);
    assert.equal(denyingStatements(encodeURIComponent(doc([{ Effect: 'Deny', Action: action, Resource: '*' }])), action, arn).length, 1);
    assert.equal(denyingStatements(JSON.stringify({ Statement: { Effect: 'Deny', Action: action, Resource: '*' } }), action, undefined).length, 1, 'a single statement object');
    assert.deepEqual(denyingStatements('not json', action, arn), []);
  });

  it('names the IAM principal of users, roles and role sessions', () => {
    assert.deepEqual(principalOf('arn:aws:iam::111122223333:user/team/dev'), { kind: 'user', name: 'dev' });
    assert.deepEqual(principalOf('arn:aws:sts::111122223333:assumed-role/reader/s1'), { kind: 'role', name: 'reader' });
    assert.equal(principalOf('arn:aws:iam::111122223333:root'), undefined);
    assert.equal(iamPrincipalArn('arn:aws:sts::111122223333:assumed-role/reader/s1'), 'arn:aws:iam::111122223333:role/reader');
    assert.equal(iamPrincipalArn('arn:aws:iam::111122223333:user/dev'), 'arn:aws:iam::111122223333:user/dev');
  });
});
