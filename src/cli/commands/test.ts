/**
 * `connection-secrets test <connection>|--all [dir] [--concurrency N] [--format text|json]`:
 * resolves connections and authenticates to their applications (src/testers).
 */
import type { Connection } from '../../core/model';
import { formatSummary, serverKey, testAll, unresolvedResult, DEFAULT_CONCURRENCY, DEFAULT_PER_KEY_CONCURRENCY } from '../../core/testAll';
import { isTestable, testConnection } from '../../testers';
import { EXIT, UsageError, type CliIo } from '../io';
import { createCliResolver, formatOf, loadDir, parse } from '../shared';
import { findConnection } from './resolve';

export const usage = `connection-secrets test <connection> [dir] [--format text|json]
connection-secrets test --all [dir] [--concurrency N] [--format text|json]
  Resolves the connection's secrets and authenticates to the application with them
  (http, postgres, mysql, ssh). Exit 0 when every test passed, 1 otherwise.
  --all           test every connection of a testable type, ${DEFAULT_CONCURRENCY} at a time
                  (at most ${DEFAULT_PER_KEY_CONCURRENCY} to one server)
  --concurrency   tests in flight with --all (default ${DEFAULT_CONCURRENCY})
  Timeout per test: CONNECTION_SECRETS_TIMEOUT_MS (default 10000).`;

export async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(argv, { all: { type: 'boolean' }, concurrency: { type: 'string' } });
  if (values.help) return io.stdout(usage + '\n'), EXIT.ok;
  const format = formatOf(values.format);
  const all = !!values.all;
  if (!all && !positionals[0]) throw new UsageError('test needs a connection name, or --all');
  if (positionals.length > (all ? 1 : 2)) throw new UsageError(`unexpected argument "${positionals[all ? 1 : 2]}"`);
  const concurrency = values.concurrency === undefined ? DEFAULT_CONCURRENCY : Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new UsageError('--concurrency must be a whole number of at least 1');
  const model = await loadDir(all ? positionals[0] : positionals[1], io);
  let connections: Connection[];
  let skipped: Connection[] = [];
  if (all) {
    connections = model.connections.filter((c) => isTestable(c.type));
    skipped = model.connections.filter((c) => !isTestable(c.type));
  } else {
    connections = [findConnection(model, positionals[0])];
  }
  const timeoutMs = Number(io.env.CONNECTION_SECRETS_TIMEOUT_MS) || 10_000;
  const { resolver, pool, redactor } = createCliResolver(io);
  try {
    const resolved = await resolver.resolveConnections(model, connections);
    const report = await testAll(resolved, (r) => (r.ok && r.values ? testConnection(r.values, { timeoutMs }) : Promise.resolve(unresolvedResult(r))), { concurrency, keyOf: (r) => serverKey(r.values) });
    // The testers never put a credential in a result; masking again costs nothing.
    const rows = resolved.map((r, i) => {
      const t = report.results[i];
      return {
        connection: r.connection.name,
        project: r.connection.project,
        type: r.connection.type,
        ok: t.ok,
        ...(t.failureClass ? { failureClass: t.failureClass } : {}),
        message: redactor.redact(t.message),
        durationMs: t.durationMs,
        ...(t.details ? { details: Object.fromEntries(Object.entries(t.details).map(([k, v]) => [k, redactor.redact(v)])) } : {}),
      };
    });
    if (format === 'json') {
      io.stdout(JSON.stringify({ results: rows, skipped: skipped.map((c) => ({ connection: c.name, project: c.project, type: c.type })), summary: report.summary }, null, 2) + '\n');
    } else {
      for (const row of rows) {
        const name = `${row.project ? `${row.project}/` : ''}${row.connection}`;
        io.stdout(`${row.ok ? 'ok  ' : 'FAIL'} ${name} (${row.type}) ${row.durationMs} ms${row.failureClass ? ` [${row.failureClass}]` : ''}: ${row.message}\n`);
      }
      for (const c of skipped) io.stdout(`skip ${c.project ? `${c.project}/` : ''}${c.name} (${c.type}): no tester for this type\n`);
      if (all) io.stdout(`\n${formatSummary(report.summary)}${skipped.length ? `, ${skipped.length} skipped` : ''} in ${report.summary.durationMs} ms\n`);
    }
    return report.summary.passed === report.summary.total ? EXIT.ok : EXIT.problems;
  } finally {
    await pool.disposeAll();
  }
}
