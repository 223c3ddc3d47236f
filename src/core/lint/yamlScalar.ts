/**
 * Maps offsets in a YAML scalar's value back to its source text (double-quoted escapes, single
 * quotes, block literals), so a problem inside a PEM written in connections.yaml points at the
 * exact characters. Where the mapping is not certain (folding), it says so and callers use the
 * scalar's whole range. Fixes re-encode the whole scalar in a form that is certain to read back
 * as the fixed value.
 */

export type ScalarStyle = 'plain' | 'single' | 'double' | 'literal' | 'other';

export interface ScalarMapping {
  style: ScalarStyle;
  /** Source offset of each value offset (length value.length + 1); undefined when not certain. */
  map?: Int32Array;
  /** For block literals: the content indentation, reused when re-encoding. */
  indent?: string;
  /** Source end to replace when re-encoding (block literals keep their final line break). */
  replaceEnd: number;
}

const SIMPLE_ESCAPES: Record<string, string> = { '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b', ' ': ' ', '"': '"', '/': '/', '\\': '\\', N: '\x85', _: '\xa0', L: '\u2028', P: '\u2029' };

/** `start`/`end`: the scalar's source range; `value`: what the YAML parser read. */
export function mapScalar(text: string, start: number, end: number, value: string): ScalarMapping {
  const c = text[start];
  if (c === '"') return { style: 'double', map: mapDouble(text, start, end, value), replaceEnd: end };
  if (c === "'") return { style: 'single', map: mapSingle(text, start, end, value), replaceEnd: end };
  if (c === '|') return mapLiteral(text, start, end, value);
  if (c === '>') return { style: 'other', replaceEnd: end };
  return { style: 'plain', map: text.slice(start, end) === value ? identity(start, value.length) : undefined, replaceEnd: end };
}

function identity(start: number, length: number): Int32Array {
  const m = new Int32Array(length + 1);
  for (let i = 0; i <= length; i++) m[i] = start + i;
  return m;
}

function mapDouble(text: string, start: number, end: number, value: string): Int32Array | undefined {
  const map: number[] = [];
  let out = '';
  let i = start + 1;
  const stop = end - 1;
  while (i < stop) {
    const ch = text[i];
    if (ch === '\n' || ch === '\r') return undefined; // folded flow scalar
    if (ch !== '\\') {
      map.push(i);
      out += ch;
      i++;
      continue;
    }
    const e = text[i + 1];
    if (e === '\n' || e === '\r') return undefined;
    const hex = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    if (hex) {
      const cp = parseInt(text.slice(i + 2, i + 2 + hex), 16);
      if (!Number.isFinite(cp)) return undefined;
      const s = String.fromCodePoint(cp);
      for (let k = 0; k < s.length; k++) map.push(i);
      out += s;
      i += 2 + hex;
      continue;
    }
    const s = SIMPLE_ESCAPES[e];
    if (s === undefined) return undefined;
    map.push(i);
    out += s;
    i += 2;
  }
  map.push(stop);
  return out === value ? Int32Array.from(map) : undefined;
}

function mapSingle(text: string, start: number, end: number, value: string): Int32Array | undefined {
  const map: number[] = [];
  let out = '';
  let i = start + 1;
  const stop = end - 1;
  while (i < stop) {
    const ch = text[i];
    if (ch === '\n' || ch === '\r') return undefined;
    map.push(i);
    out += ch;
    i += ch === "'" && text[i + 1] === "'" ? 2 : 1;
  }
  map.push(stop);
  return out === value ? Int32Array.from(map) : undefined;
}

function mapLiteral(text: string, start: number, end: number, value: string): ScalarMapping {
  const replaceEnd = text[end - 1] === '\n' ? end - 1 : end;
  const headerEnd = text.indexOf('\n', start);
  if (headerEnd < 0 || headerEnd >= end) return { style: 'literal', replaceEnd };
  const header = text.slice(start + 1, headerEnd).split('#')[0].trim();
  if (/\d/.test(header)) return { style: 'other', replaceEnd: end }; // explicit indentation indicator
  const chomp = header.includes('-') ? 'strip' : header.includes('+') ? 'keep' : 'clip';
  // Content lines and their indentation (the first non-empty line decides).
  const lines: { start: number; end: number }[] = [];
  for (let i = headerEnd + 1; i < end; ) {
    const nl = text.indexOf('\n', i);
    const e = nl < 0 || nl >= end ? end : nl;
    lines.push({ start: i, end: e });
    i = e + 1;
  }
  let indent = -1;
  for (const l of lines) {
    let k = l.start;
    while (k < l.end && text[k] === ' ') k++;
    if (k < l.end && text[k] !== '\r') {
      indent = k - l.start;
      break;
    }
  }
  if (indent <= 0) return { style: 'literal', replaceEnd };
  const map: number[] = [];
  let out = '';
  for (const l of lines) {
    const from = Math.min(l.start + indent, l.end);
    for (let k = from; k < l.end; k++) {
      map.push(k);
      out += text[k];
    }
    map.push(l.end);
    out += '\n';
  }
  // Chomping: clip keeps one final line break, strip none, keep all.
  let trimmedLen = out.length;
  while (trimmedLen > 0 && out[trimmedLen - 1] === '\n') trimmedLen--;
  const keepLen = chomp === 'keep' ? out.length : chomp === 'strip' ? trimmedLen : Math.min(out.length, trimmedLen + 1);
  out = out.slice(0, keepLen);
  map.length = keepLen;
  map.push(keepLen > 0 ? map[keepLen - 1] + 1 : replaceEnd);
  return { style: 'literal', indent: ' '.repeat(indent), replaceEnd, ...(out === value ? { map: Int32Array.from(map) } : {}) };
}

/** Source text for a scalar that reads back as exactly `value`, in the original style where possible. */
export function encodeScalar(value: string, mapping: ScalarMapping): string {
  const lines = value.split('\n');
  const literalOk =
    mapping.style === 'literal' &&
    mapping.indent &&
    value.includes('\n') &&
    !value.includes('\r') &&
    !value.includes('\t') &&
    !value.endsWith('\n\n') &&
    !lines[0].startsWith(' ') &&
    lines.every((l) => l.length === 0 || l.trim().length > 0);
  if (literalOk) {
    const clip = value.endsWith('\n');
    const body = clip ? lines.slice(0, -1) : lines;
    return `|${clip ? '' : '-'}` + body.map((l) => `\n${l ? mapping.indent + l : ''}`).join('');
  }
  // JSON string escapes are a subset of YAML's double-quoted escapes.
  return JSON.stringify(value);
}
