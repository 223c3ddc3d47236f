/**
 * The string leaves of a JSON document with their source positions, so a problem inside a
 * key/value secret points at the exact characters and a fix replaces exactly one string literal.
 * Validity is decided by `JSON.parse`; this scanner only locates. It is iterative and linear, and
 * stops descending below `MAX_DEPTH` (deeper leaves are simply not examined).
 */
export interface JsonStringLeaf {
  /** Dotted path of object keys (array items as `[i]`), e.g. `tls.privateKey`. */
  path: string;
  /** The key of the leaf's own member (undefined for array items and a top-level string). */
  key?: string;
  /** Offsets of the literal in the source, quotes included. */
  start: number;
  end: number;
  value: string;
  /** Sibling members of the same object that are strings (key → value), for context rules. */
  siblings?: Map<string, string>;
}

const MAX_DEPTH = 32;

/**
 * Where a text stops being JSON, as an offset (-1 when it is valid), for the line and column of
 * a message — never its text: V8's messages quote the input. One linear pass with an explicit
 * stack, so deep nesting cannot overflow.
 */
export function jsonErrorOffset(text: string): number {
  const n = text.length;
  const stack: number[] = []; // 123 '{' or 91 '['
  type State = 'value' | 'valueOrEnd' | 'key' | 'keyOrEnd' | 'colon' | 'after';
  let state: State = 'value';
  let i = 0;
  const digits = () => {
    const s = i;
    while (i < n && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
    return i > s;
  };
  /** Scans a string literal at i; returns -1 when well-formed, else the offending offset. */
  const string = (): number => {
    i++;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        return -1;
      }
      if (c < 32) return i;
      if (c === 92) {
        const e = text[i + 1];
        if (e === 'u') {
          for (let k = 2; k < 6; k++) if (!/[0-9a-fA-F]/.test(text[i + k] ?? '')) return i;
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else return i;
      } else i++;
    }
    return n;
  };
  for (;;) {
    while (i < n && ' \t\r\n'.includes(text[i])) i++;
    if (i >= n) return state === 'after' && stack.length === 0 ? -1 : n;
    const c = text[i];
    if (state === 'value' || state === 'valueOrEnd') {
      if (state === 'valueOrEnd' && c === ']') {
        stack.pop();
        i++;
        state = 'after';
      } else if (c === '{' || c === '[') {
        stack.push(c.charCodeAt(0));
        i++;
        state = c === '{' ? 'keyOrEnd' : 'valueOrEnd';
      } else if (c === '"') {
        const bad = string();
        if (bad >= 0) return bad;
        state = 'after';
      } else if (c === '-' || (c >= '0' && c <= '9')) {
        const start = i;
        if (c === '-') i++;
        if (text[i] === '0') i++;
        else if (!digits()) return start;
        if (text[i] === '.') {
          i++;
          if (!digits()) return i;
        }
        if (text[i] === 'e' || text[i] === 'E') {
          i++;
          if (text[i] === '+' || text[i] === '-') i++;
          if (!digits()) return i;
        }
        state = 'after';
      } else {
        const word = ['true', 'false', 'null'].find((w) => text.startsWith(w, i));
        if (!word) return i;
        i += word.length;
        state = 'after';
      }
    } else if (state === 'key' || state === 'keyOrEnd') {
      if (state === 'keyOrEnd' && c === '}') {
        stack.pop();
        i++;
        state = 'after';
      } else if (c === '"') {
        const bad = string();
        if (bad >= 0) return bad;
        state = 'colon';
      } else return i;
    } else if (state === 'colon') {
      if (c !== ':') return i;
      i++;
      state = 'value';
    } else {
      const top = stack[stack.length - 1];
      if (top === undefined) return i;
      if (c === ',') state = top === 123 ? 'key' : 'value';
      else if ((c === '}' && top === 123) || (c === ']' && top === 91)) {
        stack.pop();
        state = 'after';
      } else return i;
      i++;
    }
  }
}

/** Every string leaf of a valid JSON text (call only after JSON.parse succeeded). */
export function jsonStringLeaves(text: string): JsonStringLeaf[] {
  const leaves: JsonStringLeaf[] = [];
  // Each frame: what container we are in, its path, the pending key, the object's string members.
  const stack: { kind: 'object' | 'array'; path: string; key?: string; index: number; strings?: Map<string, string>; leaves: JsonStringLeaf[] }[] = [];
  let i = 0;
  const n = text.length;
  const skipWs = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else break;
    }
  };
  const readString = (): { start: number; end: number } => {
    const start = i;
    i++; // opening quote
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 92) i += 2;
      else if (c === 34) {
        i++;
        return { start, end: i };
      } else i++;
    }
    return { start, end: n };
  };
  const childPath = (): string | undefined => {
    const top = stack[stack.length - 1];
    if (!top) return '';
    if (top.kind === 'array') return `${top.path}[${top.index}]`;
    return top.key === undefined ? undefined : top.path ? `${top.path}.${top.key}` : top.key;
  };
  const finishValue = () => {
    const top = stack[stack.length - 1];
    if (top?.kind === 'object') top.key = undefined;
    else if (top) top.index++;
  };

  while (i < n) {
    skipWs();
    if (i >= n) break;
    const c = text[i];
    const top = stack[stack.length - 1];
    if (c === '{' || c === '[') {
      const path = childPath() ?? '';
      stack.push({ kind: c === '{' ? 'object' : 'array', path, index: 0, leaves: [], ...(c === '{' ? { strings: new Map<string, string>() } : {}) });
      i++;
      if (stack.length > MAX_DEPTH) return leaves;
      continue;
    }
    if (c === '}' || c === ']') {
      const done = stack.pop();
      if (done?.strings) for (const leaf of done.leaves) leaf.siblings = done.strings;
      i++;
      finishValue();
      continue;
    }
    if (c === ',' || c === ':') {
      i++;
      continue;
    }
    if (c === '"') {
      const span = readString();
      const decoded = JSON.parse(text.slice(span.start, span.end)) as string;
      if (top?.kind === 'object' && top.key === undefined) {
        top.key = decoded; // a member name; its value follows the colon
        continue;
      }
      const leaf: JsonStringLeaf = { path: childPath() ?? '', ...(top?.kind === 'object' ? { key: top.key } : {}), start: span.start, end: span.end, value: decoded };
      leaves.push(leaf);
      if (top) {
        top.leaves.push(leaf);
        if (top.strings && top.key !== undefined) top.strings.set(top.key, decoded);
      }
      finishValue();
      continue;
    }
    // number, true, false, null
    while (i < n && !',}] \t\r\n'.includes(text[i])) i++;
    finishValue();
  }
  return leaves;
}

/**
 * Offset in the source of each character offset of a string literal's decoded value (length
 * value.length + 1). Escapes make the two differ.
 */
export function literalOffsets(text: string, start: number, end: number): Int32Array {
  const map: number[] = [];
  let i = start + 1;
  const stop = end - 1;
  while (i < stop) {
    map.push(i);
    if (text.charCodeAt(i) === 92) i += text[i + 1] === 'u' ? 6 : 2;
    else i++;
  }
  map.push(stop);
  return Int32Array.from(map);
}
