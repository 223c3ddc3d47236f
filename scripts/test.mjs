// The test command behind `npm test`: runs the tiers in order, prints each tier's time and ends
// with one summary line "N passed, N failed, N skipped".
//   node scripts/test.mjs [unit] [integration] [vscode] [ui]     (default: all)
// With CI=true a tier whose server, browser or VS Code is missing fails instead of skipping.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Each tier is a command that writes {passed, failed, pending} to the stats file it is given. */
const tiers = {
  unit: (stats) => ['node', ['scripts/mocha-tier.cjs', stats, '10000', 'test/unit/**/*.test.ts']],
  integration: (stats) => ['node', ['scripts/mocha-tier.cjs', stats, '120000', 'test/integration/**/*.test.ts']],
  // Inside the extension host of a real VS Code (test/vscode/runInHost.ts; docs/testing.md).
  vscode: (stats) => ['node', ['--import', 'tsx', 'test/vscode/runInHost.ts', stats]],
  // The workbench in Chromium through Playwright, against code-server with the .vsix installed.
  ui: (stats) => ['node', ['scripts/mocha-tier.cjs', stats, '300000', 'test/vscode/ui/**/*.test.ts']],
};

/**
 * The servers, VS Code and browsers the tiers start. Each tier must stop what it started, pass or
 * fail; a process of these kinds that appeared during the run and is still there a few seconds
 * after the last tier is reported as a failure. Processes that existed before the run are ignored.
 */
const STARTED_BY_TESTS = /moto_server|\bbao (server|-dev)|\bpostgres\b|mariadbd|mysqld|sshd: |sshd .*-f |nginx: master|code-server|server-main\.js|headless_shell|chrom(e|ium)/;
function serverProcesses() {
  const r = spawnSync('ps', ['-eo', 'pid=,stat=,args='], { encoding: 'utf8' });
  if (r.status !== 0) return new Map();
  return new Map(
    r.stdout
      .split('\n')
      .map((l) => /^\s*(\d+)\s+(\S+)\s+(.*)$/.exec(l))
      // A zombie runs nothing; whether it is reaped depends on the machine's init, not on the tests.
      .filter((m) => m && !m[2].startsWith('Z') && STARTED_BY_TESTS.test(m[3]) && Number(m[1]) !== process.pid)
      .map((m) => [m[1], m[3].slice(0, 160)]),
  );
}
const before = serverProcesses();

const requested = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = requested.length ? requested : Object.keys(tiers);
const totals = { passed: 0, failed: 0, pending: 0 };
const timings = [];
let broken = false;

for (const name of names) {
  const tier = tiers[name];
  if (!tier) {
    console.error(`unknown test tier "${name}"; known: ${Object.keys(tiers).join(', ')}`);
    process.exit(2);
  }
  const stats = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cs-test-')), 'stats.json');
  const [cmd, args] = tier(stats);
  console.log(`\n=== ${name} tests ===`);
  const started = Date.now();
  const result = spawnSync(cmd, args, { stdio: 'inherit' });
  const seconds = (Date.now() - started) / 1000;
  timings.push([name, seconds]);
  let counts;
  try {
    counts = JSON.parse(fs.readFileSync(stats, 'utf8'));
  } catch {
    counts = { passed: 0, failed: 1, pending: 0 };
    console.error(`${name} tier ended without results (exit ${result.status ?? result.signal})`);
  }
  fs.rmSync(path.dirname(stats), { recursive: true, force: true });
  if (result.status !== 0 && counts.failed === 0) counts.failed = 1;
  if (result.status !== 0) broken = true;
  totals.passed += counts.passed;
  totals.failed += counts.failed;
  totals.pending += counts.pending;
}

// Nothing left running (see STARTED_BY_TESTS): a short grace for processes still exiting.
let leftover = [];
for (let i = 0; i < 10; i++) {
  leftover = [...serverProcesses()].filter(([pid]) => !before.has(pid));
  if (leftover.length === 0) break;
  spawnSync('sleep', ['0.5']);
}
if (leftover.length) {
  console.error(`\n✗ nothing left running: ${leftover.length} process(es) started during the run are still there:\n${leftover.map(([pid, args]) => `    ${pid} ${args}`).join('\n')}`);
  totals.failed++;
} else {
  console.log('\n✔ nothing left running (servers, VS Code, browsers)');
  totals.passed++;
}

console.log('\nTier times:');
for (const [name, seconds] of timings) console.log(`  ${name.padEnd(12)} ${seconds.toFixed(1)} s`);
console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.pending} skipped`);
process.exit(broken || totals.failed ? 1 : 0);
