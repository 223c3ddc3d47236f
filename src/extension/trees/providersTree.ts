/**
 * Providers view: each provider in scope → its secrets (names only), paged with "Load more",
 * Vault folders expanding lazily, an error item when listing fails. Values are never shown
 * unless the user reveals one, and then only for a few seconds.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import { providersInScope } from '../../core/config';
import { describeError } from '../../core/errors';
import type { ProviderConfig, WorkspaceModel } from '../../core/model';
import type { SecretSummary } from '../../core/provider';
import { cacheKey } from '../../core/resolver';
import type { Ctx } from '../ctx';
import { lintLook, type LintLook } from '../lintBadges';

export class ProviderItem extends vscode.TreeItem {
  readonly where: string;
  constructor(
    readonly config: ProviderConfig,
    readonly model: WorkspaceModel,
  ) {
    super(config.type, vscode.TreeItemCollapsibleState.Collapsed);
    this.where = path.relative(model.root, config.dir) || 'workspace';
    this.id = `provider:${config.file}`;
    this.description = this.where;
    this.tooltip = new vscode.MarkdownString(`**${config.type}** provider\n\nDeclared in \`${path.relative(model.root, config.file)}\``);
    this.iconPath = new vscode.ThemeIcon('key');
    this.contextValue = 'provider';
  }
}

export class SecretItem extends vscode.TreeItem {
  constructor(
    readonly provider: ProviderItem,
    readonly secret: SecretSummary,
    /** The Vault folder it is listed in; undefined: directly below the provider. */
    readonly parentFolder?: SecretItem,
  ) {
    super(secret.name, secret.kind === 'folder' ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    this.id = `secret:${provider.config.file}:${secret.id}`;
    const folder = secret.kind === 'folder';
    const state = secret.state && secret.state !== 'active' ? secret.state : undefined;
    // Folders carry what the provider says of them (a Vault engine: "KV v2 — <mount description>").
    this.description = state ? stateLabel(state) : secret.updatedOn ? `updated ${secret.updatedOn.toISOString().slice(0, 10)}` : folder ? secret.description : undefined;
    this.iconPath = new vscode.ThemeIcon(folder ? 'folder' : state ? 'warning' : 'lock');
    this.tooltip = new vscode.MarkdownString(`\`${secret.id}\`${state ? `\n\n$(warning) ${stateLabel(state)}: a connection cannot use it until it is enabled and within its dates.` : ''}`, true);
    // Tokens matched by `viewItem =~ /…/` in package.json menus.
    this.contextValue = folder ? 'folder' : `secret${state ? ` state-${state}` : ''}`;
  }

  private base?: Pick<vscode.TreeItem, 'iconPath' | 'tooltip' | 'description' | 'contextValue'>;

  /** Shows (or clears) the lint findings of the fetched value: badge, icon, tooltip. */
  applyLint(look: LintLook | undefined): void {
    this.base ??= { iconPath: this.iconPath, tooltip: this.tooltip, description: this.description, contextValue: this.contextValue };
    Object.assign(this, this.base, { resourceUri: undefined });
    if (!look) return;
    const before = this.base.tooltip instanceof vscode.MarkdownString ? this.base.tooltip.value : '';
    this.iconPath = look.icon;
    this.tooltip = new vscode.MarkdownString(`${before}\n\n${look.tooltip}`, true);
    this.description = [this.base.description, look.summary].filter(Boolean).join(' · ');
    this.contextValue = `${this.base.contextValue} lintProblems`;
    this.resourceUri = look.resourceUri;
  }
}

export class LoadMoreItem extends vscode.TreeItem {
  constructor(readonly parent: ProviderItem | SecretItem) {
    super('Load more…', vscode.TreeItemCollapsibleState.None);
    this.iconPath = new vscode.ThemeIcon('ellipsis');
    this.command = { command: 'connectionSecrets.providers.loadMore', title: 'Load more', arguments: [this] };
    this.contextValue = 'loadMore';
  }
}

export class MessageItem extends vscode.TreeItem {
  constructor(label: string, detail: string | undefined, icon: string, command?: vscode.Command) {
    super(label, vscode.TreeItemCollapsibleState.None);
    this.description = detail;
    this.tooltip = detail;
    this.iconPath = new vscode.ThemeIcon(icon);
    this.command = command;
    this.contextValue = 'message';
  }
}

type Node = ProviderItem | SecretItem | LoadMoreItem | MessageItem;

interface Listing {
  items: SecretSummary[];
  /** The items' tree nodes, made once: `TreeView.reveal` and the view see the same instances. */
  nodes: Map<string, SecretItem>;
  nextToken?: string;
  error?: string;
  loading?: Promise<void>;
}

function stateLabel(state: string): string {
  return { disabled: 'disabled', notYetActive: 'not yet active', expired: 'expired', pendingDeletion: 'marked for deletion' }[state] ?? state;
}

export class ProvidersTreeDataProvider implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  /** Pages loaded per node id, so "Load more" appends instead of reloading. */
  private readonly listings = new Map<string, Listing>();
  private readonly identities = new Map<string, string>();
  /** Provider nodes by declaring file, reused while the model holds the same block. */
  private readonly roots = new Map<string, ProviderItem>();
  private readonly revealed = new Map<string, string>();
  private readonly revealTimers = new Map<string, NodeJS.Timeout>();
  private readonly subscription: vscode.Disposable;

  private readonly lintSubscription: { dispose(): void };

  constructor(private readonly ctx: Ctx) {
    this.subscription = ctx.models.onDidChange(() => this.refresh());
    // A fetched value was linted: badges follow without reloading the listings.
    this.lintSubscription = ctx.valueLints.onDidChange(() => this.emitter.fire(undefined));
  }

  refresh(): void {
    this.listings.clear();
    this.roots.clear();
    this.identities.clear();
    this.emitter.fire(undefined);
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node instanceof ProviderItem) {
      const id = this.identities.get(node.config.file);
      node.description = id ? `${node.where} — ${id}` : node.where;
    }
    if (node instanceof SecretItem && node.secret.kind !== 'folder') {
      node.applyLint(lintLook(node.id!, this.ctx.valueLints.get(cacheKey(node.provider.config, node.secret.id))?.problems));
    }
    if (node instanceof SecretItem) {
      const shown = this.revealed.get(node.id!);
      if (shown !== undefined) {
        const item = new vscode.TreeItem(node.label!, node.collapsibleState);
        Object.assign(item, node, { description: shown });
        return item;
      }
    }
    return node;
  }

  /** Shows a value as the item's description for a few seconds (explicit user request only). */
  reveal(item: SecretItem, value: string, seconds: number): void {
    const id = item.id!;
    this.revealed.set(id, value);
    this.emitter.fire(item);
    clearTimeout(this.revealTimers.get(id));
    this.revealTimers.set(
      id,
      setTimeout(() => {
        this.revealed.delete(id);
        this.revealTimers.delete(id);
        this.emitter.fire(item);
      }, seconds * 1000),
    );
  }

  getParent(node: Node): Node | undefined {
    if (node instanceof SecretItem) return node.parentFolder ?? node.provider;
    if (node instanceof LoadMoreItem) return node.parent;
    return undefined;
  }

  /**
   * The tree item of a secret (the target of a reference's link), found as a user would: opening
   * the provider, the Vault folders on the way, and "Load more" until it appears. AWS secrets
   * match by ARN or name. Undefined when the provider does not list it.
   */
  async findSecret(providerFile: string, secretId: string, maxPages = 200): Promise<SecretItem | undefined> {
    const roots = await this.getChildren();
    let node: ProviderItem | SecretItem | undefined = roots.find((r): r is ProviderItem => r instanceof ProviderItem && r.config.file === providerFile);
    for (let pages = 0; node && pages < maxPages; pages++) {
      const kids = await this.getChildren(node);
      const hit = kids.find((k): k is SecretItem => k instanceof SecretItem && k.secret.kind !== 'folder' && (k.secret.id === secretId || k.secret.name === secretId));
      if (hit) return hit;
      const folder = kids.find((k): k is SecretItem => k instanceof SecretItem && k.secret.kind === 'folder' && secretId.startsWith(k.secret.id));
      if (folder) {
        node = folder;
        continue;
      }
      const more = kids.find((k): k is LoadMoreItem => k instanceof LoadMoreItem);
      if (!more) return undefined;
      await this.loadMore(more);
    }
    return undefined;
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (!node) {
      // Untrusted and empty workspaces return nothing so the view's welcome content explains why.
      if (!this.ctx.trusted) return [];
      return this.ctx.models.all.flatMap((m) =>
        providersInScope(m).map((p) => {
          const known = this.roots.get(p.file);
          if (known && known.config === p) return known;
          const item = new ProviderItem(p, m);
          this.roots.set(p.file, item);
          return item;
        }),
      );
    }
    if (node instanceof ProviderItem) return this.listChildren(node, node, undefined);
    if (node instanceof SecretItem && node.secret.kind === 'folder') return this.listChildren(node.provider, node, node.secret.id);
    return [];
  }

  /** Loads the next page for a node (the "Load more" item's command). */
  async loadMore(item: LoadMoreItem): Promise<void> {
    const parent = item.parent;
    const provider = parent instanceof ProviderItem ? parent : parent.provider;
    const listing = this.listings.get(nodeKey(parent));
    if (!listing?.nextToken) return;
    await this.fetchPage(provider, listing, parent instanceof SecretItem ? parent.secret.id : undefined, listing.nextToken);
    this.emitter.fire(parent);
  }

  private async listChildren(provider: ProviderItem, node: ProviderItem | SecretItem, parentId: string | undefined): Promise<Node[]> {
    const key = nodeKey(node);
    let listing = this.listings.get(key);
    if (!listing) {
      listing = { items: [], nodes: new Map() };
      this.listings.set(key, listing);
      listing.loading = this.fetchPage(provider, listing, parentId, undefined);
      if (node instanceof ProviderItem) void this.loadIdentity(node);
    }
    await listing.loading;
    if (listing.error && listing.items.length === 0) {
      return [new MessageItem('Failed to load secrets', listing.error, 'error', { command: 'connectionSecrets.showLog', title: 'Show details' })];
    }
    const folder = node instanceof SecretItem ? node : undefined;
    const nodes = listing.nodes;
    const children: Node[] = listing.items.map((s) => {
      let item = nodes.get(s.id);
      if (!item) nodes.set(s.id, (item = new SecretItem(provider, s, folder)));
      return item;
    });
    if (children.length === 0) children.push(new MessageItem('No secrets', parentId ? 'This folder is empty' : 'The provider holds no secrets yet', 'info'));
    if (listing.error) children.push(new MessageItem('Failed to load more', listing.error, 'error', { command: 'connectionSecrets.showLog', title: 'Show details' }));
    if (listing.nextToken) children.push(new LoadMoreItem(node));
    return children;
  }

  private async fetchPage(provider: ProviderItem, listing: Listing, parent: string | undefined, pageToken: string | undefined): Promise<void> {
    try {
      const instance = await this.ctx.provider(provider.config);
      const page = await instance.list({ parent, pageToken, pageSize: this.ctx.config.settings.pageSize });
      listing.items.push(...page.items);
      listing.nextToken = page.nextToken;
      listing.error = undefined;
      // Paged to the end: completion and the closest-name fixes answer from it instead of listing again.
      if (!page.nextToken) this.ctx.listings.adopt(provider.config, parent, listing.items);
    } catch (e) {
      listing.error = describeError(e);
      this.ctx.log.error(`listing secrets of the ${provider.config.type} provider (${provider.config.file}) failed: ${listing.error}`);
    }
  }

  private async loadIdentity(item: ProviderItem): Promise<void> {
    try {
      const instance = await this.ctx.provider(item.config);
      const who = await instance.identity?.();
      if (who) {
        this.identities.set(item.config.file, who);
        this.emitter.fire(item);
      }
    } catch (e) {
      this.ctx.log.debug(`identity of ${item.config.type} provider unavailable: ${describeError(e)}`);
    }
  }

  dispose() {
    for (const t of this.revealTimers.values()) clearTimeout(t);
    this.revealed.clear();
    this.subscription.dispose();
    this.lintSubscription.dispose();
    this.emitter.dispose();
  }
}

function nodeKey(node: ProviderItem | SecretItem): string {
  return node instanceof ProviderItem ? `p:${node.config.file}` : `s:${node.provider.config.file}:${node.secret.id}`;
}
