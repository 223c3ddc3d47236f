/**
 * "Troubleshoot Connection" as a person runs it on the demo workspace: from the palette, the
 * panel (a webview: an iframe inside an iframe) shows each check as it settles; a healthy
 * connection reads "All 5 checks passed", the demo's broken reference leads with the first
 * problem and its fix, and "Run again" re-runs one check through the panel's messages. No secret
 * value is on the screen, in the workbench or in the panel. The screenshot is the README's.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { FrameLocator, Page } from 'playwright-core';
import {
  expandPane,
  openViewContainer,
  outputText,
  pick,
  runFromPalette,
  screenshot,
  treeRow,
  useDemoWorkbench,
  viewPane,
} from './workbench';

/** The panel's page: VS Code hosts each webview in an iframe whose page holds the content frame. */
function panelFrame(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

/**
 * Moves the focus out of the panel's iframe (onto the empty part of the Providers view), as a
 * person's click would: a quick pick opened while the webview holds the focus can lose it to the
 * iframe and close at once.
 */
async function focusWorkbench(page: Page): Promise<void> {
  const pane = viewPane(page, 'Providers').locator('.pane-body');
  const box = await pane.boundingBox();
  if (box) await page.mouse.click(box.x + box.width / 2, box.y + box.height - 20);
}

describe('Troubleshoot Connection in the workbench (UI)', function () {
  const ui = useDemoWorkbench();
  const assertNoSecretOnScreen = async (where: string) => ui.assertNoSecretOnScreen(where, await panelFrame(ui.page).locator('body').innerText());

  it('shows every check of a healthy connection passing', async () => {
    // Once the extension has loaded the demo (its views list the connections), as a person would.
    await openViewContainer(ui.page, 'Connection Secrets');
    await treeRow(await expandPane(ui.page, 'Connections'), 'jira').waitFor({ timeout: 60_000 });
    await runFromPalette(ui.page, 'Connection Secrets: Troubleshoot Connection');
    await pick(ui.page, 'jira');
    const frame = panelFrame(ui.page);
    await frame.locator('#title', { hasText: 'Troubleshoot connection "jira"' }).waitFor({ timeout: 60_000 });
    await frame.locator('#summary', { hasText: 'All 5 checks passed' }).waitFor({ timeout: 60_000 });
    const statuses = await Promise.all((await frame.locator('li.check').all()).map(async (i) => `${await i.getAttribute('data-id')}:${await i.getAttribute('data-status')}`));
    assert.deepEqual(statuses, ['file.exists:pass', 'file.json:pass', 'file.gitIgnored:pass', 'file.secrets:pass', 'file.rawRead:pass']);
    // The word on screen, not only a colour or a mark.
    assert.equal(await frame.locator('li.check[data-id="file.secrets"] .status').innerText(), 'passed');
    assert.match(await frame.locator('li.check[data-id="file.rawRead"] .evidence').innerText(), /read "jira" from secrets\.json → \{"jira":\{"username":"••••••••","password":"••••••••"\}\}/);
    await assertNoSecretOnScreen('the panel on jira');
  });

  it('leads with the first problem on the demo\'s broken reference, re-runs one check and copies its command from the panel (the log says so)', async () => {
    await focusWorkbench(ui.page);
    await runFromPalette(ui.page, 'Connection Secrets: Troubleshoot Connection');
    await pick(ui.page, 'payments');
    const frame = panelFrame(ui.page);
    await frame.locator('#title', { hasText: 'Troubleshoot connection "payments"' }).waitFor({ timeout: 60_000 });
    const summary = frame.locator('#summary', { hasText: 'First problem: Each referenced secret and key is in the file' });
    await summary.waitFor({ timeout: 60_000 });
    assert.match(await summary.innerText(), /Secret "payments" has no key "apiKey" — did you mean "api_key"\?/);
    assert.match(await summary.innerText(), /4 passed · 1 failed · 0 warning\(s\) · 0 skipped/);
    const failed = frame.locator('li.check.first-failure');
    assert.equal(await failed.getAttribute('data-id'), 'file.secrets');
    assert.equal(await failed.locator('.status').innerText(), 'failed');
    assert.match(await failed.locator('.reproduce').innerText(), /^jq '.*' .*secrets\.json$/);

    await assertNoSecretOnScreen('the panel on payments');
    await ui.page.mouse.move(1000, 850);
    const file = await screenshot(ui.page, 'troubleshoot');
    assert.ok(fs.statSync(file).size > 10_000);

    // "Run again" goes to the extension, which runs that check alone and logs it.
    await failed.getByRole('button', { name: 'Run "Each referenced secret and key is in the file" again' }).click();
    await frame.locator('#run-all:not([disabled])').waitFor({ timeout: 30_000 });
    await frame.locator('li.check.first-failure[data-id="file.secrets"][data-status="fail"]').waitFor({ timeout: 30_000 });
    await summary.waitFor({ timeout: 30_000 });

    // "Copy command" asks the extension, which copies the command (no secret in it) and says so.
    await failed.getByRole('button', { name: 'Copy command' }).click();
    await ui.page.locator('.notifications-toasts .notification-toast', { hasText: 'Copied the command that reproduces "Each referenced secret and key is in the file"' }).waitFor({ timeout: 30_000 });

    await focusWorkbench(ui.page);
    await runFromPalette(ui.page, 'Connection Secrets: Show Log');
    // The output view's own filter shows the summary line of the re-run, however long the log.
    await ui.page.locator('.part.panel .viewpane-filter input').fill('ran again');
    await ui.page.locator('.part.panel .view-lines', { hasText: 'ran again: file.secrets' }).first().waitFor({ timeout: 30_000 });
    assert.match((await outputText(ui.page)).replace(/\s+/g, ' '), /Troubleshoot connection "payments" \(file\) — ran again: file\.secrets: 4 passed, 1 failed/);
    await assertNoSecretOnScreen('the panel and the log');
    await focusWorkbench(ui.page);
    await runFromPalette(ui.page, 'Notifications: Clear All Notifications');
  });

  /**
   * With the panel on the healthy jira, runs `command` on payments (whose reference is broken) and
   * clicks the Troubleshoot button of the notification it leaves: the one panel turns to payments.
   */
  async function troubleshootFromNotification(command: string, notification: string | RegExp): Promise<string> {
    await focusWorkbench(ui.page);
    await runFromPalette(ui.page, 'Notifications: Clear All Notifications');
    await runFromPalette(ui.page, 'Connection Secrets: Troubleshoot Connection');
    await pick(ui.page, 'jira');
    await panelFrame(ui.page).locator('#summary', { hasText: 'All 5 checks passed' }).waitFor({ timeout: 60_000 });
    await focusWorkbench(ui.page);
    await runFromPalette(ui.page, command);
    await pick(ui.page, 'payments');
    const toast = ui.page.locator('.notifications-toasts .notification-toast', { hasText: notification });
    await toast.waitFor({ timeout: 60_000 });
    const text = await toast.innerText();
    await toast.getByRole('button', { name: 'Troubleshoot' }).click();
    await panelFrame(ui.page).locator('#summary', { hasText: 'First problem: Each referenced secret and key is in the file' }).waitFor({ timeout: 60_000 });
    assert.equal(await ui.page.locator('.tab', { hasText: 'Troubleshoot:' }).count(), 1, 'a second panel was opened');
    return text;
  }

  it('opens from the Troubleshoot button of a failed resolve', async () => {
    await troubleshootFromNotification('Connection Secrets: Resolve Connection', 'payments: 0 of 1 reference(s) resolved');
  });

  it('opens from the Troubleshoot button of a Test Connection that could not resolve its reference', async () => {
    const toast = await troubleshootFromNotification('Connection Secrets: Test Connection', /payments: .*Not tested: auth\.value/);
    assert.match(toast, /did not resolve/);
    await assertNoSecretOnScreen('after Test Connection and the panel');
  });
});
