/**
 * `connection-secrets lint`: the secret formatting linter for terminals and CI. connections.yaml
 * files get the connection rules (and the loader's checks), PEM files the PEM / X.509 rules, and
 * with `--as secret` a file's exact content is one stored secret value.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { CONNECTIONS_FILE, loadWorkspace } from '../../core/config';
import { FetchedValueLints, isPemFile, lintPemFile, lintSecretText, PEM_FORMS, resolveLintSettings, type LintSettings, type PemForm } from '../../core/lint';
import { PROVIDER_TYPES, type Problem, type ProviderType } from '../../core/model';
import { Redactor } from '../../core/redact';
import { Resolver } from '../../core/resolver';
import { SecretCache } from '../../core/cache';
import { checkWorkspace } from '../../core/validate';
import { EXIT, UsageError, type CliIo } from '../io';
import { toSarif } from '../sarif';
import { createCliResolver, formatOf, formatProblem, parse, problemJson } from '../shared';

export const usage = `connection-secrets lint [--as secret|file|auto] [--format text|json|sarif] <paths…>
  Checks secret formatting: PEM keys and certificates (escaped single-line and multi-line form,
  base64, what the body parses as, dates, key/certificate match), references and hard-coded
  credentials in connections.yaml. Directories are searched for connections.yaml and
  .pem/.key/.crt/.cer files.
    --as auto       connections.yaml: connection rules; .pem/.key/.crt/.cer: PEM file; else a secret value (default)
    --as file       every path is a file on disk (PEM files need real line breaks)
    --as secret     each file's exact content is one stored secret value (plain text or JSON key/value)
    --provider T    with --as secret: the secrets manager that stores it (aws requires JSON key/value)
    --pem-form F    expected PEM form of secret values: escaped (default), multiline, either
    --expiry-days N warn about certificates expiring within N days (default 30, 0: never)
    --disable ID    switch a rule off (repeatable; "x509/*" switches off a group)
    --resolve       also fetch the secrets connections.yaml references and lint their values
  Exit 1 when an error was found, 0 otherwise, 2 on usage errors.`;

const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'out', '.tools', '.vscode-test', 'test-results']);

type As = 'auto' | 'file' | 'secret';

export async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(argv, {
    as: { type: 'string', default: 'auto' },
    provider: { type: 'string' },
    'pem-form': { type: 'string' },
    'expiry-days': { type: 'string' },
    disable: { type: 'string', multiple: true },
    resolve: { type: 'boolean' },
  });
  if (values.help) return io.stdout(usage + '\n'), EXIT.ok;
  const format = formatOf(values.format, ['text', 'json', 'sarif']);
  const as = String(values.as) as As;
  if (!['auto', 'file', 'secret'].includes(as)) throw new UsageError(`--as must be secret, file or auto (got "${as}")`);
  const provider = values.provider as ProviderType | undefined;
  if (provider !== undefined && !PROVIDER_TYPES.includes(provider)) throw new UsageError(`--provider must be one of ${PROVIDER_TYPES.join(', ')} (got "${provider}")`);
  const pemForm = values['pem-form'] as PemForm | undefined;
  if (pemForm !== undefined && !PEM_FORMS.includes(pemForm)) throw new UsageError(`--pem-form must be one of ${PEM_FORMS.join(', ')} (got "${pemForm}")`);
  const days = values['expiry-days'] === undefined ? undefined : Number(values['expiry-days']);
  if (days !== undefined && !(Number.isInteger(days) && days >= 0)) throw new UsageError(`--expiry-days must be a whole number of days (got "${values['expiry-days']}")`);
  if (positionals.length === 0) throw new UsageError('name at least one file or directory to lint');
  const settings: LintSettings = resolveLintSettings({ pemForm, expiryWarningDays: days, disabledRules: values.disable ?? [] });

  // Every path, expanded: directories to their connections.yaml and PEM files.
  const files: { file: string; kind: 'connections' | 'pem' | 'secret' }[] = [];
  for (const p of positionals) {
    const abs = path.resolve(io.cwd, p);
    const stat = await fs.stat(abs).catch(() => undefined);
    if (!stat) throw new UsageError(`${p} does not exist`);
    if (stat.isDirectory()) {
      if (as === 'secret') throw new UsageError(`${p} is a directory; with --as secret name the files that hold one secret value each`);
      for (const f of await walk(abs)) files.push({ file: f, kind: path.basename(f) === CONNECTIONS_FILE ? 'connections' : 'pem' });
    } else {
      const base = path.basename(abs);
      const kind = as === 'secret' ? 'secret' : base === CONNECTIONS_FILE ? 'connections' : as === 'file' || isPemFile(abs) ? 'pem' : 'secret';
      files.push({ file: abs, kind });
    }
  }

  const redactor = new Redactor();
  const problems: Problem[] = [];
  const connectionFiles = files.filter((f) => f.kind === 'connections').map((f) => f.file);
  if (connectionFiles.length) problems.push(...(await lintConnectionFiles(connectionFiles, io, settings, values.resolve === true, redactor)));
  for (const f of files) {
    if (f.kind === 'connections') continue;
    const text = await fs.readFile(f.file, 'utf8').catch((e: NodeJS.ErrnoException) => {
      throw new UsageError(`${path.relative(io.cwd, f.file) || f.file} cannot be read (${e.code ?? 'error'})`);
    });
    problems.push(...(f.kind === 'pem' ? lintPemFile(text, f.file, settings) : lintSecretText(text, f.file, settings, provider)));
  }

  const counts = { error: 0, warning: 0, info: 0 };
  for (const p of problems) counts[p.severity]++;
  if (format === 'json') io.stdout(JSON.stringify({ problems: problems.map((p) => problemJson(p, io.cwd)) }, null, 2) + '\n');
  else if (format === 'sarif') io.stdout(JSON.stringify(toSarif(problems, io.cwd, process.env.npm_package_version ?? '0.1.0'), null, 2) + '\n');
  else {
    for (const p of problems) io.stdout(redactor.redact(formatProblem(p, io.cwd)) + '\n');
    io.stdout(`${counts.error} error(s), ${counts.warning} warning(s), ${counts.info} info in ${files.length} file(s)\n`);
  }
  return counts.error ? EXIT.problems : EXIT.ok;
}

/**
 * connections.yaml files are checked inside their workspace (the scope rule decides which
 * provider a reference means): the working directory when they are under it, else their folder.
 */
async function lintConnectionFiles(files: string[], io: CliIo, settings: LintSettings, resolve: boolean, redactor: Redactor): Promise<Problem[]> {
  const byRoot = new Map<string, Set<string>>();
  for (const f of files) {
    const rel = path.relative(io.cwd, f);
    const root = rel.startsWith('..') || path.isAbsolute(rel) ? path.dirname(f) : io.cwd;
    byRoot.set(root, (byRoot.get(root) ?? new Set()).add(f));
  }
  const out: Problem[] = [];
  for (const [root, wanted] of byRoot) {
    const model = await loadWorkspace(root, { extraFiles: [...wanted] });
    if (!resolve) {
      out.push(...(await checkWorkspace(model, { lint: settings })).filter((p) => wanted.has(p.file)));
      continue;
    }
    // Fetched values are linted as the cache stores them, and reported on their references.
    const fetched = new FetchedValueLints(() => settings);
    const { pool } = createCliResolver(io, redactor);
    const resolver = new Resolver({ getProvider: (c) => pool.get(c), cache: new SecretCache({ onStore: (k, v) => fetched.record(k, v) }), redactor });
    try {
      out.push(...(await checkWorkspace(model, { resolver, lint: settings, fetched: (k) => fetched.get(k) })).filter((p) => wanted.has(p.file)));
    } finally {
      await pool.disposeAll();
    }
  }
  return out;
}

async function walk(root: string): Promise<string[]> {
  const found: string[] = [];
  async function visit(dir: string, depth: number) {
    const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isFile() && (e.name === CONNECTIONS_FILE || isPemFile(e.name))) found.push(p);
      else if (e.isDirectory() && depth < 6 && !SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) await visit(p, depth + 1);
    }
  }
  await visit(root, 0);
  return found.sort();
}
