/**
 * Foundation figures: the extension bundle's size, activation time (fresh process, stub
 * `vscode`) against a peer that imports the provider SDKs eagerly, and resolver throughput
 * from a warm cache.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { loadWorkspace } from '../../src/core/config';
import { Resolver } from '../../src/core/resolver';
import { SecretCache } from '../../src/core/cache';
import { createProvider } from '../../src/providers/file';
import type { BenchRow } from '../run';
import { tempWorkspace } from '../../test/support/workspace';

const RUNS = 7;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function activation(mode: 'extension' | 'eager'): { ms: number; sdkModules: number } {
  const runs = Array.from({ length: RUNS }, () => {
    const r = spawnSync(process.execPath, [path.join(__dirname, '../support/activate.cjs'), mode], { encoding: 'utf8', cwd: path.join(__dirname, '../..') });
    if (r.status !== 0) throw new Error(`activation child failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as { ms: number; sdkModules: number };
  });
  return { ms: median(runs.map((r) => r.ms)), sdkModules: Math.max(...runs.map((r) => r.sdkModules)) };
}

export default async function (): Promise<BenchRow[]> {
  const root = path.join(__dirname, '../..');
  const bundle = fs.statSync(path.join(root, 'dist/extension.js')).size;
  const ours = activation('extension');
  const peer = activation('eager');

  // Warm-cache resolution: 1,000 connections × 2 references over 50 secrets of the file provider.
  const secrets = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`s${i}`, { user: `u${i}`, password: `p${i}-xxxxxxxx` }]));
  const conns = Array.from({ length: 1000 }, (_, i) => `  c${i}:\n    type: postgres\n    host: h\n    user: "{{workato:sm:user:s${i % 50}}}"\n    password: "{{workato:sm:password:s${i % 50}}}"\n`).join('');
  const ws = tempWorkspace({ 'connections.yaml': `secretsManager:\n  provider:\n    type: file\n    path: secrets.json\nconnections:\n${conns}`, 'secrets.json': JSON.stringify(secrets) });
  try {
    const model = await loadWorkspace(ws.root);
    const provider = createProvider(model.files[0].provider!, { credentials: { get: async () => undefined, forget: async () => {} } });
    const resolver = new Resolver({ getProvider: async () => provider, cache: new SecretCache() });
    await resolver.resolveConnections(model); // warm
    const rounds = 20;
    const t0 = performance.now();
    for (let i = 0; i < rounds; i++) await resolver.resolveConnections(model);
    const seconds = (performance.now() - t0) / 1000;
    const perSecond = (rounds * model.connections.length) / seconds;
    return [
      { name: 'extension bundle size', value: Math.round(bundle / 1024), unit: 'KiB' },
      { name: 'activation: load bundle + activate()', value: +ours.ms.toFixed(1), unit: 'ms', peer: +peer.ms.toFixed(1), peerName: 'eager SDK imports', ratio: peer.ms / ours.ms },
      { name: 'provider SDK modules evaluated at activation', value: ours.sdkModules, unit: 'modules', peer: peer.sdkModules, peerName: 'eager SDK imports' },
      { name: 'resolver, warm cache (2 refs/connection)', value: Math.round(perSecond), unit: 'connections/s' },
    ];
  } finally {
    ws.cleanup();
  }
}
