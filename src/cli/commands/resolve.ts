/** `connection-secrets resolve <connection> [dir]`: resolves one connection, masked unless --reveal. */
import { providerFor } from '../../core/config';
import type { Connection, WorkspaceModel } from '../../core/model';
import { EXIT, UsageError, type CliIo } from '../io';
import { createCliResolver, formatOf, loadDir, parse } from '../shared';

export const usage = `connection-secrets resolve <connection> [dir] [--reveal] [--format text|json]
  Resolves the connection's references. Values are masked unless --reveal is given.
  Name a connection as <name> or <project>/<name> when names repeat.`;

export function findConnection(model: WorkspaceModel, name: string): Connection {
  const matches = model.connections.filter((c) => c.name === name || `${c.project}/${c.name}` === name);
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) {
    throw new UsageError(`"${name}" is ambiguous; use one of: ${matches.map((c) => `${c.project || '.'}/${c.name}`).join(', ')}`);
  }
  const names = model.connections.map((c) => c.name);
  throw new UsageError(`no connection "${name}"${names.length ? `; known: ${names.join(', ')}` : ''}`);
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(argv, { reveal: { type: 'boolean' } });
  if (values.help) return io.stdout(usage + '\n'), EXIT.ok;
  const format = formatOf(values.format);
  if (!positionals[0]) throw new UsageError('resolve needs a connection name');
  const model = await loadDir(positionals[1], io);
  const connection = findConnection(model, positionals[0]);
  const { resolver, pool } = createCliResolver(io);
  try {
    const r = await resolver.resolveConnection(connection, providerFor(model, connection));
    const revealed = (path: string): string | undefined => {
      if (!values.reveal || !r.values) return undefined;
      const v = path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), r.values);
      return typeof v === 'string' ? v : undefined;
    };
    const fields = r.fields.map((f) => ({ path: f.path, status: f.status, value: revealed(f.path) ?? f.display }));
    const problems = r.references.filter((x) => x.status !== 'resolved').map((x) => ({ field: x.field, reference: x.raw, status: x.status, error: x.error }));
    if (format === 'json') {
      io.stdout(JSON.stringify({ connection: connection.name, project: connection.project, type: connection.type, ok: r.ok, revealed: !!values.reveal, fields, references: r.references.map((x) => ({ field: x.field, reference: x.raw, status: x.status, version: x.version, error: x.error })) }, null, 2) + '\n');
    } else {
      io.stdout(`${connection.project ? `${connection.project}/` : ''}${connection.name} (${connection.type})${values.reveal ? '  [values revealed]' : ''}\n`);
      for (const f of fields) io.stdout(`  ${f.path.padEnd(22)} ${f.value}${f.status === 'literal' ? '' : `  [${f.status}]`}\n`);
      for (const p of problems) io.stdout(`  ${p.status}: ${p.field} ${p.reference}: ${p.error}\n`);
    }
    return r.ok ? EXIT.ok : EXIT.problems;
  } finally {
    await pool.disposeAll();
  }
}
