/**
 * Everything the features share, built once in `activate` and passed to each `registerX`. There
 * are no module-level singletons: tests get a fresh context per activation.
 */
import * as vscode from 'vscode';
import { SecretCache } from '../core/cache';
import { ConnectionSecretsError } from '../core/errors';
import { FetchedValueLints, type LintSettings, type PemForm } from '../core/lint';
import { SecretListings } from '../core/listings';
import type { ProviderConfig } from '../core/model';
import type { ProviderContext, SecretsProvider } from '../core/provider';
import { ProviderPool } from '../core/providerPool';
import { Redactor } from '../core/redact';
import { Resolver } from '../core/resolver';
import { createProvider } from '../providers';
import { Config } from './config';
import { SecretStorageCredentials } from './credentials';
import { Log } from './log';
import { WorkspaceModels } from './workspaceModels';

export class Ctx implements vscode.Disposable {
  readonly redactor = new Redactor();
  readonly log = new Log(this.redactor);
  readonly config = new Config();
  readonly models = new WorkspaceModels(this.log);
  /** Lint findings of every value the cache stores (never the values): the trees' badges. */
  readonly valueLints = new FetchedValueLints(() => this.lintSettings());
  readonly credentials: SecretStorageCredentials;
  cache: SecretCache;
  resolver: Resolver;
  /** Listings (names, never values) for completion and "closest name" fixes, kept for the cache TTL. */
  listings: SecretListings;
  private pool: ProviderPool;
  /** Provider calls made through this context (for the untrusted-workspace guarantee and tests). */
  providerCalls = 0;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(readonly extension: vscode.ExtensionContext) {
    this.credentials = new SecretStorageCredentials(extension.secrets);
    this.pool = this.createPool();
    this.cache = this.createCache();
    this.resolver = new Resolver({ getProvider: (c) => this.provider(c), cache: this.cache, redactor: this.redactor });
    this.listings = this.createListings();
    this.disposables.push(
      this.config.onDidChange(() => {
        // Timeouts and cache bounds apply to new providers and a new cache.
        void this.pool.disposeAll();
        this.pool = this.createPool();
        this.cache = this.createCache();
        // The new cache is empty: findings come back as values are fetched again.
        this.valueLints.clear();
        this.resolver = new Resolver({ getProvider: (c) => this.provider(c), cache: this.cache, redactor: this.redactor });
        this.listings = this.createListings();
      }),
    );
  }

  get trusted(): boolean {
    return vscode.workspace.isTrusted;
  }

  /** The provider for a block. Refuses in an untrusted workspace: nothing is fetched there. */
  async provider(config: ProviderConfig): Promise<SecretsProvider> {
    if (!this.trusted) {
      throw new ConnectionSecretsError('Untrusted', 'This workspace is not trusted, so secrets are not fetched', {
        fix: 'Trust the workspace (Manage Workspace Trust) to resolve and test connections.',
      });
    }
    const provider = await this.pool.get(config);
    return countingProvider(provider, () => this.providerCalls++);
  }

  async resetProviders(): Promise<void> {
    await this.pool.disposeAll();
  }

  /**
   * What providers get: the same credential source (one SecretStorage prompt serves the trees,
   * the resolver and the troubleshooting checks), the log and the per-call timeout.
   */
  providerContext(): ProviderContext {
    return {
      credentials: this.credentials,
      log: (m) => this.log.debug(m),
      timeoutMs: this.config.settings.timeoutSeconds * 1000,
    };
  }

  private createPool() {
    return new ProviderPool(createProvider, this.providerContext());
  }

  private createCache() {
    const { cacheTtlSeconds, cacheMaxEntries } = this.config.settings;
    return new SecretCache({ ttlMs: cacheTtlSeconds * 1000, maxEntries: cacheMaxEntries, onStore: (key, value) => this.valueLints.record(key, value) });
  }

  private createListings() {
    // The same TTL as fetched values and the same page size as the Providers view.
    const { cacheTtlSeconds, pageSize } = this.config.settings;
    return new SecretListings({ getProvider: (c) => this.provider(c), ttlMs: cacheTtlSeconds * 1000, pageSize });
  }

  /** The linter's settings (connectionSecrets.lint.*). */
  lintSettings(): LintSettings {
    const s = this.config.settings;
    return {
      pemForm: s.lintPemForm as PemForm,
      expiryWarningDays: s.lintExpiryWarningDays,
      disabledRules: Array.isArray(s.lintDisabledRules) ? s.lintDisabledRules.filter((r): r is string => typeof r === 'string') : [],
    };
  }

  dispose() {
    void this.pool.disposeAll();
    for (const d of [...this.disposables, this.models, this.config, this.log]) d.dispose();
  }
}

/** Wraps a provider so every call that reaches it is counted. */
function countingProvider(p: SecretsProvider, count: () => void): SecretsProvider {
  return new Proxy(p, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v === 'function' && prop !== 'dispose') {
        return (...args: unknown[]) => {
          count();
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return v;
    },
  });
}
