/**
 * PEM / X.509 rules over one value, in both the `\n`-escaped single-line form secrets managers
 * store and the multi-line form of files.
 *
 * The scan is forward passes with `indexOf` and character tests — no regular expression runs
 * over the value — and every loop moves forward, so time is linear in the value's length.
 * Messages name positions and labels the linter knows, never the value's text.
 */
import type { KeyObject } from 'node:crypto';
import { decrypts, LABEL_FOR_DER, parseDer, parseOpenSsh, PEM_LABELS, publicKeyId, publicKeyOf, type ParseCache, type ParsedBody } from './keys';
import type { PemForm, ValueEdit, ValueFix, ValueProblem } from './types';

export interface PemOptions {
  /** A file on disk (multi-line required), a stored secret value, or a connections.yaml field. */
  where: 'file' | 'secret' | 'field';
  /** Expected form of a stored secret value; files always expect multi-line, fields accept either. */
  expectedForm: PemForm;
  now: number;
  expiryWarningDays: number;
  /** Undefined: not known in this context; null: none configured; a string: the configured one. */
  passphrase?: string | null;
  parseCache: ParseCache | null;
}

export type BlockKind = 'private' | 'encrypted' | 'public' | 'certificate' | 'other' | 'unknown';

/** What the linter learnt about one BEGIN…END block (no key material). */
export interface PemBlockInfo {
  label: string;
  kind: BlockKind;
  /** Offsets of the BEGIN line's boundary in the value. */
  headerStart: number;
  headerEnd: number;
  parsed?: ParsedBody;
  /** For keys and certificates that parsed (private keys: after decryption when possible). */
  publicKey?: KeyObject;
}

export interface PemAnalysis {
  problems: ValueProblem[];
  blocks: PemBlockInfo[];
}

const DASH = 45;
const LF = 10;
const CR = 13;
const BACKSLASH = 92;
const SPACE = 32;
const TAB = 9;
/** Beyond this many boundaries the value is not a plausible PEM; the rest is not examined. */
const MAX_BOUNDARIES = 2000;
const MAX_LABEL = 80;
/** RFC 7468 writes 64; up to 76 (MIME) is common and accepted everywhere. */
const MAX_LINE = 76;
/** An RFC 1421 encapsulated header line, and the Proc-Type line that must open the group. */
const HEADER_LINE = /^[ \t]*[A-Za-z][A-Za-z0-9-]*:/;
const PROC_TYPE = /^[ \t]*Proc-Type:/;

/** Cheap test before the full scan: does the value contain PEM armor at all? */
export function looksLikePem(text: string): boolean {
  return hasArmor(text, '-BEGIN') || hasArmor(text, '-END');
}

function hasArmor(text: string, word: string): boolean {
  for (let at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + 1)) {
    if (at >= 2 && text.charCodeAt(at - 1) === DASH && text.charCodeAt(at - 2) === DASH) return true;
  }
  return false;
}

type SepKind = 'lf' | 'crlf' | 'cr' | 'esc-lf' | 'esc-crlf' | 'esc-cr' | 'double-esc';
type Family = 'real' | 'esc' | 'double';
const familyOf = (k: SepKind): Family => (k === 'lf' || k === 'crlf' || k === 'cr' ? 'real' : k === 'double-esc' ? 'double' : 'esc');
const hasCr = (k: SepKind) => k === 'crlf' || k === 'cr' || k === 'esc-crlf' || k === 'esc-cr';
const isWs = (c: number) => c === SPACE || c === TAB;
const isB64 = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47;

interface Span {
  start: number;
  end: number;
}

interface Sep extends Span {
  kind: SepKind;
}

/**
 * The line separator at `i`, or how far to skip when `i` starts a run of backslashes that is not
 * one (so a long run is passed over once, not re-counted at every position).
 */
function sepAt(text: string, i: number): { sep?: SepKind; len: number } {
  const c = text.charCodeAt(i);
  if (c === LF) return { sep: 'lf', len: 1 };
  if (c === CR) return text.charCodeAt(i + 1) === LF ? { sep: 'crlf', len: 2 } : { sep: 'cr', len: 1 };
  if (c !== BACKSLASH) return { len: 1 };
  let j = i;
  while (j < text.length && text.charCodeAt(j) === BACKSLASH) j++;
  const run = j - i;
  const next = text.charCodeAt(j);
  if (next === 110 /* n */) return { sep: run === 1 ? 'esc-lf' : 'double-esc', len: run + 1 };
  if (next === 114 /* r */) {
    let k = j + 1;
    while (k < text.length && text.charCodeAt(k) === BACKSLASH) k++;
    if (k > j + 1 && text.charCodeAt(k) === 110) return { sep: run === 1 && k - j - 1 === 1 ? 'esc-crlf' : 'double-esc', len: k + 1 - i };
    return { sep: run === 1 ? 'esc-cr' : 'double-esc', len: run + 1 };
  }
  return { len: run };
}

/** Longest run of dashes read after a label (armor has five; anything longer is malformed anyway). */
const MAX_DASH_RUN = 256;

interface Boundary extends Span {
  word: 'BEGIN' | 'END';
  label: string;
  labelStart: number;
  labelEnd: number;
  wellFormed: boolean;
}

function validLabel(label: string): boolean {
  if (label.length === 0 || label.length > MAX_LABEL) return false;
  let prevSpace = true;
  for (let i = 0; i < label.length; i++) {
    const c = label.charCodeAt(i);
    if (c === SPACE) {
      if (prevSpace) return false;
      prevSpace = true;
    } else if ((c >= 65 && c <= 90) || (c >= 48 && c <= 57)) prevSpace = false;
    else return false;
  }
  return !prevSpace;
}

/** `floor`: where the previous boundary ended (its dashes are not this one's). */
function parseBoundary(text: string, dash: number, word: 'BEGIN' | 'END', floor: number): Boundary | undefined {
  let q = dash;
  while (q >= floor && text.charCodeAt(q) === DASH && dash - q < 10) q--;
  const before = dash - q;
  const afterWord = dash + 1 + word.length;
  const spaced = text.charCodeAt(afterWord) === SPACE;
  const labelStart = afterWord + (spaced ? 1 : 0);
  let j = labelStart;
  while (j < text.length && j - labelStart < MAX_LABEL) {
    const c = text.charCodeAt(j);
    if (c === DASH || c === LF || c === CR || c === BACKSLASH) break;
    j++;
  }
  // The whole run of dashes (bounded), so that how a run is shared between two glued boundaries
  // does not depend on its length: a fix that rewrites one of them must leave the other as it was.
  let k = j;
  while (k < text.length && text.charCodeAt(k) === DASH && k - j < MAX_DASH_RUN) k++;
  // Blocks glued together ("…END X----------BEGIN Y…"): the next boundary keeps its five dashes.
  if (k - j > 5 && (text.startsWith('BEGIN', k) || text.startsWith('END', k))) k -= 5;
  const after = k - j;
  // Armor has runs of dashes; a lone "-END" in prose is no attempt at a boundary.
  if (before < 3 && after < 3) return undefined;
  const label = text.slice(labelStart, j);
  return { word, start: q + 1, end: k, label, labelStart, labelEnd: j, wellFormed: before === 5 && after === 5 && spaced && validLabel(label) };
}

function findBoundaries(text: string): { boundaries: Boundary[]; truncated: boolean } {
  const hits: { at: number; word: 'BEGIN' | 'END' }[] = [];
  for (const word of ['BEGIN', 'END'] as const) {
    const needle = `-${word}`;
    for (let at = text.indexOf(needle); at >= 0 && hits.length <= MAX_BOUNDARIES * 4; at = text.indexOf(needle, at + needle.length)) hits.push({ at, word });
  }
  hits.sort((a, b) => a.at - b.at);
  const boundaries: Boundary[] = [];
  let lastEnd = 0;
  for (const h of hits) {
    if (h.at < lastEnd) continue;
    const b = parseBoundary(text, h.at, h.word, lastEnd);
    if (!b) continue;
    boundaries.push(b);
    lastEnd = b.end;
    if (boundaries.length >= MAX_BOUNDARIES) return { boundaries, truncated: true };
  }
  return { boundaries, truncated: false };
}

/** A BEGIN…END pair and what its body holds. */
interface Block {
  begin: Boundary;
  end: Boundary;
  /** Encapsulated header lines (RFC 1421 `Proc-Type`, `DEK-Info`), verbatim. */
  headers: string[];
  /** Body lines (chunks, when flattened), whitespace trimmed. */
  lines: Span[];
  lineTexts: string[];
  base64: string;
  /** False when a re-render must re-wrap the body (flattened, empty lines, long lines). */
  keepLines: boolean;
  legacyEncrypted: boolean;
  /** The body decoded and parsed as a known structure: a re-render is certain to be right. */
  ok: boolean;
  info: PemBlockInfo;
}

function labelName(label: string): string {
  return PEM_LABELS[label] ? label : 'PEM';
}

function relabelEdit(b: Boundary, label: string): ValueEdit {
  return { start: b.labelStart, end: b.labelEnd, newText: label };
}

/** Runs every PEM / X.509 rule over one value. */
export function lintPem(text: string, o: PemOptions): PemAnalysis {
  const problems: ValueProblem[] = [];
  const add = (p: ValueProblem) => {
    problems.push(p);
    return p;
  };
  const { boundaries, truncated } = findBoundaries(text);
  if (truncated) {
    add({ ruleId: 'pem/too-many-blocks', severity: 'warning', start: 0, end: 0, message: `The value holds more than ${MAX_BOUNDARIES} BEGIN/END lines; only the first ones were checked. A secret normally holds a key and its certificate chain.` });
  }

  // 1. Pair BEGIN and END lines.
  const pairs: { begin: Boundary; end: Boundary }[] = [];
  let open: Boundary | undefined;
  const missingEnd = (b: Boundary) =>
    add({ ruleId: 'pem/missing-end', severity: 'error', start: b.start, end: b.end, message: `This BEGIN line has no END line after it. End the body with "-----END ${labelName(b.label)}-----" on its own line.` });
  for (const b of boundaries) {
    if (!b.wellFormed) {
      const known = validLabel(b.label) && !!PEM_LABELS[b.label];
      const fixed = `-----${b.word} ${b.label}-----`;
      add({
        ruleId: 'pem/malformed-boundary',
        severity: 'error',
        start: b.start,
        end: b.end,
        message: `The ${b.word} line is malformed: it must be five dashes, "${b.word} ", the label${known ? ` (${b.label})` : ' in capitals'} and five dashes.`,
        ...(known ? { fixes: [{ title: `Rewrite it as ${fixed}`, preferred: true, edits: [{ start: b.start, end: b.end, newText: fixed }] }] } : {}),
      });
    }
    if (b.word === 'BEGIN') {
      if (open) missingEnd(open);
      open = b;
    } else if (open) {
      pairs.push({ begin: open, end: b });
      open = undefined;
    } else {
      add({ ruleId: 'pem/missing-begin', severity: 'error', start: b.start, end: b.end, message: `This END line has no BEGIN line before it. Add "-----BEGIN ${labelName(b.label)}-----" on its own line before the body.` });
    }
  }
  if (open) missingEnd(open);

  // 2. Each block: separators, encapsulated headers, base64, what the DER is.
  const seps: Sep[] = [];
  const blocks = pairs.map((pair) => analyzeBlock(text, pair.begin, pair.end, o, seps, add));

  // 3. Between and after the blocks: line breaks, and text that is not PEM.
  const renderable = blocks.length > 0 && pairs.length * 2 === boundaries.length && boundaries.every((b) => b.wellFormed) && blocks.every((b) => b.ok) && !truncated;
  const outside: Span[] = [];
  const gapProblems: { problem: ValueProblem; gap: Span }[] = [];
  let cursor = 0;
  for (let gi = 0; gi <= blocks.length; gi++) {
    const gap = { start: cursor, end: gi < blocks.length ? blocks[gi].begin.start : text.length };
    if (gi < blocks.length) cursor = blocks[gi].end.end;
    if (blocks.length === 0) break;
    let sawSep = false;
    let content: Span | undefined;
    for (let i = gap.start; i < gap.end; ) {
      const s = sepAt(text, i);
      if (s.sep) {
        seps.push({ kind: s.sep, start: i, end: i + s.len });
        sawSep = true;
      } else if (!isWs(text.charCodeAt(i))) {
        content ??= { start: i, end: i };
        content.end = i + s.len;
      }
      i += s.len;
    }
    if (content) outside.push(content);
    if (gi === 0 || sawSep || content) continue;
    // Directly after an END line with no line break: at the end of the value, or before the next BEGIN.
    const footer = blocks[gi - 1].end;
    const last = gi === blocks.length;
    const problem = last
      ? add({ ruleId: 'pem/missing-trailing-newline', severity: o.where === 'field' ? 'info' : 'warning', start: footer.start, end: footer.end, message: `The value does not end with a line break after the END line; some tools reject it. Add the trailing ${o.where === 'secret' ? '\\n' : 'newline'}.` })
      : add({ ruleId: 'pem/missing-trailing-newline', severity: 'error', start: footer.start, end: footer.end, message: 'There is no line break between this END line and the next BEGIN line, so the blocks run together. Start each BEGIN line on a new line.' });
    gapProblems.push({ problem, gap });
  }
  if (outside.length && o.where !== 'file') {
    add({ ruleId: 'pem/text-outside', severity: 'info', start: outside[0].start, end: outside[0].end, message: 'There is text outside the BEGIN…END blocks. Tools differ in whether they ignore it; store only the PEM blocks.' });
  }

  // 4. Line separators across the whole value: double escaping, mixing, CR, the expected form.
  const form = formOf(seps);
  const expected: PemForm = o.where === 'file' ? 'multiline' : o.where === 'field' ? 'either' : o.expectedForm;
  const target: 'escaped' | 'multiline' = expected === 'either' ? (form.majority ?? 'multiline') : expected;
  const canRender = renderable && outside.length === 0;
  const whole = (title: string, f: 'escaped' | 'multiline', preferred: boolean, rewrap = false): ValueFix => ({
    title,
    preferred,
    edits: [{ start: 0, end: text.length, newText: renderBlocks(blocks, f === 'escaped' ? '\\n' : '\n', rewrap) }],
  });
  const convertTitle = (f: 'escaped' | 'multiline') => (f === 'escaped' ? 'Convert to the escaped single line' : 'Convert to multi-line');
  const formFixes = (preferredForm: 'escaped' | 'multiline', titleFor: (f: 'escaped' | 'multiline') => string): ValueFix[] | undefined => {
    if (!canRender) return undefined;
    const fixes = [whole(titleFor(preferredForm), preferredForm, true)];
    // Where either form works (a connections.yaml field, the "either" setting), offer both.
    if (expected === 'either') {
      const other = preferredForm === 'escaped' ? 'multiline' : 'escaped';
      fixes.push(whole(convertTitle(other), other, false));
    }
    return fixes;
  };

  if (form.firstDouble) {
    add({
      ruleId: 'pem/double-escaped',
      severity: 'error',
      start: form.firstDouble.start,
      end: form.firstDouble.end,
      message: `The line breaks are escaped twice (\\\\n where ${target === 'escaped' ? '\\n' : 'a line break'} belongs) in ${form.counts.double} place(s), so no parser sees a line break. ${target === 'escaped' ? 'Store it with single \\n escapes.' : 'Store it with real line breaks.'}`,
      fixes: formFixes(target, (f) => (f === 'escaped' ? 'Remove the double escaping' : 'Convert to multi-line (removes the double escaping)')),
    });
  } else if (form.counts.real && form.counts.esc) {
    const minority = form.majority === 'escaped' ? form.firstReal! : form.firstEsc!;
    add({
      ruleId: 'pem/mixed-newlines',
      severity: 'error',
      start: minority.start,
      end: minority.end,
      message: `Escaped \\n and real line breaks are mixed (${form.counts.esc} escaped, ${form.counts.real} real), which no parser reads. Use one form: ${target === 'escaped' ? 'the escaped single line' : 'multi-line'}.`,
      fixes: formFixes(target, convertTitle),
    });
  } else if (expected === 'multiline' && form.counts.esc) {
    add({
      ruleId: 'pem/expected-multiline',
      severity: o.where === 'file' ? 'error' : 'warning',
      start: form.firstEsc!.start,
      end: form.firstEsc!.end,
      message:
        o.where === 'file'
          ? 'This file holds the escaped single-line form (\\n instead of line breaks); PEM files need real line breaks. Convert it to multi-line.'
          : 'This secret holds the escaped single-line form, but the setting connectionSecrets.lint.pemForm expects multi-line. Convert it, or change the setting.',
      fixes: formFixes('multiline', convertTitle),
    });
  } else if (expected === 'escaped' && form.counts.real) {
    add({
      ruleId: 'pem/expected-escaped',
      severity: 'warning',
      start: form.firstReal!.start,
      end: form.firstReal!.end,
      message: 'This secret holds multi-line PEM, but it is expected as one line with \\n escapes, the form secrets managers store (setting connectionSecrets.lint.pemForm). Convert it to the escaped single line.',
      fixes: formFixes('escaped', convertTitle),
    });
  }
  if (form.firstCr) {
    add({
      ruleId: 'pem/crlf',
      severity: 'warning',
      start: form.firstCr.start,
      end: form.firstCr.end,
      message: `The PEM has Windows line ends (CR LF) in ${form.counts.cr} place(s); some parsers reject the CR. Normalise the line ends to LF.`,
      fixes: canRender ? [whole('Normalise line ends to LF', target, true)] : undefined,
    });
  }

  // Fixes of per-block problems: a re-render in the target form, certain because every block parsed.
  if (canRender) {
    const titles: Record<string, string> = {
      'pem/header-newline': 'Put the BEGIN line on its own line',
      'pem/footer-newline': 'Put the END line on its own line',
      'pem/flattened-newlines': 'Restore the line breaks',
      'pem/blank-line': 'Remove the empty line',
      'pem/encapsulated-headers': 'Add the empty line after the headers',
    };
    for (const p of problems) {
      if (!p.fixes && titles[p.ruleId]) p.fixes = [whole(titles[p.ruleId], target, true)];
      if (!p.fixes && p.ruleId === 'pem/line-length') p.fixes = [whole('Wrap the body at 64 characters', target, true, true)];
    }
    const nl = target === 'escaped' ? '\\n' : '\n';
    const oneForm = !(form.counts.esc && form.counts.real) && !form.counts.double && !form.counts.cr;
    for (const { problem, gap } of gapProblems) {
      const title = problem.severity === 'error' ? 'Add a line break between the blocks' : 'Add the trailing newline';
      // Inserting one line break is the whole fix only when the value is otherwise in the target form.
      problem.fixes = [oneForm && (form.majority ?? target) === target ? { title, preferred: true, edits: [{ start: gap.start, end: gap.end, newText: nl }] } : whole(title, target, true)];
    }
  }
  if (renderable && outside.length) {
    const p = problems.find((x) => x.ruleId === 'pem/text-outside');
    if (p) p.fixes = [whole('Remove the text outside the PEM blocks', target, false)];
  }

  // 5. Certificates: their dates; keys and certificates: do they belong together.
  const infos = blocks.map((b) => b.info);
  for (const b of infos) {
    const cert = b.parsed?.certificate;
    if (!cert) continue;
    const day = 86_400_000;
    const who = cert.subject ? ` (${cert.subject})` : '';
    if (cert.notAfter <= o.now) {
      add({ ruleId: 'x509/expired', severity: 'error', start: b.headerStart, end: b.headerEnd, message: `The certificate${who} expired on ${isoDate(cert.notAfter)}. Renew it and store the new certificate.` });
    } else if (cert.notBefore > o.now) {
      add({ ruleId: 'x509/not-yet-valid', severity: 'error', start: b.headerStart, end: b.headerEnd, message: `The certificate${who} is not valid before ${isoDate(cert.notBefore)}. Check the issuer's clock, or wait until then.` });
    } else if (o.expiryWarningDays > 0 && cert.notAfter - o.now < o.expiryWarningDays * day) {
      const days = Math.max(0, Math.floor((cert.notAfter - o.now) / day));
      add({ ruleId: 'x509/expiring', severity: 'warning', start: b.headerStart, end: b.headerEnd, message: `The certificate${who} expires on ${isoDate(cert.notAfter)}, in ${days} day(s). Renew it before then.` });
    }
  }
  for (const m of keyCertificateMismatches(infos)) add({ ruleId: 'x509/key-mismatch', severity: 'error', start: m.headerStart, end: m.headerEnd, message: MISMATCH_MESSAGE });
  return { problems, blocks: infos };
}

export const MISMATCH_MESSAGE =
  'This private key does not belong to the certificate stored with it (their public keys differ). Store the key the certificate was issued for, or the certificate issued for this key.';

/** Private keys that match none of the certificates next to them (only when both are present). */
export function keyCertificateMismatches(blocks: readonly PemBlockInfo[]): PemBlockInfo[] {
  const certs = blocks.filter((b) => b.kind === 'certificate' && b.publicKey);
  const keys = blocks.filter((b) => (b.kind === 'private' || b.kind === 'encrypted') && b.publicKey);
  if (!certs.length || !keys.length) return [];
  // By digest, not KeyObject.equals: on keys of different types that leaves an error on OpenSSL's
  // queue which the next parse then reports as its own ("different key types").
  const ids = new Set(certs.map((c) => publicKeyId(c.publicKey!)));
  return keys.filter((k) => !ids.has(publicKeyId(k.publicKey!)));
}

function isoDate(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 10) : 'an unreadable date';
}

function trimSpan(text: string, l: Span): Span {
  let s = l.start;
  let e = l.end;
  while (s < e && isWs(text.charCodeAt(s))) s++;
  while (e > s && isWs(text.charCodeAt(e - 1))) e--;
  return { start: s, end: e };
}

function analyzeBlock(text: string, begin: Boundary, end: Boundary, o: PemOptions, seps: Sep[], add: (p: ValueProblem) => ValueProblem): Block {
  const label = begin.label;
  const spec = PEM_LABELS[label];
  const what = spec ? label : 'PEM';
  const thing = spec?.kind === 'certificate' ? 'certificate' : 'key';
  const info: PemBlockInfo = { label, kind: spec?.kind ?? 'unknown', headerStart: begin.start, headerEnd: begin.end };
  const block: Block = { begin, end, headers: [], lines: [], lineTexts: [], base64: '', keepLines: true, legacyEncrypted: false, ok: false, info };
  const mismatch =
    begin.wellFormed && end.wellFormed && begin.label !== end.label
      ? add({ ruleId: 'pem/label-mismatch', severity: 'error', start: end.start, end: end.end, message: `The END line's label differs from the BEGIN line's${spec ? ` (${label})` : ''}. Both lines must carry the same label.` })
      : undefined;

  // Raw lines between separators. A pair of different families ("\n" then a real line break)
  // is one separator, so a mixed form does not look like empty lines.
  const raw: Span[] = [];
  let lineStart = begin.end;
  let prev: Sep | undefined;
  for (let i = begin.end; i < end.start; ) {
    const s = sepAt(text, i);
    if (s.sep) {
      const sep: Sep = { kind: s.sep, start: i, end: i + s.len };
      seps.push(sep);
      const pairWithPrev = prev && prev.end === i && lineStart === i && familyOf(prev.kind) !== familyOf(sep.kind);
      if (!pairWithPrev) raw.push({ start: lineStart, end: i });
      prev = sep;
      lineStart = i + s.len;
    }
    i += s.len;
  }
  raw.push({ start: lineStart, end: end.start });

  // raw[0] is the rest of the BEGIN line; the last raw line is what precedes the END line.
  const first = raw[0];
  const firstT = trimSpan(text, first);
  const last = raw[raw.length - 1];
  const lastT = trimSpan(text, last);
  let flattenedAt: number | undefined;
  if (firstT.end > firstT.start) {
    if (firstT.start > first.start) flattenedAt = first.start;
    else add({ ruleId: 'pem/header-newline', severity: 'error', start: begin.start, end: begin.end, message: `The ${what} body starts on the BEGIN line. Put a line break after "-----BEGIN ${what}-----".` });
  }
  if (lastT.end > lastT.start) {
    if (lastT.end < last.end) flattenedAt ??= lastT.end;
    else add({ ruleId: 'pem/footer-newline', severity: 'error', start: end.start, end: end.end, message: `The END line follows the last body line without a line break. Put "-----END ${what}-----" on its own line.` });
  }

  // Encapsulated headers (legacy encrypted PEM) come first and end with an empty line. Only a
  // group that starts with Proc-Type counts (RFC 1421; OpenSSL rejects any other first header), and
  // each line must be "Name: value": a stray colon in a body line is a base64 error at its place,
  // not a header that a re-render would keep.
  let idx = firstT.end > firstT.start ? 0 : 1;
  const headerAt = (i: number) => HEADER_LINE.test(text.slice(raw[i].start, Math.min(raw[i].end, raw[i].start + 200)));
  if (idx < raw.length - 1 && PROC_TYPE.test(text.slice(raw[idx].start, Math.min(raw[idx].end, raw[idx].start + 200)))) {
    while (idx < raw.length - 1 && headerAt(idx)) {
      const h = trimSpan(text, raw[idx]);
      block.headers.push(text.slice(h.start, h.end));
      idx++;
    }
  }
  if (block.headers.length) {
    block.legacyEncrypted = block.headers.some((x) => x.startsWith('Proc-Type:') && x.includes('ENCRYPTED'));
    const after = raw[idx] ? trimSpan(text, raw[idx]) : undefined;
    if (after && after.end > after.start) {
      add({ ruleId: 'pem/encapsulated-headers', severity: 'error', start: raw[idx].start, end: raw[idx].end, message: `The ${what} headers (Proc-Type, DEK-Info) must be followed by an empty line before the body. Add it.` });
    } else idx++;
  }

  // Body lines, split further at inner whitespace (line breaks flattened into spaces).
  let blankReported = false;
  for (let i = idx; i < raw.length; i++) {
    const l = trimSpan(text, raw[i]);
    if (l.end === l.start) {
      if (i < raw.length - 1 && i > 0 && !blankReported) {
        blankReported = true;
        block.keepLines = false;
        add({ ruleId: 'pem/blank-line', severity: 'error', start: raw[i].start, end: raw[i].end, message: `Body line ${i - idx + 1} of the ${what} is empty; OpenSSL stops reading there. Remove the empty line.` });
      }
      continue;
    }
    let s = l.start;
    for (let j = l.start; j <= l.end; j++) {
      if (j < l.end && !isWs(text.charCodeAt(j))) continue;
      if (j > s) block.lines.push({ start: s, end: j });
      if (j < l.end) flattenedAt ??= j;
      while (j + 1 < l.end && isWs(text.charCodeAt(j + 1))) j++;
      s = j + 1;
    }
  }
  if (flattenedAt !== undefined) {
    block.keepLines = false;
    add({ ruleId: 'pem/flattened-newlines', severity: 'error', start: flattenedAt, end: flattenedAt + 1, message: `The ${what} line breaks were replaced by spaces (a copy through a single-line field does this). Restore the line breaks.` });
  }

  // Base64, line by line, with the exact position of the first bad character.
  let padding = 0;
  let bad = false;
  let longLine: Span | undefined;
  for (const [n, l] of block.lines.entries()) {
    for (let i = l.start; i < l.end; i++) {
      const c = text.charCodeAt(i);
      if (c === 61 /* = */) {
        padding++;
        continue;
      }
      if (isB64(c) && padding === 0) continue;
      bad = true;
      const hint = c === BACKSLASH ? ' It looks like an escape sequence that was not decoded.' : c === 34 || c === 39 ? ' It looks like a quote left over from copying.' : '';
      add({
        ruleId: 'pem/invalid-base64',
        severity: 'error',
        start: i,
        end: i + 1,
        message: `${padding > 0 ? `Body line ${n + 1} of the ${what} continues after the "=" padding` : `Body line ${n + 1} of the ${what} has a character that is not base64 at column ${i - l.start + 1}`}; only A–Z, a–z, 0–9, +, / and a final = may appear.${hint} Paste the ${thing} again from its source.`,
      });
      break;
    }
    if (bad) break;
    if (!longLine && l.end - l.start > MAX_LINE) longLine = l;
    block.lineTexts.push(text.slice(l.start, l.end));
  }
  if (!bad && block.lines.length === 0) {
    bad = true;
    add({ ruleId: 'pem/invalid-base64', severity: 'error', start: begin.start, end: end.end, message: `The ${what} block has no body. Paste the ${thing} again from its source.` });
  }
  block.base64 = block.lineTexts.join('');
  if (!bad && (padding > 2 || block.base64.length % 4 !== 0)) {
    bad = true;
    const l = block.lines[block.lines.length - 1];
    add({ ruleId: 'pem/invalid-base64', severity: 'error', start: l.start, end: l.end, message: `The ${what} body is not a whole number of base64 groups: characters are missing (often the last line was cut off). Paste the ${thing} again from its source.` });
  }
  if (!bad && longLine && flattenedAt === undefined) {
    block.keepLines = false;
    add({ ruleId: 'pem/line-length', severity: 'info', start: longLine.start, end: longLine.end, message: `${what} body lines should be at most 64 characters (RFC 7468); some parsers reject longer ones. Wrap the body at 64 characters.` });
  }
  if (bad) return block;

  // The decoded bytes must be what the label says, by crypto; otherwise a certain relabel.
  if (!spec) {
    add({ ruleId: 'pem/unknown-label', severity: 'warning', start: begin.labelStart, end: begin.labelEnd, message: 'The BEGIN line carries a label the linter does not know (expected e.g. PRIVATE KEY, RSA PRIVATE KEY, EC PRIVATE KEY, ENCRYPTED PRIVATE KEY, PUBLIC KEY, CERTIFICATE). Check the label.' });
    return block;
  }
  const bytes = Buffer.from(block.base64, 'base64');
  if (block.legacyEncrypted) {
    info.kind = 'encrypted';
    block.ok = bytes.length > 0 && bytes.length % 8 === 0 && block.headers.some((x) => x.startsWith('DEK-Info:'));
    if (!block.ok) add({ ruleId: 'pem/der-invalid', severity: 'error', start: begin.start, end: end.end, message: `The encrypted ${what} is damaged: it needs a DEK-Info header and a body of whole cipher blocks. Export the key again.` });
  } else if (label === 'OPENSSH PRIVATE KEY') {
    const parsed = parseOpenSsh(bytes);
    info.parsed = parsed;
    block.ok = parsed.ok;
    if (parsed.encrypted) info.kind = 'encrypted';
    if (!parsed.ok) add({ ruleId: 'pem/der-invalid', severity: 'error', start: begin.start, end: end.end, message: `The body is not a valid OpenSSH private key: ${parsed.error}. Export the key again (ssh-keygen -p -f <file> rewrites it).` });
  } else {
    const parsed = parseDer(bytes, o.parseCache);
    info.parsed = parsed;
    const expected = spec.der;
    const actual = LABEL_FOR_DER[parsed.derKind];
    if (expected && parsed.derKind !== expected && actual && parsed.ok) {
      info.kind = PEM_LABELS[actual].kind;
      block.ok = true;
      add({
        ruleId: 'pem/wrong-label',
        severity: 'error',
        start: begin.labelStart,
        end: begin.labelEnd,
        message: `The label says ${spec.what}, but the body is ${PEM_LABELS[actual].what}; tools that trust the label fail. Relabel it as ${actual}.`,
        fixes: [{ title: `Relabel as ${actual}`, preferred: true, edits: [relabelEdit(begin, actual), relabelEdit(end, actual)] }],
      });
    } else if (expected && (parsed.derKind !== expected || !parsed.ok)) {
      const reason = parsed.error ?? (parsed.derKind === 'not-der' ? 'it is not valid DER' : 'it decodes to another ASN.1 structure');
      add({ ruleId: 'pem/der-invalid', severity: 'error', start: begin.start, end: end.end, message: `The body is not ${spec.what}: ${reason}. Export the ${thing} again.` });
    } else if (!expected && parsed.derKind === 'not-der') {
      add({ ruleId: 'pem/der-invalid', severity: 'error', start: begin.start, end: end.end, message: `The body of this ${what} block is not valid DER (${parsed.error}). Export it again.` });
    } else {
      block.ok = parsed.ok;
      if (parsed.derKind === 'encrypted-pkcs8') info.kind = 'encrypted';
    }
  }
  if (!block.ok) return block;
  info.publicKey = info.parsed?.publicKey;

  // BEGIN/END labels differ: the label the body confirms wins (else the BEGIN line's).
  if (mismatch) {
    const derived = info.parsed ? LABEL_FOR_DER[info.parsed.derKind] : undefined;
    const right = derived ?? (PEM_LABELS[begin.label] ? begin.label : undefined);
    if (right) {
      const edits = [begin, end].filter((b) => b.label !== right).map((b) => relabelEdit(b, right));
      mismatch.fixes = [{ title: `Use the label ${right} on both lines`, preferred: true, edits }];
    }
  }

  // Encrypted keys and the passphrase configured next to them.
  if (info.kind === 'encrypted') {
    if (o.passphrase === null) {
      add({ ruleId: 'pem/encrypted-no-passphrase', severity: 'warning', start: begin.start, end: begin.end, message: 'This private key is encrypted, but no passphrase is configured next to it. Add a "passphrase" (a reference to the passphrase secret), or store the key unencrypted.' });
    } else if (typeof o.passphrase === 'string' && label !== 'OPENSSH PRIVATE KEY') {
      const pemText = renderBlocks([block], '\n', false);
      if (!decrypts(pemText, o.passphrase)) {
        add({ ruleId: 'pem/wrong-passphrase', severity: 'error', start: begin.start, end: begin.end, message: 'The passphrase configured for this encrypted private key does not decrypt it. Store the right passphrase, or encrypt the key again with it.' });
      } else info.publicKey = publicKeyOf(pemText, o.passphrase);
    }
  }
  return block;
}

interface FormFacts {
  counts: { real: number; esc: number; double: number; cr: number };
  majority?: 'escaped' | 'multiline';
  firstReal?: Sep;
  firstEsc?: Sep;
  firstDouble?: Sep;
  firstCr?: Sep;
}

function formOf(seps: readonly Sep[]): FormFacts {
  const f: FormFacts = { counts: { real: 0, esc: 0, double: 0, cr: 0 } };
  for (const s of [...seps].sort((a, b) => a.start - b.start)) {
    const fam = familyOf(s.kind);
    f.counts[fam]++;
    if (fam === 'real') f.firstReal ??= s;
    else if (fam === 'esc') f.firstEsc ??= s;
    else f.firstDouble ??= s;
    if (hasCr(s.kind)) {
      f.counts.cr++;
      f.firstCr ??= s;
    }
  }
  if (f.counts.real || f.counts.esc || f.counts.double) f.majority = f.counts.real >= f.counts.esc + f.counts.double ? 'multiline' : 'escaped';
  return f;
}

/** The blocks in canonical form: LF (or `\n` escapes), a line break after every line, no extra text. */
function renderBlocks(blocks: readonly Block[], nl: string, rewrap: boolean): string {
  let out = '';
  for (const b of blocks) {
    out += `-----BEGIN ${b.begin.label}-----${nl}`;
    for (const h of b.headers) out += h + nl;
    if (b.headers.length) out += nl;
    if (b.keepLines && !rewrap) out += b.lineTexts.join(nl);
    else {
      // OpenSSH writes 70 characters per line; everything else 64.
      const width = b.begin.label === 'OPENSSH PRIVATE KEY' ? 70 : 64;
      const parts: string[] = [];
      for (let i = 0; i < b.base64.length; i += width) parts.push(b.base64.slice(i, i + width));
      out += parts.join(nl);
    }
    out += `${nl}-----END ${b.begin.label}-----${nl}`;
  }
  return out;
}
