/**
 * Vault against OpenBao: resolving 500 connections (2 references each, username + password)
 * that point at 50 distinct KV v2 secrets. Peer: the naive approach, one `node-vault` read per
 * reference (after one AppRole login). Ours: the core Resolver (loader, cache, redactor) with the
 * vault provider, cold (fresh resolver and provider: login, sys/mounts, one read per distinct
 * secret) and warm (same resolver again). HTTP requests are counted by a loopback proxy in front
 * of OpenBao that both sides go through; times are medians of several runs.
 */
import { performance } from 'node:perf_hooks';
import nodeVault from 'node-vault';
import { loadWorkspace } from '../../src/core/config';
import { ProviderPool } from '../../src/core/providerPool';
import { Resolver } from '../../src/core/resolver';
import { interpretReference } from '../../src/core/references';
import { createProvider } from '../../src/providers';
import type { BenchRow } from '../run';
import { startCountingProxy } from '../../test/support/countingProxy';
import { createAppRole, haveOpenBao, mountKv, OPENBAO_INSTALL, policyPath, startOpenBao, writeKv } from '../../test/support/openbao';
import { tempWorkspace } from '../../test/support/workspace';

const CONNECTIONS = 500;
const SECRETS = 50;
const RUNS = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export default async function (): Promise<BenchRow[]> {
  if (!haveOpenBao()) throw new Error(`OpenBao (bao) is not installed: ${OPENBAO_INSTALL}`);
  const bao = await startOpenBao();
  const proxy = await startCountingProxy(bao.address);
  const ws = { cleanup: () => {} } as { root: string; cleanup: () => void };
  try {
    await bao.api('POST', 'sys/auth/approle', { type: 'approle' });
    await mountKv(bao, 'apps', 2);
    for (let i = 0; i < SECRETS; i++) await writeKv(bao, 'apps', 2, `team/db${i}`, { username: `user${i}`, password: `bench-password-${i}-${'x'.repeat(24)}` });
    const role = await createAppRole(bao, 'bench', policyPath('apps/data/*', ['read']) + policyPath('apps/metadata/*', ['read', 'list']) + policyPath('sys/mounts/apps', ['read']));

    const conns = Array.from(
      { length: CONNECTIONS },
      (_, i) => `  c${i}:\n    type: postgres\n    host: h${i}\n    user: "{{workato:sm:username:apps:team/db${i % SECRETS}}}"\n    password: "{{workato:sm:password:apps:team/db${i % SECRETS}}}"\n`,
    ).join('');
    Object.assign(
      ws,
      tempWorkspace({
        'connections.yaml': `secretsManager:\n  provider:\n    type: vault\n    address: ${proxy.url}\n    auth: { method: approle, roleName: bench, roleId: ${role.roleId} }\nconnections:\n${conns}`,
      }),
    );
    const model = await loadWorkspace(ws.root);
    if (model.connections.length !== CONNECTIONS) throw new Error(`expected ${CONNECTIONS} connections, loaded ${model.connections.length}`);
    const references = model.connections.flatMap((c) => c.fields.flatMap((f) => f.references));

    // --- naive: one node-vault read per reference, in order, after one AppRole login.
    async function naive(concurrent: boolean): Promise<{ ms: number; requests: number }> {
      const secretId = await role.newSecretId();
      proxy.reset();
      const t0 = performance.now();
      const vault = nodeVault({ endpoint: proxy.url, apiVersion: 'v1' });
      await vault.approleLogin({ role_id: role.roleId, secret_id: secretId });
      const readOne = async (body: string) => {
        const i = interpretReference(body, 'vault');
        if (!i.ok) throw new Error(i.error);
        const answer = await vault.read(`${i.target.engine}/data/${i.target.path}`);
        const value = answer.data.data[i.target.key!];
        if (typeof value !== 'string') throw new Error('naive read returned no value');
      };
      if (concurrent) await Promise.all(references.map((r) => readOne(r.body)));
      else for (const r of references) await readOne(r.body);
      return { ms: performance.now() - t0, requests: proxy.requests.length };
    }

    // --- ours: the core resolver over the vault provider.
    async function ours(): Promise<{ cold: { ms: number; requests: number }; warm: { ms: number; requests: number } }> {
      const secretId = await role.newSecretId();
      const pool = new ProviderPool(createProvider, {
        credentials: { get: async () => secretId, forget: async () => {} },
      });
      const resolver = new Resolver({ getProvider: (c) => pool.get(c) });
      proxy.reset();
      let t0 = performance.now();
      const cold = await resolver.resolveConnections(model);
      const coldMs = performance.now() - t0;
      const coldRequests = proxy.requests.length;
      if (!cold.every((r) => r.ok)) throw new Error(`cold resolution failed: ${cold.find((r) => !r.ok)?.references.find((x) => x.error)?.error}`);
      proxy.reset();
      t0 = performance.now();
      const warm = await resolver.resolveConnections(model);
      const warmMs = performance.now() - t0;
      if (!warm.every((r) => r.ok)) throw new Error('warm resolution failed');
      const warmRequests = proxy.requests.length;
      await pool.disposeAll();
      return { cold: { ms: coldMs, requests: coldRequests }, warm: { ms: warmMs, requests: warmRequests } };
    }

    // One untimed round of each warms OpenBao, the JIT and the sockets for both sides alike.
    await naive(false);
    await ours();
    const naiveRuns: { ms: number; requests: number }[] = [];
    const naiveConcurrentRuns: { ms: number; requests: number }[] = [];
    const ourRuns: Awaited<ReturnType<typeof ours>>[] = [];
    for (let i = 0; i < RUNS; i++) {
      naiveRuns.push(await naive(false));
      naiveConcurrentRuns.push(await naive(true));
      ourRuns.push(await ours());
    }
    const naiveMs = median(naiveRuns.map((r) => r.ms));
    const naiveReq = median(naiveRuns.map((r) => r.requests));
    const naiveConcMs = median(naiveConcurrentRuns.map((r) => r.ms));
    const coldMs = median(ourRuns.map((r) => r.cold.ms));
    const coldReq = median(ourRuns.map((r) => r.cold.requests));
    const warmMs = median(ourRuns.map((r) => r.warm.ms));
    const warmReq = median(ourRuns.map((r) => r.warm.requests));
    const label = `${CONNECTIONS} conns/${references.length} refs/${SECRETS} secrets`;
    return [
      { name: `vault cold: HTTP requests (${label})`, value: coldReq, unit: 'requests', peer: naiveReq, peerName: 'node-vault read per ref', ratio: naiveReq / coldReq },
      { name: `vault cold: wall time (${label})`, value: +coldMs.toFixed(1), unit: 'ms', peer: +naiveMs.toFixed(1), peerName: 'node-vault read per ref', ratio: naiveMs / coldMs },
      { name: `vault cold: wall time vs concurrent naive`, value: +coldMs.toFixed(1), unit: 'ms', peer: +naiveConcMs.toFixed(1), peerName: 'node-vault, all reads at once', ratio: naiveConcMs / coldMs },
      { name: `vault warm: HTTP requests (${label})`, value: warmReq, unit: 'requests', peer: naiveReq, peerName: 'node-vault read per ref (no cache)' },
      { name: `vault warm: wall time (${label})`, value: +warmMs.toFixed(2), unit: 'ms', peer: +naiveMs.toFixed(1), peerName: 'node-vault read per ref (no cache)', ratio: naiveMs / warmMs },
    ];
  } finally {
    ws.cleanup();
    await proxy.stop();
    await bao.stop();
  }
}
