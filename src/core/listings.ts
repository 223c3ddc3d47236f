/**
 * A cache of secret listings (names and metadata, never values) for the editor's completion and
 * the "closest existing name" fixes. A listing pages through the provider as the Providers tree
 * does (`list` with the configured page size, until the provider says it is done) and is kept for
 * the cache TTL, so a hundred completion requests cost one listing per cache lifetime. Concurrent
 * requests share one listing in flight; a failed listing is not kept. A listing the Providers tree
 * paged through to the end is adopted, so completion after browsing lists nothing again.
 */
import type { ProviderConfig } from './model';
import type { SecretsProvider, SecretSummary } from './provider';
import { providerKey } from './resolver';

export interface ListingsOptions {
  /** Returns (and owns) the provider instance for a provider block. */
  getProvider: (config: ProviderConfig) => Promise<SecretsProvider>;
  /** How long a listing is reused (default 300 000 ms, the secret cache's default). */
  ttlMs?: number;
  /** Secrets asked for per `list` call (the Providers tree's page size). */
  pageSize?: number;
  /** Stop paging after this many items (a bound on memory and time for huge accounts). */
  maxItems?: number;
  now?: () => number;
}

/** One complete (or bounded) listing of a provider or of one folder. */
export interface Listing {
  items: SecretSummary[];
  /** True when `maxItems` stopped the paging before the provider was done. */
  truncated: boolean;
}

export interface ListingStats {
  /** Listings started (each one pages through to the end). */
  listings: number;
  /** `list` calls made to providers (pages). */
  pages: number;
  /** Requests answered from a fresh cached listing or one in flight. */
  hits: number;
  /** Complete listings taken over from the Providers tree (no provider call here). */
  adopted: number;
}

export class SecretListings {
  private readonly entries = new Map<string, { listing: Listing; expiresAt: number }>();
  private readonly inFlight = new Map<string, Promise<Listing>>();
  private readonly counters: ListingStats = { listings: 0, pages: 0, hits: 0, adopted: 0 };
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(private readonly options: ListingsOptions) {
    this.ttlMs = options.ttlMs ?? 300_000;
    this.now = options.now ?? Date.now;
  }

  get stats(): ListingStats {
    return { ...this.counters };
  }

  /** Every secret (or, with `parent`, every entry of that folder) of a provider, from the cache when fresh. */
  async list(config: ProviderConfig, parent?: string, signal?: AbortSignal): Promise<Listing> {
    const key = `${providerKey(config)}|${parent ?? ''}`;
    const cached = this.entries.get(key);
    if (cached && cached.expiresAt > this.now()) {
      this.counters.hits++;
      return cached.listing;
    }
    const pending = this.inFlight.get(key);
    if (pending) {
      this.counters.hits++;
      return pending;
    }
    this.counters.listings++;
    const load = this.load(config, parent, signal).then(
      (listing) => {
        this.entries.set(key, { listing, expiresAt: this.now() + this.ttlMs });
        return listing;
      },
    );
    const tracked = load.finally(() => this.inFlight.delete(key));
    tracked.catch(() => undefined);
    this.inFlight.set(key, load);
    return load;
  }

  /** The cached listing if fresh, without calling the provider (for a hover's metadata). */
  peek(config: ProviderConfig, parent?: string): Listing | undefined {
    const cached = this.entries.get(`${providerKey(config)}|${parent ?? ''}`);
    return cached && cached.expiresAt > this.now() ? cached.listing : undefined;
  }

  /**
   * Keeps a listing that another part of the editor (the Providers tree, "Load more" by "Load
   * more") fetched to the end just now: it is the newest there is, so it replaces a kept one.
   */
  adopt(config: ProviderConfig, parent: string | undefined, items: readonly SecretSummary[]): void {
    const maxItems = this.options.maxItems ?? 10_000;
    const listing: Listing = items.length > maxItems ? { items: items.slice(0, maxItems), truncated: true } : { items: [...items], truncated: false };
    this.entries.set(`${providerKey(config)}|${parent ?? ''}`, { listing, expiresAt: this.now() + this.ttlMs });
    this.counters.adopted++;
  }

  /** Forgets the listings of one provider block (after a write or a reload), or all of them. */
  invalidate(config?: ProviderConfig): void {
    if (!config) {
      this.entries.clear();
      return;
    }
    const prefix = `${providerKey(config)}|`;
    for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) this.entries.delete(key);
  }

  private async load(config: ProviderConfig, parent: string | undefined, signal?: AbortSignal): Promise<Listing> {
    const provider = await this.options.getProvider(config);
    const maxItems = this.options.maxItems ?? 10_000;
    const items: SecretSummary[] = [];
    let pageToken: string | undefined;
    do {
      this.counters.pages++;
      const page = await provider.list({ parent, pageToken, pageSize: this.options.pageSize, signal });
      items.push(...page.items);
      pageToken = page.nextToken;
      if (items.length >= maxItems && pageToken) return { items: items.slice(0, maxItems), truncated: true };
    } while (pageToken);
    return { items, truncated: false };
  }
}
