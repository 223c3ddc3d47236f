/**
 * Real-AWS error answers (test/fixtures/aws, sources in its README) go through the real SDK
 * deserializers and the provider, and must come out as the same typed errors the moto tests
 * see: AccessDenied naming the missing action, NotFound, Decryption, and so on. The HTTP layer is
 * scripted because AWS is not reachable from the build machines.
 */
import assert from 'node:assert/strict';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { ConnectionSecretsError } from '../../../src/core/errors';
import type { ProviderContext } from '../../../src/core/provider';
import { createAwsProvider, CredentialCache, toAwsError } from '../../../src/providers/aws';
import { parseDenial } from '../../../src/providers/aws/errors';
import { assertNoCanary } from '../../support/canary';
import { assumeRoleOk, fixture, json, scriptedClients, type Answer, type Script } from '../../support/awsScripted';
import { awsBlock } from '../../support/moto';

const noSleep = { retries: 3, sleep: async () => undefined, random: () => 0.5 };

function setup(script: Script, options: Record<string, unknown> = {}) {
  const scripted = scriptedClients(script);
  const logged: string[] = [];
  const ctx: ProviderContext = { credentials: { get: async () => undefined, forget: async () => undefined }, env: { AWS_ACCESS_KEY_ID: 'AKIAUNIT', AWS_SECRET_ACCESS_KEY: 'unit' }, log: (m) => logged.push(m) };
  const p = createAwsProvider(awsBlock({ region: 'us-east-1', ...options }), ctx, { clients: scripted.factory, credentialCache: new CredentialCache(), retry: noSleep });
  return { p, sent: scripted.sent, logged, scripted };
}

async function rejection(promise: Promise<unknown>): Promise<ConnectionSecretsError> {
  const e = await promise.then(
    () => assert.fail('expected an error'),
    (x: unknown) => x,
  );
  assert.ok(e instanceof ConnectionSecretsError, `not a typed error: ${String(e)}`);
  return e;
}

const answer = (name: string): Answer => fixture(name);
const valueOf = (id: string, secret: object) => json({ ARN: `arn:aws:secretsmanager:us-east-1:111122223333:secret:${id}-AbCdEf`, Name: id, VersionId: `v-${id}`, SecretString: JSON.stringify(secret), VersionStages: ['AWSCURRENT'] });

describe('aws errors: recorded real-AWS answers become typed errors', () => {
  it('AccessDeniedException on GetSecretValue names the action, principal and resource', async () => {
    const { p } = setup(() => answer('access-denied-get-secret-value'));
    const e = await rejection(p.getValue('cfn/atlas/profile/development'));
    assert.equal(e.code, 'AccessDenied');
    assert.match(e.message, /may not call secretsmanager:GetSecretValue on cfn\/atlas\/profile\/development/);
    assert.match(e.message, /assumed-role\/MongoDB-Atlas-CDK-Excecution/);
    assert.match(e.fix!, /Allow "secretsmanager:GetSecretValue"/);
    assert.equal(e.detail, 'AccessDeniedException, HTTP 400');
    assert.equal(e.retryable, false);
  });

  it('AccessDeniedException on DescribeSecret (refresh) names secretsmanager:DescribeSecret and the ARN', async () => {
    const { p } = setup(() => answer('access-denied-describe-secret'));
    const e = await rejection(p.currentVersion('/devops/monitoring/alertmanager'));
    assert.equal(e.code, 'AccessDenied');
    assert.match(e.message, /secretsmanager:DescribeSecret on arn:aws:secretsmanager:us-east-1:763606934258:secret:\/devops\/monitoring\/alertmanager-ev0FIK/);
    assert.match(e.fix!, /Allow "secretsmanager:DescribeSecret" on arn:aws:secretsmanager/);
  });

  it('a denied BatchGetSecretValue falls back to GetSecretValue per secret, once', async () => {
    const { p, sent, logged } = setup((r) => (r.operation === 'BatchGetSecretValue' ? answer('access-denied-batch') : valueOf(String(r.input.SecretId), { password: 'p' })));
    const values = await p.getValues(['a', 'b', 'a']);
    assert.deepEqual([...values.keys()], ['a', 'b']);
    for (const v of values.values()) assert.ok(!(v instanceof Error));
    assert.deepEqual(
      sent.map((s) => s.operation),
      ['BatchGetSecretValue', 'GetSecretValue', 'GetSecretValue'],
    );
    assert.match(logged.join('\n'), /secretsmanager:BatchGetSecretValue.*one by one/);
    await p.getValues(['c']);
    assert.equal(sent.filter((s) => s.operation === 'BatchGetSecretValue').length, 1, 'the refusal is remembered');
  });

  it('an explicit deny (service control policy) is reported as such, with the fix to remove it', async () => {
    const { p } = setup((r) => (r.operation === 'BatchGetSecretValue' ? answer('access-denied-batch-explicit-deny-scp') : answer('access-denied-get-secret-value-explicit-deny')));
    const values = await p.getValues(['prod/db']);
    const e = values.get('prod/db');
    assert.ok(e instanceof ConnectionSecretsError);
    assert.equal(e.code, 'AccessDenied');
    assert.match(e.message, /secretsmanager:GetSecretValue/);
    assert.match(e.message, /explicit deny in an identity-based policy/);
    assert.match(e.fix!, /Remove or narrow the Deny of "secretsmanager:GetSecretValue".*an Allow cannot override/);
    const batch = toAwsError(Object.assign(new Error(JSON.parse(answer('access-denied-batch-explicit-deny-scp').body).Message), { name: 'AccessDeniedException', $fault: 'client' }), { operation: 'BatchGetSecretValue' });
    assert.match(batch.message, /secretsmanager:BatchGetSecretValue \(explicit deny in a service control policy\)/);
  });

  it('"Access to KMS is not allowed" names kms:Decrypt and the KMS key', async () => {
    const { p } = setup(() => answer('access-denied-kms'));
    const e = await rejection(p.getValue('app/encrypted'));
    assert.equal(e.code, 'AccessDenied');
    assert.match(e.message, /KMS key of secret "app\/encrypted" \(kms:Decrypt\)/);
    assert.match(e.fix!, /Allow "kms:Decrypt" on the secret's KMS key/);
  });

  it('ResourceNotFoundException is NotFound naming the secret and region', async () => {
    const { p } = setup(() => answer('resource-not-found'));
    const e = await rejection(p.getValue('app/missing'));
    assert.equal(e.code, 'NotFound');
    assert.match(e.message, /Secret "app\/missing" was not found in AWS \(us-east-1\)/);
    assert.match(e.fix!, /full ARN/);
  });

  it('DecryptionFailure is Decryption naming kms:Decrypt', async () => {
    const { p } = setup(() => answer('decryption-failure'));
    const e = await rejection(p.getValue('app/kms'));
    assert.equal(e.code, 'Decryption');
    assert.match(e.message, /could not decrypt secret "app\/kms" with its KMS key/);
    assert.match(e.fix!, /kms:Decrypt/);
  });

  it('a secret scheduled for deletion is Disabled with the restore command', async () => {
    const { p } = setup(() => answer('marked-for-deletion'));
    const e = await rejection(p.getValue('app/old'));
    assert.equal(e.code, 'Disabled');
    assert.match(e.fix!, /restore-secret/);
  });

  it('ExpiredTokenException is CredentialsExpired; bad keys and signatures are Unauthenticated', async () => {
    const expired = await rejection(setup(() => answer('expired-token')).p.getValue('x'));
    assert.equal(expired.code, 'CredentialsExpired');
    assert.match(expired.message, /credentials have expired/);
    assert.match(expired.fix!, /Renew the session credentials/);
    const unknown = await rejection(setup(() => answer('unrecognized-client')).p.list());
    assert.equal(unknown.code, 'Unauthenticated');
    assert.match(unknown.message, /UnrecognizedClientException/);
    const signature = await rejection(setup(() => answer('invalid-signature')).p.list());
    assert.equal(signature.code, 'Unauthenticated');
    assert.match(signature.message, /InvalidSignatureException/);
  });

  it('ThrottlingException is retried a bounded number of times with jittered backoff, then Throttled', async () => {
    const delays: number[] = [];
    const scripted = scriptedClients(() => answer('throttling'));
    const ctx: ProviderContext = { credentials: { get: async () => undefined, forget: async () => undefined }, env: { AWS_ACCESS_KEY_ID: 'A', AWS_SECRET_ACCESS_KEY: 'B' } };
    let r = 0;
    const randoms = [0.9, 0.1, 0.5];
    const p = createAwsProvider(awsBlock({ region: 'us-east-1' }), ctx, {
      clients: scripted.factory,
      credentialCache: new CredentialCache(),
      retry: { retries: 3, baseDelayMs: 100, sleep: async (ms) => void delays.push(ms), random: () => randoms[r++ % randoms.length] },
    });
    const e = await rejection(p.getValue('busy'));
    assert.equal(e.code, 'Throttled');
    assert.equal(e.retryable, true);
    assert.equal(scripted.sent.length, 4, 'one attempt and three retries');
    // Full jitter: random × base × 2^attempt.
    assert.deepEqual(delays, [90, 20, 200]);
  });

  it('InternalServiceError (HTTP 500) is retried and then succeeds', async () => {
    let n = 0;
    const { p, sent } = setup(() => (n++ === 0 ? answer('internal-service-error') : valueOf('x', { k: 'v' })));
    const v = await p.getValue('x');
    assert.equal(JSON.parse(v.value).k, 'v');
    assert.equal(sent.length, 2);
  });

  it('a partial BatchGetSecretValue answer gives each id its own value or error, with no value in any message', async () => {
    const { p } = setup(() => answer('batch-partial'));
    const values = await p.getValues(['app/jira', 'app/db', 'app/gone', 'app/kms']);
    const jira = values.get('app/jira');
    assert.ok(jira && !(jira instanceof Error));
    assert.equal(JSON.parse(jira.value).username, 'jira-bot');
    assert.equal(jira.version, 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111');
    const db = values.get('app/db') as ConnectionSecretsError;
    assert.equal(db.code, 'AccessDenied');
    assert.match(db.message, /secretsmanager:GetSecretValue on app\/db/);
    assert.equal((values.get('app/gone') as ConnectionSecretsError).code, 'NotFound');
    assert.equal((values.get('app/kms') as ConnectionSecretsError).code, 'Decryption');
    for (const v of values.values()) if (v instanceof ConnectionSecretsError) assertNoCanary(`${v.message} ${v.fix} ${v.detail}`, ['CANARY-fixture-batch-z9Q']);
  });

  it('a refused AssumeRole (STS XML AccessDenied) names sts:AssumeRole, the role and the external ID', async () => {
    const roleArn = 'arn:aws:iam::444455556666:role/connection-secrets';
    const { p, sent } = setup((r) => (r.operation === 'AssumeRole' ? answer('sts-assume-role-denied') : valueOf('x', {})), { roleArn, externalId: 'ws-7f3a' });
    const e = await rejection(p.getValue('x'));
    assert.equal(e.code, 'AccessDenied');
    assert.match(e.message, /arn:aws:iam::111122223333:user\/dev may not assume arn:aws:iam::444455556666:role\/connection-secrets \(sts:AssumeRole\)/);
    assert.match(e.fix!, /externalId/);
    assert.equal(sent[0].input.ExternalId, 'ws-7f3a', 'the external ID is sent');
    assert.deepEqual(
      sent.map((s) => s.operation),
      ['AssumeRole'],
      'nothing is sent to Secrets Manager without credentials',
    );
  });

  it('AssumeRole success: Secrets Manager calls are signed with the session, and the session is reused', async () => {
    const roleArn = 'arn:aws:iam::444455556666:role/connection-secrets';
    const { p, sent } = setup((r) => (r.operation === 'AssumeRole' ? assumeRoleOk(roleArn) : valueOf('x', { k: 'v' })), { roleArn, externalId: 'ws-7f3a' });
    await p.getValue('x');
    await p.getValue('x');
    assert.deepEqual(
      sent.map((s) => s.operation),
      ['AssumeRole', 'GetSecretValue', 'GetSecretValue'],
    );
  });

  describe('moto and proxies (non-JSON answers)', () => {
    it("moto's HTTP 403 XML denial becomes AccessDenied with moto's own message", async () => {
      const { p } = setup(() => answer('moto-access-denied'));
      const e = await rejection(p.getValue('perm/a'));
      assert.equal(e.code, 'AccessDenied');
      assert.match(e.message, /arn:aws:iam::123456789012:user\/u may not call secretsmanager:GetSecretValue on perm\/a/);
      assert.equal(e.detail, 'AccessDenied, HTTP 403');
    });

    it('without the error-body middleware the SDK deserialization error (status 403) still maps to AccessDenied for the operation', async () => {
      const scripted = scriptedClients(() => answer('moto-access-denied'));
      const { secretsManager } = scripted.factory({ region: 'us-east-1', credentials: async () => ({ accessKeyId: 'A', secretAccessKey: 'B' }) });
      const raw = await secretsManager.send(new GetSecretValueCommand({ SecretId: 'perm/a' })).then(
        () => assert.fail('expected the SDK to fail'),
        (x: unknown) => x as Error & { $metadata?: { httpStatusCode?: number } },
      );
      assert.equal(raw.$metadata?.httpStatusCode, 403, 'the SDK keeps the status');
      assert.match(raw.message, /Deserialization error|not valid JSON/);
      const e = toAwsError(raw, { operation: 'GetSecretValue', secretId: 'perm/a' });
      assert.equal(e.code, 'AccessDenied');
      assert.match(e.message, /may not call secretsmanager:GetSecretValue on perm\/a/);
      assert.ok(!e.message.includes('<?xml'), 'the raw body is not quoted');
    });

    it("moto's InvalidClientTokenId is Unauthenticated", async () => {
      const e = await rejection(setup(() => answer('moto-invalid-client-token')).p.list());
      assert.equal(e.code, 'Unauthenticated');
      assert.match(e.message, /InvalidClientTokenId/);
    });

    it('an HTML page from a proxy is not mistaken for an IAM denial', async () => {
      const e = await rejection(setup(() => answer('proxy-html-403')).p.getValue('x'));
      assert.match(e.message, /HTTP 403 and a page that is not from AWS/);
      assert.doesNotMatch(e.message, /secretsmanager:GetSecretValue/);
      assert.match(e.fix!, /proxy/);
    });

    it('a mangled success answer is reported without quoting its body (it could hold a value)', async () => {
      const leaked = 'CANARY-mangled-body-z9Q';
      const { p } = setup(() => ({ status: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: `{"SecretString":"${leaked}", broken` }));
      const e = await rejection(p.getValue('x'));
      assertNoCanary(`${e.message} ${e.fix} ${e.detail}`, [leaked]);
    });
  });
});

describe('aws errors: parseDenial', () => {
  it('reads principal, action, resource and the kind of deny from IAM messages', () => {
    assert.deepEqual(parseDenial(JSON.parse(fixture('access-denied-describe-secret').body).Message), {
      principal: 'arn:aws:sts::763606934258:assumed-role/DeployMaster/aws-go-sdk-1752762083142898432',
      action: 'secretsmanager:DescribeSecret',
      resource: 'arn:aws:secretsmanager:us-east-1:763606934258:secret:/devops/monitoring/alertmanager-ev0FIK',
      implicitReason: 'no identity-based policy allows',
    });
    assert.deepEqual(parseDenial(JSON.parse(fixture('access-denied-batch-explicit-deny-scp').body).Message), {
      principal: 'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Developer_0123456789abcdef/dev@example.com',
      action: 'secretsmanager:BatchGetSecretValue',
      explicitDenyIn: 'a service control policy',
    });
    assert.deepEqual(parseDenial('User: arn:aws:iam::123456789012:user/u is not authorized to perform: secretsmanager:GetSecretValue'), {
      principal: 'arn:aws:iam::123456789012:user/u',
      action: 'secretsmanager:GetSecretValue',
    });
    assert.equal(
      parseDenial('User: arn:aws:iam::111122223333:user/dev is not authorized to perform: secretsmanager:ListSecrets with an explicit deny in a permissions boundary').explicitDenyIn,
      'a permissions boundary',
    );
    assert.deepEqual(parseDenial(undefined), {});
  });
});
