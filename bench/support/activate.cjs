// Child process for the activation benchmark: loads the built extension against the stub
// `vscode` module, calls activate(), and prints timing and which provider SDKs and tester drivers were evaluated.
const Module = require('node:module');
const path = require('node:path');
const stub = require('./vscodeStub.cjs');
const originalLoad = Module._load;
Module._load = function (request, parent, isMain) {
  if (request === 'vscode') return stub;
  return originalLoad.call(this, request, parent, isMain);
};
const mode = process.argv[2];
const t0 = process.hrtime.bigint();
if (mode === 'extension') {
  const ext = require(path.resolve(__dirname, '../../dist/extension.js'));
  ext.activate({ subscriptions: [], secrets: { get: async () => undefined, store: async () => {}, delete: async () => {} }, workspaceState: { get: () => undefined, update: async () => {} } });
} else {
  // The peer: an extension that imports its provider SDKs eagerly at activation.
  require('@aws-sdk/client-secrets-manager');
  require('@aws-sdk/client-sts');
  require('@azure/keyvault-secrets');
  require('@azure/identity');
  require('node-vault');
}
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
const sdks = Object.keys(require.cache).filter((f) => /[\\/](@aws-sdk|@azure|node-vault|pg|mysql2|ssh2)[\\/]|dist[\\/](providers|testers)[\\/]/.test(f));
process.stdout.write(JSON.stringify({ ms, sdkModules: sdks.length }));
