/**
 * Every failure the Azure provider must explain, produced over real HTTPS through the real Azure
 * SDK and MSAL. The Key Vault and Entra ID stand-ins answer the denials with RECORDED Microsoft
 * error bodies (test/fixtures/azure/recordedErrors.ts): no emulator that runs here can deny access
 * or refuse a client secret, and lowkey-vault itself is not installable here (see
 * test/support/keyVaultStandIn.ts).
 */
import assert from 'node:assert/strict';
import { ConnectionSecretsError } from '../../../src/core/errors';
import { assertNoCanary } from '../../support/canary';
import { EntraStandIn } from '../../support/keyVaultStandIn';
import { makeTlsFixture } from '../../support/tlsFixture';
import {
  kvForbiddenByFirewall,
  kvForbiddenByPolicy,
  kvForbiddenByRbac,
  kvInvalidIssuer,
  kvPublicAccessDisabled,
  kvServiceUnavailable,
  kvThrottled,
} from '../../fixtures/azure/recordedErrors';
import { CLIENT, OBJECT, TENANT, RecordingCredentials, startAzure, type AzureEnv } from './harness';

const caller = { appId: CLIENT, objectId: OBJECT, tenantId: TENANT };
const authorizedGet = (name: string) => (method: string, path: string, appId: string | undefined) => method === 'GET' && path === `/secrets/${name}` && appId !== undefined;

describe('azure provider: failures and their fixes (recorded Microsoft errors over HTTPS)', () => {
  let env: AzureEnv;

  before(async () => {
    env = await startAzure();
    env.seed('db-password');
  });
  afterEach(() => env.kv.clearFaults());
  after(() => env?.stop());

  async function failure(promise: Promise<unknown>): Promise<ConnectionSecretsError> {
    try {
      await promise;
    } catch (e) {
      assert.ok(e instanceof ConnectionSecretsError, `untyped error: ${String(e)}`);
      assertNoCanary(`${e.toUserString()} ${e.detail ?? ''} ${e.stack ?? ''}`, env.canaries, 'error');
      return e;
    }
    assert.fail('expected a failure');
  }

  it('403 ForbiddenByRbac: names the missing role, its id and the az command', async () => {
    env.kv.inject(authorizedGet('db-password'), kvForbiddenByRbac(caller, 'contoso-kv', 'db-password'));
    const { provider } = await env.provider();
    const e = await failure(provider.getValue('db-password'));
    assert.equal(e.code, 'AccessDenied');
    assert.match(e.message, new RegExp(`app ${CLIENT} \\(object id ${OBJECT}\\) has no Key Vault data role`));
    assert.match(e.fix ?? '', /"Key Vault Secrets User" \(4633458b-17de-408a-b874-0445c86b69e6\)/);
    assert.match(e.fix ?? '', new RegExp(`az role assignment create --role "Key Vault Secrets User" --assignee ${CLIENT}`));
    assert.equal(e.detail, 'HTTP 403 Forbidden/ForbiddenByRbac');
  });

  it('403 ForbiddenByPolicy: says to add an access policy with Get and List', async () => {
    env.kv.inject((m, p) => m === 'GET' && p === '/secrets', kvForbiddenByPolicy(caller, 'contoso-kv', 'list'));
    const { provider } = await env.provider();
    const e = await failure(provider.list());
    assert.equal(e.code, 'AccessDenied');
    assert.match(e.message, /access policies of vault .* do not give .* the secrets "list" permission/);
    assert.match(e.fix ?? '', new RegExp(`az keyvault set-policy --name .* --spn ${CLIENT} --secret-permissions get list`));
  });

  it('403 from the firewall: "Client address is not authorized", with the address to allow', async () => {
    env.kv.inject(authorizedGet('db-password'), kvForbiddenByFirewall(caller, 'contoso-kv', '198.51.100.23'));
    const { provider } = await env.provider();
    const e = await failure(provider.getValue('db-password'));
    assert.equal(e.code, 'AccessDenied');
    assert.match(e.message, /firewall .* refused this machine's address 198\.51\.100\.23 \(Client address is not authorized\)/);
    assert.match(e.fix ?? '', /az keyvault network-rule add --name .* --ip-address 198\.51\.100\.23\/32/);
  });

  it('403 with public network access disabled: points at the private endpoint', async () => {
    env.kv.inject(authorizedGet('db-password'), kvPublicAccessDisabled('contoso-kv'));
    const { provider } = await env.provider();
    const e = await failure(provider.getValue('db-password'));
    assert.equal(e.code, 'AccessDenied');
    assert.match(e.message, /public network access disabled/);
  });

  it('AADSTS7000222: the client secret expired — says when Entra refused it and where to make a new one, and forgets it', async () => {
    const expiredApp = '5f2d6b7e-1c3a-4e8f-9b0d-2a4c6e8f0b1d';
    const expiredSecret = 'expired-client-secret-value';
    env.canaries.push(expiredSecret);
    env.entra.register({ tenantId: TENANT, clientId: expiredApp, objectId: OBJECT, secret: expiredSecret, secretExpiresAt: new Date(Date.now() - 60_000) });
    const credentials = new RecordingCredentials({ [`azure.clientSecret:${TENANT}:${expiredApp}`]: expiredSecret });
    const { provider } = await env.provider({ clientId: expiredApp }, { credentials });
    const e = await failure(provider.getValue('db-password'));
    assert.equal(e.code, 'CredentialsExpired');
    assert.match(e.message, new RegExp(`client secret of app ${expiredApp} has expired: Microsoft Entra ID refused it at \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}Z \\(AADSTS7000222\\)`));
    assert.match(e.message, /az ad app credential list --id .*endDateTime/);
    assert.match(e.fix ?? '', /Certificates & secrets → New client secret \(https:\/\/aka\.ms\/NewClientSecret\)/);
    assert.match(e.fix ?? '', new RegExp(`az ad app credential reset --id ${expiredApp} --append`));
    assert.deepEqual(credentials.forgets, [`azure.clientSecret:${TENANT}:${expiredApp}`]);
  });

  it('AADSTS7000215: an invalid client secret — value versus secret ID — and forgets it so the next use asks again', async () => {
    const wrong = 'this-is-the-secret-id-not-its-value';
    env.canaries.push(wrong);
    const credentials = new RecordingCredentials({ [`azure.clientSecret:${TENANT}:${CLIENT}`]: wrong });
    const { provider } = await env.provider({}, { credentials });
    const e = await failure(provider.getValue('db-password'));
    assert.equal(e.code, 'Unauthenticated');
    assert.match(e.message, /rejected the client secret .* \(AADSTS7000215: invalid client secret\)/);
    assert.match(e.fix ?? '', /Value .* not its Secret ID/);
    assert.deepEqual(credentials.forgets, [`azure.clientSecret:${TENANT}:${CLIENT}`]);
    // Asked again on the next call, not remembered.
    await failure(provider.getValue('db-password'));
    assert.equal(credentials.gets.length, 2);
  });

  it('a declined client-secret prompt is a sign-in error, asked again next time', async () => {
    const credentials = new RecordingCredentials({});
    const { provider } = await env.provider({}, { credentials });
    const e = await failure(provider.getValue('db-password'));
    assert.equal(e.code, 'Unauthenticated');
    assert.match(e.fix ?? '', /AZURE_CLIENT_SECRET/);
    await failure(provider.getValue('db-password'));
    assert.equal(credentials.gets.length, 2);
  });

  it('401 challenge from a vault of another tenant: names the vault\'s tenant to configure', async () => {
    const otherTenant = '3c631bb7-a9f7-4343-a5ba-a61591300000';
    env.entra.register({ tenantId: otherTenant, clientId: CLIENT, objectId: OBJECT, secret: env.clientSecret });
    const { provider } = await env.provider({ tenantId: otherTenant }, { credentials: new RecordingCredentials({ [`azure.clientSecret:${otherTenant}:${CLIENT}`]: env.clientSecret }) });
    const e = await failure(provider.getValue('db-password'));
    assert.equal(e.code, 'InvalidConfig');
    assert.match(e.message, new RegExp(`belongs to tenant ${TENANT}, but the provider signs in to tenant ${otherTenant}`));
    assert.match(e.fix ?? '', new RegExp(`Set tenantId: ${TENANT}`));
  });

  it('401 AKV10032 after the challenge (token of a foreign issuer): names the expected tenant', async () => {
    env.kv.inject(authorizedGet('db-password'), kvInvalidIssuer(TENANT, 'f8cdef31-a31e-4b4a-93e4-5f571e91255a'));
    const { provider } = await env.provider();
    const e = await failure(provider.getValue('db-password'));
    assert.equal(e.code, 'InvalidConfig');
    assert.match(e.message, new RegExp(`belongs to tenant ${TENANT} .*AKV10032`));
  });

  it('401 challenge for a resource that is not the vault\'s domain: no token is sent, the fix is named', async () => {
    const { provider } = await env.provider({ disableChallengeResourceVerification: false });
    env.entra.tokenRequests = 0;
    const e = await failure(provider.getValue('db-password'));
    assert.equal(e.code, 'InvalidConfig');
    assert.match(e.message, /asked for a token for "vault\.azure\.net"/);
    assert.match(e.fix ?? '', /disableChallengeResourceVerification: true/);
    assert.equal(env.entra.tokenRequests, 0, 'no token may be requested for a mismatching challenge');
  });

  it('unknown vault host: says the vault does not exist and how to find its URI', async () => {
    const { provider } = await env.provider({ vaultUrl: 'https://no-such-vault-7f3a.invalid' });
    const e = await failure(provider.getValue('db-password'));
    assert.equal(e.code, 'Unreachable');
    assert.match(e.message, /vault host no-such-vault-7f3a\.invalid does not exist/);
    assert.match(e.fix ?? '', /az keyvault show --name no-such-vault-7f3a --query properties\.vaultUri/);
  });

  it('an untrusted certificate is a TLS error naming caCert; a CA that did not sign it does not help', async () => {
    for (const caCert of [undefined, env.tls.otherCaCertPath]) {
      const { provider } = await env.provider({ caCert });
      const e = await failure(provider.getValue('db-password'));
      assert.equal(e.code, 'Tls', `caCert ${caCert}: ${e.message}`);
      assert.match(e.fix ?? '', /Set caCert/);
    }
  });

  it('an untrusted sign-in endpoint is named as such; caCert trusts the vault only for this provider', async () => {
    // A second Entra stand-in whose certificate comes from a CA nobody configured.
    const otherTls = makeTlsFixture();
    const otherEntra = await EntraStandIn.start(otherTls);
    otherEntra.register({ tenantId: TENANT, clientId: CLIENT, objectId: OBJECT, secret: env.clientSecret });
    try {
      const { provider } = await env.provider({ authorityHost: otherEntra.authorityHost });
      const e = await failure(provider.getValue('db-password'));
      assert.equal(e.code, 'Unreachable');
      assert.match(e.message, new RegExp(`sign-in endpoint ${otherEntra.authorityHost.replace(/\./g, '\\.')} could not be reached, or its TLS certificate is not trusted`));
      assert.match(e.fix ?? '', /caCert/);
      assert.equal(otherEntra.tokenRequests, 0);
    } finally {
      await otherEntra.stop();
      otherTls.remove();
    }
  });

  it('a vault that never answers times out after the configured time, naming the host', async () => {
    env.kv.inject(authorizedGet('db-password'), 'hang');
    const { provider } = await env.provider({}, { timeoutMs: 700 });
    const started = Date.now();
    const e = await failure(provider.getValue('db-password'));
    assert.equal(e.code, 'Timeout');
    assert.match(e.message, new RegExp(`Reading secret "db-password" at ${new URL(env.kv.url).host.replace(/\./g, '\\.')} timed out after 1 s`));
    assert.ok(Date.now() - started < 60_000);
  });

  it('429 with Retry-After and 503 are retried with backoff; persistent throttling ends in a typed error', async () => {
    const { provider } = await env.provider();
    await provider.getValue('db-password'); // complete the challenge first
    env.kv.resetCounts();
    env.kv.inject(authorizedGet('db-password'), kvThrottled(0), 1);
    env.kv.inject(authorizedGet('db-password'), kvServiceUnavailable(), 1);
    env.kv.inject(authorizedGet('db-password'), 'reset', 1);
    const v = await provider.getValue('db-password');
    assert.equal(typeof v.value, 'string');
    assert.equal(env.kv.count((r) => r.path === '/secrets/db-password'), 4, 'three failures, then success');

    env.kv.inject(authorizedGet('db-password'), kvThrottled(0));
    env.kv.resetCounts();
    const e = await failure(provider.getValue('db-password'));
    assert.equal(e.code, 'Throttled');
    assert.equal(env.kv.count((r) => r.path === '/secrets/db-password'), 4, 'bounded: 1 try + 3 retries');
    assert.match(e.message, /throttling requests \(HTTP 429\)/);
  });

  it('a Retry-After beyond the wait limit is reported instead of waited for', async () => {
    const { provider } = await env.provider();
    await provider.getValue('db-password');
    env.kv.inject(authorizedGet('db-password'), kvThrottled(120));
    env.kv.resetCounts();
    const e = await failure(provider.getValue('db-password'));
    assert.equal(e.code, 'Throttled');
    assert.match(e.message, /retry after 120 s/);
    assert.equal(env.kv.count((r) => r.path === '/secrets/db-password'), 1);
  });

  it('a vault-wide failure ends a batch after one request instead of repeating it per secret', async () => {
    const wrong = 'another-wrong-client-secret';
    env.canaries.push(wrong);
    const { provider } = await env.provider({}, { credentials: new RecordingCredentials({ [`azure.clientSecret:${TENANT}:${CLIENT}`]: wrong }) });
    env.entra.tokenRequests = 0;
    const results = await provider.getValues(['a-1', 'a-2', 'a-3', 'a-4', 'a-5']);
    for (const r of results.values()) assert.ok(r instanceof ConnectionSecretsError && r.code === 'Unauthenticated');
    assert.equal(env.entra.tokenRequests, 1);
  });

  it('keeps secret values and client secrets out of every log line', () => {
    assertNoCanary(env.logs.join('\n'), env.canaries, 'log');
  });
});
