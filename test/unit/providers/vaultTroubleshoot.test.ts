/**
 * The Vault checklist's pure parts — which capability each reference needs on which path, how a
 * policy's paths are matched, how a read's answer is masked, the commands it offers — and the
 * checklist's shape for each kind of provider block. The checks' conversations with a server are
 * proven against OpenBao in test/integration/troubleshoot/vault.test.ts.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import type { ProviderConfig } from '../../../src/core/model';
import type { CredentialSource } from '../../../src/core/provider';
import { runChecks, type TroubleshootTarget } from '../../../src/core/troubleshoot';
import { troubleshoot } from '../../../src/providers/vault';
import { grants, neededCapabilities, policyCovers, policyStanzas, redactReadBody, shellWord } from '../../../src/providers/vault/troubleshoot';
import { canary } from '../../support/canary';

const noCredentials: CredentialSource = { get: async () => undefined, forget: async () => undefined };

function target(options: Record<string, unknown>, secrets: TroubleshootTarget['secrets'] = [{ secretId: 'kv:apps/db', keys: ['password'], usedBy: ['db.password'] }]): TroubleshootTarget {
  const provider: ProviderConfig = {
    type: 'vault',
    options: { type: 'vault', ...options },
    file: path.join('/ws', 'connections.yaml'),
    dir: '/ws',
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
  };
  return { provider, secrets };
}

const approle = { address: 'https://vault.example.com:8200', auth: { method: 'approle', roleName: 'ci', roleId: 'rid-123' } };

describe('vault troubleshooting: capabilities each reference needs', () => {
  it('KV v2: read on data/, list on the metadata folder, read on the metadata (refresh only)', () => {
    assert.deepEqual(
      neededCapabilities('kv', 'apps/team/db', 2).map((n) => [n.capability, n.path, n.required]),
      [
        ['read', 'kv/data/apps/team/db', true],
        ['list', 'kv/metadata/apps/team/', true],
        ['read', 'kv/metadata/apps/team/db', false],
      ],
    );
  });

  it('KV v1: read on the path and list on its folder; a top-level secret lists the engine root', () => {
    assert.deepEqual(
      neededCapabilities('kv1', 'db', 1).map((n) => [n.capability, n.path]),
      [
        ['read', 'kv1/db'],
        ['list', 'kv1/'],
      ],
    );
  });

  it('unknown version: names both path forms, either satisfying', () => {
    const [read, list, ...rest] = neededCapabilities('kv', 'apps/db', undefined);
    assert.deepEqual([read.path, read.orPath], ['kv/data/apps/db', 'kv/apps/db']);
    assert.deepEqual([list.path, list.orPath], ['kv/metadata/apps/', 'kv/apps/']);
    assert.equal(rest.length, 0);
  });

  it('reads capability answers: deny wins, root grants all', () => {
    assert.equal(grants(['read', 'list'], 'list'), true);
    assert.equal(grants(['read'], 'list'), false);
    assert.equal(grants(['deny'], 'read'), false);
    assert.equal(grants(['root'], 'list'), true);
    assert.equal(grants(undefined, 'read'), false);
  });
});

describe('vault troubleshooting: policy text', () => {
  it('extracts path stanzas with their capabilities', () => {
    const hcl = 'path "kv/data/*" {\n  capabilities = ["read"]\n}\n# comment\npath "kv/metadata/+/db" { capabilities = ["read", "list"] }\n';
    assert.deepEqual(policyStanzas(hcl), [
      { path: 'kv/data/*', capabilities: ['read'] },
      { path: 'kv/metadata/+/db', capabilities: ['read', 'list'] },
    ]);
  });

  it('matches Vault path patterns: a trailing * any suffix, + exactly one segment', () => {
    assert.equal(policyCovers('kv/data/*', 'kv/data/apps/db'), true);
    assert.equal(policyCovers('kv/data/apps', 'kv/data/apps/db'), false);
    assert.equal(policyCovers('kv/data/apps/db', 'kv/data/apps/db'), true);
    assert.equal(policyCovers('kv/metadata/+/db', 'kv/metadata/apps/db'), true);
    assert.equal(policyCovers('kv/metadata/+/db', 'kv/metadata/a/b/db'), false);
    assert.equal(policyCovers('kv*', 'kv2/data/x'), true);
    assert.equal(policyCovers('k.v/*', 'kxv/a'), false, 'dots are literal');
  });
});

describe('vault troubleshooting: evidence and commands', () => {
  it('masks every value of a KV v2 read and keeps its key names and version metadata', () => {
    const secret = canary('v2');
    const body = { request_id: 'r', data: { data: { password: secret, nested: { a: secret } }, metadata: { version: 3, destroyed: false } }, auth: null };
    const out = redactReadBody(body, 2) as { data: { data: Record<string, string>; metadata: { version: number } } };
    assert.ok(!JSON.stringify(out).includes(secret));
    assert.deepEqual(Object.keys(out.data.data), ['password', 'nested']);
    assert.equal(out.data.metadata.version, 3);
  });

  it('masks every value of a KV v1 read, even one whose keys look like KV v2', () => {
    const secret = canary('v1');
    const out = redactReadBody({ data: { data: secret, metadata: secret } }, 1);
    assert.ok(!JSON.stringify(out).includes(secret));
  });

  it('quotes shell words only when needed', () => {
    assert.equal(shellWord('https://v.example.com:8200/v1/sys/health'), 'https://v.example.com:8200/v1/sys/health');
    assert.equal(shellWord('X-Vault-Namespace: admin/devops'), `'X-Vault-Namespace: admin/devops'`);
    assert.equal(shellWord(`it's`), `'it'\\''s'`);
  });
});

describe('vault troubleshooting: the checklist for a provider block', () => {
  it('AppRole: the checks in order, each building on the one it needs', async () => {
    const checks = await troubleshoot(target(approle), { credentials: noCredentials });
    assert.deepEqual(
      checks.map((c) => [c.id, c.step, (c.needs ?? []).join('+')]),
      [
        ['vault.health', 1, ''],
        ['vault.login', 1, 'vault.health'],
        ['vault.rolePolicies', 1, 'vault.login'],
        ['vault.policyText', 1, 'vault.rolePolicies'],
        ['vault.mount', 1, 'vault.login'],
        ['vault.enginePath', 1, 'vault.mount'],
        ['vault.capabilities', 1, 'vault.login+vault.enginePath'],
        ['vault.rawCall', 2, 'vault.login+vault.enginePath'],
      ],
    );
    assert.equal(checks[1].title, 'AppRole login as role "ci"');
    assert.equal(checks[1].reproduce, 'VAULT_ADDR=https://vault.example.com:8200 vault write -field=token auth/approle/login role_id=rid-123 secret_id="$VAULT_SECRET_ID"');
    assert.equal(checks[7].title, 'Raw read of kv:apps/db');
  });

  it('a namespace adds its check before the login, and every command carries it and the CA', async () => {
    const checks = await troubleshoot(target({ ...approle, namespace: 'admin/devops', caCert: 'certs/ca.pem' }), { credentials: noCredentials });
    assert.deepEqual(checks.slice(0, 3).map((c) => c.id), ['vault.health', 'vault.namespace', 'vault.login']);
    assert.deepEqual(checks[2].needs, ['vault.health', 'vault.namespace']);
    // sys/health is answered only in the root namespace: its command has no namespace header.
    assert.equal(checks[0].reproduce, 'curl -sS --cacert /ws/certs/ca.pem https://vault.example.com:8200/v1/sys/health');
    assert.equal(checks[1].reproduce, `curl -sS --cacert /ws/certs/ca.pem -H 'X-Vault-Namespace: admin/devops' https://vault.example.com:8200/v1/sys/internal/ui/mounts`);
    assert.match(checks[2].reproduce ?? '', /^VAULT_ADDR=https:\/\/vault\.example\.com:8200 VAULT_NAMESPACE=admin\/devops VAULT_CACERT=\/ws\/certs\/ca\.pem vault write/);
  });

  it('token auth: a token check and the token\'s own policies', async () => {
    const checks = await troubleshoot(target({ address: 'http://127.0.0.1:8200', auth: { method: 'token' } }), { credentials: noCredentials });
    assert.equal(checks.find((c) => c.id === 'vault.login')?.title, 'Vault token accepted');
    assert.equal(checks.find((c) => c.id === 'vault.rolePolicies')?.title, 'Policies of the token');
  });

  it('an invalid provider block is one failing check naming the field, not a thrown error', async () => {
    const checks = await troubleshoot(target({ auth: { method: 'token' } }), { credentials: noCredentials });
    const [result] = await runChecks(checks);
    assert.equal(result.id, 'vault.config');
    assert.equal(result.status, 'fail');
    assert.match(result.evidence[0], /needs an `address`/);
    assert.match(result.fix ?? '', /Add `address:/);
  });

  it('an unreadable caCert fails the first check naming `caCert`, before any request', async () => {
    const results = await runChecks(await troubleshoot(target({ ...approle, caCert: 'missing/ca.pem' }), { credentials: noCredentials }));
    assert.equal(results[0].id, 'vault.health');
    assert.equal(results[0].status, 'fail');
    assert.match(results[0].evidence[0], /Cannot read `caCert` "missing\/ca\.pem"/);
    assert.ok(results.slice(1).every((r) => r.status === 'skipped'));
  });
});
