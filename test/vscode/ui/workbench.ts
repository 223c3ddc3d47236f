/**
 * The UI tier's VS Code: code-server with the packaged extension installed, opened on a copy of
 * the demo workspace in headless Chromium, plus the few workbench interactions the tests need
 * (activity bar, tree rows, command palette, output panel). Selectors are the workbench's own
 * DOM classes and ARIA labels, the ones VS Code's smoke tests use.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Context } from 'mocha';
import type { Browser, Locator, Page } from 'playwright-core';
import { missingPeer } from '../../support/peer';
import {
  cleanup,
  installCommand,
  installVsix,
  launchChromium,
  missingTools,
  packageVsix,
  prepareWorkspace,
  repoRoot,
  startCodeServer,
  tempDir,
  writeSettings,
  type RunningVsCode,
} from '../harness';

export const screenshotDir = path.join(repoRoot, 'test-results', 'screenshots');

export interface Workbench {
  page: Page;
  workspace: string;
  close(): Promise<void>;
}

/**
 * The secret values of the workbench's workspace (its `secrets.json`), 12 characters or more:
 * shorter ones (a user name) occur on the screen by chance.
 */
export function workspaceSecretValues(wb: Workbench): string[] {
  const walk = (v: unknown): string[] => (typeof v === 'string' ? [v] : v && typeof v === 'object' ? Object.values(v).flatMap(walk) : []);
  const values = walk(JSON.parse(fs.readFileSync(path.join(wb.workspace, 'secrets.json'), 'utf8'))).filter((s) => s.length >= 12);
  assert.ok(values.length > 0, `no secret values in ${wb.workspace}/secrets.json: the scan would prove nothing`);
  return values;
}

/**
 * Fails when one of `secrets` — as stored, or with its `\n` escapes as real line breaks (a PEM) —
 * is in the text on the screen: the workbench, plus `extraText` (a webview's own document).
 */
export async function assertNoSecretShown(page: Page, secrets: readonly string[], where: string, extraText = ''): Promise<void> {
  const text = `${await page.locator('body').innerText()}\n${extraText}`;
  for (const s of secrets) assert.ok(!text.includes(s) && !text.includes(s.replace(/\\n/g, '\n')), `${where}: a secret value is on the screen (${s.slice(0, 8)}…)`);
}

/**
 * Packages and installs the extension, starts code-server on a fresh copy of the demo (or on
 * `options.workspace`), and opens the workbench. Missing VS Code or Chromium: a failure under CI, a skip elsewhere.
 */
let packaged: string | undefined;

export interface WorkbenchOptions {
  trusted: boolean;
  /** The folder to open (default: a fresh copy of the demo). */
  workspace?: string;
  /** Extra environment of code-server (and so of the extension host): provider credentials. */
  env?: NodeJS.ProcessEnv;
  /** Extra user settings. */
  settings?: Record<string, unknown>;
}

export async function openWorkbench(ctx: Context, options: WorkbenchOptions = { trusted: true }): Promise<Workbench> {
  const missing = missingTools();
  if (missing.length) missingPeer(ctx, missing.join(' and '), installCommand);

  let vscode: RunningVsCode | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close().catch(() => undefined);
    await vscode?.server.stop();
    cleanup();
  };
  try {
    packaged ??= packageVsix().vsix;
    const extensionsDir = tempDir('ui-extensions');
    installVsix(packaged, extensionsDir);
    const userDataDir = tempDir('ui-user-data');
    // Trusted: the demo folder is ours, trusted through settings. Untrusted: trust stays on and
    // the startup prompt is off (quietSettings), so the folder opens in restricted mode.
    writeSettings(path.join(userDataDir, 'User'), {
      ...(options.trusted ? { 'security.workspace.trust.enabled': false } : {}),
      'workbench.colorTheme': 'Default Dark Modern',
      ...options.settings,
    });
    const workspace = options.workspace ?? prepareWorkspace();
    vscode = await startCodeServer({ userDataDir, extensionsDir, folder: workspace, env: options.env });
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(vscode.url);
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 90_000 });
    await page.locator('.activitybar').waitFor({ state: 'visible', timeout: 90_000 });
    return { page, workspace, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The workbench of a `describe`, open between its `before` and `after`. */
export interface DemoSession {
  readonly wb: Workbench;
  readonly page: Page;
  /** The workspace's secret values (see workspaceSecretValues), for the no-secret-on-screen checks. */
  readonly secrets: string[];
  /** Fails when a secret value is on the screen (plus `extraText`, a webview's own document). */
  assertNoSecretOnScreen(where: string, extraText?: string): Promise<void>;
}

/**
 * Opens a workbench on a fresh copy of the demo for the enclosing `describe` (in its `before`) and
 * closes it in its `after`; the returned session reads what `before` opened.
 */
export function useDemoWorkbench(): DemoSession {
  let opened: { wb: Workbench; secrets: string[] } | undefined;
  before(async function () {
    const wb = await openWorkbench(this);
    opened = { wb, secrets: workspaceSecretValues(wb) };
  });
  after(async () => {
    await opened?.wb.close();
  });
  const get = () => {
    if (!opened) throw new Error('the workbench is not open: its before() hook did not run or failed');
    return opened;
  };
  return {
    get wb() {
      return get().wb;
    },
    get page() {
      return get().wb.page;
    },
    get secrets() {
      return get().secrets;
    },
    assertNoSecretOnScreen: (where, extraText) => assertNoSecretShown(get().wb.page, get().secrets, where, extraText),
  };
}

/** Saves a full-page screenshot as test-results/screenshots/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** Opens the extension's view container from the activity bar. */
export async function openViewContainer(page: Page, title: string): Promise<void> {
  const item = page.locator(`.activitybar .action-item a[aria-label^="${title}"], .activitybar .action-item[aria-label^="${title}"]`).first();
  await item.waitFor({ state: 'visible', timeout: 60_000 });
  const sidebarTitle = page.locator('.sidebar .composite.title h2');
  if ((await sidebarTitle.textContent().catch(() => ''))?.toUpperCase() !== title.toUpperCase()) await item.click();
  await page.locator('.sidebar .composite.title h2', { hasText: new RegExp(title, 'i') }).waitFor({ timeout: 30_000 });
  await widenSideBar(page, 480);
}

/** Drags the side bar's edge so tree descriptions are readable in screenshots. */
async function widenSideBar(page: Page, width: number): Promise<void> {
  const box = await page.locator('.part.sidebar').boundingBox();
  if (!box || box.width >= width) return;
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width - 1, y);
  await page.mouse.down();
  await page.mouse.move(box.x + width, y, { steps: 5 });
  await page.mouse.up();
}

/** The pane (view) in the side bar whose header reads `name`. */
export function viewPane(page: Page, name: string): Locator {
  return page.locator('.sidebar .pane', { has: page.locator('.pane-header', { hasText: new RegExp(`^\\s*${name}`, 'i') }) });
}

/** Expands a collapsed view pane (a second view may start collapsed when space is short). */
export async function expandPane(page: Page, name: string): Promise<Locator> {
  const pane = viewPane(page, name);
  const header = pane.locator('.pane-header');
  await header.waitFor({ timeout: 30_000 });
  if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
  return pane;
}

/** A tree row in `pane` whose label is exactly `label`. */
export function treeRow(pane: Locator, label: string): Locator {
  return pane.locator('.monaco-list-row', { has: pane.page().locator('.label-name', { hasText: new RegExp(`^${escape(label)}$`) }) });
}

/** Clicks a collapsed tree row open and waits until it says it is expanded. */
export async function expandRow(row: Locator): Promise<void> {
  await row.waitFor({ timeout: 30_000 });
  if ((await row.getAttribute('aria-expanded')) !== 'true') await row.locator('.monaco-tl-twistie').click();
  await row.and(row.page().locator('[aria-expanded="true"]')).waitFor({ timeout: 30_000 });
}

/** The text of every row of a tree pane: label, description and decorations. */
export async function rowTexts(pane: Locator): Promise<string[]> {
  return (await pane.locator('.monaco-list-row').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
}

/** Runs a command by its palette title through F1 and returns once the palette is handled. */
export async function runFromPalette(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 30_000 });
  await input.fill(`>${title}`);
  const rows = page.locator('.quick-input-list .monaco-list-row');
  await rows.filter({ hasText: title }).first().waitFor({ timeout: 30_000 });
  // The palette may rank a longer title first ("Test All Connections" for "Test Connection").
  const exact = rows.filter({ has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${escape(title)}\\s*$`) }) });
  if ((await exact.count()) > 0) await exact.first().click();
  else await page.keyboard.press('Enter');
}

/** Chooses `label` in an open quick pick. */
export async function pick(page: Page, label: string): Promise<void> {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 30_000 });
  await input.fill(label);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first().waitFor({ timeout: 30_000 });
  await page.keyboard.press('Enter');
}

/** The visible text of the output panel's editor (the lines currently rendered). */
export async function outputText(page: Page): Promise<string> {
  const lines = page.locator('.part.panel .output-view .view-lines, .part.panel .view-lines');
  await lines.first().waitFor({ timeout: 30_000 });
  return (await lines.first().innerText()).replace(/\u00a0/g, ' ');
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
