/**
 * `connection-secrets doctor [dir] [--connection <name>] [--provider-file <path>] [--format text|json]`:
 * the troubleshooting checklist of the editor's panel, for terminals and CI. Runs every provider
 * in scope (or the one of a connection, or the one declared in a file) in turn, each check under
 * its own timeout. Exit 1 when any check fails, 0 otherwise (warnings included), 2 on usage errors.
 */
import path from 'node:path';
import { providersInScope } from '../../core/config';
import type { WorkspaceModel } from '../../core/model';
import type { ProviderContext } from '../../core/provider';
import { Redactor } from '../../core/redact';
import { closest, editDistance } from '../../core/schema';
import { firstFailure, runChecks, troubleshootTargets, type CheckResult, type TroubleshootTarget } from '../../core/troubleshoot';
import { describeError, isConnectionSecretsError } from '../../core/errors';
import { troubleshootChecks } from '../../providers';
import { EXIT, UsageError, type CliIo } from '../io';
import { envCredentials, formatOf, loadDir, parse } from '../shared';

export const usage = `connection-secrets doctor [dir] [--connection <name>] [--provider-file <path>] [--format text|json]
  Runs the "Permission denied" checklist of each secrets manager in scope: sign-in, role,
  each permission on the secrets the connections reference, then one raw call, with the fix
  and a command to reproduce each step by hand. No secret value is printed.
  --connection     only the provider and secrets of this connection (<name> or <project>/<name>)
  --provider-file  only the provider declared in this connections.yaml (project scope)
  Exit 0 when no check failed (warnings allowed), 1 when one failed, 2 on usage errors.
  Credentials come from the environment (AWS_* / AWS_PROFILE, VAULT_TOKEN or VAULT_SECRET_ID,
  AZURE_CLIENT_SECRET); timeout per provider call: CONNECTION_SECRETS_TIMEOUT_MS (default 10000).`;

/** One result as printed in JSON: the contract's fields, plus where it comes from. */
export interface DoctorCheckJson {
  id: string;
  title: string;
  status: CheckResult['status'];
  evidence: string[];
  fix: string | null;
  reproduce: string | null;
  reason?: string;
  provider: string;
}

const MARK: Record<CheckResult['status'], string> = { pass: 'PASS', fail: 'FAIL', warn: 'WARN', skipped: 'SKIP' };

/** The connection's name as `troubleshootTargets` takes it, or a usage error naming the closest. */
function connectionName(model: WorkspaceModel, name: string): string {
  const matches = model.connections.filter((c) => c.name === name || `${c.project}/${c.name}` === name);
  if (matches.length > 1) throw new UsageError(`connection "${name}" is ambiguous; use one of: ${matches.map((c) => `${c.project || '.'}/${c.name}`).join(', ')}`);
  if (matches.length === 1) {
    const c = matches[0];
    if (model.connections.filter((x) => x.name === c.name).length > 1) throw new UsageError(`connection "${c.name}" is defined in several projects; the checklist cannot tell them apart yet, use --provider-file`);
    return c.name;
  }
  const names = model.connections.map((c) => c.name);
  const guess = closest(name, names);
  // Far from every name, the nearest one is still the best hint (a list could be hundreds long).
  const nearest = guess ?? [...names].sort((a, b) => editDistance(name.toLowerCase(), a.toLowerCase()) - editDistance(name.toLowerCase(), b.toLowerCase()))[0];
  throw new UsageError(`no connection "${name}"${guess ? ` (did you mean "${guess}"?)` : nearest ? `; the closest name is "${nearest}" (${names.length} connection(s) defined)` : '; no connection is defined'}`);
}

function targetsOf(model: WorkspaceModel, values: { connection?: string; 'provider-file'?: string }, io: CliIo): TroubleshootTarget[] {
  if (values.connection !== undefined && values['provider-file'] !== undefined) throw new UsageError('use --connection or --provider-file, not both');
  if (values.connection !== undefined) return troubleshootTargets(model, { connection: connectionName(model, values.connection) });
  if (values['provider-file'] !== undefined) {
    const wanted = path.resolve(io.cwd, values['provider-file']);
    const providers = providersInScope(model);
    const provider = providers.find((p) => p.file === wanted || p.dir === wanted);
    if (!provider) {
      const known = providers.map((p) => path.relative(io.cwd, p.file) || p.file);
      throw new UsageError(`no provider block in scope is declared in ${values['provider-file']}${known.length ? `; providers are declared in: ${known.join(', ')}` : ''}`);
    }
    return troubleshootTargets(model, { provider });
  }
  return troubleshootTargets(model);
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(argv, { connection: { type: 'string' }, 'provider-file': { type: 'string' } });
  if (values.help) return io.stdout(usage + '\n'), EXIT.ok;
  const format = formatOf(values.format);
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
  const model = await loadDir(positionals[0], io);
  const targets = targetsOf(model, values, io);

  const redactor = new Redactor();
  const timeoutMs = Number(io.env.CONNECTION_SECRETS_TIMEOUT_MS) || 10_000;
  const context: ProviderContext = {
    credentials: envCredentials(io.env),
    env: io.env,
    timeoutMs,
    log: io.env.CONNECTION_SECRETS_DEBUG ? (m) => io.stderr(redactor.redact(m) + '\n') : undefined,
  };
  const rows: DoctorCheckJson[] = [];
  let failed = false;
  for (const target of targets) {
    const label = `${target.provider.type} (${path.relative(io.cwd, target.provider.file) || target.provider.file})`;
    if (format === 'text') io.stdout(`${rows.length ? '\n' : ''}${label}${target.connection ? `, connection ${target.connection}` : ''}: ${target.secrets.length} referenced secret(s)\n`);
    let results: CheckResult[];
    try {
      const checks = await troubleshootChecks(target, context);
      results = await runChecks(checks, {
        redactor,
        timeoutMs: Math.max(timeoutMs * 3, 30_000),
        // Text appears as each check settles, so a slow provider shows where it is.
        onProgress: format === 'text' ? (e) => e.state === 'done' && io.stdout(textOf(e.result)) : undefined,
      });
    } catch (e) {
      // Checks that cannot be built (a provider bundle that fails to load) are one failing line
      // of their group; the other providers still run.
      const fix = isConnectionSecretsError(e) ? e.fix : undefined;
      const message = isConnectionSecretsError(e) ? e.message : describeError(e);
      results = [{ id: `${target.provider.type}.checks`, title: 'Troubleshooting checks loaded', step: 1, status: 'fail', evidence: [redactor.redact(message)], fix, durationMs: 0 }];
      if (format === 'text') io.stdout(textOf(results[0]));
    }
    if (results.some((r) => r.status === 'fail')) failed = true;
    for (const r of results) {
      rows.push({ id: r.id, title: r.title, status: r.status, evidence: r.evidence, fix: r.fix ?? null, reproduce: r.reproduce ?? null, ...(r.reason ? { reason: r.reason } : {}), provider: label });
    }
  }

  if (format === 'json') {
    io.stdout(JSON.stringify({ checks: rows }, null, 2) + '\n');
  } else {
    const count = (s: CheckResult['status']) => rows.filter((r) => r.status === s).length;
    const first = firstFailure(rows.map((r) => ({ ...r, step: 1, evidence: r.evidence, durationMs: 0, fix: r.fix ?? undefined, reproduce: r.reproduce ?? undefined })));
    io.stdout(`\n${count('pass')} passed, ${count('fail')} failed, ${count('warn')} warning(s), ${count('skipped')} skipped${first ? `; fix "${first.id}" first` : ''}\n`);
  }
  return failed ? EXIT.problems : EXIT.ok;
}

/** One check as text: the status line, indented evidence, then fix / reason and reproduce. */
function textOf(r: CheckResult): string {
  const lines = [`  ${MARK[r.status]} ${r.id}  ${r.title}`];
  for (const e of r.evidence) lines.push(`         ${e}`);
  if (r.reason) lines.push(`         skipped: ${r.reason}`);
  if (r.fix && r.status !== 'pass') lines.push(`         fix: ${r.fix}`);
  if (r.reproduce && r.status !== 'skipped') lines.push(`         reproduce: ${r.reproduce}`);
  return lines.join('\n') + '\n';
}
