import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const repo = path.resolve(__dirname, '../../..');

describe('activation', () => {
  before(function () {
    this.timeout(60_000);
    if (!fs.existsSync(path.join(repo, 'dist/extension.js'))) {
      const r = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: repo, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
    }
  });

  it('evaluates no provider SDK and no tester driver (they load on first use)', () => {
    // bench/support/activate.cjs loads the real bundle with an inert `vscode` module and lists
    // every @aws-sdk, @azure, node-vault or dist/providers module that was evaluated.
    const r = spawnSync(process.execPath, [path.join(repo, 'bench/support/activate.cjs'), 'extension'], { cwd: repo, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).sdkModules, 0);
  });

  it('keeps the cloud providers out of the extension bundle', () => {
    const bundle = fs.readFileSync(path.join(repo, 'dist/extension.js'), 'utf8');
    assert.ok(!bundle.includes('@aws-sdk/client-secrets-manager'));
    assert.ok(!bundle.includes('@azure/keyvault-secrets'));
    assert.match(bundle, /require\("\.\/providers\/aws\.js"\)/, "the aws provider is a separate bundle loaded with require");
  });
});
