/**
 * Listing an Azure Key Vault through the real Azure SDK against the HTTPS Key Vault stand-in
 * (lowkey-vault is not installable here; see test/support/keyVaultStandIn.ts).
 */
import assert from 'node:assert/strict';
import { listAll, type SecretSummary } from '../../../src/core/provider';
import { ConnectionSecretsError } from '../../../src/core/errors';
import { assertNoCanary } from '../../support/canary';
import { startAzure, type AzureEnv } from './harness';

const DAY = 86_400_000;

describe('azure provider: listing (Key Vault stand-in over HTTPS)', () => {
  let env: AzureEnv;
  const names: string[] = [];

  before(async () => {
    env = await startAzure();
    for (let i = 0; i < 65; i++) {
      const name = `app-secret-${String(i).padStart(2, '0')}`;
      env.seed(name);
      names.push(name);
    }
    env.seed('off-secret', { enabled: false });
    env.seed('old-secret', { expiresOn: new Date(Date.now() - DAY) });
    env.seed('future-secret', { notBefore: new Date(Date.now() + DAY) });
    env.seed('cert-like', { contentType: 'application/x-pem-file' });
    names.push('off-secret', 'old-secret', 'future-secret', 'cert-like');
    // Key Vault sometimes answers an empty page that still has a nextLink; paging must go on.
    env.kv.emptyPageEvery = 2;
  });
  after(() => env?.stop());

  it('pages through more than 60 secrets to the end, each exactly once', async () => {
    const { provider } = await env.provider();
    env.kv.resetCounts();
    const seen: SecretSummary[] = [];
    for await (const s of listAll(provider)) seen.push(s);
    assert.deepEqual(seen.map((s) => s.id).sort(), [...names].sort());
    const pageRequests = env.kv.count((r) => r.method === 'GET' && r.path === '/secrets' && r.authorized);
    // 69 secrets at 25 per page = 3 pages, plus the empty pages the vault inserted.
    assert.ok(pageRequests >= 4, `expected at least 4 page requests, saw ${pageRequests}`);
    assertNoCanary(JSON.stringify(seen), env.canaries, 'listing');
  });

  it('returns Key Vault nextLinks as page tokens and honours a smaller page size', async () => {
    const { provider } = await env.provider();
    const first = await provider.list({ pageSize: 10 });
    assert.equal(first.items.length, 10);
    assert.ok(first.nextToken?.startsWith(`${env.kv.url}/secrets?`), `token ${first.nextToken}`);
    const second = await provider.list({ pageToken: first.nextToken });
    assert.equal(second.items.length, 10, 'maxresults travels in the nextLink');
    assert.equal(second.items[0].id, 'app-secret-10');
  });

  it('marks disabled, expired and not-yet-active secrets and says what a secret is', async () => {
    const { provider } = await env.provider();
    const byId = new Map<string, SecretSummary>();
    for await (const s of listAll(provider)) byId.set(s.id, s);
    assert.equal(byId.get('off-secret')?.state, 'disabled');
    assert.equal(byId.get('old-secret')?.state, 'expired');
    assert.equal(byId.get('future-secret')?.state, 'notYetActive');
    assert.equal(byId.get('app-secret-00')?.state, 'active');
    assert.equal(byId.get('cert-like')?.description, 'application/x-pem-file');
    assert.ok(byId.get('app-secret-00')?.updatedOn instanceof Date);
  });

  it('filters by name on the client side without losing the paging', async () => {
    const { provider } = await env.provider();
    const seen: string[] = [];
    for await (const s of listAll(provider, { filter: 'SECRET-6' })) seen.push(s.id);
    assert.deepEqual(seen.sort(), ['app-secret-60', 'app-secret-61', 'app-secret-62', 'app-secret-63', 'app-secret-64']);
  });

  it('refuses a page token that points anywhere but the vault (it would receive the bearer token)', async () => {
    const { provider } = await env.provider();
    env.kv.resetCounts();
    await assert.rejects(provider.list({ pageToken: 'https://attacker.example/secrets?api-version=7.6' }), (e: unknown) => {
      assert.ok(e instanceof ConnectionSecretsError);
      assert.equal(e.code, 'InvalidConfig');
      return true;
    });
    assert.equal(env.kv.count(), 0);
  });
});
