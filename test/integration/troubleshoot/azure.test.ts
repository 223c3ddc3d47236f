/**
 * The Azure troubleshooting checklist (src/providers/azure/troubleshoot.ts), run through the
 * registry hook over real HTTPS with the real @azure/keyvault-secrets, @azure/identity and MSAL.
 *
 * The peer is NOT a real Key Vault: it is the HTTPS stand-in of test/support/keyVaultStandIn.ts
 * (Key Vault's secrets REST API and the Entra ID token endpoint), because lowkey-vault — the
 * emulator the issue names — cannot be installed here: its application jar
 * (com.github.nagyesta.lowkey-vault:lowkey-vault-app) is not served by the package mirror this
 * machine reaches — the project found HTTP 404 for every version, and today (2026-12-04)
 * `mvn -U dependency:get` again found neither 3.4.0 nor 5.0.0 — and lowkey-vault never denies
 * anything anyway. Denials, the firewall and the refused client secrets are answered
 * with RECORDED Microsoft error bodies (test/fixtures/azure/recordedErrors.ts). What this cannot
 * prove: Azure's real authorization decisions and real token issuance.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import type { ProviderContext } from '../../../src/core/provider';
import { MASK } from '../../../src/core/redact';
import { firstFailure, runChecks, type CheckResult, type TroubleshootTarget } from '../../../src/core/troubleshoot';
import { troubleshootChecks } from '../../../src/providers';
import { assertNoCanary } from '../../support/canary';
import { kvForbiddenByFirewall, kvForbiddenByPolicy, kvForbiddenByRbac } from '../../fixtures/azure/recordedErrors';
import { CLIENT, OBJECT, TENANT, RecordingCredentials, startAzure, type AzureEnv } from '../azure/harness';

const caller = { appId: CLIENT, objectId: OBJECT, tenantId: TENANT };
const ALL = ['azure.config', 'azure.vault', 'azure.token', 'azure.firewall', 'azure.list', 'azure.get', 'azure.secretState', 'azure.rawCall'];
const authorized = (method: string, path: string, appId: string | undefined) => appId !== undefined && method === 'GET';
const authorizedGet = (name: string) => (method: string, path: string, appId: string | undefined) => method === 'GET' && path === `/secrets/${name}` && appId !== undefined;
const authorizedList = (method: string, path: string, appId: string | undefined) => method === 'GET' && path === '/secrets' && appId !== undefined;

/**
 * A forward proxy that tunnels CONNECT requests (what HTTPS_PROXY points at), recording each
 * target, or refusing them with a status (407: the proxy wants credentials).
 */
async function startConnectProxy() {
  const connects: string[] = [];
  const state = { refuse: 0 };
  // Tunnels outlive the HTTP server's own bookkeeping; closing the proxy ends them.
  const sockets = new Set<net.Socket>();
  const server = http.createServer((_req, res) => {
    res.writeHead(405);
    res.end();
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    connects.push(req.url ?? '');
    sockets.add(client);
    if (state.refuse) {
      client.end(`HTTP/1.1 ${state.refuse} Refused\r\nProxy-Authenticate: Basic realm="corp"\r\n\r\n`);
      return;
    }
    const [host, port] = (req.url ?? '').split(':');
    const upstream = net.connect(Number(port), host, () => {
      sockets.add(upstream);
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connects,
    state,
    stop: () => {
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('troubleshooting: Azure Key Vault checks (HTTPS Key Vault stand-in, recorded Microsoft errors)', function () {
  this.timeout(120_000);
  let env: AzureEnv;
  /** Every result of every run, searched for canaries at the end as well as per test. */
  const seen: CheckResult[] = [];

  before(async () => {
    env = await startAzure();
    env.seed('db-password');
    env.seed('api-token');
  });
  afterEach(() => env.kv.clearFaults());
  after(() => env?.stop());

  function target(secrets: string[], options: Record<string, unknown> = {}): TroubleshootTarget {
    return { provider: env.config(options), connection: 'warehouse', secrets: secrets.map((secretId) => ({ secretId, keys: [], usedBy: [`warehouse.password`] })) };
  }

  async function doctor(secrets: string[], options: Record<string, unknown> = {}, credentials?: RecordingCredentials, context: Partial<ProviderContext> = {}) {
    const creds = credentials ?? new RecordingCredentials({ [`azure.clientSecret:${TENANT}:${CLIENT}`]: env.clientSecret });
    const checks = await troubleshootChecks(target(secrets, options), { credentials: creds, log: (m) => env.logs.push(m), timeoutMs: 5_000, ...context });
    const results = await runChecks(checks);
    seen.push(...results);
    assertNoCanary(JSON.stringify(results), env.canaries, 'check results');
    return { results, byId: new Map(results.map((r) => [r.id, r])), credentials: creds };
  }

  const statuses = (results: CheckResult[]) => Object.fromEntries(results.map((r) => [r.id, r.status]));

  it('a fully permitted setup: every check passes, with evidence and no value', async () => {
    const { results, byId } = await doctor(['db-password', 'api-token']);
    assert.deepEqual(results.map((r) => r.id), ALL);
    for (const r of results) assert.equal(r.status, 'pass', `${r.id}: ${r.evidence.join(' | ')} ${r.fix ?? ''}`);
    assert.match(byId.get('azure.vault')!.evidence[0], new RegExp(`401 with a sign-in challenge \\(tenant ${TENANT}, resource https://vault\\.azure\\.net\\); certificate trusted through caCert`));
    assert.match(byId.get('azure.token')!.evidence[0], new RegExp(`oauth2/v2\\.0/token \\(client credentials of app ${CLIENT}.* → access token for app ${CLIENT} \\(object id ${OBJECT}\\) in tenant ${TENANT}, valid until \\d{4}-`));
    assert.equal(byId.get('azure.get')!.evidence.length, 2);
    assert.match(byId.get('azure.get')!.evidence[0], /GET \/secrets\/db-password \(used by warehouse\.password\) → 200 \(value not shown\), version [0-9a-f]{32}/);
    assert.match(byId.get('azure.secretState')!.evidence[1], /\/secrets\/api-token attributes → enabled true: active/);
    const raw = byId.get('azure.rawCall')!;
    assert.equal(raw.step, 2);
    assert.match(raw.evidence[0], /GET https:\/\/127\.0\.0\.1:\d+\/secrets\/db-password\?api-version=7\.5 with a bearer token → HTTP 200/);
    assert.ok(raw.evidence[1].includes(`"value":"${MASK}"`), raw.evidence[1]);
    assert.match(raw.evidence[1], /"attributes":\{"enabled":true/);
    // Reproduction commands: az and curl, credentials only as environment variables.
    assert.match(byId.get('azure.token')!.reproduce ?? '', new RegExp(`^az login --service-principal -u ${CLIENT} --tenant ${TENANT} --password="\\$AZURE_CLIENT_SECRET" && az account get-access-token --resource https://vault\\.azure\\.net`));
    assert.match(byId.get('azure.list')!.reproduce ?? '', /^az keyvault secret list --vault-name 127\.0\.0\.1:\d+ --maxresults 1/);
    assert.match(byId.get('azure.secretState')!.reproduce ?? '', /^az keyvault secret show --vault-name .* --name db-password --query attributes$/);
    assert.match(raw.reproduce ?? '', /curl -sS --cacert .*vault-ca\.pem -w .* -H "Authorization: Bearer \$TOKEN" "https:\/\/127\.0\.0\.1:\d+\/secrets\/db-password\?api-version=7\.5" \| sed -E 's\/"value":/);
  });

  it('an expired client secret (AADSTS7000222): the token check fails first, naming the expiry and where to make a new secret; the rest is skipped', async () => {
    const expiredApp = '5f2d6b7e-1c3a-4e8f-9b0d-2a4c6e8f0b1d';
    const expiredSecret = 'expired-client-secret-value-7f3a';
    env.canaries.push(expiredSecret);
    env.entra.register({ tenantId: TENANT, clientId: expiredApp, objectId: OBJECT, secret: expiredSecret, secretExpiresAt: new Date(Date.now() - 60_000) });
    const credentials = new RecordingCredentials({ [`azure.clientSecret:${TENANT}:${expiredApp}`]: expiredSecret });
    const { results, byId } = await doctor(['db-password'], { clientId: expiredApp }, credentials);
    const first = firstFailure(results)!;
    assert.equal(first.id, 'azure.token');
    assert.match(first.evidence[0], /→ AADSTS7000222: The client secret of app .* has expired: Microsoft Entra ID refused it at \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z/);
    assert.match(first.fix ?? '', new RegExp(`App registrations → ${expiredApp} → Certificates & secrets → New client secret`));
    assert.deepEqual(statuses(results), {
      'azure.config': 'pass',
      'azure.vault': 'pass',
      'azure.token': 'fail',
      'azure.firewall': 'skipped',
      'azure.list': 'skipped',
      'azure.get': 'skipped',
      'azure.secretState': 'skipped',
      'azure.rawCall': 'skipped',
    });
    assert.match(byId.get('azure.firewall')!.reason ?? '', /"Signed in to Microsoft Entra ID" did not pass \(fail\)/);
    assert.match(byId.get('azure.secretState')!.reason ?? '', /"Get allowed on each referenced secret" did not pass \(skipped\)/);
    // As the provider does, the refused secret is forgotten so the next run asks for a new one.
    assert.deepEqual(credentials.forgets, [`azure.clientSecret:${TENANT}:${expiredApp}`]);
  });

  it('an invalid client secret (AADSTS7000215): the token check fails, value versus secret ID', async () => {
    const wrong = 'pasted-the-secret-id-instead-9c1d';
    env.canaries.push(wrong);
    const { results } = await doctor(['db-password'], {}, new RecordingCredentials({ [`azure.clientSecret:${TENANT}:${CLIENT}`]: wrong }));
    const first = firstFailure(results)!;
    assert.equal(first.id, 'azure.token');
    assert.match(first.evidence[0], /AADSTS7000215: Microsoft Entra ID rejected the client secret .*invalid client secret/);
    assert.match(first.fix ?? '', /Enter the secret's Value .* not its Secret ID/);
  });

  it('no client secret given (prompt declined, no AZURE_CLIENT_SECRET): the token check says where to give one', async () => {
    const { results } = await doctor(['db-password'], {}, new RecordingCredentials({}));
    const first = firstFailure(results)!;
    assert.equal(first.id, 'azure.token');
    assert.match(first.fix ?? '', /AZURE_CLIENT_SECRET/);
  });

  it('an unknown client id (AADSTS700016) and an unknown tenant (AADSTS90002) fail the token check naming the field to fix', async () => {
    const unknownApp = '11111111-2222-4333-8444-555555555555';
    const a = await doctor(['db-password'], { clientId: unknownApp }, new RecordingCredentials({ [`azure.clientSecret:${TENANT}:${unknownApp}`]: env.clientSecret }));
    assert.equal(firstFailure(a.results)?.id, 'azure.token');
    assert.match(firstFailure(a.results)!.evidence[0], new RegExp(`AADSTS700016: No app with client id ${unknownApp} exists in tenant ${TENANT}`));
    assert.match(firstFailure(a.results)!.fix ?? '', /Application \(client\) ID/);

    const unknownTenant = '99999999-8888-4777-8666-555555555555';
    const b = await doctor(['db-password'], { tenantId: unknownTenant }, new RecordingCredentials({ [`azure.clientSecret:${unknownTenant}:${CLIENT}`]: env.clientSecret }));
    // The vault's own challenge already names the tenant it belongs to.
    assert.equal(firstFailure(b.results)?.id, 'azure.vault');
    assert.match(firstFailure(b.results)!.fix ?? '', new RegExp(`Set tenantId: ${TENANT}`));
    // MSAL only says the tenant's OpenID configuration could not be fetched; the check asks for it
    // itself and finds Entra's AADSTS90002.
    const tokenCheck = b.byId.get('azure.token')!;
    assert.equal(tokenCheck.status, 'fail');
    assert.match(tokenCheck.evidence[0], new RegExp(`→ AADSTS90002: Microsoft Entra ID knows no tenant "${unknownTenant}"`));
    assert.match(tokenCheck.evidence[1], /openid-configuration → HTTP 400 AADSTS90002/);
    assert.match(tokenCheck.fix ?? '', /Set tenantId to the "Directory \(tenant\) ID"/);
  });

  it('ForbiddenByRbac on get: the get check fails first, naming "Key Vault Secrets User" and its id', async () => {
    env.kv.inject(authorizedGet('db-password'), kvForbiddenByRbac(caller, 'contoso-kv', 'db-password'));
    const { results, byId } = await doctor(['db-password', 'api-token']);
    const first = firstFailure(results)!;
    assert.equal(first.id, 'azure.get');
    assert.match(first.evidence[0], new RegExp(`GET /secrets/db-password .*→ HTTP 403 Forbidden/ForbiddenByRbac: app ${CLIENT} \\(object id ${OBJECT}\\) has no Key Vault data role`));
    assert.match(first.evidence[1], /GET \/secrets\/api-token .*→ 200/);
    assert.match(first.fix ?? '', /Assign the role "Key Vault Secrets User" \(4633458b-17de-408a-b874-0445c86b69e6\)/);
    assert.match(first.fix ?? '', new RegExp(`az role assignment create --role "Key Vault Secrets User" --assignee ${CLIENT}`));
    assert.match(first.fix ?? '', /Microsoft\.KeyVault\/vaults\/secrets\/getSecret\/action/);
    assert.match(first.reproduce ?? '', /az keyvault secret show --vault-name .* --name db-password --query id/);
    assert.equal(byId.get('azure.list')!.status, 'pass');
    // Step 2 shows the raw denial Key Vault sent.
    const raw = byId.get('azure.rawCall')!;
    assert.equal(raw.status, 'fail');
    assert.match(raw.evidence[0], /→ HTTP 403$/);
    assert.match(raw.evidence[1], /"innererror":\{"code":"ForbiddenByRbac"\}/);
  });

  it('re-running only the get check after the role is assigned: it passes, the others keep their results', async () => {
    env.kv.inject(authorizedGet('db-password'), kvForbiddenByRbac(caller, 'contoso-kv', 'db-password'));
    const checks = await troubleshootChecks(target(['db-password']), { credentials: new RecordingCredentials({ [`azure.clientSecret:${TENANT}:${CLIENT}`]: env.clientSecret }), timeoutMs: 5_000 });
    const first = await runChecks(checks);
    assert.equal(firstFailure(first)?.id, 'azure.get');
    env.kv.clearFaults();
    env.kv.resetCounts();
    const again = await runChecks(checks, { only: ['azure.get'], previous: first });
    seen.push(...first, ...again);
    assert.equal(again.find((r) => r.id === 'azure.get')!.status, 'pass');
    assert.equal(again.find((r) => r.id === 'azure.rawCall'), first.find((r) => r.id === 'azure.rawCall'), 'kept as it was');
    assert.equal(env.kv.count(), 1, 'one request: the same client, its challenge and token already in hand');
  });

  it('ForbiddenByRbac on list: a warning naming the role, the readMetadata data action and "Key Vault Reader"; Get still checked', async () => {
    env.kv.inject(authorizedList, kvForbiddenByRbac(caller, 'contoso-kv', '', 'readMetadata/action'));
    const { results, byId } = await doctor(['db-password']);
    assert.equal(firstFailure(results), undefined);
    const list = byId.get('azure.list')!;
    assert.equal(list.status, 'warn');
    assert.match(list.fix ?? '', /"Key Vault Secrets User" role \(4633458b-17de-408a-b874-0445c86b69e6\): listing needs its data action Microsoft\.KeyVault\/vaults\/secrets\/readMetadata\/action/);
    assert.match(list.fix ?? '', /"Key Vault Reader" role, 21090545-7ca7-4776-b22c-e363652d74d2/);
    assert.equal(byId.get('azure.firewall')!.status, 'pass', 'a permission denial comes from behind the firewall');
    assert.match(byId.get('azure.firewall')!.evidence[0], /ForbiddenByRbac: past the vault's network rules/);
    assert.equal(byId.get('azure.get')!.status, 'pass');
  });

  it('ForbiddenByPolicy on get: the get check fails first, naming an access policy with Get', async () => {
    env.kv.inject(authorizedGet('db-password'), kvForbiddenByPolicy(caller, 'contoso-kv', 'get'));
    const { results } = await doctor(['db-password']);
    const first = firstFailure(results)!;
    assert.equal(first.id, 'azure.get');
    assert.match(first.evidence[0], /Forbidden\/ForbiddenByPolicy: The access policies of vault .* do not give .* the secrets "get" permission/);
    assert.match(first.fix ?? '', /access policy with secret permissions Get and List: az keyvault set-policy --name .* --spn 0c9b1a6e-4f4e-4c43-9d6a-1f6c1e7b2a11 --secret-permissions get list/);
  });

  it('ForbiddenByPolicy on list: a warning naming List in the access policy', async () => {
    env.kv.inject(authorizedList, kvForbiddenByPolicy(caller, 'contoso-kv', 'list'));
    const { byId } = await doctor(['db-password']);
    assert.equal(byId.get('azure.list')!.status, 'warn');
    assert.match(byId.get('azure.list')!.fix ?? '', /Add List to the secret permissions of the vault's access policy/);
    assert.equal(byId.get('azure.get')!.status, 'pass');
  });

  it('the vault firewall: the firewall check fails first, naming the Networking settings and the address Key Vault saw', async () => {
    env.kv.inject(authorized, kvForbiddenByFirewall(caller, 'contoso-kv', '198.51.100.23'));
    const { results, byId } = await doctor(['db-password']);
    const first = firstFailure(results)!;
    assert.equal(first.id, 'azure.firewall');
    assert.match(first.evidence[0], /ForbiddenByFirewall: The firewall of vault .* refused this machine's address 198\.51\.100\.23/);
    assert.match(first.fix ?? '', /Networking → Firewalls and virtual networks, add 198\.51\.100\.23\/32/);
    assert.match(first.fix ?? '', /az keyvault network-rule add --name .* --ip-address 198\.51\.100\.23\/32/);
    for (const id of ['azure.list', 'azure.get', 'azure.secretState']) assert.equal(byId.get(id)!.status, 'skipped', id);
  });

  it('a disabled and an expired referenced secret: the secret-state check fails with the set-attributes commands; Get itself is allowed', async () => {
    env.seed('old-password', { expiresOn: new Date(Date.now() - 86_400_000) });
    env.seed('off-password', { enabled: false });
    const { results, byId } = await doctor(['db-password', 'off-password', 'old-password']);
    const first = firstFailure(results)!;
    assert.equal(first.id, 'azure.secretState');
    assert.equal(byId.get('azure.get')!.status, 'pass');
    assert.match(byId.get('azure.get')!.evidence[1], /off-password .*SecretDisabled: Get is allowed; the secret is disabled/);
    assert.match(first.evidence[0], /db-password attributes → enabled true: active/);
    assert.match(first.evidence[1], /off-password attributes → HTTP 403 Forbidden\/SecretDisabled: Secret "off-password" is disabled/);
    assert.match(first.evidence[2], /old-password attributes → enabled true, expires \d{4}-\d{2}-\d{2}T.*: expired/);
    assert.match(first.fix ?? '', /az keyvault secret set-attributes --vault-name .* --name off-password --enabled true/);
    assert.match(first.fix ?? '', /az keyvault secret set-attributes --vault-name .* --name old-password --expires <new date>/);
    assert.match(first.reproduce ?? '', /--name off-password --query attributes$/);
  });

  it('a secret that is not active yet fails the secret-state check with the --not-before command', async () => {
    env.seed('future-password', { notBefore: new Date(Date.now() + 86_400_000) });
    const { results } = await doctor(['future-password']);
    const first = firstFailure(results)!;
    assert.equal(first.id, 'azure.secretState');
    assert.match(first.fix ?? '', /set-attributes --vault-name .* --name future-password --not-before /);
  });

  it('an unknown vault host fails the reachability check naming vaultUrl; the sign-in is still checked', async () => {
    const { results, byId } = await doctor(['db-password'], { vaultUrl: 'https://no-such-vault-7f3a.invalid' });
    const first = firstFailure(results)!;
    assert.equal(first.id, 'azure.vault');
    assert.match(first.evidence[0], /GET https:\/\/no-such-vault-7f3a\.invalid\/secrets\?api-version=7\.5&maxresults=1 without a token → ENOTFOUND: The vault host no-such-vault-7f3a\.invalid does not exist/);
    assert.match(first.fix ?? '', /Check vaultUrl/);
    assert.equal(byId.get('azure.token')!.status, 'pass');
    assert.equal(byId.get('azure.firewall')!.status, 'skipped');
  });

  it('an untrusted vault certificate fails the reachability check naming caCert', async () => {
    const { results } = await doctor(['db-password'], { caCert: env.tls.otherCaCertPath });
    const first = firstFailure(results)!;
    assert.equal(first.id, 'azure.vault');
    assert.match(first.evidence[0], /→ [A-Z_]+: The TLS certificate of 127\.0\.0\.1:\d+ is not trusted/);
    assert.match(first.fix ?? '', /Set caCert/);
  });

  it('a vault of another tenant: the reachability check reads the tenant from the challenge and names it', async () => {
    const otherTenant = '3c631bb7-a9f7-4343-a5ba-a61591300000';
    env.entra.register({ tenantId: otherTenant, clientId: CLIENT, objectId: OBJECT, secret: env.clientSecret });
    const { results } = await doctor(['db-password'], { tenantId: otherTenant }, new RecordingCredentials({ [`azure.clientSecret:${otherTenant}:${CLIENT}`]: env.clientSecret }));
    const first = firstFailure(results)!;
    assert.equal(first.id, 'azure.vault');
    assert.match(first.evidence[1], new RegExp(`tenantId in the provider block → ${otherTenant}`));
    assert.match(first.fix ?? '', new RegExp(`Set tenantId: ${TENANT}`));
  });

  it('a vault host outside the challenge\'s domain: the reachability check says the SDK will send no token, and names the setting', async () => {
    const { results, byId } = await doctor(['db-password'], { disableChallengeResourceVerification: false });
    const first = firstFailure(results)!;
    assert.equal(first.id, 'azure.vault');
    assert.match(first.evidence[1], /127\.0\.0\.1 is not under vault\.azure\.net → the Azure SDK will not send it a token/);
    assert.match(first.fix ?? '', /disableChallengeResourceVerification: true/);
    assert.equal(byId.get('azure.firewall')!.status, 'skipped');
  });

  it('behind HTTPS_PROXY the hand-made requests take the proxy, as the SDK would; a refusing proxy is named', async () => {
    // Only the checks read the context's environment; the SDK reads process.env, so its own
    // requests go direct here. What is proven is the tunnel of the probe and of the raw GET.
    const proxy = await startConnectProxy();
    try {
      const vaultHost = new URL(env.kv.url).host;
      const ok = await doctor(['db-password'], {}, undefined, { env: { HTTPS_PROXY: proxy.url } });
      for (const r of ok.results) assert.equal(r.status, 'pass', `${r.id}: ${r.evidence.join(' | ')}`);
      assert.match(ok.byId.get('azure.vault')!.evidence[0], new RegExp(`without a token through the proxy 127\\.0\\.0\\.1:\\d+ → 401 with a sign-in challenge`));
      assert.match(ok.byId.get('azure.rawCall')!.evidence[0], /through the proxy .* → HTTP 200/);
      assert.deepEqual(proxy.connects, [vaultHost, vaultHost]);

      const bypassed = await doctor(['db-password'], {}, undefined, { env: { HTTPS_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1' } });
      assert.equal(firstFailure(bypassed.results), undefined);
      assert.equal(proxy.connects.length, 2, 'NO_PROXY hosts are reached directly');

      proxy.state.refuse = 407;
      const refused = await doctor(['db-password'], {}, undefined, { env: { https_proxy: proxy.url } });
      const first = firstFailure(refused.results)!;
      assert.equal(first.id, 'azure.vault');
      assert.match(first.evidence[0], new RegExp(`proxy HTTP 407: The proxy 127\\.0\\.0\\.1:\\d+ refused to open a tunnel to ${vaultHost.replace(/\./g, '\\.')} \\(HTTP 407\\)`));
      assert.match(first.fix ?? '', /Check HTTPS_PROXY \(the proxy asks for credentials/);
    } finally {
      await proxy.stop();
    }
  });

  it('a proxy that is not running: the reachability check says the request went through it', async () => {
    const { results } = await doctor(['db-password'], {}, undefined, { env: { HTTPS_PROXY: 'http://127.0.0.1:9' } });
    const first = firstFailure(results)!;
    assert.equal(first.id, 'azure.vault');
    assert.match(first.evidence[0], /through the proxy 127\.0\.0\.1:9 → ECONNREFUSED/);
    assert.match(first.fix ?? '', /went through the proxy 127\.0\.0\.1:9 \(HTTPS_PROXY\).*NO_PROXY/);
  });

  it('no clientId: the default credential chain, and the evidence lists each source it tried', async () => {
    // The chain probes the managed-identity endpoint, which can be slow to give up on some networks.
    const { byId } = await doctor(['db-password'], { clientId: undefined }, undefined, { timeoutMs: 20_000 });
    const t = byId.get('azure.token')!;
    assert.equal(t.status, 'fail', t.evidence.join(' | '));
    assert.match(t.evidence[0], /default Azure credential chain \(tenant .*\)/);
    assert.ok(t.evidence.some((e) => /tried: .*EnvironmentCredential/.test(e)), t.evidence.join('\n'));
    assert.ok(t.evidence.some((e) => /tried: Azure CLI/.test(e)), t.evidence.join('\n'));
    assert.match(t.evidence[0], /→ CredentialUnavailableError: No Azure sign-in is available/);
    assert.match(t.fix ?? '', /az login/);
    assert.match(t.reproduce ?? '', /^az account get-access-token --resource https:\/\/vault\.azure\.net --tenant /);
  });

  it('a provider with no referenced secret skips the per-secret checks, saying why', async () => {
    const { byId } = await doctor([]);
    for (const id of ['azure.get', 'azure.rawCall']) {
      assert.equal(byId.get(id)!.status, 'skipped', id);
      assert.match(byId.get(id)!.reason ?? '', /Connection "warehouse" references no secret of this vault/);
    }
    assert.equal(byId.get('azure.secretState')!.status, 'skipped');
    assert.equal(byId.get('azure.list')!.status, 'pass');
  });

  it('an invalid provider block fails the first check with the loader\'s fix and skips the rest', async () => {
    const { results } = await doctor(['db-password'], { vaultUrl: 'http://not-https.example' });
    assert.equal(firstFailure(results)?.id, 'azure.config');
    assert.match(firstFailure(results)!.fix ?? '', /https/);
    assert.ok(results.slice(1).every((r) => r.status === 'skipped'));
  });

  it('no result, log line or reproduction command of any run holds a secret value or the client secret', () => {
    assert.ok(seen.length >= 8 * 10);
    assertNoCanary(JSON.stringify(seen), env.canaries, 'check results');
    assertNoCanary(env.logs.join('\n'), env.canaries, 'log');
    for (const r of seen) assert.ok(!/AZURE_CLIENT_SECRET=|Bearer ey/.test(r.reproduce ?? ''), r.reproduce);
  });
});
