/**
 * The same in-host suite under `@vscode/test-electron`, for a machine that can download VS Code
 * (this one cannot: there the `vscode` tier runs it in the VS Code server instead, see
 * runInHost.ts). Linux needs a display:
 *
 *   npm run build && xvfb-run -a npx tsx test/vscode/runElectron.ts
 *   VSCODE_VERSION=stable xvfb-run -a npx tsx test/vscode/runElectron.ts
 *
 * Trusted pass through `runTests` (which always adds --disable-workspace-trust); the restricted
 * pass launches the downloaded VS Code itself without that flag, so the folder opens untrusted
 * (the trust prompt is refused in extension test mode), with CS_VSCODE_MODE=untrusted.
 * Exits non-zero when a test failed.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';
import { buildSuite } from './buildSuite';
import { cleanup, prepareWorkspace, quietSettings, repoRoot, tempDir } from './harness';
import type { SuiteResults } from './suite/index';

/** The VS Code the extension is built against (engines.vscode ^1.100.0; code-server 4.100.3). */
const version = process.env.VSCODE_VERSION ?? '1.100.3';

function profile(trustAll: boolean): string[] {
  const userData = tempDir('electron-user-data');
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  fs.writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify({ ...quietSettings, ...(trustAll ? { 'security.workspace.trust.enabled': false } : {}) }));
  return ['--user-data-dir', userData, '--extensions-dir', tempDir('electron-extensions'), '--disable-extensions'];
}

function report(file: string, mode: string): number {
  if (!fs.existsSync(file)) {
    console.error(`${mode} pass wrote no results`);
    return 1;
  }
  const r = JSON.parse(fs.readFileSync(file, 'utf8')) as SuiteResults;
  console.log(`\n--- ${mode} pass ---\n${r.transcript}`);
  return r.failed;
}

async function main(): Promise<number> {
  const indexJs = await buildSuite();
  let failed = 0;

  const trustedResults = path.join(tempDir('electron-results'), 'trusted.json');
  try {
    await runTests({
      version,
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: indexJs,
      launchArgs: [prepareWorkspace(), ...profile(true)],
      extensionTestsEnv: { CS_VSCODE_MODE: 'trusted', CS_VSCODE_RESULTS: trustedResults },
    });
  } catch (err) {
    console.error(`trusted pass: ${(err as Error).message}`);
  }
  failed += report(trustedResults, 'trusted');

  const untrustedResults = path.join(tempDir('electron-results'), 'untrusted.json');
  const executable = await downloadAndUnzipVSCode(version);
  const args = [
    prepareWorkspace(),
    ...profile(false),
    '--no-sandbox',
    '--disable-gpu-sandbox',
    '--disable-updates',
    '--skip-welcome',
    '--skip-release-notes',
    `--extensionDevelopmentPath=${repoRoot}`,
    `--extensionTestsPath=${indexJs}`,
  ];
  await new Promise<void>((resolve) => {
    const child = spawn(executable, args, {
      env: { ...process.env, CS_VSCODE_MODE: 'untrusted', CS_VSCODE_RESULTS: untrustedResults },
      stdio: 'inherit',
    });
    child.on('exit', () => resolve());
    child.on('error', (err) => {
      console.error(`untrusted pass: ${err.message}`);
      resolve();
    });
  });
  failed += report(untrustedResults, 'untrusted');
  return failed ? 1 : 0;
}

main()
  .then((code) => {
    cleanup();
    process.exit(code);
  })
  .catch((err) => {
    console.error(err);
    cleanup();
    process.exit(1);
  });
