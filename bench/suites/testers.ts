/**
 * "Test all connections": 50 connections (PostgreSQL, MariaDB, OpenSSH, nginx with basic /
 * bearer / API key / OAuth / mutual TLS) tested concurrently with the default bounds, against the
 * slowest of the same tests run one at a time. Target: the whole run takes less than twice the
 * slowest single test.
 *
 * Measured twice: straight to the servers on loopback, and through relays that add 25 ms each
 * way, like servers in a nearby data centre. On loopback a test is pure CPU, and with every server
 * on this machine's 2 cores the run is bounded by CPU, not by waiting — which is what concurrency
 * overlaps. All servers are real (started here, stopped at the end); the OAuth token endpoint and
 * the latency relays are the bench's own.
 *
 * Beside the ratio the suite prints the CPU time of the run (this process, the servers and what
 * they fork) and the floor it sets on 2 cores, so the figure can be read: a run cannot finish
 * before CPU time ÷ cores, however it is scheduled (docs/testing-connections.md, "Test all").
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchRow } from '../run';
import { serverKey, testAll, DEFAULT_CONCURRENCY, DEFAULT_PER_KEY_CONCURRENCY } from '../../src/core/testAll';
import type { ResolvedConnectionValues } from '../../src/core/tester';
import { testConnection } from '../../src/testers';
import { cores, cpuTimeAvailable, machineCpuMs, treeCpuMs } from '../support/cpuTime';
import { startLatencyProxy, type LatencyProxy } from '../../test/support/latencyProxy';
import { startMariadb } from '../../test/support/mariadb';
import { startNginx } from '../../test/support/nginx';
import { startOAuthServer } from '../../test/support/oauthServer';
import { issueCert, makeCa } from '../../test/support/pki';
import { startPostgres } from '../../test/support/postgres';
import { makeSshKey, startSshd } from '../../test/support/sshd';

const COUNT = 50;
const ROUNDS = 3;
const ONE_WAY_MS = 25;

type Ports = { pg: number; maria: number; ssh: number; http: number; https: number; mtls: number; oauth: number };

export default async function (): Promise<BenchRow[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-bench-testers-'));
  const secret = `bench-${Math.random().toString(36).slice(2)}`;
  const ca = makeCa(dir, 'bench-ca');
  const client = issueCert(dir, ca, 'bench-client', 'client');
  const key = makeSshKey(dir, 'bench-key');
  const [pg, maria, sshd, oauth, nginx] = await Promise.all([
    startPostgres(),
    startMariadb(),
    startSshd([key.publicKey]),
    startOAuthServer({ clientId: 'bench', clientSecret: secret, accessToken: `${secret}-token` }),
    startNginx({ credentials: { basic: { username: 'bench', password: secret }, bearerTokens: [secret, `${secret}-token`], apiKey: { header: 'X-API-Key', value: secret } }, serverCert: issueCert(dir, ca, 'bench-server', 'server'), clientCa: ca }),
  ]);
  const proxies: LatencyProxy[] = [];
  try {
    await pg.createUser('bench', secret);
    await maria.createUser('bench', secret);
    const portOf = (url: string) => Number(new URL(url).port);
    const direct: Ports = { pg: pg.port, maria: maria.port, ssh: sshd.port, http: portOf(nginx.httpUrl), https: portOf(nginx.httpsUrl), mtls: portOf(nginx.mtlsUrl), oauth: portOf(oauth.tokenUrl) };
    const relayed = { ...direct };
    for (const name of Object.keys(direct) as Array<keyof Ports>) {
      const proxy = await startLatencyProxy({ host: '127.0.0.1', port: direct[name] }, ONE_WAY_MS);
      proxies.push(proxy);
      relayed[name] = proxy.port;
    }
    const connectionsFor = (p: Ports): ResolvedConnectionValues[] => {
      const kinds: Array<() => ResolvedConnectionValues> = [
        () => ({ type: 'postgres', host: '127.0.0.1', port: p.pg, user: 'bench', password: secret }),
        () => ({ type: 'mysql', host: '127.0.0.1', port: p.maria, user: 'bench', password: secret }),
        () => ({ type: 'ssh', host: '127.0.0.1', port: p.ssh, user: sshd.user, privateKey: key.privateKey }),
        () => ({ type: 'http', url: `https://127.0.0.1:${p.https}/basic`, caCert: ca.cert, auth: { type: 'basic', username: 'bench', password: secret } }),
        () => ({ type: 'http', url: `http://127.0.0.1:${p.http}/bearer`, auth: { type: 'bearer', token: secret } }),
        () => ({ type: 'http', url: `http://127.0.0.1:${p.http}/apikey`, auth: { type: 'apiKey', header: 'X-API-Key', value: secret } }),
        () => ({ type: 'http', url: `http://127.0.0.1:${p.http}/bearer`, auth: { type: 'oauth2ClientCredentials', tokenUrl: `http://127.0.0.1:${p.oauth}/oauth/token`, clientId: 'bench', clientSecret: secret } }),
        () => ({ type: 'http', url: `https://127.0.0.1:${p.mtls}/whoami`, auth: { type: 'mtls', certificate: client.cert, privateKey: client.key, caCert: ca.cert } }),
      ];
      return Array.from({ length: COUNT }, (_, i) => kinds[i % kinds.length]());
    };
    // Load every tester module once, so neither side of the comparison pays for it.
    for (const c of connectionsFor(direct).slice(0, 8)) await check(c);

    const rows: BenchRow[] = [];
    const label = `concurrency ${DEFAULT_CONCURRENCY}, ${DEFAULT_PER_KEY_CONCURRENCY} per server`;
    for (const [where, ports] of [['loopback', direct], [`${ONE_WAY_MS * 2} ms round trip`, relayed]] as const) {
      const m = await measure(connectionsFor(ports));
      const times = m.all / m.slowestSingle;
      console.error(`testers (${where}): test all ${COUNT} = ${m.all.toFixed(0)} ms (median of ${ROUNDS}: ${m.runs.map((r) => r.toFixed(0)).join(', ')}), slowest single = ${m.slowestSingle.toFixed(0)} ms, ${times.toFixed(2)}x (target < 2x); one at a time = ${m.sequential.toFixed(0)} ms`);
      console.error(`testers (${where}): median test time by kind (ms), alone: ${m.perType}; within test all: ${m.perTypeInRun}`);
      rows.push(
        { name: `Test all ${COUNT} connections, ${where} (${label})`, value: Math.round(m.all), unit: 'ms', peer: Math.round(m.slowestSingle), peerName: 'slowest single test', ratio: m.slowestSingle / m.all },
        { name: `Test all ÷ slowest single test, ${where} (target < 2)`, value: Number(times.toFixed(2)), unit: 'x' },
        { name: `Test all ${COUNT} connections vs one at a time, ${where}`, value: Math.round(m.all), unit: 'ms', peer: Math.round(m.sequential), peerName: 'one at a time', ratio: m.sequential / m.all },
      );
      if (m.cpuAll !== undefined && m.cpuSequential !== undefined) {
        const n = cores();
        const floor = m.cpuAll / n;
        console.error(
          `testers (${where}): CPU time (client + servers) of test all = ${m.cpuAll.toFixed(0)} ms (this process: ${(m.cpuClient ?? 0).toFixed(0)} ms), one at a time = ${m.cpuSequential.toFixed(0)} ms; ` +
            `floor on ${n} cores = ${floor.toFixed(0)} ms = ${(floor / m.slowestSingle).toFixed(2)}x the slowest single test; machine busy during test all: ${((m.machineBusy ?? 0) * 100).toFixed(0)}%`,
        );
        rows.push(
          { name: `Test all CPU time (client + servers), ${where}`, value: Math.round(m.cpuAll), unit: 'ms', peer: Math.round(m.cpuSequential), peerName: 'one at a time', ratio: m.cpuSequential / m.cpuAll },
          { name: `CPU floor (CPU time ÷ ${n} cores) ÷ slowest single test, ${where}`, value: Number((floor / m.slowestSingle).toFixed(2)), unit: 'x' },
          { name: `Machine CPU busy during test all, ${where}`, value: Math.round((m.machineBusy ?? 0) * 100), unit: '%' },
        );
      }
    }
    return rows;
  } finally {
    await Promise.all([...proxies.map((p) => p.stop()), pg.stop(), maria.stop(), sshd.stop(), oauth.stop(), nginx.stop()]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Medians, so that one stall of this shared machine does not decide either side: each
 * connection's single-test time is its median over the rounds and "slowest single test" the
 * largest of those; the concurrent run's time is the median of its rounds.
 *
 * CPU time (this process, the servers and the processes they fork) is taken around each pass: a
 * run on N cores cannot finish before its CPU time ÷ N, whatever the concurrency, so that floor
 * says whether the run waits (concurrency helps) or computes (only cores help).
 */
async function measure(connections: ResolvedConnectionValues[]) {
  const singles: number[][] = connections.map(() => []);
  const runs: number[] = [];
  const cpu = { sequential: [] as number[], all: [] as number[], client: [] as number[], machineBusy: [] as number[] };
  const inRun: number[][] = connections.map(() => []);
  const settle = () => new Promise((r) => setTimeout(r, 300));
  for (let round = 0; round < ROUNDS; round++) {
    let c0 = cpuTimeAvailable() ? treeCpuMs() : 0;
    for (const [i, c] of connections.entries()) {
      const t0 = performance.now();
      await check(c);
      singles[i].push(performance.now() - t0);
    }
    await settle();
    if (cpuTimeAvailable()) cpu.sequential.push(treeCpuMs() - c0);
    c0 = cpuTimeAvailable() ? treeCpuMs() : 0;
    const m0 = cpuTimeAvailable() ? machineCpuMs() : undefined;
    const u0 = process.cpuUsage();
    const t0 = performance.now();
    const report = await testAll(connections, (c) => testConnection(c), { concurrency: DEFAULT_CONCURRENCY, keyOf: serverKey });
    runs.push(performance.now() - t0);
    const u1 = process.cpuUsage(u0);
    cpu.client.push((u1.user + u1.system) / 1000);
    report.results.forEach((r, i) => inRun[i].push(r.durationMs));
    if (m0) {
      const m1 = machineCpuMs();
      cpu.machineBusy.push((m1.busy - m0.busy) / Math.max(1, m1.total - m0.total));
    }
    await settle();
    if (cpuTimeAvailable()) cpu.all.push(treeCpuMs() - c0);
    if (report.summary.passed !== connections.length) throw new Error(`testAll: ${report.summary.failed} failed: ${report.results.find((r) => !r.ok)?.message}`);
  }
  const medians = singles.map(median);
  const perKind = (values: number[]) => {
    const byKind = new Map<string, number[]>();
    values.forEach((ms, i) => {
      const c = connections[i];
      const kind = c.type === 'http' ? `http ${(c.auth as { type: string }).type}` : c.type;
      byKind.set(kind, [...(byKind.get(kind) ?? []), ms]);
    });
    return [...byKind].map(([kind, xs]) => `${kind} ${median(xs).toFixed(0)}`).join(', ');
  };
  return {
    all: median(runs),
    runs,
    slowestSingle: Math.max(...medians),
    sequential: medians.reduce((a, b) => a + b, 0),
    perType: perKind(medians),
    perTypeInRun: perKind(inRun.map(median)),
    cpuClient: cpu.client.length ? median(cpu.client) : undefined,
    cpuSequential: cpu.sequential.length ? median(cpu.sequential) : undefined,
    cpuAll: cpu.all.length ? median(cpu.all) : undefined,
    machineBusy: cpu.machineBusy.length ? median(cpu.machineBusy) : undefined,
  };
}

async function check(c: ResolvedConnectionValues) {
  const r = await testConnection(c);
  if (!r.ok) throw new Error(`${c.type}: ${r.message}`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
