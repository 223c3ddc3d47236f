/**
 * Completion of secret names (issue 10): 100 completion requests inside `{{workato:sm:password:`
 * on a provider holding 2,000 secrets, through the same code the editor runs (`completeAt` over
 * the `SecretListings` cache, page size 50 as the Providers view), against a peer that lists the
 * provider on every request (no listing cache) — measured in the same run.
 *
 * - file provider: 100 requests each way;
 * - AWS Secrets Manager on moto (when installed): 100 requests ours; the naive peer lists 2,000
 *   secrets in 40 ListSecrets calls per request, so it runs 10 requests and the rows are per
 *   request (a figure per request is what the comparison needs).
 *
 * "provider calls" are `list` calls reaching the provider (pages); "listings" complete page loops.
 */
import path from 'node:path';
import { completeAt, type CompletionRequest } from '../../src/core/assist/completion';
import { SecretListings } from '../../src/core/listings';
import type { ProviderConfig } from '../../src/core/model';
import { listAll, type SecretsProvider, type SecretSummary } from '../../src/core/provider';
import { Resolver } from '../../src/core/resolver';
import { createProvider as createFileProvider } from '../../src/providers/file';
import { createAwsProvider } from '../../src/providers/aws';
import { awsBlock, haveMoto, keysContext, seedSecrets, startMoto, ADMIN_KEYS } from '../../test/support/moto';
import { tempWorkspace } from '../../test/support/workspace';
import type { BenchRow } from '../run';

const SECRETS = 2000;
const REQUESTS = 100;
const PAGE_SIZE = 50;
const TEXT = '    password: "{{workato:sm:password:';
const OFFSET = TEXT.length;

function counted(p: SecretsProvider): { provider: SecretsProvider; calls: () => number } {
  let n = 0;
  // A proxy, not a spread: the AWS provider is a class whose methods live on its prototype.
  const provider = new Proxy(p, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (prop === 'list') return (o?: Parameters<SecretsProvider['list']>[0]) => (n++, target.list(o));
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { provider, calls: () => n };
}

/** `requests` completions through the editor's path (listing cache) or listing every time (naive). */
async function run(config: ProviderConfig, base: SecretsProvider, requests: number, cached: boolean) {
  const { provider, calls } = counted(base);
  const resolver = new Resolver({ getProvider: async () => provider });
  const listings = new SecretListings({ getProvider: async () => provider, pageSize: PAGE_SIZE, ttlMs: 300_000 });
  const naiveList = async () => {
    const items: SecretSummary[] = [];
    for await (const s of listAll(provider, { pageSize: PAGE_SIZE })) items.push(s);
    return { items, truncated: false };
  };
  const request: CompletionRequest = { provider: config, isRootFile: true, sources: { list: cached ? (c, parent) => listings.list(c, parent) : naiveList, keysOf: (c, id) => resolver.keysOf(c, id) } };
  let offered = 0;
  const t = process.hrtime.bigint();
  for (let i = 0; i < requests; i++) offered = (await completeAt(TEXT, OFFSET, request)).items.length;
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (offered < SECRETS) throw new Error(`a completion offered ${offered} items, expected ${SECRETS}`);
  return { ms, calls: calls(), listings: cached ? listings.stats.listings : requests };
}

async function fileRows(): Promise<BenchRow[]> {
  const secrets = Object.fromEntries(Array.from({ length: SECRETS }, (_, i) => [`svc-${String(i).padStart(4, '0')}`, { username: `u${i}`, password: `bench-not-a-secret-${i}` }]));
  const ws = tempWorkspace({ 'secrets.json': JSON.stringify(secrets) });
  try {
    const config: ProviderConfig = { type: 'file', options: { path: 'secrets.json' }, file: path.join(ws.root, 'connections.yaml'), dir: ws.root, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } };
    const base = createFileProvider(config, { credentials: { get: async () => undefined, forget: async () => {} } }) as SecretsProvider;
    await run(config, base, 3, false); // warm the JIT and the file provider's parse
    const ours = await run(config, base, REQUESTS, true);
    const naive = await run(config, base, REQUESTS, false);
    return [
      { name: `completion: ${REQUESTS} requests, ${SECRETS} secrets (file)`, value: +ours.ms.toFixed(1), unit: 'ms', peer: +naive.ms.toFixed(1), peerName: 'listing per request', ratio: naive.ms / ours.ms },
      { name: `completion: provider calls for ${REQUESTS} requests (file)`, value: ours.calls, unit: 'list calls', peer: naive.calls, peerName: 'listing per request', ratio: naive.calls / ours.calls },
      { name: `completion: listings for ${REQUESTS} requests (file)`, value: ours.listings, unit: 'listings', peer: naive.listings, peerName: 'listing per request', ratio: naive.listings / ours.listings },
    ];
  } finally {
    ws.cleanup();
  }
}

async function motoRows(): Promise<BenchRow[]> {
  if (!haveMoto()) {
    process.stderr.write('bench assist: moto_server not installed, moto rows skipped\n');
    return [];
  }
  const moto = await startMoto(undefined);
  try {
    await seedSecrets(moto, 'bench/svc-', SECRETS, (i) => ({ username: `u${i}`, password: `bench-not-a-secret-${i}` }));
    const config = awsBlock({ region: moto.region, endpoint: moto.endpoint });
    const base = await createAwsProvider(config, keysContext(ADMIN_KEYS));
    try {
      const ours = await run(config, base, REQUESTS, true);
      const naiveRequests = 10;
      const naive = await run(config, base, naiveRequests, false);
      const perOurs = ours.ms / REQUESTS;
      const perNaive = naive.ms / naiveRequests;
      return [
        { name: `completion on moto: time per request over ${REQUESTS} (peer: over ${naiveRequests}), ${SECRETS} secrets`, value: +perOurs.toFixed(2), unit: 'ms/request', peer: +perNaive.toFixed(1), peerName: 'ListSecrets loop per request', ratio: perNaive / perOurs },
        { name: `completion on moto: ListSecrets calls per request`, value: +(ours.calls / REQUESTS).toFixed(2), unit: 'calls/request', peer: naive.calls / naiveRequests, peerName: 'ListSecrets loop per request', ratio: naive.calls / naiveRequests / (ours.calls / REQUESTS) },
        { name: `completion on moto: ListSecrets calls for ${REQUESTS} requests`, value: ours.calls, unit: 'calls' },
      ];
    } finally {
      base.dispose();
    }
  } finally {
    await moto.stop();
  }
}

export default async function (): Promise<BenchRow[]> {
  return [...(await fileRows()), ...(await motoRows())];
}
