/**
 * SARIF 2.1.0 for code-scanning tools (GitHub code scanning, Azure DevOps, …): one run whose
 * driver lists every rule, one result per problem with its region. Paths are relative to the
 * working directory (`SRCROOT`), columns in UTF-16 code units like the editor's.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { RULES } from '../core/lint';
import type { Problem, Severity } from '../core/model';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };
export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
const DOCS = 'https://github.com/connection-secrets/connection-secrets/blob/main/docs/linting.md';

export function toSarif(problems: readonly Problem[], cwd: string, version: string): object {
  // Every known rule, plus the loader's own ids (yaml/…, config/…, scope/…, file/…) that occur.
  const ids = [...Object.keys(RULES), ...new Set(problems.map((p) => p.ruleId).filter((id) => !RULES[id]))];
  const index = new Map(ids.map((id, i) => [id, i]));
  const rules = ids.map((id) => {
    const info = RULES[id];
    const level = LEVEL[info?.severity ?? problems.find((p) => p.ruleId === id)!.severity];
    return {
      id,
      name: id.replace(/[/-](\w)/g, (_, c: string) => c.toUpperCase()),
      shortDescription: { text: info?.what ?? `Connection Secrets check ${id}.` },
      ...(info?.fix ? { fullDescription: { text: `${info.what} Fix: ${info.fix}` } } : {}),
      defaultConfiguration: { level },
      helpUri: `${DOCS}#rules`,
    };
  });
  const results = problems.map((p) => ({
    ruleId: p.ruleId,
    ruleIndex: index.get(p.ruleId)!,
    level: LEVEL[p.severity],
    message: { text: p.message },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: relativeUri(p.file, cwd), uriBaseId: 'SRCROOT' },
          region: { startLine: p.range.start.line + 1, startColumn: p.range.start.character + 1, endLine: p.range.end.line + 1, endColumn: p.range.end.character + 1 },
        },
      },
    ],
  }));
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'connection-secrets', informationUri: 'https://github.com/connection-secrets/connection-secrets', semanticVersion: version, version, rules } },
        originalUriBaseIds: { SRCROOT: { uri: pathToFileURL(cwd.endsWith(path.sep) ? cwd : cwd + path.sep).href } },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
}

function relativeUri(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  const inside = rel && !rel.startsWith('..') && !path.isAbsolute(rel);
  return inside ? rel.split(path.sep).map(encodeURIComponent).join('/') : pathToFileURL(file).href;
}
