/**
 * Where the cursor is inside a secret reference that may still be being typed: which part of the
 * body (key, secret, Vault engine or path) and what has been typed of it. Works on the raw text of
 * a line, because a half-written reference is not a valid one and the YAML may not parse.
 */
import type { ProviderType } from '../model';
import { REFERENCE_PREFIX } from '../references';

/** A reference around an offset, closed (`}}`) or not yet. Offsets are in the scanned text. */
export interface ReferenceSpan {
  /** Offset of `{{`. */
  start: number;
  /** Offset of the first body character (after `{{workato:sm:`). */
  bodyStart: number;
  /** Offset after the last body character. */
  bodyEnd: number;
  /** `}}` follows the body. */
  closed: boolean;
  /** After `}}` when closed, else `bodyEnd`. */
  end: number;
  body: string;
}

// A body stops at characters no reference contains: braces, quotes, whitespace.
const BODY_STOP = /[{}"'\s]/;

/**
 * The reference whose body contains `offset` (or ends right at it), on the same line. `offset`
 * between `{{` and the end of the prefix is not inside a body: see `prefixAt`.
 */
export function referenceAt(text: string, offset: number): ReferenceSpan | undefined {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  let from = offset;
  for (;;) {
    const start = text.lastIndexOf(REFERENCE_PREFIX, from - 1);
    if (start < lineStart) return undefined;
    const bodyStart = start + REFERENCE_PREFIX.length;
    if (bodyStart > offset) {
      from = start;
      continue;
    }
    let bodyEnd = bodyStart;
    while (bodyEnd < text.length && !BODY_STOP.test(text[bodyEnd])) bodyEnd++;
    if (offset > bodyEnd) return undefined; // the cursor is past this reference's body
    const closed = text.startsWith('}}', bodyEnd);
    return { start, bodyStart, bodyEnd, closed, end: closed ? bodyEnd + 2 : bodyEnd, body: text.slice(bodyStart, bodyEnd) };
  }
}

/**
 * A partly typed prefix (`{{`, `{{wor`, `{{workato:s`) right before `offset`: its start, so the
 * whole `{{workato:sm:` can replace it.
 */
export function prefixAt(text: string, offset: number): number | undefined {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const start = text.lastIndexOf('{{', offset - 1);
  if (start < lineStart) return undefined;
  const typed = text.slice(start, offset);
  return typed.length < REFERENCE_PREFIX.length && REFERENCE_PREFIX.startsWith(typed) ? start : undefined;
}

export type PartRole =
  /** The only part so far: a name (azure, env, file) or the secret that a key will be put before (aws, vault). */
  | 'alone'
  /** The JSON key of the secret named after it. */
  | 'key'
  /** The secret (aws: name or ARN; env, file: name). */
  | 'secret'
  /** Vault: the KV engine (mount). */
  | 'engine'
  /** Vault: the secret path inside the engine. */
  | 'path';

export interface ReferencePart {
  role: PartRole;
  /** Offsets in the body: the part the cursor is in. */
  start: number;
  end: number;
  /** What is typed of the part before the cursor. */
  prefix: string;
  /** For `key`: the secret id the key belongs to (as written after it). */
  secretId?: string;
  /** For `path`: the engine written before it. */
  engine?: string;
}

/**
 * The part of `body` the cursor (`at`, an offset in the body) is in, by the grammar of the
 * provider in scope (DESIGN §2): aws `<key>:<secret…>`, vault `<key>:<engine>:<path…>`, azure
 * `<name>`, env/file `<name>` or `<key>:<name>`.
 */
export function partAt(body: string, at: number, type: ProviderType): ReferencePart {
  const c1 = body.indexOf(':');
  const part = (role: PartRole, start: number, end: number, extra: Partial<ReferencePart> = {}): ReferencePart => ({ role, start, end, prefix: body.slice(start, at), ...extra });
  if (type === 'azure') return part('secret', 0, body.length);
  if (c1 < 0) return part('alone', 0, body.length);
  if (at <= c1) {
    const secretId = body.slice(c1 + 1);
    return part('key', 0, c1, secretId ? { secretId } : {});
  }
  if (type !== 'vault') return part('secret', c1 + 1, body.length);
  const c2 = body.indexOf(':', c1 + 1);
  if (c2 < 0 || at <= c2) return part('engine', c1 + 1, c2 < 0 ? body.length : c2);
  return part('path', c2 + 1, body.length, { engine: body.slice(c1 + 1, c2) });
}
