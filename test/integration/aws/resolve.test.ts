/**
 * Resolution through the core Resolver against moto: all distinct secrets of a resolution go to
 * BatchGetSecretValue in chunks of at most 20 (counted with an SDK middleware), errors stay per
 * reference, and no secret value appears in any message.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { loadWorkspace } from '../../../src/core/config';
import type { ProviderConfig, WorkspaceModel } from '../../../src/core/model';
import { Resolver, type ResolvedConnection } from '../../../src/core/resolver';
import { createAwsProvider, CredentialCache, type AwsSecretsProvider } from '../../../src/providers/aws';
import { assertNoCanary, canary } from '../../support/canary';
import { ADMIN_KEYS, countingClients, keysContext, seedSecrets, startMoto, type CallCounter, type Moto } from '../../support/moto';

/** Everything about a resolution a user could see (values for testers excluded). */
function visible(r: ResolvedConnection): string {
  return JSON.stringify({ references: r.references, fields: r.fields, ok: r.ok });
}

describe('aws provider: resolving through the Resolver (moto)', function () {
  let moto: Moto;
  let dir: string;
  let model: WorkspaceModel;
  const canaries: string[] = [];
  let seeded: { name: string; arn: string; value: Record<string, string> }[];
  let counter: CallCounter;
  let resolver: Resolver;
  let ctx: ReturnType<typeof keysContext>;
  const providers: AwsSecretsProvider[] = [];

  before(async function () {
    moto = await startMoto(this);
    seeded = await seedSecrets(moto, 'conn/s-', 45, (i) => {
      const password = canary(`pw${i}`);
      canaries.push(password);
      return { username: `svc-${i}`, password };
    });
    const sm = moto.secretsManager();
    const plain = canary('plain');
    const binary = canary('binary');
    canaries.push(plain, binary);
    await sm.send(new CreateSecretCommand({ Name: 'conn/plain', SecretString: plain }));
    await sm.send(new CreateSecretCommand({ Name: 'conn/binary', SecretBinary: Buffer.from(binary) }));

    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-aws-resolve-'));
    const headers = seeded.map((s, i) => `      X-S${String(i).padStart(3, '0')}: "{{workato:sm:password:${s.name}}}"`).join('\n');
    fs.writeFileSync(
      path.join(dir, 'connections.yaml'),
      `secretsManager:
  scope: workspace
  provider:
    type: aws
    region: ${moto.region}
    endpoint: ${moto.endpoint}
connections:
  wide:
    type: http
    url: https://example.com/api
    headers:
${headers}
    auth:
      type: basic
      username: "{{workato:sm:username:${seeded[0].arn}}}"
      password: "{{workato:sm:password:${seeded[0].name}}}"
  broken:
    type: http
    url: https://example.com/api
    headers:
      X-Plain: "{{workato:sm:password:conn/plain}}"
      X-Binary: "{{workato:sm:password:conn/binary}}"
      X-Missing: "{{workato:sm:password:conn/does-not-exist}}"
      X-NoKey: "{{workato:sm:token:${seeded[1].name}}}"
    auth:
      type: basic
      username: "{{workato:sm:username:${seeded[2].name}}}"
      password: "{{workato:sm:password:${seeded[2].name}}}"
`,
    );
    model = await loadWorkspace(dir);
    assert.deepEqual(model.problems, []);
  });

  beforeEach(() => {
    counter = countingClients();
    ctx = keysContext(ADMIN_KEYS);
    const cache = new CredentialCache();
    resolver = new Resolver({
      getProvider: async (config: ProviderConfig) => {
        const p = createAwsProvider(config, ctx, { clients: counter.factory, credentialCache: cache });
        providers.push(p);
        return p;
      },
    });
  });
  afterEach(() => {
    for (const p of providers.splice(0)) p.dispose();
  });
  after(async () => {
    await moto?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const connection = (name: string) => model.connections.find((c) => c.name === name)!;

  it('fetches a connection spanning 45 distinct secrets in at most 3 batch calls', async () => {
    const wide = connection('wide');
    const r = await resolver.resolveConnection(wide, model.files[0].provider);
    assert.equal(r.ok, true, r.references.filter((x) => x.error).map((x) => x.error).join('\n'));
    assert.equal(r.references.length, 47);
    // 45 names plus one ARN spelling of the first secret: 46 ids, 3 chunks of ≤ 20.
    assert.equal(counter.count('BatchGetSecretValue'), 3);
    assert.equal(counter.count('GetSecretValue'), 0, 'no per-secret calls when batch is allowed');
    const headers = (r.values as unknown as { headers: Record<string, string> }).headers;
    seeded.forEach((s, i) => assert.equal(headers[`X-S${String(i).padStart(3, '0')}`], s.value.password));
    const auth = (r.values as unknown as { auth: Record<string, string> }).auth;
    assert.equal(auth.username, 'svc-0', 'a reference by ARN resolves from the same batch');
    for (const ref of r.references) assert.match(ref.version ?? '', /^[0-9a-f-]{36}$/, 'each reference carries the AWS version id');
    assertNoCanary(visible(r), canaries, 'resolution shown to the user');
  });

  it('serves a second resolution from the cache without calling AWS', async () => {
    await resolver.resolveConnection(connection('wide'), model.files[0].provider);
    counter.reset();
    const again = await resolver.resolveConnection(connection('wide'), model.files[0].provider);
    assert.equal(again.ok, true);
    assert.equal(counter.total(), 0);
  });

  it('reports each failing reference on its own and still resolves the rest', async () => {
    const r = await resolver.resolveConnection(connection('broken'), model.files[0].provider);
    assert.equal(r.ok, false);
    const by = (field: string) => r.references.find((x) => x.field === field)!;
    assert.equal(by('headers.X-Plain').errorCode, 'NotKeyValue');
    assert.match(by('headers.X-Plain').error!, /not a JSON key\/value secret/);
    assert.match(by('headers.X-Plain').error!, /Workato/);
    assert.equal(by('headers.X-Binary').errorCode, 'NotKeyValue');
    assert.match(by('headers.X-Binary').error!, /binary/);
    assert.match(by('headers.X-Binary').error!, /Workato reads AWS secrets as JSON key\/value pairs only/);
    assert.equal(by('headers.X-Missing').errorCode, 'NotFound');
    assert.match(by('headers.X-Missing').error!, /conn\/does-not-exist/);
    assert.equal(by('headers.X-NoKey').errorCode, 'MissingKey');
    assert.match(by('headers.X-NoKey').error!, /no key "token"/);
    assert.match(by('headers.X-NoKey').error!, /username, password/, 'names the keys that exist');
    assert.equal(by('auth.username').status, 'resolved');
    assert.equal(by('auth.password').status, 'resolved');
    assert.equal(counter.count('BatchGetSecretValue'), 1, 'five distinct secrets, one batch call');
    assertNoCanary(visible(r), canaries, 'errors shown to the user');
    assertNoCanary(ctx.logged.join('\n'), canaries, 'provider log');
  });
});
