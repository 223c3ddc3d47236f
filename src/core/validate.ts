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
import { LineIndex } from './positions';
import type { Fix, ProviderConfig, Range } from './model';
import { cacheKey, keyNames, type ResolvedReference } from './resolver';
import { formatReference } from './references';
import { closestNames } from './schema';

export interface CheckOptions {
  /** Resolve references through the providers (never in an untrusted workspace). */
  resolver?: Resolver;
  /** The lint rules' settings; `false` leaves the lint rules out. Default: the defaults. */
  lint?: LintSettings | false;
  /** Findings of fetched values by cache key (the extension's `FetchedValueLints`), reported on references. */
  fetched?: (cacheKey: string) => ValueFindings | undefined;
  /**
   * Secret ids a provider holds (in `parent`, for Vault folders), from a listing cache: a reference
   * to a missing secret (renamed or deleted) then gets quick fixes to the closest existing names.
   * Absent, or failing: no such fixes.
   */
  secretIds?: (provider: ProviderConfig, parent?: string) => Promise<string[] | undefined>;
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
        const suggestions = r.provider ? await closestFixes(model, r.connection.file, r.provider, ref, options) : undefined;
        problems.push({
          ruleId: unresolvedRuleId(ref.errorCode),
          severity: 'error',
          file: r.connection.file,
          range: ref.range,
          message: `${ref.raw} does not resolve: ${ref.error}${suggestions?.names.length ? ` Closest existing ${suggestions.what}: ${suggestions.names.join(', ')}.` : ''}`,
          ...(suggestions?.fixes.length ? { fixes: suggestions.fixes } : {}),
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

/**
 * "Did you mean" for a missing secret (closest ids of the provider's listing) or a missing key
 * (closest keys of the cached secret — names only). Each fix rewrites the whole reference, and only
 * where the source text at its range is the reference as written. None is preferred: a guess is
 * never applied by "Fix all".
 */
async function closestFixes(model: WorkspaceModel, file: string, provider: ProviderConfig, ref: ResolvedReference, options: CheckOptions): Promise<{ what: string; names: string[]; fixes: Fix[] } | undefined> {
  const target = ref.target!;
  let what: string;
  let names: string[];
  if (ref.errorCode === 'NotFound' && options.secretIds) {
    // Vault secrets live in folders: the candidates are the secret's siblings.
    const slash = target.path?.lastIndexOf('/') ?? -1;
    const parent = provider.type === 'vault' ? `${target.engine}:${target.path!.slice(0, slash + 1)}` : undefined;
    let ids: string[] | undefined;
    try {
      ids = await options.secretIds(provider, parent);
    } catch {
      ids = undefined; // the listing failed: the diagnostic stands without suggestions
    }
    if (!ids?.length) return undefined;
    // AWS lists ARNs. Names are compared (ARNs share a long prefix, so every ARN would look close);
    // a reference by name is fixed to a name, one by ARN to the ARN.
    what = 'secrets';
    if (provider.type === 'aws') {
      const byArn = target.secretId.startsWith('arn:');
      const arnOf = new Map(ids.map((id) => [awsName(id), id]));
      names = closestNames(awsName(target.secretId), arnOf.keys()).map((n) => (byArn ? arnOf.get(n)! : n));
    } else {
      names = closestNames(target.secretId, ids);
    }
    return { what, names, fixes: fixesFor(model, file, provider, ref, names.map((n) => ({ secretId: n, ...(target.key !== undefined ? { key: target.key } : {}) }))) };
  }
  if (ref.errorCode === 'MissingKey' && options.resolver && target.key !== undefined) {
    const cached = options.resolver.cache.peek(cacheKey(provider, target.secretId));
    const keys = cached ? keyNames(cached.value) : undefined;
    if (!keys?.length) return undefined;
    what = 'keys';
    names = closestNames(target.key, keys);
    return { what, names, fixes: fixesFor(model, file, provider, ref, names.map((k) => ({ secretId: target.secretId, key: k }))) };
  }
  return undefined;
}

/** The name part of an AWS secret ARN (`arn:…:secret:jira-AbCdEf` → `jira`), or the id itself. */
function awsName(id: string): string {
  const m = /:secret:(.+)-[A-Za-z0-9]{6}$/.exec(id);
  return m ? m[1] : id;
}

function fixesFor(model: WorkspaceModel, file: string, provider: ProviderConfig, ref: ResolvedReference, targets: { secretId: string; key?: string }[]): Fix[] {
  const text = model.files.find((f) => f.path === file)?.text;
  if (text === undefined || !isExact(text, ref.range, ref.raw)) return [];
  return targets.map((t) => {
    const newText = formatReference(provider.type, t);
    return { title: `Change to ${newText}`, preferred: false, edits: [{ range: ref.range, newText }] };
  });
}

function isExact(text: string, range: Range, raw: string): boolean {
  const index = new LineIndex(text);
  return text.slice(index.offset(range.start), index.offset(range.end)) === raw;
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
