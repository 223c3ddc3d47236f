/**
 * Provider behaviour that moto cannot show: empty ListSecrets pages that still carry a token
 * (moto filters before paging, AWS may not), chunking at the API's 20-id limit (moto does not
 * enforce it), ids a batch answer does not mention. The HTTP layer is scripted; everything above
 * it (SDK, provider) is real.
 */
import assert from 'node:assert/strict';
import { ConnectionSecretsError } from '../../../src/core/errors';
import type { ProviderContext } from '../../../src/core/provider';
import { BATCH_LIMIT, createAwsProvider, CredentialCache, parseAwsOptions } from '../../../src/providers/aws';
import { entryMatches } from '../../../src/providers/aws/awsSecretsProvider';
import { credentialCacheKey, memoizeCredentials } from '../../../src/providers/aws/credentials';
import { json, scriptedClients, type Script } from '../../support/awsScripted';
import { awsBlock } from '../../support/moto';

const ctx: ProviderContext = { credentials: { get: async () => undefined, forget: async () => undefined }, env: { AWS_ACCESS_KEY_ID: 'A', AWS_SECRET_ACCESS_KEY: 'B' } };

function provider(script: Script, options: Record<string, unknown> = { region: 'eu-west-1' }) {
  const scripted = scriptedClients(script);
  const p = createAwsProvider(awsBlock(options), ctx, { clients: scripted.factory, credentialCache: new CredentialCache(), retry: { retries: 0 } });
  return { p, sent: scripted.sent };
}

const arn = (name: string) => `arn:aws:secretsmanager:eu-west-1:111122223333:secret:${name}-AbCdEf`;
const entry = (name: string) => ({ ARN: arn(name), Name: name, VersionId: `v-${name}`, SecretString: '{"k":"v"}', VersionStages: ['AWSCURRENT'] });

describe('aws provider: listing pages', () => {
  it('follows tokens across empty pages instead of returning an empty page', async () => {
    const pages = [
      { SecretList: [], NextToken: 't1' },
      { SecretList: [], NextToken: 't2' },
      { SecretList: [{ ARN: arn('a'), Name: 'a', SecretVersionsToStages: { 'v-a': ['AWSCURRENT'] } }], NextToken: 't3' },
      { SecretList: [], NextToken: 't4' },
      { SecretList: [{ ARN: arn('b'), Name: 'b', DeletedDate: 1.7e9 }] },
    ];
    let i = 0;
    const { p, sent } = provider(() => json(pages[i++]));
    const first = await p.list({ pageSize: 2, filter: 'ab' });
    assert.deepEqual(
      first.items.map((s) => s.name),
      ['a'],
    );
    assert.equal(first.nextToken, 't3');
    assert.equal(first.items[0].version, 'v-a');
    const second = await p.list({ pageSize: 2, filter: 'ab', pageToken: first.nextToken });
    assert.deepEqual(
      second.items.map((x) => [x.name, x.state]),
      [['b', 'pendingDeletion']],
    );
    assert.equal(second.nextToken, undefined, 'the last page has no token');
    assert.deepEqual(sent[0].input, { MaxResults: 2, IncludePlannedDeletion: true, Filters: [{ Key: 'name', Values: ['ab'] }] });
    assert.equal(sent[1].input.NextToken, 't1');
    assert.equal(sent[2].input.NextToken, 't2');
    assert.equal(sent[4].input.NextToken, 't4');
  });

  it('hands back a token after many empty pages rather than looping forever', async () => {
    const { p, sent } = provider(() => json({ SecretList: [], NextToken: 'again' }));
    const page = await p.list();
    assert.deepEqual(page.items, []);
    assert.equal(page.nextToken, 'again');
    assert.ok(sent.length > 1 && sent.length <= 21, `bounded (${sent.length} requests)`);
  });

  it('clamps the page size to the API maximum of 100', async () => {
    const { p, sent } = provider(() => json({ SecretList: [] }));
    await p.list({ pageSize: 500 });
    assert.equal(sent[0].input.MaxResults, 100);
  });
});

describe('aws provider: batched values', () => {
  it('sends 45 distinct ids as chunks of at most 20 and de-duplicates', async () => {
    const { p, sent } = provider((r) => json({ SecretValues: (r.input.SecretIdList as string[]).map(entry), Errors: [] }));
    const ids = Array.from({ length: 45 }, (_, i) => `s${i}`);
    const values = await p.getValues([...ids, ...ids.slice(0, 10)]);
    assert.equal(values.size, 45);
    assert.deepEqual(
      sent.map((s) => (s.input.SecretIdList as string[]).length),
      [20, 20, 5],
    );
    assert.ok(sent.every((s) => s.operation === 'BatchGetSecretValue'));
    assert.equal(BATCH_LIMIT, 20);
    for (const id of ids) assert.equal((values.get(id) as { version: string }).version, `v-${id}`);
  });

  it('matches answers by name, full ARN and ARN without its suffix', async () => {
    const { p } = provider(() => json({ SecretValues: [entry('app/db')], Errors: [] }));
    const full = arn('app/db');
    const partial = full.slice(0, -7);
    const values = await p.getValues(['app/db', full, partial]);
    for (const id of ['app/db', full, partial]) {
      const v = values.get(id);
      assert.ok(v && !(v instanceof Error), id);
      assert.equal(v.id, id, 'results are keyed by the id that was asked for');
    }
  });

  it('asks GetSecretValue for an id the batch answer does not mention', async () => {
    const { p, sent } = provider((r) => (r.operation === 'BatchGetSecretValue' ? json({ SecretValues: [entry('a')], Errors: [] }) : json(entry('b'))));
    const values = await p.getValues(['a', 'b']);
    assert.ok(!(values.get('b') instanceof Error));
    assert.deepEqual(
      sent.map((s) => [s.operation, s.input.SecretId]),
      [
        ['BatchGetSecretValue', undefined],
        ['GetSecretValue', 'b'],
      ],
    );
  });

  it('turns SecretBinary into a per-id NotKeyValue error naming the Workato rule', async () => {
    const { p } = provider(() => json({ SecretValues: [entry('a'), { ARN: arn('bin'), Name: 'bin', VersionId: 'v', SecretBinary: Buffer.from('xyz').toString('base64') }], Errors: [] }));
    const values = await p.getValues(['a', 'bin']);
    const e = values.get('bin');
    assert.ok(e instanceof ConnectionSecretsError);
    assert.equal(e.code, 'NotKeyValue');
    assert.match(e.message, /binary/);
    assert.match(e.fix!, /Workato reads AWS secrets as JSON key\/value pairs only/);
    assert.ok(!(values.get('a') instanceof Error));
  });

  it('gives every id the error of a failed batch call that is not a denial', async () => {
    const { p } = provider(() => json({ __type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' }, 400));
    const values = await p.getValues(['a', 'b']);
    for (const v of values.values()) assert.equal((v as ConnectionSecretsError).code, 'Unauthenticated');
  });

  it('reads the AWSCURRENT version with DescribeSecret', async () => {
    const { p, sent } = provider(() => json({ ARN: arn('a'), Name: 'a', VersionIdsToStages: { old: ['AWSPREVIOUS'], cur: ['AWSCURRENT'], next: ['AWSPENDING'] } }));
    assert.equal(await p.currentVersion('a'), 'cur');
    assert.equal(sent[0].operation, 'DescribeSecret');
    const d = await p.describe('a');
    assert.equal(d.version, 'cur');
    assert.equal(d.facts['KMS key'], 'aws/secretsmanager (AWS managed key)');
    assert.equal(d.facts.Versions, '3');
  });

  it('shows the identity as "<account> <arn>" from GetCallerIdentity', async () => {
    const { p } = provider((r) =>
      r.operation === 'GetCallerIdentity'
        ? {
            status: 200,
            headers: { 'content-type': 'text/xml' },
            body: '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::111122223333:user/dev</Arn><UserId>AIDA</UserId><Account>111122223333</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>',
          }
        : json({}),
    );
    assert.equal(await p.identity(), '111122223333 arn:aws:iam::111122223333:user/dev');
  });
});

describe('aws provider: options', () => {
  it('accepts the DESIGN fields and derives the STS endpoint for emulators only', () => {
    assert.deepEqual(parseAwsOptions({ type: 'aws', region: 'us-east-1', endpoint: 'http://127.0.0.1:5000/' }), { region: 'us-east-1', endpoint: 'http://127.0.0.1:5000', stsEndpoint: 'http://127.0.0.1:5000' });
    assert.deepEqual(parseAwsOptions({ region: 'eu-west-1', endpoint: 'https://vpce-0abc-1234.secretsmanager.eu-west-1.vpce.amazonaws.com' }), {
      region: 'eu-west-1',
      endpoint: 'https://vpce-0abc-1234.secretsmanager.eu-west-1.vpce.amazonaws.com',
    });
    assert.deepEqual(parseAwsOptions({ roleArn: 'arn:aws:iam::111122223333:role/connection-secrets', externalId: 'ws-7f3a', profile: 'dev' }, { AWS_REGION: 'ap-south-2' }), {
      region: 'ap-south-2',
      profile: 'dev',
      roleArn: 'arn:aws:iam::111122223333:role/connection-secrets',
      externalId: 'ws-7f3a',
    });
    assert.equal(parseAwsOptions({}, { AWS_PROFILE: 'sso-dev' }).profile, 'sso-dev');
  });

  for (const [options, pattern] of [
    [{ region: 'us east 1' }, /region "us east 1" is not an AWS region code/],
    [{ region: 42 }, /region must be a string/],
    [{ roleArn: 'connection-secrets' }, /roleArn "connection-secrets" is not an IAM role ARN/],
    [{ roleArn: 'arn:aws:iam::111122223333:role/r', externalId: 'x' }, /externalId must be 2–1224 characters/],
    [{ externalId: 'ws-7f3a' }, /externalId is only used with roleArn/],
    [{ endpoint: 'not a url' }, /endpoint "not a url" is not a URL/],
    [{ endpoint: 'ftp://host' }, /must be an http\(s\) URL/],
    [{ endpoint: 'https://user:pw@host' }, /must not contain credentials/],
  ] as const) {
    it(`rejects ${JSON.stringify(options)} as InvalidConfig with a fix`, () => {
      assert.throws(
        () => parseAwsOptions(options),
        (e: unknown) => e instanceof ConnectionSecretsError && e.code === 'InvalidConfig' && pattern.test(e.message) && !!e.fix,
      );
    });
  }

  it('labels the provider with region, profile, role and endpoint', () => {
    const { p } = provider(() => json({}), { region: 'eu-west-1', profile: 'dev', roleArn: 'arn:aws:iam::111122223333:role/team/reader', externalId: 'ws-1', endpoint: 'http://127.0.0.1:5000' });
    assert.equal(p.label, 'aws (eu-west-1, profile dev, role team/reader, @ http://127.0.0.1:5000)');
  });
});

describe('aws provider: credential cache', () => {
  it('keys differ for every profile, role, external ID, region, endpoint and key pair', () => {
    const base = { profile: 'dev', roleArn: 'arn:aws:iam::1:role/r', externalId: 'x1', region: 'us-east-1', endpoint: undefined as string | undefined };
    const keys = new Set([
      credentialCacheKey(base),
      credentialCacheKey({ ...base, profile: 'prod' }),
      credentialCacheKey({ ...base, roleArn: 'arn:aws:iam::1:role/other' }),
      credentialCacheKey({ ...base, externalId: 'x2' }),
      credentialCacheKey({ ...base, region: 'eu-west-1' }),
      credentialCacheKey({ ...base, endpoint: 'http://127.0.0.1:1' }),
      credentialCacheKey({ ...base, profile: undefined, staticKeys: { accessKeyId: 'A', secretAccessKey: 'B' } }),
      credentialCacheKey({ ...base, profile: undefined, staticKeys: { accessKeyId: 'A', secretAccessKey: 'C' } }),
    ]);
    assert.equal(keys.size, 8);
    assert.equal(credentialCacheKey(base), credentialCacheKey({ ...base }));
    assert.ok(!credentialCacheKey({ staticKeys: { accessKeyId: 'A', secretAccessKey: 'very-secret' } }).includes('very-secret'));
  });

  it('memoizes until shortly before expiry and never keeps a failure', async () => {
    let now = 0;
    let calls = 0;
    let fail = true;
    const fetch = async () => {
      calls++;
      if (fail) throw new Error('refused');
      return { accessKeyId: `K${calls}`, secretAccessKey: 's', expiration: new Date(now + 3600_000) };
    };
    const creds = memoizeCredentials(fetch, () => now);
    await assert.rejects(creds(), /refused/);
    fail = false;
    assert.equal((await creds()).accessKeyId, 'K2', 'a failure is retried on the next call');
    assert.equal((await creds()).accessKeyId, 'K2');
    now += 56 * 60_000; // within five minutes of expiry
    assert.equal((await creds()).accessKeyId, 'K3');
    // Concurrent callers share one fetch.
    calls = 0;
    const fresh = memoizeCredentials(fetch, () => now);
    await Promise.all([fresh(), fresh(), fresh()]);
    assert.equal(calls, 1);
  });

  it('matches batch entries conservatively', () => {
    const e = { Name: 'db', ARN: 'arn:aws:secretsmanager:us-east-1:1:secret:db-AbCdEf' };
    assert.ok(entryMatches('db', e));
    assert.ok(entryMatches('arn:aws:secretsmanager:us-east-1:1:secret:db', e));
    assert.ok(!entryMatches('d', e));
    assert.ok(!entryMatches('arn:aws:secretsmanager:us-east-1:1:secret:d', e));
  });
});
