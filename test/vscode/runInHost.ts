/**
 * The `vscode` test tier: runs the in-host mocha suite (test/vscode/suite) inside the extension
 * host of a real VS Code 1.100.3 server, opened in headless Chromium, against the packaged
 * extension (.vsix installed by VS Code's own installer) on a copy of examples/demo.
 *
 *   node --import tsx test/vscode/runInHost.ts [statsFile]
 *
 * Two passes: a trusted workspace (trust granted through user settings) for the suite, then a
 * restricted-mode workspace (trust enabled, the trust prompt refused as it is in test mode) for
 * untrusted.test.ts. Writes {passed, failed, pending} to statsFile. Everything started is stopped
 * in `finally`, and on SIGINT/SIGTERM/exit by test/support/peer.ts and playwright.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { buildSuite } from './buildSuite';
import {
  cleanup,
  installCommand,
  installVsix,
  launchChromium,
  missingTools,
  packageVsix,
  prepareWorkspace,
  startVsCodeServer,
  tempDir,
  writeSettings,
  type RunningVsCode,
} from './harness';
import type { SuiteResults } from './suite/index';

type Mode = 'trusted' | 'untrusted';
interface Counts {
  passed: number;
  failed: number;
  pending: number;
}

/** Longest a pass may take before the harness gives up on it (a hung host, not a slow test). */
const passDeadlineMs = 15 * 60_000;

/** Trust through settings: with workspace trust switched off every folder is trusted. */
const trustAll = { 'security.workspace.trust.enabled': false };

async function runPass(mode: Mode, extensionDir: string, indexJs: string): Promise<SuiteResults> {
  const workspace = prepareWorkspace();
  const serverDataDir = tempDir('server-data');
  const resultsFile = path.join(tempDir('results'), 'results.json');
  // Trusted pass: trust through settings. Untrusted pass: trust stays enabled and the trust
  // prompt is refused (VS Code refuses dialogs in extension test mode), so the folder opens in
  // restricted mode.
  writeSettings(path.join(serverDataDir, 'data', 'User'), mode === 'trusted' ? trustAll : {});

  let vscode: RunningVsCode | undefined;
  let browser: Browser | undefined;
  const consoleLines: string[] = [];
  try {
    vscode = await startVsCodeServer({
      serverDataDir,
      extensionsDir: tempDir('extensions'),
      env: { CS_VSCODE_RESULTS: resultsFile, CS_VSCODE_MODE: mode },
    });
    const remote = (p: string) => `vscode-remote://127.0.0.1:${vscode!.port}${p}`;
    const payload = [
      ['extensionDevelopmentPath', remote(extensionDir)],
      ['extensionTestsPath', remote(indexJs)],
    ];
    const url = `${vscode.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    browser = await launchChromium();
    const page = await browser.newPage();
    page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => consoleLines.push(`[pageerror] ${e.message}`));
    await page.goto(url);

    const deadline = Date.now() + passDeadlineMs;
    let hostExitedAt: number | undefined;
    for (;;) {
      if (fs.existsSync(resultsFile)) {
        const text = fs.readFileSync(resultsFile, 'utf8');
        try {
          return JSON.parse(text) as SuiteResults;
        } catch {
          /* being written */
        }
      }
      // The host exits once run() settles; results are written before that, so a host that
      // exited a while ago without them crashed or never loaded the suite.
      if (hostExitedAt === undefined && /Extension Host Process exited/.test(vscode.server.output())) hostExitedAt = Date.now();
      if (hostExitedAt !== undefined && Date.now() - hostExitedAt > 10_000) throw new Error('the extension host exited without writing results');
      if (vscode.server.child.exitCode !== null) throw new Error(`the VS Code server exited (${vscode.server.child.exitCode})`);
      if (Date.now() > deadline) throw new Error(`no results after ${passDeadlineMs / 60_000} min`);
      await new Promise((r) => setTimeout(r, 250));
    }
  } catch (err) {
    const hostLog = readExtensionHostLog(serverDataDir);
    console.error(`\n${mode} pass: ${(err as Error).message}`);
    console.error(`--- VS Code server output ---\n${vscode?.server.output() ?? ''}`);
    console.error(`--- workbench console (last 60) ---\n${consoleLines.slice(-60).join('\n')}`);
    if (hostLog) console.error(`--- extension host log (last 8000 chars) ---\n${hostLog.slice(-8000)}`);
    return { mode, passed: 0, failed: 1, pending: 0, failures: [{ title: `${mode} pass`, error: (err as Error).message }], transcript: '' };
  } finally {
    await browser?.close().catch(() => undefined);
    await vscode?.server.stop();
  }
}

function readExtensionHostLog(serverDataDir: string): string {
  const logs = path.join(serverDataDir, 'data', 'logs');
  if (!fs.existsSync(logs)) return '';
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/exthost|Connection Secrets/i.test(p) && e.name.endsWith('.log')) found.push(p);
    }
  };
  walk(logs);
  return found.map((f) => `# ${path.relative(logs, f)}\n${fs.readFileSync(f, 'utf8')}`).join('\n');
}

async function main(statsFile: string | undefined): Promise<number> {
  const totals: Counts = { passed: 0, failed: 0, pending: 0 };
  const writeStats = () => statsFile && fs.writeFileSync(statsFile, JSON.stringify(totals));

  const missing = missingTools();
  if (missing.length) {
    const message = `missing: ${missing.join(', ')} (install: ${installCommand})`;
    if (process.env.CI === 'true' || process.env.CI === '1') {
      console.error(`${message}; CI must install it`);
      totals.failed = 1;
      writeStats();
      return 1;
    }
    console.warn(`skipping the in-host tier: ${message}`);
    totals.pending = 1;
    writeStats();
    return 0;
  }

  try {
    const started = Date.now();
    const indexJs = await buildSuite();
    const { vsix } = packageVsix();
    const extensionDir = installVsix(vsix, tempDir('installed'));
    console.log(`packaged and installed ${path.basename(extensionDir)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    for (const mode of ['trusted', 'untrusted'] as const) {
      const passStarted = Date.now();
      const results = await runPass(mode, extensionDir, indexJs);
      console.log(`\n--- in-host suite, ${mode} workspace (${((Date.now() - passStarted) / 1000).toFixed(1)} s) ---`);
      // The spec transcript already lists failures with their stacks.
      if (results.transcript) console.log(results.transcript);
      else for (const f of results.failures) console.error(`FAILED ${f.title}\n${f.error}\n`);
      totals.passed += results.passed;
      totals.failed += results.failed;
      totals.pending += results.pending;
    }
  } catch (err) {
    console.error((err as Error).stack ?? err);
    totals.failed++;
  } finally {
    cleanup();
  }
  writeStats();
  return totals.failed ? 1 : 0;
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
