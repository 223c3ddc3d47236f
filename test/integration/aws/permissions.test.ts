/**
 * IAM denials against moto with enforcement on: users with only ListSecrets, with GetSecretValue
 * but no batch action, with everything, and with an explicit Deny. Each denial must name the
 * missing action; values must never show up in a message.
 *
 * moto answers a denial with HTTP 403 and an XML body (real AWS: HTTP 400 JSON); the unit tests
 * cover the real-AWS bodies (test/unit/providers/awsErrors.test.ts).
 */
import assert from 'node:assert/strict';
import { ConnectionSecretsError } from '../../../src/core/errors';
import type { BatchResult } from '../../../src/core/provider';
import { createAwsProvider, CredentialCache } from '../../../src/providers/aws';
import { assertNoCanary, canary } from '../../support/canary';
import { awsBlock, countingClients, createUser, keysContext, MOTO_ACCOUNT, seedSecrets, startMoto, type AwsKeys, type Moto } from '../../support/moto';

const allow = (...actions: string[]) => ({ Effect: 'Allow', Action: actions, Resource: '*' });
const deny = (...actions: string[]) => ({ Effect: 'Deny', Action: actions, Resource: '*' });

function everything(e: ConnectionSecretsError): string {
  return `${e.message}\n${e.fix ?? ''}\n${e.detail ?? ''}\n${e.toUserString()}`;
}

describe('aws provider: IAM permissions (moto, enforcement on)', function () {
  let moto: Moto;
  const canaries: string[] = [];
  const keys: Record<string, AwsKeys> = {};
  const logs: string[] = [];

  before(async function () {
    moto = await startMoto(this);
    await seedSecrets(moto, 'perm/', 3, (i) => {
      const password = canary(`perm${i}`);
      canaries.push(password);
      return { password };
    });
    keys.listOnly = await createUser(moto, 'list-only', [allow('secretsmanager:ListSecrets')]);
    keys.reader = await createUser(moto, 'reader', [allow('secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret')]);
    keys.full = await createUser(moto, 'full', [allow('secretsmanager:ListSecrets', 'secretsmanager:GetSecretValue', 'secretsmanager:BatchGetSecretValue', 'secretsmanager:DescribeSecret')]);
    keys.denied = await createUser(moto, 'denied', [allow('secretsmanager:*'), deny('secretsmanager:GetSecretValue')]);
    await moto.enforceIam();
  });
  after(async () => {
    assertNoCanary(logs.join('\n'), canaries, 'provider log');
    await moto?.stop();
  });

  function providerFor(k: AwsKeys) {
    const counter = countingClients();
    const ctx = keysContext(k);
    const p = createAwsProvider(awsBlock({ region: moto.region, endpoint: moto.endpoint }), ctx, { clients: counter.factory, credentialCache: new CredentialCache() });
    return { p, counter, logged: ctx.logged };
  }

  async function denial(promise: Promise<unknown>): Promise<ConnectionSecretsError> {
    const e = await promise.then(
      () => assert.fail('expected a denial'),
      (x: unknown) => x,
    );
    assert.ok(e instanceof ConnectionSecretsError, String(e));
    assertNoCanary(everything(e), canaries, 'error');
    return e;
  }

  function asError(r: BatchResult | undefined): ConnectionSecretsError {
    assert.ok(r instanceof ConnectionSecretsError, 'expected an error for this id');
    assertNoCanary(everything(r), canaries, 'per-secret error');
    return r;
  }

  it('user with only ListSecrets: lists, but every value is denied naming secretsmanager:GetSecretValue', async () => {
    const { p, counter, logged } = providerFor(keys.listOnly);
    const page = await p.list();
    assert.equal(page.items.length, 3);
    const values = await p.getValues(['perm/000', 'perm/001']);
    for (const id of ['perm/000', 'perm/001']) {
      const e = asError(values.get(id));
      assert.equal(e.code, 'AccessDenied');
      assert.match(e.message, /secretsmanager:GetSecretValue/);
      assert.match(e.message, /user\/list-only/, 'names the principal');
      assert.match(e.message, new RegExp(id), 'names the secret');
      assert.match(e.fix!, /Allow "secretsmanager:GetSecretValue"/);
    }
    // The batch call was refused once, then one GetSecretValue per secret.
    assert.equal(counter.count('BatchGetSecretValue'), 1);
    assert.equal(counter.count('GetSecretValue'), 2);
    const describe = await denial(p.currentVersion('perm/000'));
    assert.match(describe.message, /secretsmanager:DescribeSecret/);
    logs.push(...logged);
    p.dispose();
  });

  it('user with GetSecretValue but no batch or list action: values through the per-secret fallback', async () => {
    const { p, counter, logged } = providerFor(keys.reader);
    const listing = await denial(p.list());
    assert.equal(listing.code, 'AccessDenied');
    assert.match(listing.message, /secretsmanager:ListSecrets/);
    assert.match(listing.fix!, /Allow "secretsmanager:ListSecrets" on Resource "\*"/);

    const values = await p.getValues(['perm/000', 'perm/001', 'perm/002']);
    for (const [i, id] of ['perm/000', 'perm/001', 'perm/002'].entries()) {
      const v = values.get(id);
      assert.ok(v && !(v instanceof Error), `value of ${id}`);
      assert.equal(JSON.parse(v.value).password, canaries[i]);
    }
    assert.equal(p.usesPerSecretFallback, true);
    assert.equal(counter.count('BatchGetSecretValue'), 1);
    assert.equal(counter.count('GetSecretValue'), 3);
    assert.ok(logged.some((l) => /BatchGetSecretValue was denied.*one by one/.test(l)), logged.join('\n'));

    // The refusal is remembered: no second denied batch call.
    counter.reset();
    await p.getValues(['perm/000', 'perm/001']);
    assert.equal(counter.count('BatchGetSecretValue'), 0);
    assert.equal(counter.count('GetSecretValue'), 2);
    assert.ok(await p.currentVersion('perm/000'));
    logs.push(...logged);
    p.dispose();
  });

  it('user with the full policy: one batch call, no fallback', async () => {
    const { p, counter } = providerFor(keys.full);
    const values = await p.getValues(['perm/000', 'perm/001', 'perm/002']);
    assert.ok([...values.values()].every((v) => !(v instanceof Error)));
    assert.equal(counter.count('BatchGetSecretValue'), 1);
    assert.equal(counter.count('GetSecretValue'), 0);
    assert.equal(p.usesPerSecretFallback, false);
    p.dispose();
  });

  it('user with an explicit Deny of GetSecretValue: the denial names the action', async () => {
    const { p } = providerFor(keys.denied);
    const e = await denial(p.getValue('perm/000'));
    assert.equal(e.code, 'AccessDenied');
    assert.match(e.message, /secretsmanager:GetSecretValue/);
    assert.match(e.message, /user\/denied/);
    // moto's denial text does not say "explicit deny" (real AWS does: see the unit tests), but
    // the allowed actions still work for this user.
    assert.ok(await p.currentVersion('perm/000'));
    p.dispose();
  });

  it('shows the identity of each user (sts:GetCallerIdentity needs no permission)', async () => {
    const { p } = providerFor(keys.listOnly);
    assert.equal(await p.identity(), `${MOTO_ACCOUNT} arn:aws:iam::${MOTO_ACCOUNT}:user/list-only`);
    p.dispose();
  });

  it('rejects an unknown access key and a wrong secret key as Unauthenticated', async () => {
    const unknown = providerFor({ accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'whatever' });
    const e1 = await denial(unknown.p.list());
    assert.equal(e1.code, 'Unauthenticated');
    assert.match(e1.message, /InvalidClientTokenId/);
    unknown.p.dispose();
    const wrong = providerFor({ accessKeyId: keys.full.accessKeyId, secretAccessKey: 'not-the-secret-key' });
    const e2 = await denial(wrong.p.getValue('perm/000'));
    assert.equal(e2.code, 'Unauthenticated');
    assert.match(e2.message, /SignatureDoesNotMatch/);
    assert.ok(!e2.message.includes('not-the-secret-key'), 'the secret key is not echoed');
    wrong.p.dispose();
  });
});
