/**
 * Editor assistance as a person meets it in the workbench: the suggest widget inside a reference
 * lists the demo's secret names, the hover on a reference shows what it points at (never the
 * value), and the hover's "Show in Providers" link — a trusted command link — selects the secret
 * in the Providers view.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { canary } from '../../support/canary';
import {
  assertNoSecretShown,
  expandPane,
  openViewContainer,
  runFromPalette,
  screenshot,
  treeRow,
  useDemoWorkbench,
} from './workbench';

describe('Editor assistance in the workbench (UI)', function () {
  const ui = useDemoWorkbench();
  const { assertNoSecretOnScreen } = ui;

  /** Moves the cursor with Go to Line (line:column, 1-based). */
  async function goTo(line: number, column: number) {
    // The quick input's ":" mode (Ctrl+G is taken by the browser-hosted workbench).
    await ui.page.keyboard.press('F1');
    const input = ui.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 30_000 });
    await input.fill(`:${line}:${column}`);
    await ui.page.locator('.quick-input-widget', { hasText: `line ${line}` }).first().waitFor({ timeout: 30_000 }).catch(() => undefined);
    await ui.page.keyboard.press('Enter');
    await input.waitFor({ state: 'hidden', timeout: 30_000 });
  }

  it('suggests the secret names inside a reference, and the hover explains it with a link into the Providers view', async () => {
    const text = fs.readFileSync(path.join(ui.wb.workspace, 'connections.yaml'), 'utf8').split('\n');
    const line = text.findIndex((l) => l.includes('{{workato:sm:password:jira}}'));
    assert.ok(line >= 0);
    const column = text[line].indexOf('{{workato:sm:password:') + '{{workato:sm:password:'.length + 1;

    await openViewContainer(ui.page, 'Connection Secrets');
    const connections = await expandPane(ui.page, 'Connections');
    await treeRow(connections, 'jira').waitFor({ timeout: 60_000 });
    const editorLine = ui.page.locator('.editor-group-container .view-line', { hasText: 'workato:sm:password:jira' });
    for (let attempt = 1; ; attempt++) {
      await treeRow(connections, 'jira').locator('.label-name').click();
      try {
        await editorLine.first().waitFor({ timeout: 20_000 });
        break;
      } catch (e) {
        if (attempt === 3) throw e;
      }
    }

    await goTo(line + 1, column);
    await ui.page.keyboard.press('Control+Space');
    const suggest = ui.page.locator('.editor-widget.suggest-widget');
    await suggest.locator('.monaco-list-row', { hasText: 'warehouse' }).waitFor({ timeout: 30_000 });
    const rows = (await suggest.locator('.monaco-list-row .label-name').allInnerTexts()).map((t) => t.trim());
    for (const name of ['deploy', 'jira', 'payments', 'reporting', 'statuspage', 'warehouse']) assert.ok(rows.includes(name), `no "${name}" in the suggest widget: ${rows.join(', ')}`);
    await screenshot(ui.page, '08-completion');
    await assertNoSecretOnScreen('with the suggest widget open');
    await ui.page.keyboard.press('Escape');

    await goTo(line + 1, column);
    await runFromPalette(ui.page, 'Show or Focus Hover');
    const hover = ui.page.locator('.monaco-hover:not(.hidden)', { hasText: 'Secret reference' });
    await hover.waitFor({ timeout: 30_000 });
    const shown = await hover.innerText();
    assert.match(shown, /resolved/);
    assert.match(shown, /Provider: file \(workspace\)/);
    assert.match(shown, /Key: password/);
    assert.match(shown, /Reveal value/);
    await screenshot(ui.page, '09-hover');
    await assertNoSecretOnScreen('with the hover open');

    await hover.locator('a', { hasText: 'Show in Providers' }).click();
    const providers = await expandPane(ui.page, 'Providers');
    await treeRow(providers, 'jira').and(ui.page.locator('[aria-selected="true"]')).waitFor({ timeout: 30_000 });
    await screenshot(ui.page, '10-link-revealed');
    await assertNoSecretOnScreen('after following the link');
  });

  it('typing a new reference: the names come up at ":", choosing one, then the keys, closes it', async () => {
    const lines = fs.readFileSync(path.join(ui.wb.workspace, 'connections.yaml'), 'utf8').split('\n');
    const last = lines.findIndex((l) => l.includes('{{workato:sm:token:statuspage}}'));
    await ui.page.locator('.editor-group-container .view-line').first().click();
    await goTo(last + 1, lines[last].length + 1);
    await ui.page.keyboard.press('Enter');
    await ui.page.keyboard.type('password: "{{workato:sm:', { delay: 30 });
    const suggest = ui.page.locator('.editor-widget.suggest-widget');
    await suggest.locator('.monaco-list-row', { hasText: 'warehouse' }).waitFor({ timeout: 30_000 });
    await ui.page.keyboard.type('wareh', { delay: 30 });
    await ui.page.keyboard.press('Enter');
    const typed = ui.page.locator('.editor-group-container .view-line', { hasText: 'workato:sm:warehouse' });
    await typed.waitFor({ timeout: 30_000 });
    const written = (await typed.innerText()).replace(/\u00a0/g, ' ').trim();
    console.log(`      typed line: ${written}`);
    assert.equal(written, 'password: "{{workato:sm:warehouse}}"');
    // The key: a ":" typed before the name opens the key names of that secret.
    await goTo(last + 2, written.indexOf('warehouse') + (lines[last].length - lines[last].trimStart().length) + 1);
    await ui.page.keyboard.type(':', { delay: 30 });
    await ui.page.keyboard.press('ArrowLeft');
    await ui.page.keyboard.press('Control+Space');
    await suggest.locator('.monaco-list-row', { hasText: 'password' }).waitFor({ timeout: 30_000 });
    const keys = (await suggest.locator('.monaco-list-row .label-name').allInnerTexts()).map((t) => t.trim()).sort();
    assert.deepEqual(keys, ['password', 'username']);
    await screenshot(ui.page, '11-completion-keys');
    await ui.page.keyboard.press('Enter');
    await ui.page.locator('.editor-group-container .view-line', { hasText: 'workato:sm:password:warehouse}}' }).waitFor({ timeout: 30_000 });
    await assertNoSecretOnScreen('after completing the key');
    await runFromPalette(ui.page, 'File: Revert File');
  });

  it('moves a hard-coded password into the file secrets manager after the dialog, and the file references it', async () => {
    // In the extension-host tier VS Code refuses dialogs, so only the declined path runs there;
    // here a person's click on "Move" takes the accepted path end to end.
    const file = path.join(ui.wb.workspace, 'connections.yaml');
    const password = canary('hard-coded');
    const original = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, `${original.trimEnd()}\n  hardcoded-db:\n    type: postgres\n    host: db.example.com\n    user: app\n    password: "${password}"\n`);
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    const line = lines.findIndex((l) => l.includes(password));
    const literal = ui.page.locator('.editor-group-container .view-line', { hasText: 'hard-coded' });
    await literal.first().waitFor({ timeout: 60_000 });
    await goTo(line + 1, lines[line].indexOf(password) + 2);
    // The fix comes with the diagnostic, computed once the file watcher has reported the write:
    // ask again until it is offered.
    const fix = ui.page.locator('.action-widget .monaco-list-row', { hasText: 'Move to the file secrets manager' }).first();
    for (let attempt = 1; ; attempt++) {
      await runFromPalette(ui.page, 'Quick Fix...');
      try {
        await fix.waitFor({ timeout: 10_000 });
        break;
      } catch (e) {
        if (attempt === 6) {
          await screenshot(ui.page, 'failed-move-credential');
          throw e;
        }
        await ui.page.keyboard.press('Escape');
        await goTo(line + 1, lines[line].indexOf(password) + 2);
      }
    }
    // The widget's rows never count as stable for a click while it animates: choose by keyboard.
    for (let i = 0; i < 5 && !/\bfocused\b/.test((await fix.getAttribute('class')) ?? ''); i++) await ui.page.keyboard.press('ArrowDown');
    assert.match((await fix.getAttribute('class')) ?? '', /\bfocused\b/, 'the move fix could not be selected');
    await ui.page.keyboard.press('Enter');
    const dialog = ui.page.locator('.monaco-dialog-box', { hasText: 'Move the value of hardcoded-db.password into the file secrets manager?' });
    await dialog.waitFor({ timeout: 30_000 });
    assert.ok(!(await dialog.innerText()).includes(password), 'the dialog shows the value');
    await screenshot(ui.page, '12-move-credential');
    await dialog.getByRole('button', { name: 'Move' }).click();
    await ui.page.locator('.notifications-toasts .notification-toast', { hasText: 'Moved hardcoded-db.password into the file secrets manager' }).waitFor({ timeout: 60_000 });
    await ui.page.locator('.editor-group-container .view-line', { hasText: '{{workato:sm:password:hardcoded-db}}' }).waitFor({ timeout: 30_000 });
    const saved = fs.readFileSync(file, 'utf8');
    assert.ok(!saved.includes(password), 'connections.yaml still holds the value');
    assert.match(saved, /password: "\{\{workato:sm:password:hardcoded-db\}\}"/);
    const stored = JSON.parse(fs.readFileSync(path.join(ui.wb.workspace, 'secrets.json'), 'utf8')) as Record<string, Record<string, string>>;
    assert.equal(stored['hardcoded-db']?.password, password, 'secrets.json does not hold the moved value under hardcoded-db.password');
    await assertNoSecretShown(ui.page, [...ui.secrets, password], 'after the move');
    fs.writeFileSync(file, original);
  });
});
