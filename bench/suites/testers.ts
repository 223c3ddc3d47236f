/**
 * "Test all connections": 50 connections (PostgreSQL, MariaDB, OpenSSH, nginx with basic /
 * bearer / API key / OAuth / mutual TLS) tested concurrently with a bound, against the slowest
 * of the same tests run one at a time. Target: the whole run takes less than twice the slowest
 * single test. All servers are real and local (started here, stopped at the end); the OAuth token
 * endpoint is the tests' own.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchRow } from '../run';
import { testAll, DEFAULT_CONCURRENCY } from '../../src/core/testAll';
import type { ResolvedConnectionValues } from '../../src/core/tester';
import { testConnection } from '../../src/testers';
import { startMariadb } from '../../test/support/mariadb';
import { startNginx } from '../../test/support/nginx';
import { startOAuthServer } from '../../test/support/oauthServer';
import { issueCert, makeCa } from '../../test/support/pki';
import { startPostgres } from '../../test/support/postgres';
import { makeSshKey, startSshd } from '../../test/support/sshd';

const COUNT = 50;
const ROUNDS = 3;

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
  try {
    await pg.createUser('bench', secret);
    await maria.createUser('bench', secret);
    const kinds: Array<() => ResolvedConnectionValues> = [
      () => ({ type: 'postgres', host: pg.host, port: pg.port, user: 'bench', password: secret }),
      () => ({ type: 'mysql', host: maria.host, port: maria.port, user: 'bench', password: secret }),
      () => ({ type: 'ssh', host: sshd.host, port: sshd.port, user: sshd.user, privateKey: key.privateKey }),
      () => ({ type: 'http', url: `${nginx.httpsUrl}/basic`, caCert: ca.cert, auth: { type: 'basic', username: 'bench', password: secret } }),
      () => ({ type: 'http', url: `${nginx.httpUrl}/bearer`, auth: { type: 'bearer', token: secret } }),
      () => ({ type: 'http', url: `${nginx.httpUrl}/apikey`, auth: { type: 'apiKey', header: 'X-API-Key', value: secret } }),
      () => ({ type: 'http', url: `${nginx.httpUrl}/bearer`, auth: { type: 'oauth2ClientCredentials', tokenUrl: oauth.tokenUrl, clientId: 'bench', clientSecret: secret } }),
      () => ({ type: 'http', url: `${nginx.mtlsUrl}/whoami`, auth: { type: 'mtls', certificate: client.cert, privateKey: client.key, caCert: ca.cert } }),
    ];
    const connections = Array.from({ length: COUNT }, (_, i) => kinds[i % kinds.length]());
    // Load every tester module once, so neither measurement pays for it.
    for (const k of kinds) await check(k());
    if (process.env.BENCH_PROFILE) {
      for (const k of kinds) {
        const c = k();
        const t0 = performance.now();
        const cpu0 = process.cpuUsage();
        for (let i = 0; i < 10; i++) await check(c);
        const cpu = process.cpuUsage(cpu0);
        console.error(`${c.type} ${(c.auth as { type?: string })?.type ?? ''}: ${((performance.now() - t0) / 10).toFixed(1)} ms wall, ${((cpu.user + cpu.system) / 10000).toFixed(1)} ms cpu (this process)`);
      }
    }

    let slowestSingle = 0;
    let sequentialMs = 0;
    let bestAll = Infinity;
    for (let round = 0; round < ROUNDS; round++) {
      for (const c of connections) {
        const t0 = performance.now();
        await check(c);
        const ms = performance.now() - t0;
        sequentialMs += ms / ROUNDS;
        slowestSingle = Math.max(slowestSingle, ms);
      }
      const t0 = performance.now();
      const report = await testAll(connections, (c) => testConnection(c), { concurrency: DEFAULT_CONCURRENCY });
      const ms = performance.now() - t0;
      if (report.summary.passed !== COUNT) throw new Error(`testAll: ${report.summary.failed} of ${COUNT} failed: ${report.results.find((r) => !r.ok)?.message}`);
      bestAll = Math.min(bestAll, ms);
    }
    const times = bestAll / slowestSingle;
    console.error(`testers: test all ${COUNT} = ${bestAll.toFixed(0)} ms (best of ${ROUNDS}), slowest single = ${slowestSingle.toFixed(0)} ms, ratio ${times.toFixed(2)}x (target < 2x), one at a time = ${sequentialMs.toFixed(0)} ms`);
    return [
      { name: `Test all ${COUNT} connections (concurrency ${DEFAULT_CONCURRENCY})`, value: Math.round(bestAll), unit: 'ms', peer: Math.round(slowestSingle), peerName: 'slowest single test', ratio: slowestSingle / bestAll },
      { name: 'Test all ÷ slowest single test (target < 2)', value: Number(times.toFixed(2)), unit: 'x' },
      { name: `Test all ${COUNT} connections vs one at a time`, value: Math.round(bestAll), unit: 'ms', peer: Math.round(sequentialMs), peerName: 'sequential', ratio: sequentialMs / bestAll },
    ];
  } finally {
    await Promise.all([pg.stop(), maria.stop(), sshd.stop(), oauth.stop(), nginx.stop()]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function check(c: ResolvedConnectionValues) {
  const r = await testConnection(c);
  if (!r.ok) throw new Error(`${c.type}: ${r.message}`);
}
