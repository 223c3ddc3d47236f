/**
 * The Workato-compatible secret reference grammar (DESIGN §2):
 *
 *   {{workato:sm:<body>}}
 *
 * where the body's meaning depends on the provider in scope:
 *   aws        <key>:<secret ARN or name>        (ARNs contain ':'; everything after the key)
 *   vault      <key>:<engine>:<secret path>
 *   azure      <secret name>
 *   env, file  <name> | <key>:<name>
 *
 * Scanning is a single linear pass (no backtracking regular expressions), so hostile input
 * cannot slow it down.
 */
import type { ProviderType } from './model';

export const REFERENCE_PREFIX = '{{workato:sm:';
const CLOSE = '}}';

export interface FoundReference {
  /** The reference text as written (for malformed ones: the suspicious span). */
  raw: string;
  /** Text between the prefix and `}}` (empty for malformed ones that never get that far). */
  body: string;
  /** Offset of the first character of `raw` in the scanned string. */
  offset: number;
  /** Set when the text looks like a reference but is not a valid one; says how to fix it. */
  error?: string;
}

/** Characters Workato forbids in a Vault engine name. */
export const VAULT_ENGINE_RESERVED = ';/?:@&=+$,';

/**
 * Finds every `{{…}}` span and every near-miss that was meant to be a reference (wrong prefix,
 * missing braces, spaces) in a string value.
 */
export function findReferences(value: string): FoundReference[] {
  const found: FoundReference[] = [];
  let i = 0;
  while (i < value.length) {
    const open = value.indexOf('{', i);
    if (open < 0) break;
    const double = value.startsWith('{{', open);
    const start = open;
    const contentStart = double ? open + 2 : open + 1;
    // A span ends at the next '}' (or at the next '{' which means this one never closed).
    let end = contentStart;
    while (end < value.length && value[end] !== '}' && value[end] !== '{') end++;
    const content = value.slice(contentStart, end);
    const closedDouble = value.startsWith(CLOSE, end);
    const closedSingle = !closedDouble && value[end] === '}';
    const spanEnd = closedDouble ? end + 2 : closedSingle ? end + 1 : end;
    const raw = value.slice(start, spanEnd);
    const looksLikeRef = /workato|(^|\W)sm:/i.test(content);

    if (double && closedDouble && content.startsWith('workato:sm:')) {
      const body = content.slice('workato:sm:'.length);
      const error = checkBody(body);
      found.push({ raw, body, offset: start, ...(error ? { error } : {}) });
    } else if (looksLikeRef) {
      found.push({ raw, body: '', offset: start, error: describeNearMiss(content, double, closedDouble, closedSingle) });
    }
    i = Math.max(spanEnd, start + 1);
  }
  return found;
}

function checkBody(body: string): string | undefined {
  if (body.length === 0) return 'Empty reference: write {{workato:sm:<name>}} or {{workato:sm:<key>:<secret>}}.';
  if (body !== body.trim()) return 'A reference must not contain spaces around its parts; remove them.';
  if (body.split(':').some((p) => p.length === 0)) return 'A reference has an empty part (a doubled or trailing ":"); remove the extra colon or fill in the missing part.';
  return undefined;
}

function describeNearMiss(content: string, double: boolean, closedDouble: boolean, closedSingle: boolean): string {
  const trimmed = content.trim();
  if (double && closedDouble && trimmed.startsWith('workato:sm:')) return 'Remove the spaces inside the braces: write {{workato:sm:…}}.';
  if (!double) return 'A reference starts with two braces: write {{workato:sm:…}}.';
  if (!closedDouble && !closedSingle) return 'The reference is not closed: end it with "}}".';
  if (closedSingle) return 'A reference ends with two braces: write {{workato:sm:…}}.';
  const prefix = trimmed.split(':').slice(0, 2).join(':');
  return `Unknown reference prefix "${prefix}": secret references start with "workato:sm:".`;
}

/** What a reference addresses once the provider type is known. */
export interface ReferenceTarget {
  /** Provider-level secret id (see `SecretSummary.id`). */
  secretId: string;
  /** JSON key inside the secret; undefined = the whole value. */
  key?: string;
  /** Vault only. */
  engine?: string;
  path?: string;
}

export type Interpretation = { ok: true; target: ReferenceTarget } | { ok: false; error: string };

/** Splits a reference body according to the provider in scope. */
export function interpretReference(body: string, type: ProviderType): Interpretation {
  const parts = body.split(':');
  switch (type) {
    case 'aws': {
      if (parts.length < 2) {
        return { ok: false, error: `AWS references name a key and a secret: {{workato:sm:<key>:<secret ARN or name>}} (got "${body}").` };
      }
      const [key, ...rest] = parts;
      return { ok: true, target: { key, secretId: rest.join(':') } };
    }
    case 'vault': {
      if (parts.length < 3) {
        return { ok: false, error: `Vault references name a key, an engine and a path: {{workato:sm:<key>:<engine>:<secret path>}} (got "${body}").` };
      }
      const [key, engine, ...rest] = parts;
      const path = rest.join(':');
      const bad = [...engine].find((c) => VAULT_ENGINE_RESERVED.includes(c));
      if (bad) return { ok: false, error: `The Vault engine name "${engine}" contains "${bad}", which Workato does not allow; rename the mount.` };
      return { ok: true, target: { key, engine, path, secretId: `${engine}:${path}` } };
    }
    case 'azure': {
      if (parts.length !== 1) {
        return { ok: false, error: `Azure references name only the secret: {{workato:sm:<secret name>}} (got "${body}").` };
      }
      if (!/^[0-9A-Za-z-]{1,127}$/.test(body)) {
        return { ok: false, error: `"${body}" is not a valid Key Vault secret name (1–127 letters, digits and dashes).` };
      }
      return { ok: true, target: { secretId: body } };
    }
    case 'env':
    case 'file': {
      if (parts.length === 1) return { ok: true, target: { secretId: body } };
      if (parts.length === 2) return { ok: true, target: { key: parts[0], secretId: parts[1] } };
      return { ok: false, error: `${type} references are {{workato:sm:<name>}} or {{workato:sm:<key>:<name>}} (got "${body}").` };
    }
  }
}

/** Builds the reference text for a target; the inverse of `interpretReference`. */
export function formatReference(type: ProviderType, target: { secretId: string; key?: string }): string {
  if (type === 'vault') {
    return `${REFERENCE_PREFIX}${target.key ?? ''}:${target.secretId}}}`;
  }
  return `${REFERENCE_PREFIX}${target.key ? `${target.key}:` : ''}${target.secretId}}}`;
}
