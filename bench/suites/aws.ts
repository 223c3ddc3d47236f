/**
 * AWS provider against moto, in one run: resolve 500 connections (1 000 references) that point
 * at 50 distinct secrets.
 *
 * - naive: a plain SDK loop, one GetSecretValue per reference (what a script without batching or
 *   caching does);
 * - ours: the core Resolver (one getValues per resolution, de-duplicated) over this provider
 *   (BatchGetSecretValue, ≤ 20 ids per call), cold (empty cache) and warm (same resolver again);
 * - peer: @aws-lambda-powertools/parameters `getSecret` with its cache (maxAge 300 s, JSON
 *   transform), in the same loop as the naive one, cold and warm.
 *
 * "calls" are HTTP requests counted by an SDK middleware on each client; wall time is the median
 * of three runs, each cold run with fresh caches. The machine is shared, so absolute times vary;
 * the ratios are what the suite is for.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DEFAULT_PROVIDERS } from '@aws-lambda-powertools/parameters/base';
import { getSecret, SecretsProvider as PowertoolsSecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { loadWorkspace } from '../../src/core/config';
import type { ProviderConfig, WorkspaceModel } from '../../src/core/model';
import { ProviderPool } from '../../src/core/providerPool';
import { Resolver } from '../../src/core/resolver';
import { interpretReference } from '../../src/core/references';
import { createAwsProvider, createDefaultClients, CredentialCache, type AwsClientsFactory } from '../../src/providers/aws';
import { freePort, httpAnswers, startServer } from '../../test/support/peer';
import type { BenchRow } from '../run';

const CONNECTIONS = 500;
const SECRETS = 50;
const RUNS = 3;
const REGION = 'us-east-1';
const KEYS = { accessKeyId: 'AKIABENCH00000000000', secretAccessKey: 'bench-not-a-secret' };

type Middleware = (next: (a: unknown) => Promise<unknown>) => (a: unknown) => Promise<unknown>;

function counter() {
  let n = 0;
  // After signing, just before sending: one count per HTTP request.
  const mw: Middleware = (next) => async (args) => {
    n++;
    return next(args);
  };
  const attach = (client: { middlewareStack: { add: (m: never, o: object) => void } }) => client.middlewareStack.add(mw as never, { step: 'deserialize', priority: 'high', name: 'benchCounter' });
  return { attach, get: () => n, reset: () => void (n = 0) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const t = process.hrtime.bigint();
  const result = await fn();
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, result };
}

/** Every (secret id, key) reference of the model, in file order. */
function referencesOf(model: WorkspaceModel): { secretId: string; key: string }[] {
  return model.connections.flatMap((c) =>
    c.fields.flatMap((f) =>
      f.references.map((r) => {
        const i = interpretReference(r.body, 'aws');
        if (!i.ok || !i.target.key) throw new Error(`bad reference ${r.raw}`);
        return { secretId: i.target.secretId, key: i.target.key };
      }),
    ),
  );
}

export default async function (): Promise<BenchRow[]> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const server = await startServer('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { ready: () => httpAnswers(`${endpoint}/moto-api/`) }).catch((e: Error) => {
    throw new Error(`moto_server could not start (install: bash scripts/ci/install.d/20-moto.sh): ${e.message}`);
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-bench-aws-'));
  const admin = new SecretsManagerClient({ endpoint, region: REGION, credentials: KEYS });
  try {
    for (let i = 0; i < SECRETS; i += 10) {
      await Promise.all(
        Array.from({ length: 10 }, (_, j) =>
          admin.send(new CreateSecretCommand({ Name: `bench/app-${String(i + j).padStart(2, '0')}`, SecretString: JSON.stringify({ username: `user${i + j}`, password: `pw-${i + j}-${Math.random().toString(36).slice(2)}` }) })),
        ),
      );
    }
    const connections = Array.from({ length: CONNECTIONS }, (_, i) => {
      const secret = `bench/app-${String(i % SECRETS).padStart(2, '0')}`;
      return `  db${i}:\n    type: postgres\n    host: db${i}.example.com\n    user: "{{workato:sm:username:${secret}}}"\n    password: "{{workato:sm:password:${secret}}}"\n`;
    });
    fs.writeFileSync(
      path.join(dir, 'connections.yaml'),
      `secretsManager:\n  scope: workspace\n  provider:\n    type: aws\n    region: ${REGION}\n    endpoint: ${endpoint}\nconnections:\n${connections.join('')}`,
    );
    const model = await loadWorkspace(dir);
    if (model.problems.length) throw new Error(`bench workspace has problems: ${model.problems[0].message}`);
    const refs = referencesOf(model);
    const distinct = new Set(refs.map((r) => r.secretId)).size;
    process.stderr.write(`bench aws: ${model.connections.length} connections, ${refs.length} references, ${distinct} distinct secrets (moto at ${endpoint})\n`);

    // --- naive: one GetSecretValue per reference, plain loop ---
    const naiveCalls = counter();
    const naiveClient = new SecretsManagerClient({ endpoint, region: REGION, credentials: KEYS, maxAttempts: 1 });
    naiveCalls.attach(naiveClient);
    const naiveTimes: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      naiveCalls.reset();
      const { ms, result } = await timed(async () => {
        const out: string[] = [];
        for (const r of refs) {
          const v = await naiveClient.send(new GetSecretValueCommand({ SecretId: r.secretId }));
          out.push(String((JSON.parse(v.SecretString!) as Record<string, string>)[r.key]));
        }
        return out;
      });
      if (result.length !== refs.length) throw new Error('naive loop lost values');
      naiveTimes.push(ms);
    }
    const naive = { calls: naiveCalls.get(), ms: median(naiveTimes) };

    // --- ours: Resolver + provider, cold then warm ---
    const oursCalls = counter();
    const factory: AwsClientsFactory = (s) => {
      const c = createDefaultClients(s);
      oursCalls.attach(c.secretsManager);
      return c;
    };
    const ctx = { credentials: { get: async () => undefined, forget: async () => undefined }, env: { AWS_ACCESS_KEY_ID: KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey } };
    const coldTimes: number[] = [];
    const warmTimes: number[] = [];
    let coldCalls = 0;
    let warmCalls = 0;
    for (let run = 0; run < RUNS; run++) {
      // As the CLI does: one provider per block from a pool, one resolver with its cache.
      const pool = new ProviderPool(async (config: ProviderConfig, context) => createAwsProvider(config, context, { clients: factory, credentialCache: new CredentialCache() }), ctx);
      const resolver = new Resolver({ getProvider: (config) => pool.get(config) });
      oursCalls.reset();
      const cold = await timed(() => resolver.resolveConnections(model));
      if (!cold.result.every((r) => r.ok)) throw new Error(`ours (cold): ${cold.result.find((r) => !r.ok)?.references.find((x) => x.error)?.error}`);
      coldCalls = oursCalls.get();
      coldTimes.push(cold.ms);
      oursCalls.reset();
      const warm = await timed(() => resolver.resolveConnections(model));
      if (!warm.result.every((r) => r.ok)) throw new Error('ours (warm) failed');
      warmCalls = oursCalls.get();
      warmTimes.push(warm.ms);
      await pool.disposeAll();
    }
    const ours = { coldCalls, coldMs: median(coldTimes), warmCalls, warmMs: median(warmTimes) };

    // --- peer: Powertools getSecret with its cache ---
    const ptCalls = counter();
    const ptColdTimes: number[] = [];
    const ptWarmTimes: number[] = [];
    let ptColdCalls = 0;
    let ptWarmCalls = 0;
    for (let run = 0; run < RUNS; run++) {
      const client = new SecretsManagerClient({ endpoint, region: REGION, credentials: KEYS, maxAttempts: 1 });
      ptCalls.attach(client);
      // getSecret() uses DEFAULT_PROVIDERS.secrets; a fresh one per run is a cold cache on moto.
      DEFAULT_PROVIDERS.secrets = new PowertoolsSecretsProvider({ awsSdkV3Client: client });
      const loop = async () => {
        const out: string[] = [];
        for (const r of refs) {
          const v = (await getSecret(r.secretId, { transform: 'json', maxAge: 300 })) as Record<string, string>;
          out.push(v[r.key]);
        }
        return out;
      };
      ptCalls.reset();
      const cold = await timed(loop);
      ptColdCalls = ptCalls.get();
      ptColdTimes.push(cold.ms);
      ptCalls.reset();
      const warm = await timed(loop);
      ptWarmCalls = ptCalls.get();
      ptWarmTimes.push(warm.ms);
      client.destroy();
    }
    delete DEFAULT_PROVIDERS.secrets;
    const pt = { coldCalls: ptColdCalls, coldMs: median(ptColdTimes), warmCalls: ptWarmCalls, warmMs: median(ptWarmTimes) };

    const ratio = (peer: number, mine: number) => (mine > 0 ? peer / mine : undefined);
    const rows: BenchRow[] = [
      { name: 'aws 500 conns cold: calls vs naive loop', value: ours.coldCalls, unit: 'calls', peer: naive.calls, peerName: 'naive GetSecretValue loop', ratio: ratio(naive.calls, ours.coldCalls) },
      { name: 'aws 500 conns cold: wall vs naive loop', value: ours.coldMs, unit: 'ms', peer: naive.ms, peerName: 'naive GetSecretValue loop', ratio: ratio(naive.ms, ours.coldMs) },
      { name: 'aws 500 conns warm: calls vs naive loop', value: ours.warmCalls, unit: 'calls', peer: naive.calls, peerName: 'naive GetSecretValue loop', ratio: ratio(naive.calls, ours.warmCalls) },
      { name: 'aws 500 conns warm: wall vs naive loop', value: ours.warmMs, unit: 'ms', peer: naive.ms, peerName: 'naive GetSecretValue loop', ratio: ratio(naive.ms, ours.warmMs) },
      { name: 'aws 500 conns cold: calls vs powertools', value: ours.coldCalls, unit: 'calls', peer: pt.coldCalls, peerName: 'powertools getSecret', ratio: ratio(pt.coldCalls, ours.coldCalls) },
      { name: 'aws 500 conns cold: wall vs powertools', value: ours.coldMs, unit: 'ms', peer: pt.coldMs, peerName: 'powertools getSecret', ratio: ratio(pt.coldMs, ours.coldMs) },
      { name: 'aws 500 conns warm: calls vs powertools', value: ours.warmCalls, unit: 'calls', peer: pt.warmCalls, peerName: 'powertools getSecret', ratio: ratio(pt.warmCalls, ours.warmCalls) },
      { name: 'aws 500 conns warm: wall vs powertools', value: ours.warmMs, unit: 'ms', peer: pt.warmMs, peerName: 'powertools getSecret', ratio: ratio(pt.warmMs, ours.warmMs) },
    ];
    const fmt = (x: number | undefined) => (x === undefined ? '∞ (0 calls)' : `${x.toFixed(1)}x`);
    process.stderr.write(
      [
        `bench aws: naive ${naive.calls} calls / ${naive.ms.toFixed(0)} ms; ours cold ${ours.coldCalls} calls / ${ours.coldMs.toFixed(0)} ms, warm ${ours.warmCalls} calls / ${ours.warmMs.toFixed(1)} ms; powertools cold ${pt.coldCalls} calls / ${pt.coldMs.toFixed(0)} ms, warm ${pt.warmCalls} calls / ${pt.warmMs.toFixed(1)} ms`,
        `bench aws: cold vs naive: ${fmt(ratio(naive.calls, ours.coldCalls))} fewer calls (target ≥ 10x), ${fmt(ratio(naive.ms, ours.coldMs))} less wall time (target ≥ 5x)`,
        `bench aws: cold vs powertools: ${fmt(ratio(pt.coldCalls, ours.coldCalls))} fewer calls, ${fmt(ratio(pt.coldMs, ours.coldMs))} less wall time`,
      ].join('\n') + '\n',
    );
    return rows;
  } finally {
    admin.destroy();
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
