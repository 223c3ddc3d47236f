/**
 * One provider instance per provider block (by `providerKey`), created on first use and disposed
 * together. Creation is shared by concurrent callers, and a failed creation is not kept, so a
 * fixed configuration or credential works on the next try.
 */
import type { ProviderConfig } from './model';
import type { ProviderContext, SecretsProvider } from './provider';
import { providerKey } from './resolver';

export type CreateProvider = (config: ProviderConfig, context: ProviderContext) => Promise<SecretsProvider>;

export class ProviderPool {
  private readonly instances = new Map<string, Promise<SecretsProvider>>();
  /** Provider instances created so far (for stats and tests). */
  created = 0;

  constructor(
    private readonly create: CreateProvider,
    private readonly context: ProviderContext,
  ) {}

  get(config: ProviderConfig): Promise<SecretsProvider> {
    const key = providerKey(config);
    let p = this.instances.get(key);
    if (!p) {
      this.created++;
      p = this.create(config, this.context);
      this.instances.set(key, p);
      p.catch(() => this.instances.delete(key));
    }
    return p;
  }

  /** Drops one provider (after its configuration or credentials changed). */
  async evict(config: ProviderConfig): Promise<void> {
    const key = providerKey(config);
    const p = this.instances.get(key);
    this.instances.delete(key);
    (await p?.catch(() => undefined))?.dispose();
  }

  async disposeAll(): Promise<void> {
    const all = [...this.instances.values()];
    this.instances.clear();
    for (const p of all) (await p.catch(() => undefined))?.dispose();
  }
}
