/**
 * moto's server as the stand-in for AWS Secrets Manager, STS and IAM: started on a free loopback
 * port per test file (`moto_server -H 127.0.0.1 -p <port>`), seeded through the real SDK, and
 * switched to IAM enforcement for the permission cases.
 *
 * Facts verified against moto 5.2.1 (see docs/providers/aws.md, "moto differences"): a denial is
 * HTTP 403 with an XML body; with enforcement on, only keys created through IAM are accepted; a
 * missing sts:ExternalId passes a trust policy that requires one; BatchGetSecretValue does not
 * check GetSecretValue per secret.
 */
import { execFileSync } from 'node:child_process';
import type { Context } from 'mocha';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AttachRolePolicyCommand, CreateAccessKeyCommand, CreatePolicyCommand, CreateRoleCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import type { ProviderConfig } from '../../src/core/model';
import type { ProviderContext } from '../../src/core/provider';
import { createDefaultClients, type AwsClientsFactory } from '../../src/providers/aws';
import { freePort, httpAnswers, missingPeer, startServer, type Server } from './peer';

export const MOTO_INSTALL = 'bash scripts/ci/install.d/20-moto.sh   (pip install "moto[server]==5.2.*")';
export const MOTO_ACCOUNT = '123456789012';
/** Any keys work while enforcement is off. */
export const ADMIN_KEYS = { accessKeyId: 'AKIAMOTOADMIN0000000', secretAccessKey: 'moto-admin-not-a-secret' };

export interface AwsKeys {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface Moto {
  endpoint: string;
  region: string;
  server: Server;
  /** Wipes every secret, user and role. */
  reset(): Promise<void>;
  /** From the next request on, every call must be signed by an IAM identity allowed to make it. */
  enforceIam(): Promise<void>;
  relaxIam(): Promise<void>;
  /** SDK clients signed with the admin keys (use before `enforceIam`). */
  secretsManager(): SecretsManagerClient;
  iam(): IAMClient;
  stop(): Promise<void>;
}

/** True when `moto_server` is on PATH. */
export function haveMoto(): boolean {
  try {
    execFileSync('moto_server', ['--help'], { stdio: 'ignore', timeout: 60_000 });
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts moto on a free loopback port. Without moto installed, a mocha test (`ctx`) is skipped
 * (failed under CI); a caller outside mocha (the in-host harness) gets an error naming the install.
 */
export async function startMoto(ctx: Context | undefined, region = 'us-east-1'): Promise<Moto> {
  if (!haveMoto()) {
    if (ctx) missingPeer(ctx, 'moto_server', MOTO_INSTALL);
    throw new Error(`moto_server is not installed (${MOTO_INSTALL})`);
  }
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const server = await startServer('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    ready: () => httpAnswers(`${endpoint}/moto-api/`),
    env: { AWS_DEFAULT_REGION: region },
  });
  const clients: { destroy(): void }[] = [];
  const post = async (path: string, body?: string) => {
    const r = await fetch(`${endpoint}${path}`, { method: 'POST', ...(body !== undefined ? { body, headers: { 'Content-Type': 'text/plain' } } : {}) });
    if (!r.ok) throw new Error(`moto ${path}: HTTP ${r.status}`);
    await r.text();
  };
  const config = { endpoint, region, credentials: ADMIN_KEYS };
  const moto: Moto = {
    endpoint,
    region,
    server,
    reset: () => post('/moto-api/reset'),
    // The number is how many more requests run without authentication.
    enforceIam: () => post('/moto-api/reset-auth', '0'),
    relaxIam: () => post('/moto-api/reset-auth', '1000000000'),
    secretsManager() {
      const c = new SecretsManagerClient(config);
      clients.push(c);
      return c;
    },
    iam() {
      const c = new IAMClient(config);
      clients.push(c);
      return c;
    },
    async stop() {
      for (const c of clients) c.destroy();
      await server.stop();
    },
  };
  return moto;
}

/** Creates `count` JSON key/value secrets named `<prefix>NNN`; returns their names and values. */
export async function seedSecrets(moto: Moto, prefix: string, count: number, value: (i: number) => Record<string, string>): Promise<{ name: string; arn: string; value: Record<string, string> }[]> {
  const sm = moto.secretsManager();
  const out: { name: string; arn: string; value: Record<string, string> }[] = [];
  // A few at a time: moto is single-process and the machine is shared.
  for (let i = 0; i < count; i += 8) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(8, count - i) }, async (_, j) => {
        const n = i + j;
        const name = `${prefix}${String(n).padStart(3, '0')}`;
        const v = value(n);
        const r = await sm.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify(v) }));
        return { name, arn: r.ARN!, value: v };
      }),
    );
    out.push(...batch);
  }
  return out;
}

/** An IAM user with one inline policy and an access key (create before `enforceIam`). */
export async function createUser(moto: Moto, name: string, statements: object[]): Promise<AwsKeys> {
  const iam = moto.iam();
  await iam.send(new CreateUserCommand({ UserName: name }));
  await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: `${name}-policy`, PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }) }));
  const key = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
  return { accessKeyId: key.AccessKey!.AccessKeyId!, secretAccessKey: key.AccessKey!.SecretAccessKey! };
}

/** A role trusted by `principalArn` (optionally only with an external ID), with a managed policy attached. */
export async function createRole(moto: Moto, name: string, principalArn: string, externalId: string | undefined, statements: object[]): Promise<string> {
  const iam = moto.iam();
  const trust = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: principalArn }, Action: 'sts:AssumeRole', ...(externalId ? { Condition: { StringEquals: { 'sts:ExternalId': externalId } } } : {}) }],
  };
  const role = await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: JSON.stringify(trust) }));
  const policy = await iam.send(new CreatePolicyCommand({ PolicyName: `${name}-policy`, PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }) }));
  await iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: policy.Policy!.Arn! }));
  return role.Role!.Arn!;
}

/** A provider block as the loader produces it. */
export function awsBlock(options: Record<string, unknown>): ProviderConfig {
  const zero = { line: 0, character: 0 };
  return { type: 'aws', options: { type: 'aws', ...options }, file: '/test/connections.yaml', dir: '/test', range: { start: zero, end: zero } };
}

/** A provider context whose AWS credentials are the given keys (and nothing from the real environment). */
export function keysContext(keys: AwsKeys, extra: Partial<ProviderContext> = {}): ProviderContext & { logged: string[] } {
  const logged: string[] = [];
  return {
    credentials: { get: async () => undefined, forget: async () => undefined },
    env: { AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey },
    log: (m) => logged.push(m),
    logged,
    ...extra,
  };
}

/**
 * Counts requests sent per operation ("BatchGetSecretValue", "AssumeRole" …) with an SDK
 * middleware in the deserialize step, i.e. after signing: a command whose credentials could not
 * be obtained is not counted, each retry is.
 */
export interface CallCounter {
  factory: AwsClientsFactory;
  counts: Map<string, number>;
  count(name: string): number;
  total(): number;
  reset(): void;
}

export function countingClients(base: AwsClientsFactory = createDefaultClients): CallCounter {
  const counts = new Map<string, number>();
  const counter = (next: (a: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
    const name = (context.commandName ?? '?').replace(/Command$/, '');
    counts.set(name, (counts.get(name) ?? 0) + 1);
    return next(args);
  };
  return {
    counts,
    factory: (settings) => {
      const clients = base(settings);
      clients.secretsManager.middlewareStack.add(counter as never, { step: 'deserialize', priority: 'high', name: 'testCallCounter' });
      clients.sts.middlewareStack.add(counter as never, { step: 'deserialize', priority: 'high', name: 'testCallCounter' });
      return clients;
    },
    count: (name) => counts.get(name) ?? 0,
    total: () => [...counts.values()].reduce((a, b) => a + b, 0),
    reset: () => counts.clear(),
  };
}
