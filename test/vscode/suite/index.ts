/**
 * Entry point of the in-host suite, loaded by VS Code's extension host as `extensionTestsPath`
 * (the `@vscode/test-electron` contract: export `run()`, reject when a test failed).
 *
 * Which files run depends on the pass the host was started for (`CS_VSCODE_MODE`):
 * `untrusted` runs only untrusted.test.js (restricted mode), `peers` only peers.test.js (a
 * workspace on moto and OpenBao, which the harness starts), anything else (`trusted`) the rest. The counts, failures and the spec reporter's transcript are written as JSON to
 * `CS_VSCODE_RESULTS` when set, because a browser-hosted workbench has no stdout to read.
 */
import fs from 'node:fs';
import path from 'node:path';
import util from 'node:util';
import Mocha from 'mocha';

export interface SuiteResults {
  mode: string;
  passed: number;
  failed: number;
  pending: number;
  failures: { title: string; error: string }[];
  transcript: string;
}

/** Files that run only in their own pass; the trusted pass runs every other file. */
const dedicated: Record<string, string> = { untrusted: 'untrusted.test.js', peers: 'peers.test.js' };

export async function run(): Promise<void> {
  const requested = process.env.CS_VSCODE_MODE ?? 'trusted';
  const mode = requested in dedicated ? requested : 'trusted';
  const resultsFile = process.env.CS_VSCODE_RESULTS;
  const results: SuiteResults = { mode, passed: 0, failed: 0, pending: 0, failures: [], transcript: '' };
  const lines: string[] = [];
  const base = Mocha.reporters.Base as unknown as { consoleLog: (...args: unknown[]) => void };
  const consoleLog = base.consoleLog;
  base.consoleLog = (...args: unknown[]) => {
    lines.push(util.format(...args));
    consoleLog(...args);
  };

  const write = () => {
    results.transcript = lines.join('\n');
    if (resultsFile) fs.writeFileSync(resultsFile, JSON.stringify(results, null, 2));
  };

  try {
    const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', color: false, timeout: 120_000, forbidOnly: true });
    const files = fs
      .readdirSync(__dirname)
      .filter((f) => f.endsWith('.test.js'))
      .filter((f) => (mode === 'trusted' ? !Object.values(dedicated).includes(f) : f === dedicated[mode]))
      .sort();
    if (files.length === 0) throw new Error(`no test files for mode ${mode} in ${__dirname}`);
    for (const f of files) mocha.addFile(path.join(__dirname, f));
    await new Promise<void>((resolve) => {
      const runner = mocha.run(() => resolve());
      runner.on('pass', () => results.passed++);
      runner.on('pending', () => results.pending++);
      runner.on('fail', (test, err: Error) => {
        results.failed++;
        results.failures.push({ title: test.fullTitle(), error: err?.stack ?? String(err) });
      });
    });
  } catch (err) {
    results.failed++;
    results.failures.push({ title: 'loading the in-host suite', error: (err as Error)?.stack ?? String(err) });
  } finally {
    base.consoleLog = consoleLog;
    write();
  }
  if (results.failed > 0) throw new Error(`${results.failed} in-host test(s) failed`);
}
