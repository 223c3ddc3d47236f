/**
 * The UI in restricted mode: a folder that is not trusted. The Providers view must say why it
 * is empty, and the Connections view must show the connections without resolving anything.
 */
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { expandPane, expandRow, openViewContainer, openWorkbench, rowTexts, screenshot, treeRow, type Workbench } from './workbench';

describe('Connection Secrets in an untrusted workspace (UI)', function () {
  let wb: Workbench | undefined;
  let page: Page;

  before(async function () {
    wb = await openWorkbench(this, { trusted: false });
    page = wb.page;
  });

  after(async () => {
    await wb?.close();
  });

  it('says why nothing is fetched and shows connections unresolved', async () => {
    await page.locator('.statusbar-item', { hasText: /Restricted Mode/i }).waitFor({ timeout: 60_000 });
    await openViewContainer(page, 'Connection Secrets');
    const providers = await expandPane(page, 'Providers');
    const welcome = providers.locator('.welcome-view-content');
    await welcome.waitFor({ timeout: 60_000 });
    assert.match(await welcome.innerText(), /This workspace is not trusted, so Connection Secrets does not contact any secrets manager/);
    assert.equal(await providers.locator('.monaco-list-row').count(), 0, 'the Providers view lists something in restricted mode');

    const connections = await expandPane(page, 'Connections');
    await expandRow(treeRow(connections, 'jira'));
    await treeRow(connections, 'auth.password').waitFor({ timeout: 60_000 });
    const rows = await rowTexts(connections);
    assert.ok(rows.some((r) => r === 'auth.passwordnot resolved (untrusted workspace)'), rows.join(' | '));
    await page.mouse.move(900, 700);
    await screenshot(page, '05-restricted-mode');
  });
});
