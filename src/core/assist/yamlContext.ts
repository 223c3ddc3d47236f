/**
 * Where the cursor is in the structure of a `connections.yaml` that is being typed: the keys of
 * the enclosing mappings, whether a key or a value is being written, and the values of sibling
 * keys (the `type` that decides which fields exist). Read from indentation line by line, because
 * a file in the middle of an edit often does not parse.
 */

export interface YamlCursor {
  /** Keys of the enclosing mappings, outermost first (`['connections', 'jira', 'auth']`). */
  path: string[];
  /** `key`: a key is being typed; `value`: the value after `key:` on the cursor's line. */
  at: 'key' | 'value';
  /** For `value`: the key whose value is typed. */
  key?: string;
  /** What is typed of the word before the cursor, and where it starts (offset). */
  prefix: string;
  prefixStart: number;
  /** Indentation of the cursor's level (spaces). */
  indent: number;
  /** Keys present at the cursor's level, other than the cursor's line, with their scalar values. */
  siblings: Map<string, string>;
  /** The scalar values under each enclosing key, by depth (`ancestorValues[1]` = the values of the connection or provider block). */
  ancestorValues: Map<string, string>[];
}

interface Line {
  indent: number;
  key?: string;
  value?: string;
  blank: boolean;
}

const KEY_LINE = /^(\s*)(?:-\s+)?([^\s:#'"][^:#]*?|"[^"]*"|'[^']*'):(?:\s+(.*))?$/;

function parseLine(text: string): Line {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return { indent: 0, blank: true };
  const indent = text.length - text.trimStart().length;
  const m = KEY_LINE.exec(text.replace(/\s+#.*$/, ''));
  if (!m) return { indent, blank: false };
  const key = m[2].replace(/^["']|["']$/g, '');
  const value = m[3]?.trim().replace(/^["']|["']$/g, '');
  return { indent, key, blank: false, ...(value ? { value } : {}) };
}

/** The mapping below the key on line `at`: its keys and scalar values. */
function childValues(lines: Line[], at: number): Map<string, string> {
  const out = new Map<string, string>();
  const parent = lines[at].indent;
  let childIndent: number | undefined;
  for (let i = at + 1; i < lines.length; i++) {
    const l = lines[i];
    if (l.blank) continue;
    if (l.indent <= parent) break;
    childIndent ??= l.indent;
    if (l.indent === childIndent && l.key) out.set(l.key, l.value ?? '');
  }
  return out;
}

export function yamlCursorAt(text: string, offset: number): YamlCursor | undefined {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const before = text.slice(lineStart, offset);
  let at: YamlCursor['at'];
  let indent: number;
  let key: string | undefined;
  let prefix: string;
  const keyTyping = /^(\s*)(-\s+)?([\w.-]*)$/.exec(before);
  const valueTyping = /^(\s*)(?:-\s+)?([\w.-]+):\s+["']?([\w.-]*)$/.exec(before);
  if (keyTyping) {
    at = 'key';
    indent = keyTyping[1].length + (keyTyping[2]?.length ?? 0);
    prefix = keyTyping[3];
  } else if (valueTyping) {
    at = 'value';
    indent = valueTyping[1].length;
    key = valueTyping[2];
    prefix = valueTyping[3];
  } else {
    return undefined;
  }
  const all = text.split('\n');
  const cursorLine = text.slice(0, lineStart).split('\n').length - 1;
  const lines = all.map(parseLine);

  // Enclosing keys: walking up, each key line less indented than the current level.
  const ancestors: number[] = [];
  let level = indent;
  for (let i = cursorLine - 1; i >= 0 && level > 0; i--) {
    const l = lines[i];
    if (l.blank || !l.key || l.indent >= level) continue;
    ancestors.unshift(i);
    level = l.indent;
  }
  if (level > 0) return undefined; // indented under nothing: not a place the schema knows

  // Siblings: the other keys of the cursor's block, above and below.
  const siblings = new Map<string, string>();
  for (const dir of [-1, 1]) {
    for (let i = cursorLine + dir; i >= 0 && i < lines.length; i += dir) {
      const l = lines[i];
      if (l.blank) continue;
      if (l.indent < indent) break;
      if (l.indent === indent && l.key) siblings.set(l.key, l.value ?? '');
    }
  }
  return {
    path: ancestors.map((i) => lines[i].key!),
    at,
    ...(key !== undefined ? { key } : {}),
    prefix,
    prefixStart: offset - prefix.length,
    indent,
    siblings,
    ancestorValues: ancestors.map((i) => childValues(lines, i)),
  };
}
