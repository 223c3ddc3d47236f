/**
 * Everything `validate` reports for a workspace: the loader's problems, the local provider checks
 * (secrets file present, valid and git-ignored) and, when fetching is allowed, references that do
 * not resolve (missing secret, missing key, denied …) on their exact range.
 */
import fs from 'node:fs/promises';
import { providersInScope } from './config';
import type { Problem, WorkspaceModel } from './model';
import type { Resolver } from './resolver';
import { isGitIgnored, secretsFilePath } from './localFiles';
import { containsPosition } from './positions';
import { lintConnections, type LintSettings, type ValueFindings } from './lint';

export interface CheckOptions {
  /** Resolve references through the providers (never in an untrusted workspace). */
  resolver?: Resolver;
  /** The lint rules' settings; `false` leaves the lint rules out. Default: the defaults. */
  lint?: LintSettings | false;
  /** Findings of fetched values by cache key (the extension's `FetchedValueLints`), reported on references. */
  fetched?: (cacheKey: string) => ValueFindings | undefined;
}

export async function checkWorkspace(model: WorkspaceModel, options: CheckOptions = {}): Promise<Problem[]> {
  const problems = [...model.problems];
  for (const provider of providersInScope(model)) {
    if (provider.type !== 'file' || typeof provider.options.path !== 'string') continue;
    const file = secretsFilePath(provider);
    const exists = await fs.stat(file).then(
      () => true,
      () => false,
    );
    if (!exists) {
      problems.push({
        ruleId: 'file/missing',
        severity: 'error',
        file: provider.file,
        range: provider.range,
        message: `The secrets file ${provider.options.path} does not exist. Create it with a JSON object of secrets, or fix "path".`,
      });
    } else if (!(await isJsonObjectFile(file))) {
      problems.push({
        ruleId: 'file/invalid-json',
        severity: 'error',
        file: provider.file,
        range: provider.range,
        message: `The secrets file ${provider.options.path} is not a JSON object. Fix its syntax: one object of "name": value pairs.`,
      });
    } else if ((await isGitIgnored(file)) === false) {
      problems.push({
        ruleId: 'file/not-ignored',
        severity: 'warning',
        file: provider.file,
        range: provider.range,
        message: `The secrets file ${provider.options.path} is not git-ignored and could be committed. Add it to .gitignore.`,
      });
    }
  }
  if (options.resolver) {
    const resolved = await options.resolver.resolveConnections(model);
    for (const r of resolved) {
      for (const ref of r.references) {
        // Malformed ones were reported by the loader with the same range.
        if (ref.status !== 'unresolved' || !ref.target) continue;
        problems.push({
          ruleId: unresolvedRuleId(ref.errorCode),
          severity: 'error',
          file: r.connection.file,
          range: ref.range,
          message: `${ref.raw} does not resolve: ${ref.error}`,
        });
      }
    }
  }
  // The secret formatting linter (src/core/lint): its own rules, and the findings of fetched values.
  if (options.lint !== false) {
    const lint = lintConnections(model, options.lint, options.fetched);
    // A reserved Vault engine name is reported precisely by the linter; the scope rule's generic report of it goes.
    const reserved = lint.filter((p) => p.ruleId === 'ref/vault-engine-reserved');
    const duplicate = (p: Problem) => p.ruleId === 'ref/invalid-for-provider' && reserved.some((r) => r.file === p.file && r.range.start.line === p.range.start.line && containsPosition(p.range, r.range.start));
    return [...problems.filter((p) => !duplicate(p)), ...lint];
  }
  return problems;
}

/** The rule id of a reference that does not resolve, by the resolver's error code. */
function unresolvedRuleId(code: string | undefined): string {
  const ids: Record<string, string> = { MissingKey: 'ref/missing-key', NotKeyValue: 'secret/not-key-value', Disabled: 'secret/disabled', Expired: 'secret/expired', NotYetActive: 'secret/not-yet-active' };
  return (code && ids[code]) || 'ref/unresolved';
}

async function isJsonObjectFile(file: string): Promise<boolean> {
  try {
    const v: unknown = JSON.parse(await fs.readFile(file, 'utf8'));
    return !!v && typeof v === 'object' && !Array.isArray(v);
  } catch {
    return false;
  }
}
