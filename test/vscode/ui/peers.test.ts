/**
 * The Providers view as a person sees it on real secrets managers: the `scope: project`
 * workspace of the in-host peers pass (test/vscode/peers.ts — moto, OpenBao and the Azure Key
 * Vault stand-in on loopback, credentials in code-server's environment), with the aws provider
 * and a nested Vault folder expanded. Saves the screenshot the README uses.
 */
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { missingPeer } from '../../support/peer';
import { missingPeers, startPeers, type Peers } from '../peers';
import { expandPane, expandRow, openViewContainer, openWorkbench, rowTexts, screenshot, treeRow, viewPane, type Workbench } from './workbench';

describe('Connection Secrets on moto and OpenBao (UI)', function () {
  let peers: Peers | undefined;
  let wb: Workbench | undefined;
  let page: Page;

  before(async function () {
    const missing = missingPeers();
    if (missing.length) missingPeer(this, missing.join(' and '), 'npm run setup');
    peers = await startPeers();
    wb = await openWorkbench(this, { trusted: true, workspace: peers.workspace, env: peers.env, settings: peers.settings });
    page = wb.page;
  });

  after(async () => {
    await wb?.close();
    await peers?.stop();
  });

  it("expands the aws and vault providers into moto's and OpenBao's secrets, without values", async () => {
    await openViewContainer(page, 'Connection Secrets');
    // Room for the Providers tree: fold the Connections view.
    const connectionsHeader = viewPane(page, 'Connections').locator('.pane-header');
    if ((await connectionsHeader.getAttribute('aria-expanded')) === 'true') await connectionsHeader.click();
    const providers = await expandPane(page, 'Providers');

    await expandRow(treeRow(providers, 'aws'));
    await treeRow(providers, 'Load more…').waitFor({ timeout: 60_000 });
    await treeRow(providers, 'aws').locator('.label-description', { hasText: /123456789012 arn:aws:/ }).waitFor({ timeout: 60_000 });
    await expandRow(treeRow(providers, 'vault'));
    // The identity arrives after the listing and redraws the provider's rows: wait for it before
    // clicking into them.
    await treeRow(providers, 'vault').locator('.label-description', { hasText: /AppRole role "peers"/ }).waitFor({ timeout: 60_000 });
    for (const folder of ['kv2/', 'apps/', 'payments/']) await expandRow(treeRow(providers, folder));
    await treeRow(providers, 'db').waitFor({ timeout: 60_000 });

    const rows = await rowTexts(providers);
    assert.ok(rows.filter((r) => r.startsWith('peers/')).length >= 10, `the first page of moto's secrets is not on screen: ${rows.join(' | ')}`);
    for (const expected of [/^kv1\/KV v1$/, /^kv2\/KV v2$/, /^apps\//, /^payments\//, /^api$/, /^db$/, /^reporting\//, /^shared$/]) {
      assert.ok(rows.some((r) => expected.test(r)), `no row ${expected} among: ${rows.join(' | ')}`);
    }
    const text = await page.locator('body').innerText();
    for (const s of peers!.secretValues()) assert.ok(!text.includes(s), `a secret value is on the screen (${s.slice(0, 8)}…)`);

    await page.mouse.move(900, 700);
    await page.keyboard.press('Escape');
    await screenshot(page, '06-providers-on-moto-and-openbao');
  });
});
