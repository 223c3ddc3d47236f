import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { isWebviewMessage } from '../../../src/extension/troubleshootProtocol';

const repo = path.resolve(__dirname, '../../..');

describe('Troubleshoot panel: messages and page', () => {
  it('accepts only the webview messages the protocol defines', () => {
    for (const m of [{ type: 'ready' }, { type: 'runAll' }, { type: 'rerun', id: 'file.json' }, { type: 'copy', id: 'aws.identity' }]) assert.ok(isWebviewMessage(m), JSON.stringify(m));
    for (const m of [undefined, null, 'ready', {}, { type: 'rerun' }, { type: 'copy', id: 42 }, { type: 'copy', id: 'x'.repeat(500) }, { type: 'eval', id: 'x' }]) {
      assert.ok(!isWebviewMessage(m), JSON.stringify(m));
    }
  });

  it('renders data as text only: the page script never builds markup from strings', () => {
    const script = fs.readFileSync(path.join(repo, 'src/webview/troubleshoot/main.ts'), 'utf8');
    assert.doesNotMatch(script, /innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/);
    assert.match(script, /textContent/);
  });

  it('serves a page with a strict CSP: a nonce for the one script, resources from media/troubleshoot only', () => {
    const panel = fs.readFileSync(path.join(repo, 'src/extension/troubleshootPanel.ts'), 'utf8');
    assert.match(panel, /`default-src 'none'`/);
    assert.match(panel, /`script-src 'nonce-\$\{nonce\}'`/);
    assert.match(panel, /localResourceRoots: \[root\]/);
    assert.match(panel, /joinPath\(ctx\.extension\.extensionUri, 'media', 'troubleshoot'\)/);
    assert.match(panel, /<script nonce="\$\{nonce\}" src=/);
    assert.ok(fs.existsSync(path.join(repo, 'media/troubleshoot/panel.css')));
  });
});
