/** `connection-secrets validate [dir]`: the editor's diagnostics, for terminals and CI. */
import { SecretListings } from '../../core/listings';
import { checkWorkspace } from '../../core/validate';
import { EXIT, type CliIo } from '../io';
import { createCliResolver, formatOf, formatProblem, loadDir, parse, problemJson } from '../shared';

export const usage = `connection-secrets validate [dir] [--offline] [--strict] [--format text|json]
  Checks every connections.yaml under dir: YAML, fields, references, scope, and (unless
  --offline) that each reference resolves. Exit 1 on errors (--strict: also on warnings).`;

export async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(argv, { offline: { type: 'boolean' }, strict: { type: 'boolean' } });
  if (values.help) return io.stdout(usage + '\n'), EXIT.ok;
  const format = formatOf(values.format);
  const model = await loadDir(positionals[0], io);
  const { resolver, pool } = createCliResolver(io);
  try {
    // A missing secret is reported with the closest names the provider lists (as in the editor).
    const listings = new SecretListings({ getProvider: (c) => pool.get(c) });
    const secretIds = async (c: Parameters<typeof listings.list>[0], parent?: string) => (await listings.list(c, parent)).items.filter((s) => s.kind !== 'folder').map((s) => s.id);
    const problems = await checkWorkspace(model, values.offline ? {} : { resolver, secretIds });
    const errors = problems.filter((p) => p.severity === 'error').length;
    const warnings = problems.filter((p) => p.severity === 'warning').length;
    if (format === 'json') {
      io.stdout(JSON.stringify({ files: model.files.length, scope: model.scope, problems: problems.map((p) => problemJson(p, io.cwd)) }, null, 2) + '\n');
    } else {
      for (const p of problems) io.stdout(resolver.redactor.redact(formatProblem(p, io.cwd)) + '\n');
      io.stdout(`${errors} error(s), ${warnings} warning(s) in ${model.files.length} file(s), ${model.connections.length} connection(s), ${model.scope} scope\n`);
    }
    return errors || (values.strict && warnings) ? EXIT.problems : EXIT.ok;
  } finally {
    await pool.disposeAll();
  }
}
