// `npm run fuzz [rounds]`: the property tests (the linter's and the reference grammar's) with 40
// times the cases, each round on a new seed, until a round fails or all pass. A failure prints
// fast-check's seed and counterexample; FC_SEED=<seed> npm run test:unit replays it.
import { spawnSync } from 'node:child_process';

const PROPERTY_FILES = ['test/unit/core/lint/properties.test.ts', 'test/unit/core/references.properties.test.ts'];
const rounds = Number(process.argv[2]) || 5;
for (let round = 1; round <= rounds; round++) {
  const started = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'node_modules/mocha/bin/mocha.js', '--timeout', '600000', ...PROPERTY_FILES], {
    stdio: 'inherit',
    env: { ...process.env, CS_FUZZ_FACTOR: process.env.CS_FUZZ_FACTOR ?? '40', FC_SEED: '', CI: '' },
  });
  console.log(`round ${round}/${rounds}: ${r.status === 0 ? 'passed' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (r.status !== 0) process.exit(1);
}
