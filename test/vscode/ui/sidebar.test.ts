/**
 * The UI tier: what a person sees in the workbench (code-server 4.100.3 = VS Code 1.100.3 in
 * Chromium) with the packaged extension installed on a copy of the demo workspace. Each test
 * reads its result from the screen and saves a screenshot under test-results/screenshots/.
 */
import assert from 'node:assert/strict';
import {
  expandPane,
  expandRow,
  openViewContainer,
  outputText,
  pick,
  rowTexts,
  runFromPalette,
  screenshot,
  treeRow,
  useDemoWorkbench,
} from './workbench';

const MASK = '••••••••';

describe('Connection Secrets in the workbench (UI)', function () {
  const ui = useDemoWorkbench();
  /** No demo secret value is anywhere on the screen (all text the workbench renders). */
  const { assertNoSecretOnScreen } = ui;

  /** Parks the mouse so no hover card covers what the screenshot should show. */
  async function unhover() {
    await ui.page.mouse.move(900, 700);
    await ui.page.keyboard.press('Escape');
  }

  it('opens the Connection Secrets view container with its Providers and Connections views', async () => {
    await openViewContainer(ui.page, 'Connection Secrets');
    const providers = await expandPane(ui.page, 'Providers');
    const connections = await expandPane(ui.page, 'Connections');
    await treeRow(providers, 'file').waitFor({ timeout: 60_000 });
    await treeRow(connections, 'jira').waitFor({ timeout: 60_000 });
    assert.deepEqual(await rowTexts(providers), ['fileworkspace']);
    const rows = await rowTexts(connections);
    for (const name of ['workspace root', 'jira', 'status-page', 'projects/analytics', 'reporting-db', 'payments', 'projects/devops', 'warehouse', 'deploy-box']) {
      assert.ok(rows.some((r) => r.startsWith(name)), `Connections does not show ${name}: ${rows.join(' | ')}`);
    }
    await unhover();
    await screenshot(ui.page, '01-view-container');
  });

  it('expands the file provider into the names of its secrets, without values', async () => {
    const providers = await expandPane(ui.page, 'Providers');
    await expandRow(treeRow(providers, 'file'));
    await treeRow(providers, 'warehouse').waitFor({ timeout: 60_000 });
    const rows = (await rowTexts(providers)).slice(1);
    assert.deepEqual(
      // Label, then the description ("updated …", or the lint summary "1 problem") and the badge.
      rows.map((r) => r.split(/updated|\d+ problems?|\s/)[0]),
      ['deploy', 'jira', 'payments', 'reporting', 'statuspage', 'warehouse'],
    );
    await assertNoSecretOnScreen('after expanding the provider');
    await unhover();
    await screenshot(ui.page, '02-provider-expanded');
  });

  it('marks the demo secret with a malformed key with a badge, and names the problem on hover', async () => {
    const providers = await expandPane(ui.page, 'Providers');
    const deploy = treeRow(providers, 'deploy');
    await deploy.locator('.label-description', { hasText: '1 problem' }).waitFor({ timeout: 60_000 });
    // The FileDecoration badge is drawn by CSS (::after) on the label: its class is what the DOM shows.
    // The workbench asks the extension host for decorations after it draws the row, so the class
    // arrives a round trip after the description: wait for it rather than count at once.
    const badge = deploy.locator('.monaco-icon-label[class*="monaco-decoration-itemBadge"]');
    await badge.waitFor({ timeout: 30_000 }).catch(async () => assert.fail(`the row has no badge decoration: ${await deploy.innerHTML()}`));
    assert.equal(await badge.count(), 1);
    assert.equal(await treeRow(providers, 'jira').locator('[class*="monaco-decoration-itemBadge"]').count(), 0, 'a well-formed secret has a badge');
    await deploy.hover();
    const hover = ui.page.locator('.monaco-hover, .workbench-hover', { hasText: 'pem/invalid-base64' }).first();
    await hover.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await hover.innerText(), /not base64/);
    await assertNoSecretOnScreen('with the lint tooltip open');
    await screenshot(ui.page, '06-lint-badge');
    await unhover();
  });

  it('expands a connection into its fields, each reference resolved and masked', async () => {
    const connections = await expandPane(ui.page, 'Connections');
    await expandRow(treeRow(connections, 'jira'));
    const password = treeRow(connections, 'auth.password');
    await password.waitFor({ timeout: 60_000 });
    await password.locator('.label-description', { hasText: /^resolved/ }).waitFor({ timeout: 60_000 });
    const rows = await rowTexts(connections);
    assert.ok(rows.some((r) => /^auth\.usernameresolved/.test(r)), rows.join(' | '));
    assert.ok(rows.some((r) => /^auth\.passwordresolved/.test(r)), rows.join(' | '));
    assert.ok(rows.some((r) => r === 'urlhttps://example.atlassian.net/rest/api/2/myself'), rows.join(' | '));
    await treeRow(connections, 'jira').locator('.label-description', { hasText: 'http · resolved' }).waitFor({ timeout: 30_000 });
    await assertNoSecretOnScreen('after expanding the connection');
    await unhover();
    await screenshot(ui.page, '03-connection-expanded');
  });

  it('resolves a connection from the command palette and shows the masked result', async () => {
    await runFromPalette(ui.page, 'Connection Secrets: Resolve Connection');
    await pick(ui.page, 'status-page');
    const toast = ui.page.locator('.notifications-toasts .notification-toast', { hasText: 'status-page: 1 of 1 reference(s) resolved' });
    await toast.waitFor({ timeout: 60_000 });

    await runFromPalette(ui.page, 'Connection Secrets: Show Log');
    let text = '';
    for (let i = 0; i < 100 && !text.includes('Resolved status-page'); i++) {
      text = await outputText(ui.page).catch(() => '');
      if (!text.includes('Resolved status-page')) await ui.page.waitForTimeout(300);
    }
    assert.match(text, /Resolved status-page \(http\): 1\/1 reference\(s\)/);
    assert.ok(text.includes(`auth.token: Bearer ${MASK} [resolved]`), `the output panel shows:\n${text}`);
    await assertNoSecretOnScreen('after resolving');
    await ui.page.mouse.move(900, 300);
    await screenshot(ui.page, '04-palette-resolve-output');
  });
});
