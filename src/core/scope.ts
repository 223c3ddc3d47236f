/**
 * The scope rule (DESIGN §1): secrets management is configured either for the whole workspace
 * or per project, never blended. Also checks each reference against the provider it resolves
 * with, since only then is its shape known.
 */
import type { ConnectionsFile, Problem, ProviderConfig, Scope } from './model';
import { interpretReference } from './references';

export interface ScopeResult {
  scope: Scope;
  problems: Problem[];
}

/** The scope in effect: the root file's `scope`, else inferred from where providers are declared. */
export function effectiveScope(files: readonly ConnectionsFile[]): Scope {
  const root = files.find((f) => f.isRoot);
  if (root?.scope) return root.scope;
  if (root?.provider) return 'workspace';
  return files.some((f) => !f.isRoot && f.provider) ? 'project' : 'workspace';
}

export function applyScopeRules(files: readonly ConnectionsFile[]): ScopeResult {
  const problems: Problem[] = [];
  const scope = effectiveScope(files);
  const root = files.find((f) => f.isRoot);
  const rootPath = root?.path ?? 'the workspace root connections.yaml';

  for (const file of files) {
    let provider: ProviderConfig | undefined;
    if (scope === 'workspace') {
      provider = root?.provider;
      if (!file.isRoot && file.provider) {
        problems.push({
          ruleId: 'scope/blended',
          severity: 'error',
          file: file.path,
          range: file.provider.range,
          message: `This workspace uses workspace scope (${rootPath}), so a project may not declare its own provider. Remove this provider block, or set "scope: project" in the root file and move the root provider into each project.`,
        });
      }
    } else {
      provider = file.isRoot ? undefined : file.provider;
      if (file.isRoot && file.provider) {
        problems.push({
          ruleId: 'scope/blended',
          severity: 'error',
          file: file.path,
          range: file.provider.range,
          message: 'With "scope: project" the root file declares no provider; each project declares its own. Remove this provider block, or set "scope: workspace".',
        });
      }
    }

    for (const connection of file.connections) {
      for (const field of connection.fields) {
        for (const ref of field.references) {
          if (ref.error) continue; // reported by the loader
          if (!provider) {
            problems.push({
              ruleId: 'scope/no-provider',
              severity: 'error',
              file: file.path,
              range: ref.range,
              message:
                scope === 'workspace'
                  ? 'No secrets manager is configured for this workspace. Add "secretsManager: provider: …" to the root connections.yaml.'
                  : file.isRoot
                    ? 'With "scope: project", connections in the root file cannot use references. Move this connection into a project folder that declares a provider.'
                    : 'This project uses references but declares no provider. Add "secretsManager: provider: …" to this file.',
            });
            continue;
          }
          const interpretation = interpretReference(ref.body, provider.type);
          if (!interpretation.ok) {
            problems.push({ ruleId: 'ref/invalid-for-provider', severity: 'error', file: file.path, range: ref.range, message: interpretation.error });
          }
        }
      }
    }
  }
  return { scope, problems };
}

/**
 * When the scope changes, every existing reference resolves against another provider (or none).
 * Returns the warning to show on the `scope` line, or undefined when nothing is affected.
 */
export function scopeChangeWarning(before: Scope, after: ConnectionsFile[]): Problem | undefined {
  const now = effectiveScope(after);
  if (now === before) return undefined;
  const root = after.find((f) => f.isRoot);
  const refs = after.flatMap((f) => f.connections.flatMap((c) => c.fields.flatMap((x) => x.references)));
  if (refs.length === 0) return undefined;
  const connections = new Set(after.flatMap((f) => f.connections.filter((c) => c.fields.some((x) => x.references.length)).map((c) => `${f.path}#${c.name}`)));
  return {
    ruleId: 'scope/switched',
    severity: 'warning',
    file: root?.path ?? after[0].path,
    range: root?.scopeRange ?? root?.provider?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    message: `Scope switched from ${before} to ${now}: ${refs.length} reference(s) in ${connections.size} connection(s) no longer resolve against the old provider. Make sure the secrets exist in the provider now in scope, then refresh all connections.`,
  };
}
