/**
 * The `vscode` test tier: runs the in-host mocha suite (test/vscode/suite) inside the extension
 * host of a real VS Code 1.100.3 server, opened in headless Chromium, against the packaged
 * extension (.vsix installed by VS Code's own installer).
 *
 *   node --import tsx test/vscode/runInHost.ts [statsFile]
 *
 * Three passes: a trusted copy of examples/demo (trust granted through user settings) for the
 * suite; a restricted-mode copy (trust enabled, the trust prompt refused as it is in test mode)
 * for untrusted.test.ts; and `peers`, a workspace on moto, OpenBao and the Azure Key Vault
 * stand-in started for the pass (test/vscode/peers.ts), for peers.test.ts. Writes
 * {passed, failed, pending} to statsFile. Everything started is stopped in `finally`, and on
 * SIGINT/SIGTERM/exit by test/support/peer.ts and playwright.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
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
import { missingPeers, startPeers } from './peers';
import type { SuiteResults } from './suite/index';

type Mode = 'trusted' | 'untrusted' | 'peers';
const modes: readonly Mode[] = ['trusted', 'untrusted', 'peers'];
interface Counts {
  passed: number;
  failed: number;
  pending: number;
}

/** Longest a pass may take before the harness gives up on it (a hung host, not a slow test). */
const passDeadlineMs = 15 * 60_000;

/** Trust through settings: with workspace trust switched off every folder is trusted. */
const trustAll = { 'security.workspace.trust.enabled': false };

/** What a pass runs on: its workspace, the server's environment and settings, and what to scan for. */
interface PassSetup {
  workspace: string;
  env: NodeJS.ProcessEnv;
  settings: Record<string, unknown>;
  /** Every secret value the pass put anywhere (read after the suite, so rotated values count). */
  secretValues(): string[];
  /** Lines the extension's output-channel log must hold, so the leak scan is not vacuous. */
  expectedLogLines: string[];
  stop(): Promise<void>;
}

/**
 * `trusted` and `untrusted` run on a copy of examples/demo (file provider); `peers` on a
 * workspace whose projects use moto, OpenBao and the Azure Key Vault stand-in (test/vscode/peers.ts).
 */
async function setUpPass(mode: Mode): Promise<PassSetup> {
  if (mode === 'peers') {
    const started = Date.now();
    const peers = await startPeers();
    console.log(`started and seeded moto, OpenBao and the Azure Key Vault stand-in in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return { ...peers, settings: { ...trustAll, ...peers.settings } };
  }
  const workspace = prepareWorkspace();
  return {
    workspace,
    env: {},
    // Untrusted: trust stays enabled and the trust prompt is refused (VS Code refuses dialogs in
    // extension test mode), so the folder opens in restricted mode.
    settings: mode === 'trusted' ? trustAll : {},
    // As shipped, and as the tests left them after rotating one.
    secretValues: () => secretValues([path.join(demoDir, 'secrets.example.json'), path.join(workspace, 'secrets.json')]),
    expectedLogLines: mode === 'trusted' ? ['Resolved jira'] : [],
    stop: async () => undefined,
  };
}

/** What the harness saw from outside the host during a pass. */
interface Observed {
  /** The server's output and the workbench console. */
  texts: string[];
  /** Input boxes and quick picks that opened (and were dismissed): none is expected. */
  prompts: string[];
}

/**
 * One pass: the suite, then a check made from outside that no secret value reached a file
 * VS Code wrote (logs, including the extension's output channel; storage; settings), the
 * server's output or the workbench console, and that nothing prompted. The pass's servers are
 * stopped in `finally`, pass or fail.
 */
async function runPass(mode: Mode, extensionDir: string, indexJs: string): Promise<SuiteResults> {
  let setup: PassSetup | undefined;
  try {
    setup = await setUpPass(mode);
    const serverDataDir = tempDir('server-data');
    const observed: Observed = { texts: [], prompts: [] };
    const resultsDir = tempDir('results');
    const results = await runSuite(mode, extensionDir, indexJs, setup, serverDataDir, observed, path.join(resultsDir, 'results.json'));
    // A test that opens a prompt on purpose declares it (expectPrompt in suite/helpers.ts).
    const expectedFile = path.join(resultsDir, 'expected-prompts.json');
    const expected: string[] = fs.existsSync(expectedFile) ? JSON.parse(fs.readFileSync(expectedFile, 'utf8')) : [];
    const unexpected = observed.prompts.filter((p) => !expected.some((fragment) => p.includes(fragment)));
    check(results, `${mode} pass: nothing asked for input (no credential prompt, no picker)`, unexpected.map((p) => `unexpected prompt: ${p}`));
    // Plus the canaries the suite registered (registerCanaries in suite/helpers.ts).
    const leaks = findLeaks(secretValues([path.join(resultsDir, 'canaries.json')], setup.secretValues()), serverDataDir, observed.texts);
    const channelLog = findFiles(path.join(serverDataDir, 'data', 'logs'), (f) => /Connection Secrets\.log$/.test(f));
    const logged = channelLog.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
    for (const line of setup.expectedLogLines.filter((l) => !logged.includes(l))) {
      // Without the resolve lines in the channel's log the scan would prove nothing.
      leaks.push(`the Connection Secrets output channel log (${channelLog.join(', ') || 'none found'}) lacks "${line}"`);
    }
    check(results, `${mode} pass: no secret value in VS Code's logs, storage or console`, leaks);
    return results;
  } catch (err) {
    console.error(`\n${mode} pass: ${(err as Error).stack ?? String(err)}`);
    return { mode, passed: 0, failed: 1, pending: 0, failures: [{ title: `${mode} pass`, error: (err as Error).message }], transcript: '' };
  } finally {
    await setup?.stop();
  }
}

/** Adds one harness-side test to the pass's results. */
function check(results: SuiteResults, title: string, problems: string[]) {
  results.transcript += problems.length ? `\n  ✗ ${title}\n${problems.map((l) => `      ${l}`).join('\n')}\n` : `\n  ✔ ${title}\n`;
  if (problems.length) {
    results.failed++;
    results.failures.push({ title, error: problems.join('\n') });
  } else results.passed++;
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
 * The distinctive string values (12 characters or more: short ones such as "analyst" occur by
 * chance) of the given JSON files that exist, plus `extra` values (the peers' seeded secrets and
 * credentials).
 */
function secretValues(jsonFiles: string[], extra: readonly string[] = []): string[] {
  const values = new Set<string>();
  const walk = (v: unknown) => {
    if (typeof v === 'string' && v.length >= 12) values.add(v);
    else if (v && typeof v === 'object') for (const x of Object.values(v)) walk(x);
  };
  for (const f of jsonFiles.filter((f) => fs.existsSync(f))) walk(JSON.parse(fs.readFileSync(f, 'utf8')));
  walk([...extra]);
  return [...values];
}

function findLeaks(secrets: string[], serverDataDir: string, seen: string[]): string[] {
  const leaks: string[] = [];
  if (secrets.length === 0) return ['the pass has no secret values to look for'];
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

/**
 * An input box or quick pick open in the workbench: its title and prompt (never its value).
 * The host cannot answer prompts in a test, so one that opens would wait forever.
 */
async function openPrompt(page: Page): Promise<string | undefined> {
  try {
    const widget = page.locator('.quick-input-widget');
    if (!(await widget.isVisible())) return undefined;
    const text = async (sel: string) => ((await widget.locator(sel).first().innerText({ timeout: 1_000 }).catch(() => '')) ?? '').trim();
    const placeholder = (await widget.locator('.quick-input-box input').first().getAttribute('placeholder', { timeout: 1_000 }).catch(() => '')) ?? '';
    return [await text('.quick-input-title'), placeholder, await text('.quick-input-message')].filter(Boolean).join(' — ') || 'untitled input';
  } catch {
    return undefined;
  }
}

async function runSuite(mode: Mode, extensionDir: string, indexJs: string, setup: PassSetup, serverDataDir: string, observed: Observed, resultsFile: string): Promise<SuiteResults> {
  writeSettings(path.join(serverDataDir, 'data', 'User'), setup.settings);

  let vscode: RunningVsCode | undefined;
  let browser: Browser | undefined;
  const consoleLines: string[] = [];
  try {
    vscode = await startVsCodeServer({
      serverDataDir,
      extensionsDir: tempDir('extensions'),
      env: { ...setup.env, CS_VSCODE_RESULTS: resultsFile, CS_VSCODE_MODE: mode },
    });
    const remote = (p: string) => `vscode-remote://127.0.0.1:${vscode!.port}${p}`;
    const payload = [
      ['extensionDevelopmentPath', remote(extensionDir)],
      ['extensionTestsPath', remote(indexJs)],
    ];
    const url = `${vscode.url}/?folder=${encodeURIComponent(setup.workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
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
      // A prompt is recorded and dismissed (Escape settles it as cancelled), so the test that
      // caused it fails on the missing credential instead of waiting for its timeout.
      const prompt = await openPrompt(page);
      if (prompt) {
        observed.prompts.push(prompt);
        await page.keyboard.press('Escape').catch(() => undefined);
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
    observed.texts.push(vscode?.server.output() ?? '', consoleLines.join('\n'));
  }
}

function readExtensionHostLog(serverDataDir: string): string {
  const logs = path.join(serverDataDir, 'data', 'logs');
  return findFiles(logs, (f) => /exthost|Connection Secrets/i.test(f) && f.endsWith('.log'))
    .map((f) => `# ${path.relative(logs, f)}\n${fs.readFileSync(f, 'utf8')}`)
    .join('\n');
}

/** What may ship in the .vsix (.vscodeignore is an allow-list; this keeps it honest). */
const shippable = [/^package\.json$/, /^dist\/extension\.js$/, /^dist\/(providers|testers)\/[\w-]+\.js$/, /^media\//, /^schemas\/connections\.schema\.json$/, /^(README|CHANGELOG)\.md$/, /^LICENSE(\.md|\.txt)?$/];

function checkPackagedFiles(files: string[]): { ok: boolean; title: string; error?: string } {
  const title = '.vsix holds the runtime files only (no sources, maps, CLI, examples or secrets)';
  const stray = files.filter((f) => !shippable.some((re) => re.test(f)));
  // The JSON schema is contributed for yamlValidation: without it the YAML extension reports a missing schema.
  const absent = ['package.json', 'dist/extension.js', 'schemas/connections.schema.json'].filter((f) => !files.includes(f));
  if (stray.length || absent.length) return { ok: false, title, error: [stray.length ? `unexpected: ${stray.join(', ')}` : '', absent.length ? `missing: ${absent.join(', ')}` : ''].filter(Boolean).join('; ') };
  return { ok: true, title };
}

const isCi = process.env.CI === 'true' || process.env.CI === '1';

async function main(statsFile: string | undefined): Promise<number> {
  const totals: Counts = { passed: 0, failed: 0, pending: 0 };
  const writeStats = () => statsFile && fs.writeFileSync(statsFile, JSON.stringify(totals));

  const missing = missingTools();
  if (missing.length) {
    const message = `missing: ${missing.join(', ')} (install: ${installCommand})`;
    if (isCi) {
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

    // CS_VSCODE_PASSES=trusted,peers (any of the three) runs those passes only, for quicker local iterations.
    const only = process.env.CS_VSCODE_PASSES?.split(',').map((m) => m.trim()).filter(Boolean);
    const unknown = only?.filter((m) => !modes.includes(m as Mode)) ?? [];
    if (unknown.length) throw new Error(`CS_VSCODE_PASSES names unknown passes: ${unknown.join(', ')} (known: ${modes.join(', ')})`);
    for (const mode of modes.filter((m) => !only?.length || only.includes(m))) {
      if (mode === 'peers' && missingPeers().length) {
        const message = `the peers pass needs ${missingPeers().join(' and ')}`;
        if (isCi) {
          console.error(`\n${message}; CI must install it`);
          totals.failed++;
        } else {
          console.warn(`\nskipping the peers pass: ${message}`);
          totals.pending++;
        }
        continue;
      }
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
