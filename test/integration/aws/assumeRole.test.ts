/**
 * AssumeRole with an external ID against moto with IAM enforcement on: the role's trust policy
 * requires `sts:ExternalId`; the right ID yields the role's session (shown as the identity) and
 * its permissions, a wrong one a denial naming sts:AssumeRole. Role sessions are cached per
 * profile + role + region and never reused across them.
 */
import assert from 'node:assert/strict';
import { ConnectionSecretsError } from '../../../src/core/errors';
import { createAwsProvider, CredentialCache } from '../../../src/providers/aws';
import { assertNoCanary, canary } from '../../support/canary';
import { awsBlock, countingClients, createRole, createUser, keysContext, MOTO_ACCOUNT, seedSecrets, startMoto, type AwsKeys, type Moto } from '../../support/moto';

describe('aws provider: AssumeRole with external ID (moto, enforcement on)', function () {
  let moto: Moto;
  let assumer: AwsKeys;
  let roleArn: string;
  const externalId = 'ws-7f3a-external';
  const value = canary('role');

  before(async function () {
    moto = await startMoto(this);
    await seedSecrets(moto, 'role/', 1, () => ({ password: value }));
    // The user may only assume roles; everything else comes from the role.
    assumer = await createUser(moto, 'assumer', [{ Effect: 'Allow', Action: ['sts:AssumeRole'], Resource: '*' }]);
    roleArn = await createRole(moto, 'connection-secrets', `arn:aws:iam::${MOTO_ACCOUNT}:user/assumer`, externalId, [
      { Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:BatchGetSecretValue', 'secretsmanager:ListSecrets', 'secretsmanager:DescribeSecret'], Resource: '*' },
    ]);
    await moto.enforceIam();
  });
  after(async () => moto?.stop());

  it('assumes the role with the right external ID and works with its permissions', async () => {
    const counter = countingClients();
    const cache = new CredentialCache();
    const block = awsBlock({ region: moto.region, endpoint: moto.endpoint, roleArn, externalId });
    const p = createAwsProvider(block, keysContext(assumer), { clients: counter.factory, credentialCache: cache });
    assert.equal(await p.identity(), `${MOTO_ACCOUNT} arn:aws:sts::${MOTO_ACCOUNT}:assumed-role/connection-secrets/connection-secrets`);
    const values = await p.getValues(['role/000']);
    const v = values.get('role/000');
    assert.ok(v && !(v instanceof Error), v instanceof Error ? v.message : 'value');
    assert.equal(JSON.parse(v.value).password, value);
    assert.equal(counter.count('AssumeRole'), 1);
    assert.match(p.label, /role connection-secrets/);

    // A second provider for the same profile + role + region reuses the session.
    const again = createAwsProvider(block, keysContext(assumer), { clients: counter.factory, credentialCache: cache });
    await again.getValue('role/000');
    assert.equal(counter.count('AssumeRole'), 1, 'the role session is cached');

    // Another region is another cache entry: a new AssumeRole.
    const west = createAwsProvider(awsBlock({ region: 'us-west-2', endpoint: moto.endpoint, roleArn, externalId }), keysContext(assumer), { clients: counter.factory, credentialCache: cache });
    assert.match((await west.identity()) ?? '', /assumed-role\/connection-secrets/);
    assert.equal(counter.count('AssumeRole'), 2, 'sessions are not shared across regions');

    // Without the role the same keys are the bare user, who may not read secrets.
    const bare = createAwsProvider(awsBlock({ region: moto.region, endpoint: moto.endpoint }), keysContext(assumer), { credentialCache: cache });
    const denied = await bare.getValue('role/000').then(
      () => assert.fail('the user alone must be denied'),
      (e: unknown) => e as ConnectionSecretsError,
    );
    assert.equal(denied.code, 'AccessDenied');
    assert.match(denied.message, /user\/assumer/);
    for (const x of [p, again, west, bare]) x.dispose();
  });

  it('refuses a wrong external ID with a message naming sts:AssumeRole and the external ID', async () => {
    const counter = countingClients();
    const p = createAwsProvider(awsBlock({ region: moto.region, endpoint: moto.endpoint, roleArn, externalId: 'ws-wrong-id' }), keysContext(assumer), {
      clients: counter.factory,
      credentialCache: new CredentialCache(),
    });
    for (const attempt of [() => p.getValue('role/000'), () => p.identity(), () => p.list()]) {
      const e = await attempt().then(
        () => assert.fail('expected AssumeRole to be refused'),
        (x: unknown) => x,
      );
      assert.ok(e instanceof ConnectionSecretsError, String(e));
      assert.equal(e.code, 'AccessDenied');
      assert.match(e.message, /sts:AssumeRole/);
      assert.ok(e.message.includes(roleArn), e.message);
      assert.match(e.message, /user\/assumer/);
      assert.match(e.fix!, /externalId/);
      assertNoCanary(`${e.message} ${e.fix}`, [value]);
    }
    // A refused session is not cached: each call asks STS again (and would succeed once fixed).
    assert.equal(counter.count('AssumeRole'), 3);
    assert.equal(counter.count('GetSecretValue'), 0, 'no Secrets Manager call is signed without credentials');
    p.dispose();
  });
});
