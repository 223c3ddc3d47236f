/**
 * Azure Key Vault: resolving 200 connections that reference 40 distinct secrets (20 accounts ×
 * user + password, 400 references), naive (`SecretClient.getSecret` per reference, 8 in flight)
 * versus this provider through the Resolver (cache, de-duplication, one challenge), cold (new
 * clients, empty cache) and warm (same clients / cache, second pass). Requests are counted at the
 * server; both sides use the real Azure SDK and ClientSecretCredential.
 *
 * The server is the HTTPS Key Vault + Entra ID stand-in of the tests, in this process: the
 * lowkey-vault jar is not served by the Maven Central this machine reaches (see
 * test/support/keyVaultStandIn.ts). Wall times therefore include the server's own work on the
 * same event loop and say nothing about Azure's latency; request counts are what carries over.
 */
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { ClientSecretCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { loadWorkspace } from '../../src/core/config';
import { Resolver } from '../../src/core/resolver';
import { SecretCache } from '../../src/core/cache';
import { createProvider } from '../../src/providers/azure';
import type { BenchRow } from '../run';
import { EntraStandIn, KeyVaultStandIn } from '../../test/support/keyVaultStandIn';
import { makeTlsFixture } from '../../test/support/tlsFixture';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT = '0c9b1a6e-4f4e-4c43-9d6a-1f6c1e7b2a11';
const SECRET = 'bench-client-secret';
const CONNECTIONS = 200;
const ACCOUNTS = 20; // × (user, password) = 40 distinct secrets
const RUNS = 3;
const NAIVE_CONCURRENCY = 8;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<void>) {
  let i = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (i < items.length) await fn(items[i++]);
  }));
}

interface Measure {
  requests: number;
  ms: number;
}

export default async function (): Promise<BenchRow[]> {
  const fixture = makeTlsFixture();
  const entra = await EntraStandIn.start(fixture);
  entra.register({ tenantId: TENANT, clientId: CLIENT, objectId: 'bench', secret: SECRET });
  const kv = await KeyVaultStandIn.start(fixture, TENANT);
  try {
    for (let a = 0; a < ACCOUNTS; a++) {
      kv.setSecret(`acct-${a}-user`, `user-${a}`);
      kv.setSecret(`acct-${a}-password`, `password-${a}-${'x'.repeat(24)}`);
    }
    const root = path.join(fixture.dir, 'ws');
    fs.mkdirSync(root);
    fs.copyFileSync(fixture.caCertPath, path.join(root, 'ca.pem'));
    const conns = Array.from({ length: CONNECTIONS }, (_, i) => `  c${i}:\n    type: postgres\n    host: db${i}.example.com\n    user: "{{workato:sm:acct-${i % ACCOUNTS}-user}}"\n    password: "{{workato:sm:acct-${i % ACCOUNTS}-password}}"\n`).join('');
    fs.writeFileSync(
      path.join(root, 'connections.yaml'),
      `secretsManager:\n  provider:\n    type: azure\n    vaultUrl: ${kv.url}\n    tenantId: ${TENANT}\n    clientId: ${CLIENT}\n    caCert: ca.pem\n    authorityHost: ${entra.authorityHost}\n    disableChallengeResourceVerification: true\nconnections:\n${conns}`,
    );
    const model = await loadWorkspace(root);
    if (model.problems.length) throw new Error(`bench workspace has problems: ${model.problems.map((p) => p.message).join('; ')}`);
    const refs = model.connections.flatMap((c) => c.fields.flatMap((f) => f.references.map((r) => r.body)));
    if (refs.length !== 2 * CONNECTIONS || new Set(refs).size !== 2 * ACCOUNTS) throw new Error('unexpected bench workspace');

    const requests = () => kv.count() + entra.tokenRequests;
    const measure = async (fn: () => Promise<void>): Promise<Measure> => {
      kv.resetCounts();
      entra.tokenRequests = 0;
      const t0 = performance.now();
      await fn();
      return { ms: performance.now() - t0, requests: requests() };
    };

    // Naive: one SecretClient, getSecret for every reference of every connection.
    const tlsOptions = { ca: [...tls.rootCertificates, fixture.caCert] };
    const naive = () => {
      const credential = new ClientSecretCredential(TENANT, CLIENT, SECRET, { authorityHost: entra.authorityHost, disableInstanceDiscovery: true, tlsOptions });
      const client = new SecretClient(kv.url, credential, { disableChallengeResourceVerification: true, tlsOptions });
      return async () => {
        await pool(refs, NAIVE_CONCURRENCY, async (name) => {
          const s = await client.getSecret(name);
          if (s.value === undefined) throw new Error('no value');
        });
      };
    };
    // Ours: the Resolver with its cache over this provider.
    const ours = () => {
      const credentials = { get: async () => SECRET, forget: async () => {} };
      const providerConfig = model.files[0].provider!;
      const provider = createProvider(providerConfig, { credentials });
      const resolver = new Resolver({ getProvider: async () => provider, cache: new SecretCache() });
      return async () => {
        const results = await resolver.resolveConnections(model);
        if (!results.every((r) => r.ok)) throw new Error(`unresolved: ${results.find((r) => !r.ok)?.references.find((x) => x.error)?.error}`);
      };
    };

    const rows = { naiveCold: [] as Measure[], naiveWarm: [] as Measure[], oursCold: [] as Measure[], oursWarm: [] as Measure[] };
    for (let run = 0; run < RUNS; run++) {
      const n = naive();
      rows.naiveCold.push(await measure(n));
      rows.naiveWarm.push(await measure(n));
      const o = ours();
      rows.oursCold.push(await measure(o));
      rows.oursWarm.push(await measure(o));
    }
    const req = (m: Measure[]) => median(m.map((x) => x.requests));
    const ms = (m: Measure[]) => +median(m.map((x) => x.ms)).toFixed(1);
    const ratio = (peer: number, mine: number) => (mine > 0 ? peer / mine : undefined);
    const label = `${CONNECTIONS} connections, ${2 * CONNECTIONS} refs, ${2 * ACCOUNTS} secrets`;
    return [
      { name: `azure cold: HTTP requests (${label})`, value: req(rows.oursCold), unit: 'requests', peer: req(rows.naiveCold), peerName: 'naive getSecret per reference', ratio: ratio(req(rows.naiveCold), req(rows.oursCold)) },
      { name: 'azure cold: wall time (in-process stand-in)', value: ms(rows.oursCold), unit: 'ms', peer: ms(rows.naiveCold), peerName: 'naive getSecret per reference', ratio: ratio(ms(rows.naiveCold), ms(rows.oursCold)) },
      { name: 'azure warm: HTTP requests (second pass)', value: req(rows.oursWarm), unit: 'requests', peer: req(rows.naiveWarm), peerName: 'naive getSecret per reference', ratio: ratio(req(rows.naiveWarm), req(rows.oursWarm)) },
      { name: 'azure warm: wall time (in-process stand-in)', value: ms(rows.oursWarm), unit: 'ms', peer: ms(rows.naiveWarm), peerName: 'naive getSecret per reference', ratio: ratio(ms(rows.naiveWarm), ms(rows.oursWarm)) },
    ];
  } finally {
    await kv.stop();
    await entra.stop();
    fixture.remove();
  }
}
