/**
 * Loads `connections.yaml` files into the workspace model, keeping a source range for every
 * node so problems point at the exact text. Parsing never throws: every user mistake becomes a
 * `Problem` with a message that names the fix.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair, type YAMLMap } from 'yaml';
import type { Connection, ConnectionField, ConnectionsFile, Problem, ProviderConfig, ProviderType, Range, ReferenceOccurrence, Scope, WorkspaceModel } from './model';
import { PROVIDER_TYPES } from './model';
import { LineIndex, ZERO_RANGE } from './positions';
import { findReferences } from './references';
import { closest, CONNECTION_COMMON_FIELDS, CONNECTION_FIELDS, FORBIDDEN_PROVIDER_FIELDS, PROVIDER_FIELDS, type FieldSpec } from './schema';
import { applyScopeRules } from './scope';

export const CONNECTIONS_FILE = 'connections.yaml';

/** Folders never searched for connection files. */
const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'out', '.tools', '.vscode-test', 'test-results']);
const MAX_DEPTH = 6;

export interface LoadOptions {
  /** Reads a file's text; the extension passes one that prefers unsaved editor contents. */
  readFile?: (file: string) => Promise<string>;
  /** Extra files to include even if the walk does not find them (open, unsaved documents). */
  extraFiles?: string[];
}

/** Finds every `connections.yaml` below `root` (depth-limited, skipping build folders). */
export async function findConnectionFiles(root: string): Promise<string[]> {
  const found: string[] = [];
  async function walk(dir: string, depth: number) {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.isFile() && e.name === CONNECTIONS_FILE) found.push(path.join(dir, e.name));
    }
    if (depth >= MAX_DEPTH) return;
    await Promise.all(
      entries.filter((e) => e.isDirectory() && !SKIP_DIRS.has(e.name) && !e.name.startsWith('.')).map((e) => walk(path.join(dir, e.name), depth + 1)),
    );
  }
  await walk(root, 0);
  return found.sort();
}

/** Loads every connection file of a workspace folder into one model, with the scope rule applied. */
export async function loadWorkspace(root: string, options: LoadOptions = {}): Promise<WorkspaceModel> {
  const read = options.readFile ?? ((f: string) => fs.readFile(f, 'utf8'));
  const paths = [...new Set([...(await findConnectionFiles(root)), ...(options.extraFiles ?? [])])].sort();
  const files: ConnectionsFile[] = [];
  for (const file of paths) {
    let text: string;
    try {
      text = await read(file);
    } catch {
      continue; // deleted between the walk and the read
    }
    files.push(parseConnectionsFile(text, file, root));
  }
  return buildModel(root, files);
}

/** Builds the model from parsed files (also used for unsaved documents). */
export function buildModel(root: string, files: ConnectionsFile[]): WorkspaceModel {
  const scope = applyScopeRules(files);
  return {
    root,
    scope: scope.scope,
    files,
    connections: files.flatMap((f) => f.connections),
    problems: [...files.flatMap((f) => f.problems), ...scope.problems],
  };
}

/** Parses one file. `root` decides whether it is the workspace root file and its project label. */
export function parseConnectionsFile(text: string, file: string, root: string): ConnectionsFile {
  const dir = path.dirname(file);
  const project = path.relative(root, dir).split(path.sep).join('/');
  const isRoot = project === '';
  const result: ConnectionsFile = { path: file, dir, isRoot, project, connections: [], problems: [], text };
  const index = new LineIndex(text);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
  const problem = (ruleId: string, severity: Problem['severity'], message: string, range: Range) =>
    result.problems.push({ ruleId, severity, message, file, range });
  const rangeOf = (node: Node | null | undefined): Range => (node?.range ? index.range(node.range[0], node.range[1]) : ZERO_RANGE);

  for (const err of doc.errors) {
    const r = index.range(err.pos[0], Math.max(err.pos[1], err.pos[0] + 1));
    problem('yaml/syntax', 'error', `YAML syntax error: ${firstLine(err.message)}. Fix the YAML at this line (indentation, quotes, colons).`, r);
  }
  if (doc.errors.length) return result;
  const contents = doc.contents;
  if (contents === null || (isScalar(contents) && (contents.value === null || contents.value === ''))) return result;
  if (!isMap(contents)) {
    problem('config/not-a-mapping', 'error', 'connections.yaml must be a mapping with "secretsManager" and "connections".', rangeOf(contents as Node));
    return result;
  }

  for (const pair of contents.items as Pair<Node, Node>[]) {
    const key = keyOf(pair);
    const keyRange = rangeOf(pair.key as Node);
    if (key === 'secretsManager') parseSecretsManager(pair.value, keyRange);
    else if (key === 'connections') parseConnections(pair.value, keyRange);
    else {
      const guess = closest(key, ['secretsManager', 'connections']);
      problem('config/unknown-field', 'warning', `Unknown top-level field "${key}".${guess ? ` Did you mean "${guess}"?` : ' Only "secretsManager" and "connections" are read.'}`, keyRange);
    }
  }
  return result;

  function parseSecretsManager(node: Node | null, keyRange: Range) {
    if (!isMap(node)) {
      problem('config/invalid-value', 'error', '"secretsManager" must be a mapping with "provider" (and "scope" in the root file).', node ? rangeOf(node) : keyRange);
      return;
    }
    for (const pair of node.items as Pair<Node, Node>[]) {
      const key = keyOf(pair);
      const kRange = rangeOf(pair.key as Node);
      if (key === 'scope') {
        const value = scalarString(pair.value);
        if (!isRoot) {
          problem('scope/not-in-root', 'error', '"scope" is only allowed in the workspace root connections.yaml. Remove it here and set it in the root file.', kRange);
        } else if (value !== 'workspace' && value !== 'project') {
          problem('config/invalid-value', 'error', `"scope" must be "workspace" or "project" (got "${value ?? ''}").`, rangeOf(pair.value));
        } else {
          result.scope = value as Scope;
          result.scopeRange = index.range((pair.key as Node).range![0], (pair.value as Node).range![1]);
        }
      } else if (key === 'provider') {
        parseProvider(pair.value, kRange);
      } else {
        const guess = closest(key, ['scope', 'provider']);
        problem('config/unknown-field', 'warning', `Unknown field "secretsManager.${key}".${guess ? ` Did you mean "${guess}"?` : ''}`, kRange);
      }
    }
  }

  function parseProvider(node: Node | null, keyRange: Range) {
    if (!isMap(node)) {
      problem('config/invalid-value', 'error', '"provider" must be a mapping with at least "type" (aws, vault, azure, env or file).', node ? rangeOf(node) : keyRange);
      return;
    }
    const options = node.toJSON() as Record<string, unknown>;
    const typePair = findPair(node, 'type');
    const type = scalarString(typePair?.value ?? null);
    const blockRange = index.range(node.range![0], node.range![1]);
    if (!typePair || !type) {
      problem('config/missing-field', 'error', 'The provider has no "type". Add "type: aws", "vault", "azure", "env" or "file".', keyRange);
      return;
    }
    if (!(PROVIDER_TYPES as readonly string[]).includes(type)) {
      const guess = closest(type, PROVIDER_TYPES);
      problem('config/unknown-provider-type', 'error', `Unknown provider type "${type}".${guess ? ` Did you mean "${guess}"?` : ''} Use one of: ${PROVIDER_TYPES.join(', ')}.`, rangeOf(typePair.value));
      return;
    }
    const spec = { type: {}, ...PROVIDER_FIELDS[type as ProviderType] } as Record<string, FieldSpec>;
    checkMapping(node, spec, 'provider', type, true);
    result.provider = { type: type as ProviderType, options, file, dir, range: blockRange };
  }

  /** Validates a mapping against a spec: unknown fields, missing required ones, enums. */
  function checkMapping(node: YAMLMap, spec: Record<string, FieldSpec>, where: string, typeLabel: string, isProvider = false) {
    for (const pair of node.items as Pair<Node, Node>[]) {
      const key = keyOf(pair);
      const kRange = rangeOf(pair.key as Node);
      if (isProvider && key in FORBIDDEN_PROVIDER_FIELDS) {
        problem('config/credential-in-file', 'error', `"${key}" must never be stored in connections.yaml. Remove it; provide it through ${FORBIDDEN_PROVIDER_FIELDS[key]}.`, kRange);
        continue;
      }
      const field = spec[key];
      if (!field) {
        const guess = closest(key, Object.keys(spec));
        problem('config/unknown-field', 'warning', `Unknown field "${key}" for ${typeLabel} ${where}.${guess ? ` Did you mean "${guess}"?` : ` Known fields: ${Object.keys(spec).join(', ')}.`}`, kRange);
        continue;
      }
      if (field.enum) {
        const v = scalarString(pair.value);
        if (v !== undefined && !v.includes('{{') && !field.enum.includes(v)) {
          const guess = closest(v, field.enum);
          problem('config/invalid-value', 'error', `"${key}" must be one of ${field.enum.join(', ')} (got "${v}").${guess ? ` Did you mean "${guess}"?` : ''}`, rangeOf(pair.value));
        }
      }
      if (field.fields) {
        if (isMap(pair.value)) checkMapping(pair.value, field.fields, `${where}.${key}`, typeLabel, isProvider);
        else problem('config/invalid-value', 'error', `"${key}" must be a mapping.`, rangeOf(pair.value) ?? kRange);
      }
    }
    for (const [key, field] of Object.entries(spec)) {
      if (field.required && !findPair(node, key)) {
        problem('config/missing-field', 'error', `The ${typeLabel} ${where} needs "${key}"${field.description ? ` (${field.description})` : ''}. Add it.`, index.range(node.range![0], node.range![0] + 1));
      }
    }
  }

  function parseConnections(node: Node | null, keyRange: Range) {
    if (node === null || (isScalar(node) && node.value === null)) return;
    if (!isMap(node)) {
      problem('config/invalid-value', 'error', '"connections" must be a mapping of connection names to definitions.', rangeOf(node));
      return;
    }
    for (const pair of node.items as Pair<Node, Node>[]) {
      const name = keyOf(pair);
      const nameRange = rangeOf(pair.key as Node);
      const value = pair.value;
      if (!isMap(value)) {
        problem('config/invalid-value', 'error', `Connection "${name}" must be a mapping with at least "type".`, value ? rangeOf(value) : nameRange);
        continue;
      }
      const typeNode = findPair(value, 'type');
      const type = scalarString(typeNode?.value ?? null) ?? '';
      if (!typeNode) {
        problem('config/missing-field', 'error', `Connection "${name}" has no "type". Add one of: ${Object.keys(CONNECTION_FIELDS).join(', ')}.`, nameRange);
      } else if (!CONNECTION_FIELDS[type]) {
        const guess = closest(type, Object.keys(CONNECTION_FIELDS));
        problem('config/unknown-connection-type', 'warning', `Unknown connection type "${type}".${guess ? ` Did you mean "${guess}"?` : ''} Known types: ${Object.keys(CONNECTION_FIELDS).join(', ')}; other types are resolved but cannot be tested.`, rangeOf(typeNode.value));
      } else {
        checkMapping(value, { ...CONNECTION_COMMON_FIELDS, ...CONNECTION_FIELDS[type] }, 'connection', type);
      }
      const fields: ConnectionField[] = [];
      collectFields(value, '', fields);
      result.connections.push({
        name,
        type,
        file,
        project,
        nameRange,
        range: index.range((pair.key as Node).range![0], value.range![1]),
        fields,
        raw: value.toJSON() as Record<string, unknown>,
      });
    }
    void keyRange;
  }

  /** Every string leaf becomes a field with its references located in the source. */
  function collectFields(node: Node, prefix: string, out: ConnectionField[]) {
    if (isMap(node)) {
      for (const pair of node.items as Pair<Node, Node>[]) {
        const key = keyOf(pair);
        if (pair.value) collectFields(pair.value, prefix ? `${prefix}.${key}` : key, out);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => collectFields(item as Node, `${prefix}[${i}]`, out));
    } else if (isScalar(node) && typeof node.value === 'string') {
      const value = node.value;
      const range = rangeOf(node);
      const refs: ReferenceOccurrence[] = [];
      const found = findReferences(value);
      const source = node.range ? text.slice(node.range[0], node.range[1]) : '';
      let searchFrom = 0;
      for (const ref of found) {
        // Map the reference back to the source text: exact for plain and unescaped quoted scalars,
        // the field's range when escapes or folding make the offsets differ.
        let refRange = range;
        const at = source.indexOf(ref.raw, searchFrom);
        if (at >= 0 && node.range) {
          refRange = index.range(node.range[0] + at, node.range[0] + at + ref.raw.length);
          searchFrom = at + ref.raw.length;
        }
        refs.push({ raw: ref.raw, body: ref.body, offset: ref.offset, range: refRange, ...(ref.error ? { error: ref.error } : {}) });
        if (ref.error) problem('ref/malformed', 'error', `Malformed secret reference "${ref.raw}": ${ref.error}`, refRange);
      }
      out.push({ path: prefix, value, range, references: refs });
    }
  }
}

function keyOf(pair: Pair<unknown, unknown>): string {
  const k = pair.key;
  if (isScalar(k)) return String(k.value);
  return String(k);
}

function findPair(map: YAMLMap, key: string): Pair<Node, Node> | undefined {
  return (map.items as Pair<Node, Node>[]).find((p) => keyOf(p) === key);
}

function scalarString(node: Node | null | undefined): string | undefined {
  if (!isScalar(node)) return undefined;
  if (node.value === null || node.value === undefined) return undefined;
  return String(node.value);
}

function firstLine(s: string): string {
  return s.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

/** The provider a connection resolves against under the scope rule, if any. */
export function providerFor(model: WorkspaceModel, connection: Connection): ProviderConfig | undefined {
  if (model.scope === 'workspace') return model.files.find((f) => f.isRoot)?.provider;
  const own = model.files.find((f) => f.path === connection.file);
  return own && !own.isRoot ? own.provider : undefined;
}

/** Every provider block in effect for the model (one for workspace scope, one per project otherwise). */
export function providersInScope(model: WorkspaceModel): ProviderConfig[] {
  if (model.scope === 'workspace') {
    const p = model.files.find((f) => f.isRoot)?.provider;
    return p ? [p] : [];
  }
  return model.files.filter((f) => !f.isRoot && f.provider).map((f) => f.provider!);
}

/**
 * The provider a reference written in `file` resolves against under the scope rule: the root
 * file's in workspace scope, the file's own (project files) in project scope.
 */
export function providerForFile(model: WorkspaceModel, file: string): ProviderConfig | undefined {
  if (model.scope === 'workspace') return model.files.find((f) => f.isRoot)?.provider;
  const own = model.files.find((f) => f.path === file);
  return own && !own.isRoot ? own.provider : undefined;
}
