/**
 * Writing secrets (`SecretsProvider.put`) and the hard-coded credential fix's store step
 * (`storeCredential`) against real servers: moto for AWS Secrets Manager (PutSecretValue,
 * CreateSecret, IAM denial), OpenBao for Vault KV v1 and v2. Azure runs against the Key Vault
 * stand-in (test/support/keyVaultStandIn.ts: lowkey-vault is not served on this machine).
 */
import assert from 'node:assert/strict';
import { ConnectionSecretsError } from '../../../src/core/errors';
import type { Connection, ProviderConfig } from '../../../src/core/model';
import { planMove, storeCredential } from '../../../src/core/moveCredential';
import { createAwsProvider, CredentialCache } from '../../../src/providers/aws';
import { assertNoCanary, canary } from '../../support/canary';
import { ADMIN_KEYS, createUser, keysContext, startMoto, type Moto } from '../../support/moto';
import { mountKv, requireOpenBao, startOpenBao, writeKv, type OpenBao } from '../../support/openbao';
import { makeProvider } from '../vault/fixture';
import { startAzure, type AzureEnv } from '../azure/harness';

const connection = (name: string): Connection => ({ name, type: 'postgres', file: '/ws/connections.yaml', project: '', nameRange: zero, range: zero, fields: [], raw: {} });
const zero = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
const cfg = (type: ProviderConfig['type'], options: Record<string, unknown>): ProviderConfig => ({ type, options: { type, ...options }, file: '/ws/connections.yaml', dir: '/ws', range: zero });

describe('moving a credential into AWS Secrets Manager (moto)', function () {
  let moto: Moto;
  before(async function () {
    moto = await startMoto(this);
  });
  after(async () => moto?.stop());

  const provider = (keys = ADMIN_KEYS) => createAwsProvider(cfg('aws', { region: moto.region, endpoint: moto.endpoint }), keysContext(keys), { credentialCache: new CredentialCache() });

  it('creates a key/value secret, then adds keys to it without touching the others', async () => {
    const p = provider();
    const pw = canary('aws-move-pw');
    const plan = planMove(cfg('aws', {}), connection('billing-db'), 'password');
    assert.deepEqual(plan, { secretId: 'billing-db', key: 'password', reference: '{{workato:sm:password:billing-db}}' });
    const first = await storeCredential(p, plan, pw);
    assert.equal(first.created, true);
    assert.ok(first.version);
    const user = await storeCredential(p, planMove(cfg('aws', {}), connection('billing-db'), 'user'), 'svc-billing');
    assert.equal(user.created, false);
    assert.deepEqual(JSON.parse((await p.getValue('billing-db')).value), { password: pw, user: 'svc-billing' });
    // Same value again: nothing to write. Another value: refused, never overwritten.
    assert.equal((await storeCredential(p, plan, pw)).created, false);
    await assert.rejects(storeCredential(p, plan, 'other-value'), (e: ConnectionSecretsError) => e.code === 'InvalidConfig' && /already has a key "password"/.test(e.message) && !e.message.includes(pw));
    p.dispose();
  });

  it('put on an existing secret is PutSecretValue (a new version); an ARN is never created', async () => {
    const p = provider();
    const v1 = await p.put!('plain-token', 'first-value-123');
    const v2 = await p.put!('plain-token', 'second-value-456');
    assert.equal(v1.created, true);
    assert.equal(v2.created, false);
    assert.notEqual(v1.version, v2.version);
    assert.equal((await p.getValue('plain-token')).value, 'second-value-456');
    await assert.rejects(p.put!(`arn:aws:secretsmanager:${moto.region}:123456789012:secret:nope-AbCdEf`, 'x'), (e: ConnectionSecretsError) => e.code === 'NotFound');
    p.dispose();
  });

  it('a denied write names the missing IAM action and never the value', async () => {
    const keys = await createUser(moto, 'reader-only', [{ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: '*' }]);
    await provider().put!('locked', 'seed-value-789');
    await moto.enforceIam();
    try {
      const secret = canary('denied-write');
      const err = await provider(keys).put!('locked', secret).then(
        () => undefined,
        (e: unknown) => e as ConnectionSecretsError,
      );
      assert.ok(err, 'the write was allowed');
      assert.equal(err.code, 'AccessDenied');
      assert.match(err.message + err.fix, /secretsmanager:PutSecretValue/);
      assertNoCanary(`${err.message} ${err.fix}`, [secret]);
    } finally {
      await moto.relaxIam();
    }
  });
});

describe('moving a credential into Vault KV v1 and v2 (OpenBao)', function () {
  let bao: OpenBao;
  before(async function () {
    requireOpenBao(this);
    bao = await startOpenBao();
    await mountKv(bao, 'kv1', 1);
    await mountKv(bao, 'kv2', 2);
    await writeKv(bao, 'kv2', 2, 'apps/jira', { user: 'svc' });
  });
  after(async () => bao?.stop());

  const vault = async () => (await makeProvider({ address: bao.address, auth: { method: 'token' } }, { env: { VAULT_TOKEN: 'root' } })).provider;

  for (const engine of ['kv1', 'kv2'] as const) {
    it(`${engine}: creates the secret, merges keys, and the read-back is exact`, async () => {
      const p = await vault();
      const token = canary(`${engine}-token`);
      const plan = { secretId: `${engine}:moved/app`, key: 'token', reference: `{{workato:sm:token:${engine}:moved/app}}` };
      assert.equal((await storeCredential(p, plan, token)).created, true);
      assert.equal((await storeCredential(p, { ...plan, key: 'user' }, 'app-user')).created, false);
      assert.deepEqual(JSON.parse((await p.getValue(`${engine}:moved/app`)).value), { token, user: 'app-user' });
      p.dispose();
    });
  }

  it('kv2: a write is a new version; the existing keys of a secret are kept', async () => {
    const p = await vault();
    const plan = planMove(cfg('vault', {}), connection('apps/jira'), 'auth.token');
    assert.equal(plan.secretId, 'secret:apps/jira', 'no references in the model: the default engine');
    const r = await storeCredential(p, { ...plan, secretId: 'kv2:apps/jira' }, 'jira-token-value');
    assert.equal(r.version, '2');
    assert.deepEqual(JSON.parse((await p.getValue('kv2:apps/jira')).value), { user: 'svc', token: 'jira-token-value' });
    await assert.rejects(p.put!('kv2:apps/plain', 'not-an-object'), (e: ConnectionSecretsError) => e.code === 'InvalidConfig' && /key\/value maps/.test(e.message));
    p.dispose();
  });

  it('a token without write capability is refused with the capability and path', async () => {
    await bao.api('PUT', 'sys/policies/acl/read-only', { policy: 'path "kv2/data/*" { capabilities = ["read"] }\npath "sys/mounts/kv2" { capabilities = ["read"] }' });
    const t = await bao.api('POST', 'auth/token/create', { policies: ['read-only'] });
    const p = (await makeProvider({ address: bao.address, auth: { method: 'token' } }, { env: { VAULT_TOKEN: t.auth.client_token as string } })).provider;
    const err = await p.put!('kv2:apps/jira', JSON.stringify({ user: 'x' })).then(
      () => undefined,
      (e: unknown) => e as ConnectionSecretsError,
    );
    assert.ok(err);
    assert.equal(err.code, 'AccessDenied');
    assert.match(`${err.message} ${err.fix}`, /kv2\/data\/apps\/jira/);
    assert.match(`${err.message} ${err.fix}`, /update/);
    p.dispose();
  });
});

describe('moving a credential into Azure Key Vault (stand-in)', function () {
  let az: AzureEnv;
  before(async () => {
    az = await startAzure();
  });
  after(async () => az?.stop());

  it('sets a whole-value secret named after the connection and field', async () => {
    const { provider } = await az.provider();
    const plan = planMove(az.config(), connection('crm_api'), 'auth.clientSecret');
    assert.deepEqual(plan, { secretId: 'crm-api-clientSecret', reference: '{{workato:sm:crm-api-clientSecret}}' });
    const value = canary('azure-move');
    assert.equal((await storeCredential(provider, plan, value)).created, true);
    assert.equal((await provider.getValue(plan.secretId)).value, value);
    await assert.rejects(storeCredential(provider, plan, 'a-different-value'), (e: ConnectionSecretsError) => /already exists with another value/.test(e.message));
  });
});

describe('env cannot be written', () => {
  it('planMove says so, naming what to do instead', () => {
    assert.throws(() => planMove(cfg('env', {}), connection('x'), 'password'), (e: ConnectionSecretsError) => /env provider cannot be written/.test(e.message) && /environment variable/.test(e.fix!));
  });
});
