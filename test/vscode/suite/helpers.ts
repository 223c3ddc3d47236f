/**
 * Shared by the in-host test files (each bundle gets its own copy). Everything here goes through
 * the public VS Code API and the API object the extension's `activate()` returns.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';

export const extensionId = 'connection-secrets.connection-secrets';

export interface CacheStats {
  entries: number;
  providerCalls: number;
}

/** The API `activate()` returns (see src/extension). Only what the tests read is typed. */
export interface ExtensionApi {
  providersTree: vscode.TreeDataProvider<unknown>;
  connectionsTree: vscode.TreeDataProvider<unknown>;
  cacheStats(): CacheStats;
  model(): unknown[];
  /** Resolves when the first load of the workspace files (and its diagnostics) is done. */
  ready: Promise<void>;
  /** The Providers view (references' links reveal their secret there). */
  providersView: vscode.TreeView<unknown>;
  /** Listings made for completion and fixes. */
  listingStats(): { listings: number; pages: number; hits: number; adopted: number };
}

export interface ResolvedField {
  path: string;
  display: string;
  status: string;
}

export interface ResolveResult {
  connection: string;
  fields: ResolvedField[];
}

export function extension(): vscode.Extension<ExtensionApi> {
  const ext = vscode.extensions.getExtension<ExtensionApi>(extensionId);
  assert.ok(ext, `extension ${extensionId} is not installed in this host`);
  return ext;
}

export async function activate(): Promise<ExtensionApi> {
  const api = await extension().activate();
  assert.ok(api && typeof api === 'object', 'activate() returned no API object');
  return api;
}

export function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test host opened no workspace folder');
  return folder.uri.fsPath;
}

/**
 * Every string value in the workspace's secrets.json: the demo's secrets, used as canaries that
 * must never appear in what the extension shows or returns unmasked.
 */
export function demoSecretValues(): string[] {
  const file = path.join(workspaceRoot(), 'secrets.json');
  const values: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') values.push(v);
    else if (v && typeof v === 'object') for (const x of Object.values(v)) walk(x);
  };
  walk(JSON.parse(fs.readFileSync(file, 'utf8')));
  // Short values such as "analyst" could occur by chance in unrelated text; the demo's real
  // secrets (passwords, tokens, keys) are long and distinctive.
  return values.filter((v) => v.length >= 12);
}

export function assertNoSecret(text: string, where: string, secrets = demoSecretValues()): void {
  assert.ok(secrets.length > 0, 'the demo has no secret values to look for');
  for (const s of secrets) {
    // Also the JSON-escaped and unescaped forms of multi-line values (PEM keys).
    const forms = new Set([s, s.replace(/\\n/g, '\n'), JSON.stringify(s).slice(1, -1)]);
    for (const form of forms) assert.ok(!text.includes(form), `${where} contains a secret value (${s.slice(0, 8)}…)`);
  }
}

/** A tree item as a test sees it: the label, description and tooltip as plain strings. */
export interface ShownItem {
  element: unknown;
  label: string;
  description: string;
  tooltip: string;
  contextValue: string;
  collapsible: boolean;
  item: vscode.TreeItem;
}

function text(v: string | vscode.TreeItemLabel | vscode.MarkdownString | boolean | undefined): string {
  if (v === undefined || typeof v === 'boolean') return '';
  if (typeof v === 'string') return v;
  if ('label' in v) return v.label;
  return v.value;
}

export async function children(tree: vscode.TreeDataProvider<unknown>, element?: unknown): Promise<ShownItem[]> {
  const kids = (await tree.getChildren(element)) ?? [];
  const shown: ShownItem[] = [];
  for (const k of kids) {
    let item = await tree.getTreeItem(k);
    if (tree.resolveTreeItem && !item.tooltip) item = (await tree.resolveTreeItem(item, k, new vscode.CancellationTokenSource().token)) ?? item;
    shown.push({
      element: k,
      label: text(item.label),
      description: text(item.description),
      tooltip: text(item.tooltip),
      contextValue: item.contextValue ?? '',
      collapsible: item.collapsibleState !== undefined && item.collapsibleState !== vscode.TreeItemCollapsibleState.None,
      item,
    });
  }
  return shown;
}

/** Everything a tree shows, depth first, to `depth` levels (for canary checks and messages). */
export async function flatten(tree: vscode.TreeDataProvider<unknown>, depth = 3, element?: unknown): Promise<ShownItem[]> {
  const out: ShownItem[] = [];
  for (const c of await children(tree, element)) {
    out.push(c);
    if (c.collapsible && depth > 1) out.push(...(await flatten(tree, depth - 1, c.element)));
  }
  return out;
}

export function describeItems(items: ShownItem[]): string {
  return items.map((i) => `${i.label}${i.description ? ` (${i.description})` : ''}`).join(', ');
}

/** Polls `probe` until it returns something other than undefined/false (event-driven UIs settle). */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Registers secret values a test seeds outside the demo's secrets.json (a test server's password,
 * an API token), so the harness's scan of VS Code's logs, storage and console looks for them too
 * (runInHost.ts reads `canaries.json` beside the results file).
 */
export function registerCanaries(...values: string[]): void {
  const results = process.env.CS_VSCODE_RESULTS;
  if (!results) return;
  const file = path.join(path.dirname(results), 'canaries.json');
  const known: string[] = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : [];
  fs.writeFileSync(file, JSON.stringify([...new Set([...known, ...values])]));
}

/**
 * Declares that the running test opens a prompt on purpose (to check what happens when the user
 * dismisses it). The harness fails a pass on any prompt it sees (runInHost.ts), except one whose
 * title contains a fragment declared here (`expected-prompts.json` beside the results file).
 */
export function expectPrompt(titleFragment: string): void {
  const results = process.env.CS_VSCODE_RESULTS;
  if (!results) return;
  const file = path.join(path.dirname(results), 'expected-prompts.json');
  const known: string[] = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : [];
  fs.writeFileSync(file, JSON.stringify([...new Set([...known, titleFragment])]));
}

/**
 * Opens `<scheme>://connection-secrets.connection-secrets<pathAndQuery>` the way a program outside
 * VS Code would, so VS Code routes it to the extension's URI handler. In a browser-hosted
 * workbench the product's own scheme cannot be opened directly (VS Code offers to hand it to a
 * desktop app); `asExternalUri` turns it into the workbench's web callback URL, which routes it.
 */
export async function openLink(pathAndQuery: string): Promise<boolean> {
  const link = vscode.Uri.parse(`${vscode.env.uriScheme}://${extensionId}${pathAndQuery}`);
  return vscode.env.openExternal(await vscode.env.asExternalUri(link));
}
