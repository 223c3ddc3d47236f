/**
 * fast-check parameters for every property test. CI draws from one fixed seed, so a red run
 * replays exactly and a landing is not decided by the draw; anywhere else each run draws a new
 * seed. `npm run fuzz` explores with CS_FUZZ_FACTOR (40) times the cases and new seeds;
 * FC_SEED=<seed> replays the seed a failure printed.
 */
const FACTOR = Number(process.env.CS_FUZZ_FACTOR) || 1;
const CI_SEED = 20261204;
const SEED = process.env.FC_SEED ? Number(process.env.FC_SEED) : (process.env.CI === 'true' || process.env.CI === '1') && FACTOR === 1 ? CI_SEED : undefined;

export const runs = (numRuns: number): { numRuns: number; seed?: number } => ({ numRuns: numRuns * FACTOR, ...(SEED === undefined ? {} : { seed: SEED }) });
