/**
 * The SDK's credential chain with real shared config files in a temporary HOME: an expired SSO
 * session, a missing profile, no credentials at all, profile keys, and keys from the context's
 * environment. The process environment is isolated for the duration and restored after.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConnectionSecretsError } from '../../../src/core/errors';
import type { ProviderContext } from '../../../src/core/provider';
import { createAwsProvider, CredentialCache } from '../../../src/providers/aws';
import { json, scriptedClients } from '../../support/awsScripted';
import { awsBlock } from '../../support/moto';

const ISOLATED = ['HOME', 'AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_EC2_METADATA_DISABLED', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_ROLE_ARN'];

describe('aws credentials: the default chain with real config files', () => {
  const saved: Record<string, string | undefined> = {};
  let home: string;

  before(() => {
    for (const k of ISOLATED) saved[k] = process.env[k];
    for (const k of ISOLATED) delete process.env[k];
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-aws-home-'));
    fs.mkdirSync(path.join(home, '.aws', 'sso', 'cache'), { recursive: true });
    const startUrl = 'https://example.awsapps.com/start';
    fs.writeFileSync(
      path.join(home, '.aws', 'config'),
      `[profile expired-sso]
sso_start_url = ${startUrl}
sso_region = us-east-1
sso_account_id = 111122223333
sso_role_name = Reader
region = us-east-1

[profile keys]
region = eu-west-1
`,
    );
    fs.writeFileSync(path.join(home, '.aws', 'credentials'), '[keys]\naws_access_key_id = AKIAPROFILEKEYS00000\naws_secret_access_key = profile-not-a-secret\n');
    // The SSO token cache the AWS CLI writes after `aws sso login`, long expired.
    const cacheName = crypto.createHash('sha1').update(startUrl).digest('hex');
    fs.writeFileSync(path.join(home, '.aws', 'sso', 'cache', `${cacheName}.json`), JSON.stringify({ startUrl, region: 'us-east-1', accessToken: 'expired', expiresAt: '2020-01-01T00:00:00Z' }));
    process.env.HOME = home;
    process.env.AWS_CONFIG_FILE = path.join(home, '.aws', 'config');
    process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(home, '.aws', 'credentials');
    // No instance metadata service on a build machine; without this the chain would probe it.
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
  });
  after(() => {
    for (const k of ISOLATED) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    fs.rmSync(home, { recursive: true, force: true });
  });

  function provider(options: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) {
    const scripted = scriptedClients(() => json({ ARN: 'arn:aws:secretsmanager:us-east-1:1:secret:x-AbCdEf', Name: 'x', VersionId: 'v1', SecretString: '{}' }));
    const ctx: ProviderContext = { credentials: { get: async () => undefined, forget: async () => undefined }, env };
    const p = createAwsProvider(awsBlock({ region: 'us-east-1', ...options }), ctx, { clients: scripted.factory, credentialCache: new CredentialCache(), retry: { retries: 0 } });
    return { p, sent: scripted.sent };
  }

  async function failure(promise: Promise<unknown>): Promise<ConnectionSecretsError> {
    const e = await promise.then(
      () => assert.fail('expected a credentials failure'),
      (x: unknown) => x,
    );
    assert.ok(e instanceof ConnectionSecretsError, String(e));
    return e;
  }

  it('an expired SSO session is CredentialsExpired with the login command', async () => {
    const { p, sent } = provider({ profile: 'expired-sso' });
    const e = await failure(p.getValue('x'));
    assert.equal(e.code, 'CredentialsExpired');
    assert.match(e.message, /profile "expired-sso" has expired/);
    assert.match(e.fix!, /aws sso login --profile expired-sso/);
    assert.equal(sent.length, 0, 'nothing is sent unsigned');
  });

  it('no credentials anywhere is Unauthenticated naming the ways to sign in', async () => {
    const e = await failure(provider({}).p.list());
    assert.equal(e.code, 'Unauthenticated');
    assert.match(e.message, /No AWS credentials were found/);
    assert.match(e.fix!, /aws sso login/);
    assert.match(e.fix!, /AWS_ACCESS_KEY_ID/);
  });

  it('a profile that does not exist says so', async () => {
    const e = await failure(provider({ profile: 'nope' }).p.getValue('x'));
    assert.equal(e.code, 'Unauthenticated');
    assert.match(e.message, /profile "nope"/);
    assert.match(e.fix!, /aws configure list-profiles/);
  });

  it('a profile with keys signs with those keys, even when the environment has others', async () => {
    const { p, sent } = provider({ profile: 'keys' }, { AWS_ACCESS_KEY_ID: 'AKIAENVKEYS000000000', AWS_SECRET_ACCESS_KEY: 'env' });
    await p.getValue('x');
    assert.equal(sent[0].accessKeyId, 'AKIAPROFILEKEYS00000');
  });

  it("keys in the context's environment sign when no profile is set", async () => {
    const { p, sent } = provider({}, { AWS_ACCESS_KEY_ID: 'AKIAENVKEYS000000000', AWS_SECRET_ACCESS_KEY: 'env' });
    await p.getValue('x');
    assert.equal(sent[0].accessKeyId, 'AKIAENVKEYS000000000');
  });
});
