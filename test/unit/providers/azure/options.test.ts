import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConnectionSecretsError } from '../../../../src/core/errors';
import type { ProviderConfig } from '../../../../src/core/model';
import { clientSecretKey, parseAzureOptions, vaultScope } from '../../../../src/providers/azure/options';
import { secretState, stateError } from '../../../../src/providers/azure/secretState';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT = '0c9b1a6e-4f4e-4c43-9d6a-1f6c1e7b2a11';

function config(options: Record<string, unknown>, dir = os.tmpdir()): ProviderConfig {
  return { type: 'azure', options: { type: 'azure', ...options }, file: path.join(dir, 'connections.yaml'), dir, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } };
}

function invalid(options: Record<string, unknown>, pattern: RegExp) {
  assert.throws(
    () => parseAzureOptions(config(options)),
    (e: unknown) => e instanceof ConnectionSecretsError && e.code === 'InvalidConfig' && pattern.test(`${e.message} ${e.fix}`),
  );
}

describe('azure provider block', () => {
  it('normalises a minimal block to the default credential chain', () => {
    const o = parseAzureOptions(config({ vaultUrl: 'https://Contoso-KV.vault.azure.net/' }));
    assert.equal(o.vaultUrl, 'https://contoso-kv.vault.azure.net');
    assert.equal(o.vaultName, 'contoso-kv');
    assert.equal(o.clientId, undefined);
    assert.equal(o.disableChallengeResourceVerification, false);
  });

  it('reads a client-secret block with pinned versions and a CA relative to the file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-az-'));
    fs.mkdirSync(path.join(dir, 'certs'));
    fs.writeFileSync(path.join(dir, 'certs', 'ca.pem'), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    try {
      const o = parseAzureOptions(config({ vaultUrl: 'https://kv.vault.azure.net', tenantId: TENANT, clientId: CLIENT, caCert: 'certs/ca.pem', versions: { 'DB-Pass': 'ABCDEF0123456789abcdef0123456789' } }, dir));
      assert.equal(o.caCertPath, path.join(dir, 'certs', 'ca.pem'));
      assert.match(o.caCertPem ?? '', /BEGIN CERTIFICATE/);
      assert.equal(o.versions.get('db-pass'), 'abcdef0123456789abcdef0123456789');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the fix for each mistake', () => {
    invalid({}, /vaultUrl" is missing.*vault\.azure\.net/);
    invalid({ vaultURL: 'https://x.vault.azure.net' }, /found "vaultURL"/);
    invalid({ vaultUrl: 'http://x.vault.azure.net' }, /must use https/);
    invalid({ vaultUrl: 'https://x.vault.azure.net/secrets/a' }, /has a path/);
    invalid({ vaultUrl: 'https://x.vault.azure.net', clientId: CLIENT }, /tenantId is missing/);
    invalid({ vaultUrl: 'https://x.vault.azure.net', tenantId: TENANT, clientId: 'my-app' }, /Application \(client\) ID/);
    invalid({ vaultUrl: 'https://x.vault.azure.net', tenantId: 'not a tenant' }, /Directory \(tenant\) ID/);
    invalid({ vaultUrl: 'https://x.vault.azure.net', caCert: 'does-not-exist.pem' }, /cannot be read/);
    invalid({ vaultUrl: 'https://x.vault.azure.net', versions: { a: 'v1' } }, /32 hexadecimal/);
    invalid({ vaultUrl: 'https://x.vault.azure.net', versions: ['a'] }, /mapping/);
    invalid({ vaultUrl: 'https://x.vault.azure.net', serviceVersion: '9.9' }, /7\.6/);
    invalid({ vaultUrl: 'https://x.vault.azure.net', authorityHost: 'http://login' }, /https URL/);
    invalid({ vaultUrl: 'https://x.vault.azure.net', disableChallengeResourceVerification: 'yes' }, /true or false/);
  });

  it('uses the host for loopback emulators and the sovereign-cloud token audience', () => {
    assert.equal(parseAzureOptions(config({ vaultUrl: 'https://127.0.0.1:8443' })).vaultName, '127.0.0.1:8443');
    assert.equal(vaultScope('https://kv.vault.azure.cn'), 'https://vault.azure.cn/.default');
    assert.equal(vaultScope('https://kv.vault.usgovcloudapi.net'), 'https://vault.usgovcloudapi.net/.default');
    assert.equal(vaultScope('https://localhost:8443'), 'https://vault.azure.net/.default');
    assert.equal(clientSecretKey(TENANT, CLIENT), `azure.clientSecret:${TENANT}:${CLIENT}`);
    // MSAL must not look up a foreign authority (emulator, Azure Stack) at login.microsoftonline.com.
    assert.equal(parseAzureOptions(config({ vaultUrl: 'https://x.vault.azure.net', authorityHost: 'https://127.0.0.1:9443' })).disableInstanceDiscovery, true);
    assert.equal(parseAzureOptions(config({ vaultUrl: 'https://x.vault.azure.net', authorityHost: 'https://login.microsoftonline.us' })).disableInstanceDiscovery, false);
    assert.equal(parseAzureOptions(config({ vaultUrl: 'https://x.vault.azure.net' })).disableInstanceDiscovery, false);
  });
});

describe('azure secret state (Workato: enabled and within its dates)', () => {
  const now = new Date('2026-06-01T12:00:00Z');
  it('classifies', () => {
    assert.equal(secretState({}, now), 'active');
    assert.equal(secretState({ enabled: false, expiresOn: new Date('2020-01-01') }, now), 'disabled');
    assert.equal(secretState({ notBefore: new Date('2026-06-02') }, now), 'notYetActive');
    assert.equal(secretState({ expiresOn: now }, now), 'expired');
    assert.equal(secretState({ notBefore: new Date('2026-05-01'), expiresOn: new Date('2026-07-01') }, now), 'active');
  });
  it('explains a refusal with the date and the az command', () => {
    const e = stateError('db', 'kv', { expiresOn: new Date('2026-05-01T00:00:00Z') }, now);
    assert.equal(e?.code, 'Expired');
    assert.match(e?.message ?? '', /expired on 2026-05-01T00:00:00\.000Z/);
    assert.match(e?.fix ?? '', /set-attributes --vault-name kv --name db --expires/);
    assert.equal(stateError('db', 'kv', {}, now), undefined);
  });
});
