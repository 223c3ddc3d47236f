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
  demoDir,
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

/**
 * One pass: the suite, then a check made from outside that no demo secret value reached a file
 * VS Code wrote (logs, including the extension's output channel; storage; settings), the
 * server's output or the workbench console.
 */
async function runPass(mode: Mode, extensionDir: string, indexJs: string): Promise<SuiteResults> {
  const workspace = prepareWorkspace();
  const serverDataDir = tempDir('server-data');
  const seen: string[] = [];
  const resultsDir = tempDir('results');
  const results = await runSuite(mode, extensionDir, indexJs, workspace, serverDataDir, seen, path.join(resultsDir, 'results.json'));
  const title = `${mode} pass: no demo secret value in VS Code's logs, storage or console`;
  const leaks = findLeaks(workspace, serverDataDir, seen, path.join(resultsDir, 'canaries.json'));
  const channelLog = findFiles(path.join(serverDataDir, 'data', 'logs'), (f) => /Connection Secrets\.log$/.test(f));
  if (mode === 'trusted' && !channelLog.some((f) => fs.readFileSync(f, 'utf8').includes('Resolved jira'))) {
    // Without the resolve lines in the channel's log the scan would prove nothing.
    leaks.push(`the Connection Secrets output channel log (${channelLog.join(', ') || 'none found'}) lacks the resolve output`);
  }
  const line = leaks.length ? `  ✗ ${title}\n${leaks.map((l) => `      ${l}`).join('\n')}` : `  ✔ ${title}`;
  results.transcript += `\n${line}\n`;
  if (leaks.length) {
    results.failed++;
    results.failures.push({ title, error: leaks.join('\n') });
  } else results.passed++;
  return results;
}

function findFiles(dir: string, match: (file: string) => boolean): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...findFiles(p, match));
    else if (e.isFile() && match(p)) out.push(p);
  }
  return out;
}

/**
 * The demo's secret values (as shipped, and as the tests left them after rotating one), and the
 * canaries the suite registered (registerCanaries in suite/helpers.ts).
 */
function secretValues(workspace: string, canariesFile: string): string[] {
  const values = new Set<string>();
  const walk = (v: unknown) => {
    if (typeof v === 'string' && v.length >= 12) values.add(v);
    else if (v && typeof v === 'object') for (const x of Object.values(v)) walk(x);
  };
  for (const f of [path.join(demoDir, 'secrets.example.json'), path.join(workspace, 'secrets.json')]) walk(JSON.parse(fs.readFileSync(f, 'utf8')));
  if (fs.existsSync(canariesFile)) walk(JSON.parse(fs.readFileSync(canariesFile, 'utf8')));
  return [...values];
}

function findLeaks(workspace: string, serverDataDir: string, seen: string[], canariesFile: string): string[] {
  const secrets = secretValues(workspace, canariesFile);
  const leaks: string[] = [];
  const check = (text: string, where: string) => {
    for (const s of secrets) {
      for (const form of new Set([s, s.replace(/\\n/g, '\n'), JSON.stringify(s).slice(1, -1)])) {
        if (text.includes(form)) leaks.push(`${where} contains the secret ${s.slice(0, 8)}…`);
      }
    }
  };
  for (const f of findFiles(serverDataDir, () => true)) {
    if (fs.statSync(f).size > 50_000_000) continue;
    check(fs.readFileSync(f).toString('latin1'), path.relative(serverDataDir, f));
  }
  seen.forEach((text, i) => check(text, i === 0 ? 'the VS Code server output' : 'the workbench console'));
  return leaks;
}

async function runSuite(mode: Mode, extensionDir: string, indexJs: string, workspace: string, serverDataDir: string, seen: string[], resultsFile: string): Promise<SuiteResults> {
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
    seen.push(vscode?.server.output() ?? '', consoleLines.join('\n'));
  }
}

function readExtensionHostLog(serverDataDir: string): string {
  const logs = path.join(serverDataDir, 'data', 'logs');
  return findFiles(logs, (f) => /exthost|Connection Secrets/i.test(f) && f.endsWith('.log'))
    .map((f) => `# ${path.relative(logs, f)}\n${fs.readFileSync(f, 'utf8')}`)
    .join('\n');
}

/** What may ship in the .vsix (.vscodeignore is an allow-list; this keeps it honest). */
const shippable = [/^package\.json$/, /^dist\/extension\.js$/, /^dist\/(providers|testers)\/[\w-]+\.js$/, /^media\//, /^(README|CHANGELOG)\.md$/, /^LICENSE(\.md|\.txt)?$/];

function checkPackagedFiles(files: string[]): { ok: boolean; title: string; error?: string } {
  const title = '.vsix holds the runtime files only (no sources, maps, CLI, examples or secrets)';
  const stray = files.filter((f) => !shippable.some((re) => re.test(f)));
  const absent = ['package.json', 'dist/extension.js'].filter((f) => !files.includes(f));
  if (stray.length || absent.length) return { ok: false, title, error: [stray.length ? `unexpected: ${stray.join(', ')}` : '', absent.length ? `missing: ${absent.join(', ')}` : ''].filter(Boolean).join('; ') };
  return { ok: true, title };
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
    const { vsix, files } = packageVsix();
    const packaged = checkPackagedFiles(files);
    console.log(packaged.ok ? `  ✔ ${packaged.title}` : `  ✗ ${packaged.title}: ${packaged.error}`);
    if (packaged.ok) totals.passed++;
    else totals.failed++;
    const extensionDir = installVsix(vsix, tempDir('installed'));
    console.log(`packaged and installed ${path.basename(extensionDir)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    // CS_VSCODE_PASSES=untrusted (or trusted) runs one pass only, for quicker local iterations.
    const only = process.env.CS_VSCODE_PASSES;
    for (const mode of (['trusted', 'untrusted'] as const).filter((m) => !only || only === m)) {
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
