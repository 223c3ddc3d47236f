/** `connection-secrets secrets [dir]`: the names of the secrets each provider in scope holds. */
import { providersInScope } from '../../core/config';
import { describeError } from '../../core/errors';
import type { SecretSummary } from '../../core/provider';
import { EXIT, type CliIo } from '../io';
import { createCliResolver, formatOf, loadDir, parse } from '../shared';

export const usage = `connection-secrets secrets [dir] [--filter <text>] [--format text|json]
  Lists secret names (never values) of every provider in scope, walking Vault folders.`;

/** Stops runaway walks of very large providers. */
const MAX_ITEMS = 10_000;

export async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(argv, { filter: { type: 'string' } });
  if (values.help) return io.stdout(usage + '\n'), EXIT.ok;
  const format = formatOf(values.format);
  const model = await loadDir(positionals[0], io);
  const { pool } = createCliResolver(io);
  const report: { provider: string; file: string; secrets: SecretSummary[]; error?: string; truncated?: boolean }[] = [];
  try {
    for (const config of providersInScope(model)) {
      const entry: (typeof report)[number] = { provider: config.type, file: config.file, secrets: [] };
      report.push(entry);
      try {
        const provider = await pool.get(config);
        entry.provider = provider.label;
        const queue: (string | undefined)[] = [undefined];
        while (queue.length && entry.secrets.length < MAX_ITEMS) {
          const parent = queue.shift();
          let pageToken: string | undefined;
          do {
            const page = await provider.list({ parent, pageToken, filter: values.filter });
            for (const item of page.items) {
              if (item.kind === 'folder') queue.push(item.id);
              else entry.secrets.push(item);
            }
            pageToken = page.nextToken;
          } while (pageToken && entry.secrets.length < MAX_ITEMS);
        }
        entry.truncated = entry.secrets.length >= MAX_ITEMS || undefined;
      } catch (e) {
        entry.error = describeError(e);
      }
    }
  } finally {
    await pool.disposeAll();
  }
  if (format === 'json') {
    io.stdout(JSON.stringify({ providers: report.map((r) => ({ ...r, secrets: r.secrets.map((s) => ({ id: s.id, name: s.name, state: s.state ?? 'active', updatedOn: s.updatedOn })) })) }, null, 2) + '\n');
  } else {
    if (report.length === 0) io.stdout('No provider in scope: add "secretsManager: provider: …" to connections.yaml.\n');
    for (const r of report) {
      io.stdout(`${r.provider}  (${r.file})\n`);
      if (r.error) io.stdout(`  error: ${r.error}\n`);
      else if (r.secrets.length === 0) io.stdout('  (no secrets)\n');
      for (const s of r.secrets) io.stdout(`  ${s.id}${s.state && s.state !== 'active' ? `  [${s.state}]` : ''}\n`);
      if (r.truncated) io.stdout(`  … stopped after ${MAX_ITEMS} secrets; use --filter\n`);
    }
  }
  return report.some((r) => r.error) ? EXIT.problems : EXIT.ok;
}
