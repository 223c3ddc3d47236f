/**
 * Masks every secret value the process has seen in any text it is about to print, log or show.
 * Values are registered as they are fetched; JSON secrets register their leaves too, and the
 * escaped and line-by-line forms of multi-line values (PEM keys) are masked as well.
 */
export const MASK = '••••••••';

/** Values shorter than this are not masked on their own: they would shred ordinary text. */
const MIN_LENGTH = 4;
/** Lines of a multi-line secret at least this long are masked individually. */
const MIN_LINE_LENGTH = 16;

export class Redactor {
  private readonly values = new Set<string>();
  private sorted: string[] | undefined;

  /** Registers a secret value (and its JSON leaves, escaped forms and long lines). */
  add(value: string | undefined): void {
    if (!value) return;
    this.addOne(value);
    if (value.startsWith('{') || value.startsWith('[')) {
      try {
        this.addLeaves(JSON.parse(value));
      } catch {
        /* not JSON: the value itself is registered */
      }
    }
  }

  private addLeaves(v: unknown): void {
    if (typeof v === 'string') this.addOne(v);
    else if (typeof v === 'number' && String(v).length >= MIN_LENGTH) this.addOne(String(v));
    else if (v && typeof v === 'object') for (const x of Object.values(v)) this.addLeaves(x);
  }

  private addOne(value: string): void {
    const forms = [value, JSON.stringify(value).slice(1, -1), value.replace(/\n/g, '\\n')];
    if (value.includes('\n') || value.includes('\\n')) {
      for (const line of value.split(/\\n|\r?\n/)) if (line.trim().length >= MIN_LINE_LENGTH) forms.push(line.trim());
    }
    for (const f of forms) {
      if (f.length >= MIN_LENGTH && !this.values.has(f)) {
        this.values.add(f);
        this.sorted = undefined;
      }
    }
  }

  get size(): number {
    return this.values.size;
  }

  redact(text: string): string {
    if (!text || this.values.size === 0) return text;
    // Longest first, so a value containing another is masked whole.
    this.sorted ??= [...this.values].sort((a, b) => b.length - a.length);
    let out = text;
    for (const v of this.sorted) if (out.includes(v)) out = out.split(v).join(MASK);
    return out;
  }

  clear(): void {
    this.values.clear();
    this.sorted = undefined;
  }
}
