/**
 * "Test Connection" and "Test All Connections" as a person runs them on the demo workspace. The
 * demo's hosts are example.com names and this machine has no network, so the honest result is a
 * failure — and it must read as one: the failure class and the fix, on the notification, the
 * tree item and the CodeLens. (The in-host suite tests against a real nginx that accepts.)
 */
import assert from 'node:assert/strict';
import {
  expandPane,
  openViewContainer,
  pick,
  runFromPalette,
  screenshot,
  treeRow,
  useDemoWorkbench,
} from './workbench';

describe('Testing connections in the workbench (UI)', function () {
  const ui = useDemoWorkbench();
  const { assertNoSecretOnScreen } = ui;

  it('runs Test Connection from the palette: the failure class and fix on the notification, the tree item and the CodeLens', async () => {
    await openViewContainer(ui.page, 'Connection Secrets');
    const connections = await expandPane(ui.page, 'Connections');
    await treeRow(connections, 'jira').waitFor({ timeout: 60_000 });

    await runFromPalette(ui.page, 'Connection Secrets: Test Connection');
    await pick(ui.page, 'jira');
    const toast = ui.page.locator('.notifications-toasts .notification-toast', { hasText: 'jira: unreachable' });
    await toast.waitFor({ timeout: 60_000 });
    assert.match(await toast.innerText(), /jira: unreachable — The host name of example\.atlassian\.net.* does not resolve — check the host name, or your DNS\/VPN/s);

    await treeRow(connections, 'jira').locator('.label-description', { hasText: 'http · test failed: unreachable' }).waitFor({ timeout: 30_000 });

    // Clicking the connection opens its definition, where the CodeLens shows the same result.
    const lens = ui.page.locator('.editor-group-container .codelens-decoration');
    for (let attempt = 1; ; attempt++) {
      await treeRow(connections, 'jira').locator('.label-name').click();
      try {
        await lens.filter({ hasText: 'Test connection' }).first().waitFor({ timeout: 20_000 });
        break;
      } catch (e) {
        // A click that only moved the focus into the tree opens nothing: click again.
        if (attempt === 3) throw e;
      }
    }
    await lens.filter({ hasText: 'unreachable' }).first().waitFor({ timeout: 30_000 });
    await assertNoSecretOnScreen('after testing jira');
    await ui.page.mouse.move(1000, 850);
    await screenshot(ui.page, '06-test-connection');
  });

  it('runs Test All Connections and summarises by failure class', async () => {
    await ui.page.keyboard.press('Escape');
    await runFromPalette(ui.page, 'Notifications: Clear All Notifications');
    await runFromPalette(ui.page, 'Connection Secrets: Test All Connections');
    const toast = ui.page.locator('.notifications-toasts .notification-toast', { hasText: 'Tested 6 connection(s)' });
    await toast.waitFor({ timeout: 120_000 });
    // Every demo host is an example.com name (no network here); payments has a broken reference.
    const text = await toast.innerText();
    assert.match(text, /Tested 6 connection\(s\): 0 passed, 6 failed \(/);
    assert.match(text, /\d unreachable/);
    assert.match(text, /\d configuration/);
    const connections = await expandPane(ui.page, 'Connections');
    await treeRow(connections, 'payments').locator('.label-description', { hasText: /test failed: configuration$/ }).waitFor({ timeout: 30_000 });
    // Both connections of the open file now carry a result in their CodeLens too.
    await ui.page.locator('.editor-group-container .codelens-decoration', { hasText: 'unreachable' }).nth(1).waitFor({ timeout: 30_000 });
    await ui.page.locator('.notifications-toasts .notification-toast', { hasText: 'Testing connections' }).waitFor({ state: 'detached', timeout: 30_000 });
    await assertNoSecretOnScreen('after testing all');
    await ui.page.mouse.move(1000, 850);
    await screenshot(ui.page, '07-test-all');
  });
});
