import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ProviderConfig } from '../../../../src/core/model';
import type { CredentialSource } from '../../../../src/core/provider';
import { runChecks, type Check } from '../../../../src/core/troubleshoot';
import { parseChallenge, proxyFor, troubleshoot } from '../../../../src/providers/azure/troubleshoot';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT = '0c9b1a6e-4f4e-4c43-9d6a-1f6c1e7b2a11';
const VERSION = '3f1c0a9b8e7d6c5b4a3f2e1d0c9b8a7f';

function config(options: Record<string, unknown>, dir = os.tmpdir()): ProviderConfig {
  return { type: 'azure', options: { type: 'azure', ...options }, file: path.join(dir, 'connections.yaml'), dir, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } };
}

/** Fails the test if anything asks for a credential: building the checklist must not prompt. */
const noPrompt: CredentialSource = {
  get: async (key) => assert.fail(`asked for ${key}`),
  forget: async () => undefined,
};

function checks(options: Record<string, unknown>, secrets = ['db-password'], dir?: string): Map<string, Check> {
  const list = troubleshoot({ provider: config(options, dir), secrets: secrets.map((secretId) => ({ secretId, keys: [], usedBy: ['pg.password'] })) }, { credentials: noPrompt }) as Check[];
  return new Map(list.map((c) => [c.id, c]));
}

describe('azure troubleshooting: the checklist as data', () => {
  it('lists the checks in order, each needing what it builds on', () => {
    const c = checks({ vaultUrl: 'https://contoso-kv.vault.azure.net', tenantId: TENANT, clientId: CLIENT });
    assert.deepEqual([...c.keys()], ['azure.config', 'azure.vault', 'azure.token', 'azure.firewall', 'azure.list', 'azure.get', 'azure.secretState', 'azure.rawCall']);
    assert.deepEqual(c.get('azure.firewall')!.needs, ['azure.vault', 'azure.token']);
    assert.deepEqual(c.get('azure.get')!.needs, ['azure.firewall']);
    assert.deepEqual(c.get('azure.secretState')!.needs, ['azure.get']);
    assert.equal(c.get('azure.rawCall')!.step, 2);
    for (const check of c.values()) if (check.id !== 'azure.rawCall') assert.equal(check.step, 1);
  });

  it('reproduces with az and curl, the client secret only as $AZURE_CLIENT_SECRET', () => {
    const c = checks({ vaultUrl: 'https://contoso-kv.vault.azure.net', tenantId: TENANT, clientId: CLIENT });
    assert.equal(
      c.get('azure.token')!.reproduce,
      `az login --service-principal -u ${CLIENT} --tenant ${TENANT} --password="$AZURE_CLIENT_SECRET" && az account get-access-token --resource https://vault.azure.net --query expiresOn -o tsv`,
    );
    assert.equal(c.get('azure.list')!.reproduce, 'az keyvault secret list --vault-name contoso-kv --maxresults 1 --query "[].name"');
    assert.equal(c.get('azure.get')!.reproduce, 'az keyvault secret show --vault-name contoso-kv --name db-password --query id');
    assert.equal(c.get('azure.secretState')!.reproduce, 'az keyvault secret show --vault-name contoso-kv --name db-password --query attributes');
    assert.match(c.get('azure.vault')!.reproduce!, /^curl -sS -o \/dev\/null -D - "https:\/\/contoso-kv\.vault\.azure\.net\/secrets\?api-version=7\.5"$/);
    const raw = c.get('azure.rawCall')!.reproduce!;
    assert.match(raw, /TOKEN=\$\(az account get-access-token --resource https:\/\/vault\.azure\.net --query accessToken -o tsv\) && curl -sS /);
    assert.match(raw, /-H "Authorization: Bearer \$TOKEN" "https:\/\/contoso-kv\.vault\.azure\.net\/secrets\/db-password\?api-version=7\.5"/);
    assert.match(raw, /\| sed -E 's\/"value":/, 'the value is masked on its way to the terminal');
  });

  it('follows the block: default chain, sovereign cloud, pinned version, serviceVersion, caCert path quoted', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'az ts '));
    try {
      fs.writeFileSync(path.join(dir, 'proxy root.pem'), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
      const c = checks(
        { vaultUrl: 'https://cn-kv.vault.azure.cn', tenantId: TENANT, caCert: 'proxy root.pem', versions: { 'db-password': VERSION }, serviceVersion: '7.4' },
        ['db-password'],
        dir,
      );
      assert.equal(c.get('azure.token')!.reproduce, `az account get-access-token --resource https://vault.azure.cn --tenant ${TENANT} --query expiresOn -o tsv`);
      assert.equal(c.get('azure.get')!.reproduce, `az keyvault secret show --vault-name cn-kv --name db-password --version ${VERSION} --query id`);
      const raw = c.get('azure.rawCall')!.reproduce!;
      assert.ok(raw.includes(`--cacert '${path.join(dir, 'proxy root.pem')}'`), raw);
      assert.ok(raw.includes(`"https://cn-kv.vault.azure.cn/secrets/db-password/${VERSION}?api-version=7.4"`), raw);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an invalid block still yields the checklist; the first check fails with the loader\'s fix and nothing else runs', async () => {
    const c = checks({ vaultUrl: 'https://contoso-kv.vault.azure.net/secrets/x' });
    const results = await runChecks([...c.values()]);
    assert.equal(results[0].status, 'fail');
    assert.match(results[0].evidence[0], /InvalidConfig: vaultUrl .* has a path/);
    assert.match(results[0].fix ?? '', /Use only the vault's address, e\.g\. https:\/\/contoso-kv\.vault\.azure\.net/);
    assert.ok(results.slice(1).every((r) => r.status === 'skipped'));
  });

  it('picks the proxy by the Azure SDK\'s rules: HTTPS_PROXY, ALL_PROXY, HTTP_PROXY, any case; NO_PROXY hosts and .suffixes', () => {
    const url = 'https://contoso-kv.vault.azure.net/secrets';
    assert.equal(proxyFor(url, {}), undefined);
    assert.equal(proxyFor(url, { HTTPS_PROXY: 'http://proxy:3128', HTTP_PROXY: 'http://other:80' })?.host, 'proxy:3128');
    assert.equal(proxyFor(url, { https_proxy: 'http://lower:3128' })?.host, 'lower:3128');
    assert.equal(proxyFor(url, { HTTPS_PROXY: '', ALL_PROXY: 'http://all:1080' })?.host, 'all:1080');
    assert.equal(proxyFor(url, { HTTP_PROXY: 'http://plain:8080' })?.host, 'plain:8080');
    assert.equal(proxyFor(url, { HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: 'localhost, .vault.azure.net' }), undefined);
    assert.equal(proxyFor(url, { HTTPS_PROXY: 'http://proxy:3128', no_proxy: 'contoso-kv.vault.azure.net' }), undefined);
    assert.equal(proxyFor(url, { HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: 'azure.net' })?.host, 'proxy:3128', 'a bare name matches that host only');
    assert.equal(proxyFor(url, { HTTPS_PROXY: 'not a url' }), undefined);
  });

  it('reads the tenant and resource of a Key Vault challenge, in both parameter spellings', () => {
    assert.deepEqual(parseChallenge(`Bearer authorization="https://login.microsoftonline.com/${TENANT}", resource="https://vault.azure.net"`), {
      tenant: TENANT,
      resource: 'https://vault.azure.net',
    });
    assert.deepEqual(parseChallenge(`Bearer authorization_uri="https://login.microsoftonline.us/${TENANT}/", scope="https://vault.usgovcloudapi.net/.default"`), {
      tenant: TENANT,
      resource: 'https://vault.usgovcloudapi.net',
    });
    assert.equal(parseChallenge('Basic realm="proxy"'), undefined);
    assert.equal(parseChallenge(undefined), undefined);
  });
});
