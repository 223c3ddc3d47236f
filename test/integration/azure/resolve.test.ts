/**
 * Resolving secret values, versions and rotation through the real Azure SDK and the real
 * ClientSecretCredential (MSAL) against the HTTPS Key Vault and Entra ID stand-ins (lowkey-vault
 * is not installable here; see test/support/keyVaultStandIn.ts).
 */
import assert from 'node:assert/strict';
import { ConnectionSecretsError } from '../../../src/core/errors';
import { interpretReference } from '../../../src/core/references';
import { assertNoCanary } from '../../support/canary';
import { CLIENT, OBJECT, TENANT, startAzure, type AzureEnv } from './harness';

const DAY = 86_400_000;

function errorText(e: unknown): string {
  return e instanceof ConnectionSecretsError ? `${e.toUserString()} ${e.detail ?? ''} ${e.stack ?? ''}` : String(e);
}

describe('azure provider: resolving (Key Vault and Entra ID stand-ins over HTTPS)', () => {
  let env: AzureEnv;
  let db: { value: string; version: string };
  let api: { value: string; version: string };
  let expired: { value: string; version: string };
  let future: { value: string; version: string };

  before(async () => {
    env = await startAzure();
    db = env.seed('db-password');
    api = env.seed('api-token');
    env.seed('off-secret', { enabled: false });
    expired = env.seed('old-secret', { expiresOn: new Date(Date.now() - DAY) });
    future = env.seed('future-secret', { notBefore: new Date(Date.now() + DAY) });
  });
  after(() => env?.stop());

  it('resolves a {{workato:sm:<secret name>}} reference to the whole value and its version id', async () => {
    const { provider, credentials } = await env.provider();
    const ref = interpretReference('db-password', 'azure');
    assert.ok(ref.ok);
    const v = await provider.getValue(ref.target.secretId);
    assert.equal(v.value, db.value);
    assert.equal(v.version, db.version);
    assert.equal(v.state, 'active');
    assert.deepEqual(credentials.gets, [`azure.clientSecret:${TENANT}:${CLIENT}`], 'the client secret is asked for once, under its documented key');
    assert.ok(env.entra.tokenRequests >= 1, 'signed in through the Entra token endpoint');
  });

  it('reads each distinct secret once in a batch (names are case-insensitive) and types each failure', async () => {
    const { provider } = await env.provider();
    env.kv.resetCounts();
    const ids = ['db-password', 'api-token', 'DB-Password', 'db-password', 'missing-one', 'off-secret', 'old-secret', 'future-secret'];
    const results = await provider.getValues(ids);
    assert.deepEqual([...results.keys()].sort(), [...new Set(ids)].sort());
    const ok = (id: string) => {
      const r = results.get(id);
      assert.ok(r && !(r instanceof ConnectionSecretsError), `${id}: ${errorText(r)}`);
      return r;
    };
    assert.equal(ok('db-password').value, db.value);
    assert.equal(ok('DB-Password').value, db.value);
    assert.equal(ok('DB-Password').id, 'DB-Password');
    assert.equal(ok('api-token').value, api.value);
    const code = (id: string) => (results.get(id) as ConnectionSecretsError).code;
    assert.equal(code('missing-one'), 'NotFound');
    assert.equal(code('off-secret'), 'Disabled');
    assert.equal(code('old-secret'), 'Expired');
    assert.equal(code('future-secret'), 'NotYetActive');
    // 6 distinct names (db-password in three spellings is one), plus the SDK's one challenge probe.
    assert.equal(env.kv.count((r) => r.authorized), 6);
    assert.equal(env.kv.count((r) => !r.authorized), 1);
    for (const r of results.values()) if (r instanceof ConnectionSecretsError) assertNoCanary(errorText(r), env.canaries, 'error');
  });

  it('says why a disabled, expired or not-yet-active secret is refused and how to fix it', async () => {
    const { provider } = await env.provider();
    const refused = async (id: string) => {
      try {
        await provider.getValue(id);
      } catch (e) {
        assert.ok(e instanceof ConnectionSecretsError);
        assertNoCanary(errorText(e), env.canaries, 'error');
        return e;
      }
      assert.fail(`${id} resolved`);
    };
    const off = await refused('off-secret');
    assert.equal(off.code, 'Disabled');
    assert.match(off.message, /disabled/);
    assert.match(off.fix ?? '', /set-attributes .*--enabled true/);
    const old = await refused('old-secret');
    assert.equal(old.code, 'Expired');
    assert.match(old.message, /expired on \d{4}-/);
    const fut = await refused('future-secret');
    assert.equal(fut.code, 'NotYetActive');
    assert.match(fut.message, /not active until \d{4}-/);
    // The value of an expired secret crossed the wire (Key Vault serves it) but not into the error.
    assert.ok(!errorText(old).includes(expired.value) && !errorText(fut).includes(future.value));
  });

  it('detects a new version through currentVersion without reading the value, then resolves it', async () => {
    const { provider } = await env.provider();
    const name = 'rotating-secret';
    const v1 = env.seed(name);
    assert.equal(await provider.currentVersion!(name), v1.version);
    const v2 = env.seed(name);
    env.kv.resetCounts();
    const current = await provider.currentVersion!(name);
    assert.equal(current, v2.version);
    assert.notEqual(current, v1.version);
    assert.equal(env.kv.count((r) => r.path === `/secrets/${name}`), 0, 'currentVersion must not fetch the value');
    assert.ok(env.kv.count((r) => r.path === `/secrets/${name}/versions`) >= 1);
    const value = await provider.getValue(name);
    assert.equal(value.value, v2.value);
    assert.equal(value.version, v2.version);
  });

  it('follows the versions listing across pages for a secret rotated many times', async () => {
    const { provider } = await env.provider();
    let last = env.seed('busy-secret');
    for (let i = 0; i < 30; i++) last = env.seed('busy-secret');
    assert.equal(await provider.currentVersion!('busy-secret'), last.version);
    const d = await provider.describe('busy-secret');
    assert.equal(d.facts.versions, '31');
    assert.equal(d.version, last.version);
    assert.equal(d.state, 'active');
  });

  it('honours a version pinned in the provider block, even after rotation', async () => {
    const name = 'pinned-secret';
    const v1 = env.seed(name);
    env.seed(name);
    const { provider } = await env.provider({ versions: { [name]: v1.version } });
    env.kv.resetCounts();
    assert.equal(await provider.currentVersion!(name), v1.version);
    assert.equal(env.kv.count(), 0, 'a pinned version needs no request to know it');
    const value = await provider.getValue(name);
    assert.equal(value.value, v1.value);
    assert.equal(value.version, v1.version);
    // A pinned version that does not exist is a clear error.
    const { provider: wrong } = await env.provider({ versions: { [name]: 'f'.repeat(32) } });
    await assert.rejects(wrong.getValue(name), (e: unknown) => e instanceof ConnectionSecretsError && e.code === 'NotFound' && /Version f{32}/.test(e.message));
  });

  it('names the signed-in app from its token without keeping the token', async () => {
    const { provider } = await env.provider();
    const who = await provider.identity!();
    assert.equal(who, `app ${CLIENT} (object id ${OBJECT}) in tenant ${TENANT}`);
    assert.equal(provider.label, `azure (${new URL(env.kv.url).host})`);
  });

  it('signs in through the default Azure credential chain when no clientId is configured', async () => {
    const saved = { ...process.env };
    // Only the environment credential of the chain, so no other sign-in (or IMDS probe) is attempted.
    Object.assign(process.env, {
      AZURE_TOKEN_CREDENTIALS: 'EnvironmentCredential',
      AZURE_TENANT_ID: TENANT,
      AZURE_CLIENT_ID: CLIENT,
      AZURE_CLIENT_SECRET: env.clientSecret,
      AZURE_AUTHORITY_HOST: env.entra.authorityHost,
    });
    try {
      const { provider, credentials } = await env.provider({ clientId: undefined, tenantId: undefined });
      const v = await provider.getValue('api-token');
      assert.equal(v.value, api.value);
      assert.deepEqual(credentials.gets, [], 'the chain never prompts');
      assert.match((await provider.identity!()) ?? '', new RegExp(`^app ${CLIENT}`));
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });

  it('keeps secret values and the client secret out of every log line', () => {
    assertNoCanary(env.logs.join('\n'), env.canaries, 'log');
  });
});
