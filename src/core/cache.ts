/**
 * In-memory secret cache: TTL, a bound with least-recently-used eviction, and single-flight
 * loading so concurrent requests for one secret share one provider call. Values live only in
 * process memory; nothing is persisted.
 */
import type { SecretValue } from './provider';

export interface CacheOptions {
  /** Default 300 000 (300 s). */
  ttlMs?: number;
  /** Default 1000. */
  maxEntries?: number;
  now?: () => number;
  /** Called with every value as it is stored (the linter's `FetchedValueLints.record`); must not throw. */
  onStore?: (key: string, value: SecretValue) => void;
}

export interface CacheStats {
  entries: number;
  hits: number;
  misses: number;
  /** Provider loads started (one per batch call or single load). */
  loads: number;
  evictions: number;
}

interface Entry {
  value: SecretValue;
  expiresAt: number;
}

export type BatchLoader = (keys: string[]) => Promise<Map<string, SecretValue | Error>>;

export class SecretCache {
  readonly ttlMs: number;
  readonly maxEntries: number;
  private readonly now: () => number;
  private readonly onStore?: (key: string, value: SecretValue) => void;
  // A Map keeps insertion order: re-inserting on access makes the first key the least recently used.
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<SecretValue>>();
  private readonly counters = { hits: 0, misses: 0, loads: 0, evictions: 0 };

  constructor(options: CacheOptions = {}) {
    this.ttlMs = options.ttlMs ?? 300_000;
    this.maxEntries = Math.max(1, options.maxEntries ?? 1000);
    this.now = options.now ?? Date.now;
    this.onStore = options.onStore;
  }

  get stats(): CacheStats {
    return { entries: this.entries.size, ...this.counters };
  }

  /** The cached value if fresh; refreshes its recency. */
  get(key: string): SecretValue | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Looks without touching recency or expiry (for showing status). */
  peek(key: string): SecretValue | undefined {
    const entry = this.entries.get(key);
    return entry && entry.expiresAt > this.now() ? entry.value : undefined;
  }

  set(key: string, value: SecretValue): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
    this.onStore?.(key, value);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
      this.counters.evictions++;
    }
  }

  delete(key: string): boolean {
    return this.entries.delete(key);
  }

  /** Removes every entry whose key matches; returns how many. */
  deleteWhere(predicate: (key: string) => boolean): number {
    let n = 0;
    for (const key of [...this.entries.keys()]) {
      if (predicate(key)) {
        this.entries.delete(key);
        n++;
      }
    }
    return n;
  }

  clear(): void {
    this.entries.clear();
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }

  /** One value, loaded at most once at a time. */
  async getOrLoad(key: string, load: () => Promise<SecretValue>): Promise<SecretValue> {
    const result = await this.getMany([key], async ([k]) => {
      try {
        return new Map([[k, await load()]]);
      } catch (e) {
        return new Map([[k, e instanceof Error ? e : new Error(String(e))]]);
      }
    });
    const v = result.get(key)!;
    if (v instanceof Error) throw v;
    return v;
  }

  /**
   * Values for many keys: cached ones directly, keys already being loaded join that load, and all
   * remaining keys go to `load` in ONE call (the provider batches them). Errors are per key and
   * are not cached.
   */
  async getMany(keys: readonly string[], load: BatchLoader): Promise<Map<string, SecretValue | Error>> {
    const out = new Map<string, SecretValue | Error>();
    const waits: Promise<void>[] = [];
    const missing: string[] = [];
    for (const key of new Set(keys)) {
      const cached = this.get(key);
      if (cached) {
        this.counters.hits++;
        out.set(key, cached);
        continue;
      }
      const pending = this.inFlight.get(key);
      if (pending) {
        this.counters.hits++;
        waits.push(pending.then((v) => void out.set(key, v), (e: Error) => void out.set(key, e)));
        continue;
      }
      this.counters.misses++;
      missing.push(key);
    }
    if (missing.length) {
      this.counters.loads++;
      const batch = load(missing).catch((e: unknown) => {
        const err = e instanceof Error ? e : new Error(String(e));
        return new Map<string, SecretValue | Error>(missing.map((k) => [k, err]));
      });
      for (const key of missing) {
        const p = batch.then((m) => {
          const v = m.get(key) ?? new Error(`no result for ${key}`);
          if (v instanceof Error) throw v;
          this.set(key, v);
          return v;
        });
        p.catch(() => undefined); // observed below; avoid unhandled rejections for joiners
        const tracked = p.finally(() => this.inFlight.delete(key));
        tracked.catch(() => undefined);
        this.inFlight.set(key, p);
        waits.push(p.then((v) => void out.set(key, v), (e: Error) => void out.set(key, e)));
      }
    }
    await Promise.all(waits);
    return out;
  }
}
