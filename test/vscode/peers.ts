/**
 * The real secrets managers of the in-host `peers` pass: moto (AWS Secrets Manager + STS) and
 * OpenBao's dev server (Vault API) on loopback, plus the HTTPS Azure Key Vault STAND-IN
 * (test/support/keyVaultStandIn.ts — lowkey-vault is not served by the Maven mirror here, so no
 * real Key Vault emulator runs). Seeds them, writes a `scope: project` workspace with one project
 * per provider, and returns the environment that gives the extension host its credentials
 * (AWS keys, the AppRole secret_id, the Azure client secret) so nothing is prompted for.
 *
 * The seeded values are canaries: `values` feeds the leak scan after the pass, and the fixture
 * reaches the suite through the environment (CS_PEERS), never through a file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CreateSecretCommand, DeleteSecretCommand } from '@aws-sdk/client-secrets-manager';
import { canary } from '../support/canary';
import { EntraStandIn, KeyVaultStandIn } from '../support/keyVaultStandIn';
import { ADMIN_KEYS, haveMoto, MOTO_ACCOUNT, MOTO_INSTALL, seedSecrets, startMoto, type Moto } from '../support/moto';
import { createAppRole, haveOpenBao, mountKv, OPENBAO_INSTALL, policyPath, ROOT_TOKEN, startOpenBao, writeKv, type OpenBao } from '../support/openbao';
import { makeTlsFixture } from '../support/tlsFixture';
import { tempDir } from './harness';
import type { PeersFixture } from './suite/peersFixture';

/** The Providers view's page size in this pass: small, so three pages cover moto's secrets. */
export const PEERS_PAGE_SIZE = 10;
/** Filler secrets beside the referenced and the deleted one: 24 in all = pages of 10, 10, 4. */
const FILLERS = 22;
const AZURE_TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const AZURE_CLIENT = '0c9b1a6e-4f4e-4c43-9d6a-1f6c1e7b2a11';

export interface Peers {
  workspace: string;
  /** Environment of the VS Code server: provider credentials and CS_PEERS. */
  env: NodeJS.ProcessEnv;
  /** User settings of the pass. */
  settings: Record<string, unknown>;
  /** Every secret value and credential seeded or handed to the test (for the leak scan). */
  secretValues(): string[];
  /** Lines the extension's log must hold after the pass (so the leak scan is not vacuous). */
  expectedLogLines: string[];
  stop(): Promise<void>;
}

/** What is missing for the pass (empty when moto and OpenBao are installed). */
export function missingPeers(): string[] {
  const missing: string[] = [];
  if (!haveMoto()) missing.push(`moto_server (${MOTO_INSTALL})`);
  if (!haveOpenBao()) missing.push(`OpenBao bao (${OPENBAO_INSTALL})`);
  return missing;
}

function write(root: string, rel: string, text: string) {
  const file = path.join(root, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

async function seedMoto(moto: Moto, values: string[]) {
  const sm = moto.secretsManager();
  const secret = 'peers/orders-db';
  const orders = { username: canary('aws-user'), password: canary('aws-pass') };
  await sm.send(new CreateSecretCommand({ Name: secret, SecretString: JSON.stringify(orders) }));
  const deleted = 'peers/retired-api';
  const retired = { token: canary('aws-retired') };
  await sm.send(new CreateSecretCommand({ Name: deleted, SecretString: JSON.stringify(retired) }));
  await sm.send(new DeleteSecretCommand({ SecretId: deleted, RecoveryWindowInDays: 7 }));
  const fillers = await seedSecrets(moto, 'peers/filler-', FILLERS, (i) => ({ apiKey: canary(`aws-filler-${i}`) }));
  const rotateTo = { username: orders.username, password: canary('aws-pass-rotated') };
  values.push(...Object.values(orders), ...Object.values(retired), ...fillers.flatMap((f) => Object.values(f.value)), rotateTo.password);
  return {
    endpoint: moto.endpoint,
    region: moto.region,
    account: MOTO_ACCOUNT,
    project: 'projects/aws',
    connection: 'orders-db',
    secret,
    keys: Object.keys(orders),
    deleted,
    names: [secret, deleted, ...fillers.map((f) => f.name)].sort(),
    pageSize: PEERS_PAGE_SIZE,
    adminKeys: ADMIN_KEYS,
    rotateTo,
  };
}

async function seedOpenBao(bao: OpenBao, values: string[]) {
  await mountKv(bao, 'kv2', 2);
  await mountKv(bao, 'kv1', 1);
  const data: [engine: string, version: 1 | 2, path: string, value: Record<string, string>][] = [
    ['kv2', 2, 'apps/payments/db', { username: canary('bao-user'), password: canary('bao-pass') }],
    ['kv2', 2, 'apps/payments/api', { token: canary('bao-token') }],
    ['kv2', 2, 'apps/reporting/warehouse', { password: canary('bao-warehouse') }],
    ['kv2', 2, 'shared', { note: canary('bao-shared') }],
    ['kv1', 1, 'legacy/service', { apiKey: canary('bao-v1-key') }],
    ['kv1', 1, 'legacy/deep/nested/config', { secret: canary('bao-v1-deep') }],
  ];
  for (const [engine, version, p, value] of data) {
    await writeKv(bao, engine, version, p, value);
    values.push(...Object.values(value));
  }
  await bao.api('POST', 'sys/auth/approle', { type: 'approle' });
  const role = await createAppRole(
    bao,
    'peers',
    [
      policyPath('sys/mounts', ['read']),
      policyPath('sys/mounts/*', ['read']),
      policyPath('kv1/*', ['read', 'list']),
      policyPath('kv2/data/*', ['read']),
      policyPath('kv2/metadata/*', ['read', 'list']),
    ].join('\n'),
  );
  const secretId = await role.newSecretId();
  const rotateTo = { username: data[0][3].username, password: canary('bao-pass-rotated') };
  values.push(secretId, rotateTo.password);
  return {
    secretId,
    roleId: role.roleId,
    peer: {
      address: bao.address,
      adminToken: ROOT_TOKEN,
      project: 'projects/vault',
      roleName: role.roleName,
      engines: { kv1: 1 as const, kv2: 2 as const },
      secrets: data.map(([engine, , p]) => `${engine}:${p}`),
      connections: { 'payments-db': ['kv2:apps/payments/db'], 'legacy-api': ['kv1:legacy/service'] },
      rotate: { connection: 'payments-db', engine: 'kv2', path: 'apps/payments/db', to: rotateTo },
    },
  };
}

async function startAzureStandIn(values: string[]) {
  const tls = makeTlsFixture();
  const entra = await EntraStandIn.start(tls);
  const kv = await KeyVaultStandIn.start(tls, AZURE_TENANT);
  const clientSecret = canary('azure-client-secret');
  entra.register({ tenantId: AZURE_TENANT, clientId: AZURE_CLIENT, objectId: 'a6b0e8c2-3d1f-4e55-9a77-0b1c2d3e4f50', secret: clientSecret });
  const seeded: Record<string, string> = { 'crm-api-token': canary('azure-crm'), 'billing-password': canary('azure-billing'), 'old-webhook': canary('azure-old') };
  for (const [name, value] of Object.entries(seeded)) kv.setSecret(name, value, name === 'old-webhook' ? { enabled: false } : {});
  values.push(clientSecret, ...Object.values(seeded));
  return {
    tls,
    entra,
    kv,
    clientSecret,
    peer: { kind: 'stand-in' as const, vaultUrl: kv.url, project: 'projects/azure-stand-in', connection: 'crm', names: Object.keys(seeded).sort(), disabled: 'old-webhook' },
    async stop() {
      await kv.stop();
      await entra.stop();
      tls.remove();
    },
  };
}

/**
 * Starts and seeds the peers and writes the workspace. On failure everything already started is
 * stopped before the error propagates.
 */
export async function startPeers(): Promise<Peers> {
  const values: string[] = [];
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) await s().catch((e: unknown) => console.error(`stopping a peer failed: ${String(e)}`));
  };
  try {
    const [moto, bao] = await Promise.all([startMoto(undefined), startOpenBao()]);
    stops.push(() => moto.stop(), () => bao.stop());
    const aws = await seedMoto(moto, values);
    const vault = await seedOpenBao(bao, values);
    const azure = await startAzureStandIn(values);
    stops.push(() => azure.stop());

    const workspace = path.join(tempDir('peers'), 'peers');
    write(workspace, 'connections.yaml', ['# One secrets manager per project (scope: project): the root declares none.', 'secretsManager:', '  scope: project', ''].join('\n'));
    write(
      workspace,
      `${aws.project}/connections.yaml`,
      [
        '# AWS Secrets Manager, served by moto on loopback.',
        'secretsManager:',
        '  provider:',
        '    type: aws',
        `    region: ${aws.region}`,
        `    endpoint: ${aws.endpoint}`,
        'connections:',
        `  ${aws.connection}:`,
        '    type: postgres',
        '    host: orders.db.example.com',
        '    port: 5432',
        '    database: orders',
        `    user: "{{workato:sm:username:${aws.secret}}}"`,
        `    password: "{{workato:sm:password:${aws.secret}}}"`,
        '',
      ].join('\n'),
    );
    write(
      workspace,
      `${vault.peer.project}/connections.yaml`,
      [
        '# HashiCorp Vault API, served by OpenBao on loopback; AppRole login (secret_id from VAULT_SECRET_ID).',
        'secretsManager:',
        '  provider:',
        '    type: vault',
        `    address: ${vault.peer.address}`,
        `    auth: { method: approle, mount: approle, roleName: ${vault.peer.roleName}, roleId: ${vault.roleId} }`,
        'connections:',
        '  payments-db:',
        '    type: postgres',
        '    host: payments.db.example.com',
        '    port: 5432',
        '    database: payments',
        '    user: "{{workato:sm:username:kv2:apps/payments/db}}"',
        '    password: "{{workato:sm:password:kv2:apps/payments/db}}"',
        '  legacy-api:',
        '    type: http',
        '    url: https://legacy.example.com/api/status',
        '    auth:',
        '      type: apiKey',
        '      header: X-Api-Key',
        '      value: "{{workato:sm:apiKey:kv1:legacy/service}}"',
        '',
      ].join('\n'),
    );
    // The CA certificate of the stand-in's TLS (not a secret) sits beside the file that names it.
    write(workspace, `${azure.peer.project}/stand-in-ca.pem`, azure.tls.caCert);
    write(
      workspace,
      `${azure.peer.project}/connections.yaml`,
      [
        '# Azure Key Vault STAND-IN (test/support/keyVaultStandIn.ts), not a real Key Vault or emulator.',
        'secretsManager:',
        '  provider:',
        '    type: azure',
        `    vaultUrl: ${azure.kv.url}`,
        `    tenantId: ${AZURE_TENANT}`,
        `    clientId: ${AZURE_CLIENT}`,
        `    authorityHost: ${azure.entra.authorityHost}`,
        '    caCert: stand-in-ca.pem',
        '    disableChallengeResourceVerification: true',
        'connections:',
        `  ${azure.peer.connection}:`,
        '    type: http',
        '    url: https://crm.example.com/api/me',
        '    auth:',
        '      type: bearer',
        '      token: "Bearer {{workato:sm:crm-api-token}}"',
        '',
      ].join('\n'),
    );

    const fixture: PeersFixture = { aws, vault: vault.peer, azure: azure.peer, values };
    return {
      workspace,
      env: {
        AWS_ACCESS_KEY_ID: ADMIN_KEYS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: ADMIN_KEYS.secretAccessKey,
        AWS_REGION: aws.region,
        VAULT_SECRET_ID: vault.secretId,
        AZURE_CLIENT_SECRET: azure.clientSecret,
        // Neither a profile nor a token file of whoever runs the tests may decide the identity.
        AWS_PROFILE: '',
        AWS_CONFIG_FILE: path.join(workspace, '.no-aws-config'),
        AWS_SHARED_CREDENTIALS_FILE: path.join(workspace, '.no-aws-credentials'),
        VAULT_TOKEN: '',
        CS_PEERS: JSON.stringify(fixture),
      },
      settings: { 'connectionSecrets.providers.pageSize': PEERS_PAGE_SIZE },
      secretValues: () => [...values, ADMIN_KEYS.secretAccessKey],
      expectedLogLines: [`Resolved ${aws.connection}`, 'Resolved payments-db', `Resolved ${azure.peer.connection}`],
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
