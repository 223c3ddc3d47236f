/**
 * Listing against moto's real ListSecrets: more than 250 secrets across pages, secrets scheduled
 * for deletion marked as such, and the name filter.
 */
import assert from 'node:assert/strict';
import { DeleteSecretCommand } from '@aws-sdk/client-secrets-manager';
import { listAll, type SecretSummary } from '../../../src/core/provider';
import { createAwsProvider, CredentialCache } from '../../../src/providers/aws';
import { ADMIN_KEYS, awsBlock, countingClients, keysContext, seedSecrets, startMoto, type Moto } from '../../support/moto';

describe('aws provider: listing (moto)', function () {
  let moto: Moto;
  const total = 263;

  before(async function () {
    moto = await startMoto(this);
    await seedSecrets(moto, 'app/list-', total, (i) => ({ username: `user${i}` }));
    await seedSecrets(moto, 'other/', 3, () => ({ k: 'v' }));
    await moto.secretsManager().send(new DeleteSecretCommand({ SecretId: 'app/list-007', RecoveryWindowInDays: 7 }));
  });
  after(async () => moto?.stop());

  function provider() {
    const counter = countingClients();
    const p = createAwsProvider(awsBlock({ region: moto.region, endpoint: moto.endpoint }), keysContext(ADMIN_KEYS), { clients: counter.factory, credentialCache: new CredentialCache() });
    return { p, counter };
  }

  it('follows NextToken across pages until the last one (> 250 secrets)', async () => {
    const { p, counter } = provider();
    const seen: SecretSummary[] = [];
    for await (const s of listAll(p, { pageSize: 100 })) seen.push(s);
    assert.equal(seen.length, total + 3);
    assert.equal(new Set(seen.map((s) => s.id)).size, seen.length, 'no secret listed twice');
    // 266 secrets at 100 a page: exactly three ListSecrets requests.
    assert.equal(counter.count('ListSecrets'), 3);
    for (const s of seen) {
      assert.match(s.id, /^arn:aws:secretsmanager:us-east-1:\d{12}:secret:.+-[A-Za-z0-9]{6}$/, 'ids are ARNs, usable in references');
      assert.ok(s.version, `${s.name} carries its AWSCURRENT version`);
    }
    p.dispose();
  });

  it('pages have the requested size and a token while more exist', async () => {
    const { p } = provider();
    const first = await p.list({ pageSize: 40 });
    assert.equal(first.items.length, 40);
    assert.ok(first.nextToken);
    const second = await p.list({ pageSize: 40, pageToken: first.nextToken });
    assert.equal(second.items.length, 40);
    assert.deepEqual(
      first.items.filter((a) => second.items.some((b) => b.id === a.id)),
      [],
      'the second page continues the first',
    );
    p.dispose();
  });

  it('marks a secret scheduled for deletion as pendingDeletion and others active', async () => {
    const { p } = provider();
    const all: SecretSummary[] = [];
    for await (const s of listAll(p, { filter: 'app/list-00' })) all.push(s);
    assert.equal(all.find((s) => s.name === 'app/list-007')?.state, 'pendingDeletion');
    assert.equal(all.find((s) => s.name === 'app/list-006')?.state, 'active');
    p.dispose();
  });

  it('filters by name', async () => {
    const { p } = provider();
    const names: string[] = [];
    for await (const s of listAll(p, { filter: 'other/' })) names.push(s.name);
    assert.deepEqual(names.sort(), ['other/000', 'other/001', 'other/002']);
    p.dispose();
  });
});
