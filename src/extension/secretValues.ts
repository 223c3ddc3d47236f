/**
 * The only paths by which a value reaches the screen, each started by an explicit user action:
 * reveal (for a few seconds), copy (clipboard cleared after a timeout if it still holds the
 * value) and open in a read-only editor (kept in memory, dropped when the editor closes).
 */
import * as vscode from 'vscode';
import { providerFor } from '../core/config';
import { ConnectionSecretsError } from '../core/errors';
import type { ProviderConfig } from '../core/model';
import { cacheKey } from '../core/resolver';
import type { Ctx } from './ctx';
import { FieldItem } from './trees/connectionsTree';
import { SecretItem } from './trees/providersTree';

export const VALUE_SCHEME = 'connection-secrets-value';

/** Where an opened value is stored: a whole secret, or one key of a key/value secret. */
export interface ValueSource {
  config: ProviderConfig;
  secretId: string;
  /** JSON key inside the secret; undefined: the whole value. */
  key?: string;
}

/** A value and a label for it; the label never contains the value. */
export interface PickedValue {
  label: string;
  value: string;
  /** Known when the value is one whole secret, or one key of one (a field that is exactly one reference). */
  source?: ValueSource;
}

export async function secretValue(ctx: Ctx, config: ProviderConfig, id: string): Promise<string> {
  const v = await ctx.resolver.cache.getOrLoad(cacheKey(config, id), async () => {
    const fetched = await (await ctx.provider(config)).getValue(id);
    ctx.redactor.add(fetched.value);
    return fetched;
  });
  return v.value;
}

/** The value behind a tree item (a secret, or a connection field with references). */
export async function valueOf(ctx: Ctx, item: SecretItem | FieldItem): Promise<PickedValue> {
  if (item instanceof SecretItem) {
    return { label: item.secret.name, value: await secretValue(ctx, item.provider.config, item.secret.id), source: { config: item.provider.config, secretId: item.secret.id } };
  }
  const { model, connection } = item.parent;
  const r = await ctx.resolver.resolveConnection(connection, providerFor(model, connection));
  const failed = r.references.find((x) => x.field === item.field.path && x.status !== 'resolved');
  if (failed) throw new ConnectionSecretsError('NotFound', `${connection.name}.${item.field.path} does not resolve: ${failed.error ?? failed.status}`);
  const value = item.field.path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), r.values);
  if (typeof value !== 'string') throw new ConnectionSecretsError('NotFound', `${connection.name}.${item.field.path} has no resolved value`);
  const refs = r.references.filter((x) => x.field === item.field.path);
  const only = refs.length === 1 && item.field.value === refs[0].raw ? refs[0].target : undefined;
  return { label: `${connection.name}.${item.field.path}`, value, ...(only && r.provider ? { source: { config: r.provider, secretId: only.secretId, ...(only.key !== undefined ? { key: only.key } : {}) } } : {}) };
}

/** Clipboard copy that clears itself — only if the clipboard still holds this value. */
export async function copyWithTimeout(value: string, seconds: number): Promise<void> {
  await vscode.env.clipboard.writeText(value);
  if (seconds > 0) {
    setTimeout(() => {
      void vscode.env.clipboard.readText().then((current) => {
        if (current === value) return vscode.env.clipboard.writeText('');
      });
    }, seconds * 1000).unref?.();
  }
}

/** Read-only documents for opened values; contents live in memory until the editor closes. */
export class SecretValueDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly values = new Map<string, { value: string; source?: ValueSource }>();
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  private readonly subscription = vscode.workspace.onDidCloseTextDocument((d) => {
    if (d.uri.scheme === VALUE_SCHEME) this.values.delete(d.uri.query);
  });

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.values.get(uri.query)?.value ?? '(closed: open the secret again from the Connection Secrets view)';
  }

  /** Where the value of an opened document is stored, if known (for the linter's write-back fixes). */
  sourceOf(uri: vscode.Uri): ValueSource | undefined {
    return this.values.get(uri.query)?.source;
  }

  /** Shows a new value in an open document (after a fix was stored). */
  update(uri: vscode.Uri, value: string): void {
    const entry = this.values.get(uri.query);
    if (!entry) return;
    entry.value = value;
    this.emitter.fire(uri);
  }

  async open(label: string, value: string, source?: ValueSource): Promise<vscode.TextEditor> {
    const token = Math.random().toString(36).slice(2);
    this.values.set(token, { value, ...(source ? { source } : {}) });
    const safe = label.replace(/[^\w.-]+/g, '_').slice(0, 80) || 'secret';
    const uri = vscode.Uri.from({ scheme: VALUE_SCHEME, path: `/${safe}`, query: token });
    const doc = await vscode.workspace.openTextDocument(uri);
    return vscode.window.showTextDocument(doc, { preview: true });
  }

  dispose() {
    this.values.clear();
    this.subscription.dispose();
    this.emitter.dispose();
  }
}
