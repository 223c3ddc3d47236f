/**
 * Bundles the in-host suite (test/vscode/suite/index.ts and every suite/*.test.ts) with esbuild
 * into out/test/vscode/suite/, the layout `@vscode/test-electron` expects: an index.js exporting
 * `run()` beside the compiled test files. `vscode` is provided by the extension host; mocha and
 * the AWS SDK are loaded from node_modules at run time.
 */
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './harness';

export const suiteOutDir = path.join(repoRoot, 'out', 'test', 'vscode', 'suite');
export const suiteIndex = path.join(suiteOutDir, 'index.js');

export async function buildSuite(): Promise<string> {
  const srcDir = path.join(repoRoot, 'test', 'vscode', 'suite');
  const entryPoints = fs
    .readdirSync(srcDir)
    .filter((f) => f === 'index.ts' || f.endsWith('.test.ts'))
    .map((f) => path.join(srcDir, f));
  fs.rmSync(suiteOutDir, { recursive: true, force: true });
  await esbuild.build({
    entryPoints,
    outdir: suiteOutDir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    logLevel: 'warning',
    // Loaded from node_modules at run time; the peers test signs its own writes to moto with the SDK.
    external: ['vscode', 'mocha', '@aws-sdk/*'],
  });
  return suiteIndex;
}
