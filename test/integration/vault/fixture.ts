/**
 * Shared set-up of the vault integration tests: an OpenBao dev server configured through its API
 * with a KV v1 and a KV v2 engine, nested secrets holding canary values, AppRole roles with
 * different policies, and a namespace with its own engine and AppRole.
 */
import os from 'node:os';
import path from 'node:path';
import { canary } from '../../support/canary';
import { createAppRole, mountKv, policyPath, writeKv, type AppRoleFixture, type OpenBao } from '../../support/openbao';
import type { CredentialSource, ProviderContext, SecretsProvider } from '../../../src/core/provider';
import type { ProviderConfig } from '../../../src/core/model';
import { createProvider } from '../../../src/providers/vault';

export interface VaultFixture {
  bao: OpenBao;
  canaries: string[];
  values: {
    kv1Warehouse: Record<string, string>;
    kv2Warehouse: Record<string, string>;
    kv2Jira: Record<string, string>;
    kv2Ssh: Record<string, string>;
    nsDb: Record<string, string>;
  };
  roles: { reader: AppRoleFixture; nolist: AppRoleFixture; nomounts: AppRoleFixture };
  nsRole?: AppRoleFixture;
  namespace?: string;
}

/** A credential source that answers from a map and records what was asked and forgotten. */
export class MemoryCredentials implements CredentialSource {
  readonly asked: string[] = [];
  readonly forgotten: string[] = [];
  constructor(readonly store: Map<string, string> = new Map()) {}
  async get(key: string): Promise<string | undefined> {
    this.asked.push(key);
    return this.store.get(key);
  }
  async forget(key: string): Promise<void> {
    this.forgotten.push(key);
    this.store.delete(key);
  }
}

export interface ProviderHandle {
  provider: SecretsProvider;
  credentials: MemoryCredentials;
  logs: string[];
}

/** Builds a vault provider the way the registry does, from a provider block. */
export async function makeProvider(
  options: Record<string, unknown>,
  extra: { credentials?: MemoryCredentials; env?: NodeJS.ProcessEnv; timeoutMs?: number; dir?: string } = {},
): Promise<ProviderHandle> {
  const logs: string[] = [];
  const credentials = extra.credentials ?? new MemoryCredentials();
  const dir = extra.dir ?? os.tmpdir();
  const config: ProviderConfig = {
    type: 'vault',
    options: { type: 'vault', ...options },
    file: path.join(dir, 'connections.yaml'),
    dir,
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
  };
  const context: ProviderContext = { credentials, log: (m) => logs.push(m), timeoutMs: extra.timeoutMs, env: extra.env ?? {} };
  return { provider: await createProvider(config, context), credentials, logs };
}

/** An AppRole provider for `role`, with a fresh secret_id in its credential store. */
export async function appRoleProvider(
  address: string,
  role: AppRoleFixture,
  extra: { namespace?: string; mount?: string; timeoutMs?: number; caCert?: string; dir?: string } = {},
): Promise<ProviderHandle> {
  const credentials = new MemoryCredentials(new Map([[`vault.secretId:${address}:${role.roleName}`, await role.newSecretId()]]));
  return makeProvider(
    {
      address,
      ...(extra.namespace ? { namespace: extra.namespace } : {}),
      ...(extra.caCert ? { caCert: extra.caCert } : {}),
      auth: { method: 'approle', mount: extra.mount ?? 'approle', roleName: role.roleName, roleId: role.roleId },
    },
    { credentials, timeoutMs: extra.timeoutMs, dir: extra.dir },
  );
}

/** Configures a fresh OpenBao dev server. */
export async function seedVault(bao: OpenBao): Promise<VaultFixture> {
  const canaries: string[] = [];
  const c = (label: string) => {
    const v = canary(label);
    canaries.push(v);
    return v;
  };
  await bao.api('POST', 'sys/auth/approle', { type: 'approle' });
  await mountKv(bao, 'kv1', 1);
  await mountKv(bao, 'kv2', 2);
  const values = {
    kv1Warehouse: { username: 'wh_user', password: c('kv1-pass') },
    kv2Warehouse: { username: 'wh_user2', password: c('kv2-pass') },
    kv2Jira: { token: c('jira-token') },
    kv2Ssh: { privateKey: c('ssh-key') },
    nsDb: { password: c('ns-pass') },
  };
  await writeKv(bao, 'kv1', 1, 'apps/warehouse', values.kv1Warehouse);
  await writeKv(bao, 'kv1', 1, 'apps/team/nested/deep', { v: c('kv1-deep') });
  await writeKv(bao, 'kv2', 2, 'apps/warehouse', values.kv2Warehouse);
  await writeKv(bao, 'kv2', 2, 'apps/team/jira', values.kv2Jira);
  await writeKv(bao, 'kv2', 2, 'apps/team/sub/ssh', values.kv2Ssh);
  await writeKv(bao, 'kv2', 2, 'restricted/root-db', { password: c('restricted') });

  const engineRead = policyPath('kv1/*', ['read', 'list']) + policyPath('kv2/data/*', ['read']) + policyPath('kv2/metadata/*', ['read', 'list']);
  const mountsRead = policyPath('sys/mounts/kv1', ['read']) + policyPath('sys/mounts/kv2', ['read']);
  const restricted = policyPath('kv2/data/restricted/*', ['deny']);
  const reader = await createAppRole(bao, 'reader', engineRead + mountsRead + restricted);
  const nolist = await createAppRole(
    bao,
    'nolist',
    policyPath('kv1/*', ['read']) + policyPath('kv2/data/*', ['read']) + policyPath('kv2/metadata/*', ['read']) + mountsRead,
  );
  const nomounts = await createAppRole(bao, 'nomounts', engineRead);

  const fixture: VaultFixture = { bao, canaries, values, roles: { reader, nolist, nomounts } };
  // Namespaces: OpenBao 2.3+ serves them in the dev server; the pinned 2.7.2 does.
  const ns = await bao.raw('POST', 'sys/namespaces/team1', {});
  if (ns.status < 300) {
    await bao.api('POST', 'sys/auth/approle', { type: 'approle' }, { namespace: 'team1' });
    await mountKv(bao, 'nskv', 2, 'team1');
    await writeKv(bao, 'nskv', 2, 'apps/db', values.nsDb, 'team1');
    fixture.nsRole = await createAppRole(bao, 'nsreader', policyPath('nskv/data/*', ['read']) + policyPath('nskv/metadata/*', ['read', 'list']) + policyPath('sys/mounts/nskv', ['read']), {
      namespace: 'team1',
    });
    fixture.namespace = 'team1';
  }
  return fixture;
}
