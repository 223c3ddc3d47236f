// Runs one mocha tier in its own process and writes its counts for scripts/test.mjs.
//   node scripts/mocha-tier.cjs <statsFile> <timeoutMs> <glob…>
// TypeScript through tsx: `--import tsx` hooks both require() and dynamic import() (the lazy
// providers and CLI commands), so the tier re-runs itself under it when started without.
if (!process.env.CS_MOCHA_TSX) {
  const { spawnSync } = require('node:child_process');
  const r = spawnSync(process.execPath, ['--import', 'tsx', __filename, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, CS_MOCHA_TSX: '1' },
  });
  process.exit(r.status ?? 1);
}
const Mocha = require('mocha');
const { globSync } = require('glob');
const path = require('node:path');
const fs = require('node:fs');

const [statsFile, timeout, ...globs] = process.argv.slice(2);
const mocha = new Mocha({ reporter: 'spec', timeout: Number(timeout), color: !process.env.CI, forbidOnly: true });
const files = [...new Set(globs.flatMap((g) => globSync(g)))].sort();
for (const f of files) mocha.addFile(path.resolve(f));
const runner = mocha.run((failures) => {
  const s = runner.stats ?? {};
  fs.writeFileSync(statsFile, JSON.stringify({ files: files.length, passed: s.passes ?? 0, failed: s.failures ?? failures, pending: s.pending ?? 0 }));
  // Tests must close what they open; this only guards against a leaked handle hanging CI.
  setTimeout(() => process.exit(failures ? 1 : 0), 200).unref();
});
