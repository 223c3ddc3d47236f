/**
 * The secret-shape rules for Azure through checkWorkspace, against the Key Vault stand-in (see
 * test/support/keyVaultStandIn.ts for why a stand-in): a disabled secret, one past its expiry and
 * one before its activation date each get their own rule on the reference; a fetched certificate
 * value that is malformed is reported there too, and carries no value in its message.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadWorkspace } from '../../../src/core/config';
import { SecretCache } from '../../../src/core/cache';
import { FetchedValueLints } from '../../../src/core/lint';
import { ProviderPool } from '../../../src/core/providerPool';
import { Resolver } from '../../../src/core/resolver';
import { checkWorkspace } from '../../../src/core/validate';
import { createProvider } from '../../../src/providers';
import { CLIENT, RecordingCredentials, TENANT, startAzure, type AzureEnv } from '../azure/harness';
import { makeKeyMaterial, type KeyMaterial } from '../../support/keyMaterial';

const DAY = 86_400_000;

describe('lint: Azure secret states and fetched values (Key Vault stand-in)', () => {
  let env: AzureEnv;
  let km: KeyMaterial;
  let root: string;
  before(async function () {
    this.timeout(120_000);
    env = await startAzure();
    km = makeKeyMaterial();
    env.seed('off', { enabled: false });
    env.seed('old', { expiresOn: new Date(Date.now() - DAY) });
    env.seed('later', { notBefore: new Date(Date.now() + 10 * DAY) });
    env.kv.setSecret('api-cert', km.cert.replace(/\n/g, '\r\n'));
    root = path.join(env.tls.dir, 'lint-ws');
    fs.mkdirSync(root);
    fs.copyFileSync(env.tls.caCertPath, path.join(root, 'vault-ca.pem'));
    const ref = (name: string) => `"{{workato:sm:${name}}}"`;
    fs.writeFileSync(
      path.join(root, 'connections.yaml'),
      [
        'secretsManager:',
        '  provider:',
        '    type: azure',
        `    vaultUrl: ${env.kv.url}`,
        `    tenantId: ${TENANT}`,
        `    clientId: ${CLIENT}`,
        '    caCert: vault-ca.pem',
        `    authorityHost: ${env.entra.authorityHost}`,
        '    disableChallengeResourceVerification: true',
        'connections:',
        '  api:',
        '    type: http',
        '    url: https://api.example.com',
        '    headers:',
        `      X-Off: ${ref('off')}`,
        `      X-Old: ${ref('old')}`,
        `      X-Later: ${ref('later')}`,
        '    auth:',
        '      type: mtls',
        `      certificate: ${ref('api-cert')}`,
        '      privateKey: "{{workato:sm:off}}"',
        '',
      ].join('\n'),
    );
  });
  after(async () => {
    km?.remove();
    await env?.stop();
  });

  it('each state has its rule on its reference; the fetched certificate value is linted', async () => {
    const model = await loadWorkspace(root);
    const credentials = new RecordingCredentials({ [`azure.clientSecret:${TENANT}:${CLIENT}`]: env.clientSecret });
    const pool = new ProviderPool(createProvider, { credentials });
    const fetched = new FetchedValueLints();
    const resolver = new Resolver({ getProvider: (c) => pool.get(c), cache: new SecretCache({ onStore: (k, v) => fetched.record(k, v) }) });
    try {
      const problems = await checkWorkspace(model, { resolver, fetched: (k) => fetched.get(k) });
      const at = (id: string) => problems.filter((p) => p.ruleId === id).map((p) => p.range.start.line + 1);
      assert.deepEqual(at('secret/disabled'), [15, 21]);
      assert.deepEqual(at('secret/expired'), [16]);
      assert.deepEqual(at('secret/not-yet-active'), [17]);
      assert.deepEqual(at('pem/crlf'), [20], problems.map((p) => `${p.ruleId}@${p.range.start.line + 1}`).join(', '));
      for (const p of problems) assert.ok(!p.message.includes(km.cert.split('\n')[1]), `${p.ruleId} quotes the certificate`);
    } finally {
      await pool.disposeAll();
    }
  });
});
