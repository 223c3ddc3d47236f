/**
 * Lints secret values as the cache receives them, so a malformed key shows in the sidebar the
 * moment it is fetched, at no extra provider call. Only findings are kept — rule, severity,
 * message, JSON key — never the value; the value stays in the cache alone.
 */
import type { ProviderType, Severity } from '../model';
import type { SecretValue } from '../provider';
import { resolveLintSettings, withoutDisabled, type LintSettings } from './options';
import { lintSecretValue } from './secretValue';

export interface ValueFinding {
  ruleId: string;
  severity: Severity;
  message: string;
  /** JSON leaf path the problem is in; undefined: the whole value. */
  key?: string;
}

export interface ValueFindings {
  problems: ValueFinding[];
  /** Leaf paths ('' = the whole value) holding an encrypted private key. */
  encrypted: string[];
}

/** The provider type of a cache key (`<type>:<options>|<secret id>`, see resolver.ts). */
export function providerTypeOfKey(key: string): ProviderType | undefined {
  const t = key.slice(0, key.indexOf(':'));
  return t === 'aws' || t === 'vault' || t === 'azure' || t === 'env' || t === 'file' ? t : undefined;
}

export class FetchedValueLints {
  private readonly findings = new Map<string, ValueFindings>();
  private readonly listeners = new Set<() => void>();
  private timer: NodeJS.Timeout | undefined;

  /** `settings` is read on every record, so changed settings apply to the next fetch. */
  constructor(
    private readonly settings: () => LintSettings = () => ({}),
    readonly maxEntries = 5000,
  ) {}

  /** Lints a value the cache just stored under `key`. Never throws. */
  record(key: string, value: SecretValue): void {
    let findings: ValueFindings;
    try {
      const s = resolveLintSettings(this.settings());
      const r = lintSecretValue(value.value, s, providerTypeOfKey(key));
      findings = { problems: withoutDisabled(r.problems, s).map((p) => ({ ruleId: p.ruleId, severity: p.severity, message: p.message, ...(p.key !== undefined ? { key: p.key } : {}) })), encrypted: r.encryptedKeys };
    } catch {
      return; // a linter bug must never break fetching
    }
    const before = this.findings.get(key);
    this.findings.delete(key);
    if (findings.problems.length || findings.encrypted.length) this.findings.set(key, findings);
    while (this.findings.size > this.maxEntries) this.findings.delete(this.findings.keys().next().value as string);
    if (JSON.stringify(before) !== JSON.stringify(this.findings.get(key))) this.changed();
  }

  get(key: string): ValueFindings | undefined {
    return this.findings.get(key);
  }

  /** Re-lints the values still cached (after a settings change), through `peek`. */
  relint(keys: Iterable<string>, peek: (key: string) => SecretValue | undefined): void {
    for (const key of keys) {
      const v = peek(key);
      if (v) this.record(key, v);
      else this.findings.delete(key);
    }
    this.changed();
  }

  clear(): void {
    this.findings.clear();
    this.changed();
  }

  /** Called (debounced) when findings changed. */
  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private changed() {
    if (this.timer || this.listeners.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      for (const l of this.listeners) l();
    }, 50);
    this.timer.unref?.();
  }
}
