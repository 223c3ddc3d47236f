/**
 * What to offer at the cursor in a `connections.yaml`:
 *
 *   inside `{{workato:sm:`   the secrets of the provider in scope (from the listing cache), then
 *                            the keys of the chosen JSON secret (names only, through the secret
 *                            cache), then `}}`; for Vault the engines, folders and secrets
 *   `{{wor…`                 the whole reference prefix
 *   elsewhere                fields, provider types, connection types and enum values from the
 *                            schema (schema.ts) — no provider needed, so it works untrusted too
 *
 * Never a value: items carry names, ids and listing metadata only. A failing provider is reported
 * in `errors` (for the log) and the answer holds what could be offered without it.
 */
import { describeError } from '../errors';
import type { ProviderConfig, ProviderType } from '../model';
import { PROVIDER_TYPES } from '../model';
import type { SecretSummary } from '../provider';
import { interpretReference, REFERENCE_PREFIX } from '../references';
import { CONNECTION_COMMON_FIELDS, CONNECTION_FIELDS, PROVIDER_FIELDS, type FieldSpec } from '../schema';
import type { Listing } from '../listings';
import { partAt, prefixAt, referenceAt } from './referenceAt';
import { yamlCursorAt, type YamlCursor } from './yamlContext';

export type CompletionKind = 'secret' | 'folder' | 'engine' | 'key' | 'close' | 'prefix' | 'field' | 'value';

export interface CompletionEntry {
  label: string;
  kind: CompletionKind;
  /** Text inserted over `replaceStart…replaceEnd`; a snippet (`$1` tab stops) when `snippet`. */
  insertText: string;
  snippet?: boolean;
  /** Offsets in the document text. */
  replaceStart: number;
  replaceEnd: number;
  detail?: string;
  documentation?: string;
  filterText?: string;
  sortText?: string;
  /** Ask for completions again after inserting: the next part of the reference follows. */
  retrigger?: boolean;
}

/** Where secret names and key names come from (the extension: listing cache and resolver). */
export interface CompletionSources {
  list(config: ProviderConfig, parent?: string): Promise<Listing>;
  /** Key names of a JSON key/value secret; undefined when it is not one. */
  keysOf(config: ProviderConfig, secretId: string): Promise<string[] | undefined>;
}

export interface CompletionRequest {
  /** The provider block in scope for the document (undefined: none declared). */
  provider?: ProviderConfig;
  /** The document is the workspace root's connections.yaml (`scope` is allowed there). */
  isRootFile: boolean;
  /** Absent in an untrusted workspace: nothing is fetched, schema completion still works. */
  sources?: CompletionSources;
}

export interface CompletionAnswer {
  items: CompletionEntry[];
  /** Provider failures met on the way (user-facing lines, never a value): the caller logs them. */
  errors: string[];
  /** The cursor is inside a reference (the caller should not add word-based suggestions). */
  inReference: boolean;
}

export async function completeAt(text: string, offset: number, request: CompletionRequest): Promise<CompletionAnswer> {
  const errors: string[] = [];
  const span = referenceAt(text, offset);
  if (span) {
    const items = request.provider ? await referenceItems(text, offset, span, request.provider, request.sources, errors) : [];
    return { items, errors, inReference: true };
  }
  const prefixStart = prefixAt(text, offset);
  if (prefixStart !== undefined) {
    return {
      items: [{ label: REFERENCE_PREFIX, kind: 'prefix', insertText: REFERENCE_PREFIX, replaceStart: prefixStart, replaceEnd: offset, detail: 'secret reference', documentation: referenceHelp(request.provider?.type), retrigger: true }],
      errors,
      inReference: true,
    };
  }
  const cursor = yamlCursorAt(text, offset);
  return { items: cursor ? schemaItems(cursor, request.isRootFile, offset) : [], errors, inReference: false };
}

/** The reference forms of a provider type, for documentation. */
export function referenceHelp(type: ProviderType | undefined): string {
  const forms: Record<ProviderType, string> = {
    aws: '{{workato:sm:<key>:<secret name or ARN>}} — a key of a JSON key/value secret',
    vault: '{{workato:sm:<key>:<engine>:<secret path>}} — a key of the KV secret at <engine>/<path>',
    azure: '{{workato:sm:<secret name>}} — the whole value of the secret',
    env: '{{workato:sm:<variable>}} or {{workato:sm:<key>:<variable>}}',
    file: '{{workato:sm:<name>}} or {{workato:sm:<key>:<name>}}',
  };
  return type ? forms[type] : 'No secrets manager is in scope: add a secretsManager provider block.';
}

async function referenceItems(
  text: string,
  offset: number,
  span: NonNullable<ReturnType<typeof referenceAt>>,
  config: ProviderConfig,
  sources: CompletionSources | undefined,
  errors: string[],
): Promise<CompletionEntry[]> {
  const type = config.type;
  const part = partAt(span.body, offset - span.bodyStart, type);
  const start = span.bodyStart + part.start;
  const end = span.bodyStart + part.end;
  const close = span.closed ? '' : '}}';
  const items: CompletionEntry[] = [];

  // The closing braces, once the body is complete.
  if (!span.closed && offset === span.bodyEnd && isComplete(span.body, type)) {
    items.push({ label: '}}', kind: 'close', insertText: '}}', replaceStart: offset, replaceEnd: offset, detail: 'close the reference', sortText: '0' });
  }
  if (!sources) return items;

  const listing = async (parent?: string): Promise<SecretSummary[]> => {
    try {
      const l = await sources.list(config, parent);
      if (l.truncated) errors.push(`listing the ${type} provider stopped after ${l.items.length} secrets; type more of the name to narrow it down`);
      return l.items;
    } catch (e) {
      errors.push(`listing secrets of the ${type} provider (${config.file}) failed: ${describeError(e)}`);
      return [];
    }
  };
  const secretItem = (s: SecretSummary, extra: Partial<CompletionEntry>): CompletionEntry => ({
    label: s.name,
    kind: 'secret',
    insertText: s.id,
    replaceStart: start,
    replaceEnd: end,
    ...(s.id !== s.name ? { detail: s.id } : {}),
    ...(s.state && s.state !== 'active' ? { detail: `${s.id !== s.name ? `${s.id} — ` : ''}${stateLabel(s.state)}`, sortText: `2${s.name}` } : { sortText: `1${s.name}` }),
    ...(s.description ? { documentation: s.description } : {}),
    ...extra,
  });

  switch (part.role) {
    case 'alone': {
      if (type === 'vault') {
        // The first part is the key; offer the engines after it, keeping what was typed as the key.
        for (const e of (await listing()).filter((x) => x.kind === 'folder')) {
          const engine = e.id.replace(/:$/, '');
          items.push({ label: `${engine}/`, kind: 'engine', insertText: `\${1:${snippetText(part.prefix)}}:${engine}:$0`, snippet: true, replaceStart: start, replaceEnd: end, detail: e.description ?? 'KV engine', documentation: `${referenceHelp('vault')}. Type the key, then Tab to the path.`, filterText: `${part.prefix}${engine}`, sortText: `1${engine}` });
        }
        return items;
      }
      const secrets = (await listing()).filter((s) => s.kind !== 'folder');
      for (const s of secrets) {
        // AWS needs a key: put an empty key stop before the secret and ask for the keys at once.
        if (type === 'aws') items.push(secretItem(s, { insertText: `$1:${snippetText(insertedId(s, part.prefix))}${close}`, snippet: true, retrigger: true, filterText: filterFor(s, part.prefix) }));
        else items.push(secretItem(s, { insertText: `${s.id}${close}`, filterText: s.name }));
      }
      return items;
    }
    case 'key': {
      if (!part.secretId || !interpretReference(`k:${part.secretId}`, type).ok) return items;
      try {
        const keys = await sources.keysOf(config, part.secretId);
        for (const k of keys ?? []) items.push({ label: k, kind: 'key', insertText: k, replaceStart: start, replaceEnd: end, detail: `key of ${part.secretId}`, sortText: `1${k}` });
      } catch (e) {
        errors.push(`reading the keys of "${part.secretId}" (${type}) failed: ${describeError(e)}`);
      }
      return items;
    }
    case 'secret': {
      for (const s of (await listing()).filter((x) => x.kind !== 'folder')) {
        items.push(secretItem(s, { insertText: `${insertedId(s, part.prefix)}${close}`, filterText: filterFor(s, part.prefix) }));
      }
      return items;
    }
    case 'engine': {
      for (const e of (await listing()).filter((x) => x.kind === 'folder')) {
        const engine = e.id.replace(/:$/, '');
        items.push({ label: `${engine}/`, kind: 'engine', insertText: `${engine}:`, replaceStart: start, replaceEnd: end, detail: e.description ?? 'KV engine', filterText: engine, sortText: `1${engine}`, retrigger: true });
      }
      return items;
    }
    case 'path': {
      const folder = part.prefix.slice(0, part.prefix.lastIndexOf('/') + 1);
      const segStart = start + folder.length;
      const nextSlash = span.body.indexOf('/', offset - span.bodyStart);
      const segEnd = nextSlash >= 0 && span.bodyStart + nextSlash < end ? span.bodyStart + nextSlash + 1 : end;
      for (const s of await listing(`${part.engine}:${folder}`)) {
        const isFolder = s.kind === 'folder';
        const name = s.name;
        items.push(
          secretItem(s, {
            kind: isFolder ? 'folder' : 'secret',
            insertText: isFolder ? name : `${name}${segEnd === end ? close : ''}`,
            replaceStart: segStart,
            replaceEnd: isFolder ? Math.min(segEnd, end) : segEnd,
            filterText: name,
            detail: s.id,
            ...(isFolder ? { retrigger: true, sortText: `0${name}` } : {}),
          }),
        );
      }
      return items;
    }
  }
}

/** A body that names everything its provider needs (no empty part, not ending in a folder). */
function isComplete(body: string, type: ProviderType): boolean {
  return !body.split(':').some((p) => p === '') && !body.endsWith('/') && interpretReference(body, type).ok;
}

/** AWS: the name unless an ARN is being typed; other providers: the id. */
function insertedId(s: SecretSummary, typed: string): string {
  return s.id.startsWith('arn:') && !typed.startsWith('arn:') ? s.name : s.id;
}

function filterFor(s: SecretSummary, typed: string): string {
  return typed.startsWith('arn:') ? s.id : s.name;
}

function snippetText(s: string): string {
  return s.replace(/[$}\\]/g, '\\$&');
}

function stateLabel(state: string): string {
  return { disabled: 'disabled', notYetActive: 'not yet active', expired: 'expired', pendingDeletion: 'marked for deletion' }[state] ?? state;
}

// ------------------------------------------------------------------ schema-based completion

const TOP_LEVEL: Record<string, FieldSpec> = {
  secretsManager: { fields: {}, description: 'The secrets manager: scope (root file only) and the provider block.' },
  connections: { fields: {}, description: 'Connection name → definition (type and fields).' },
};

const SECRETS_MANAGER: Record<string, FieldSpec> = {
  scope: { enum: ['workspace', 'project'], description: 'workspace: one provider for the whole workspace; project: one per project. Root file only.' },
  provider: { fields: {}, description: 'The secrets manager of this scope: type and its fields.' },
};

/** The fields allowed in the mapping at `path` (undefined: not a schema-known mapping). */
function fieldsAt(cursor: YamlCursor, isRootFile: boolean): Record<string, FieldSpec> | undefined {
  const [top, second, ...rest] = cursor.path;
  if (top === undefined) return TOP_LEVEL;
  if (top === 'secretsManager') {
    if (second === undefined) {
      const { scope, ...others } = SECRETS_MANAGER;
      return isRootFile ? { scope, ...others } : others;
    }
    if (second !== 'provider') return undefined;
    const typeOf = (cursor.path.length === 2 ? cursor.siblings : cursor.ancestorValues[1]).get('type');
    const known = (PROVIDER_TYPES as readonly string[]).includes(typeOf ?? '') ? PROVIDER_FIELDS[typeOf as ProviderType] : {};
    return descend({ type: { required: true, enum: PROVIDER_TYPES, description: 'aws | vault | azure | env | file' }, ...known }, rest);
  }
  if (top === 'connections') {
    if (second === undefined) return undefined; // connection names are the user's
    const typeOf = (cursor.path.length === 2 ? cursor.siblings : cursor.ancestorValues[1]).get('type') ?? '';
    const types = Object.keys(CONNECTION_FIELDS);
    return descend({ ...CONNECTION_COMMON_FIELDS, type: { required: true, enum: types, description: types.join(' | ') }, ...(CONNECTION_FIELDS[typeOf] ?? {}) }, rest);
  }
  return undefined;
}

function descend(spec: Record<string, FieldSpec>, keys: string[]): Record<string, FieldSpec> | undefined {
  let current: Record<string, FieldSpec> | undefined = spec;
  for (const k of keys) current = current?.[k]?.fields;
  return current;
}

function schemaItems(cursor: YamlCursor, isRootFile: boolean, offset: number): CompletionEntry[] {
  const base = { replaceStart: cursor.prefixStart, replaceEnd: offset };
  if (cursor.at === 'value') {
    const spec = fieldsAt(cursor, isRootFile)?.[cursor.key!];
    return (spec?.enum ?? []).map((v, i) => ({ ...base, label: v, kind: 'value' as const, insertText: v, detail: `${cursor.key}`, ...(spec?.description ? { documentation: spec.description } : {}), sortText: String(i).padStart(3, '0') }));
  }
  const fields = fieldsAt(cursor, isRootFile);
  if (!fields) return [];
  const childIndent = ' '.repeat(cursor.indent + 2);
  return Object.entries(fields)
    .filter(([k]) => !cursor.siblings.has(k))
    .map(([k, spec]) => ({
      ...base,
      label: k,
      kind: 'field' as const,
      insertText: spec.fields ? `${k}:\n${childIndent}` : `${k}: `,
      detail: spec.required ? 'required' : 'optional',
      ...(spec.description ? { documentation: spec.description } : {}),
      sortText: `${spec.required ? 0 : 1}${k}`,
      // After a key whose value has choices, offer them right away.
      ...(spec.enum ? { retrigger: true } : {}),
    }));
}
