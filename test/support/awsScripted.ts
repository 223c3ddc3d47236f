/**
 * Real SDK clients whose HTTP layer answers from a script instead of the network, for the unit
 * tier: recorded AWS error answers go through the SDK's own deserializers exactly as they would
 * from AWS. Used where nothing real can produce the answer (AWS itself is not reachable from
 * the build machines; moto never throttles and words its errors differently).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { STSClient } from '@aws-sdk/client-sts';
import type { AwsClients, AwsClientsFactory } from '../../src/providers/aws';

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface Fixture extends Answer {
  operation: string;
  source: string;
}

export function fixture(name: string): Fixture {
  return JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'aws', `${name}.json`), 'utf8')) as Fixture;
}

export interface SentRequest {
  /** `GetSecretValue`, `BatchGetSecretValue`, `AssumeRole`, `GetCallerIdentity` … */
  operation: string;
  service: 'secretsmanager' | 'sts';
  /** Parsed JSON input (Secrets Manager) or form fields (STS). */
  input: Record<string, unknown>;
  /** The access key id that signed the request. */
  accessKeyId?: string;
}

export type Script = (request: SentRequest) => Answer;

export function json(body: unknown, status = 200): Answer {
  return { status, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify(body) };
}

class ScriptedHandler {
  constructor(
    private readonly service: 'secretsmanager' | 'sts',
    private readonly script: Script,
    private readonly sent: SentRequest[],
  ) {}

  async handle(request: { headers: Record<string, string>; body?: unknown }) {
    const body = request.body;
    // The SDK's JSON body is a Uint8Array subclass that warns when used as a string; read its bytes.
    const raw = typeof body === 'string' ? body : body instanceof Uint8Array ? Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8') : '';
    let operation: string;
    let input: Record<string, unknown>;
    if (this.service === 'secretsmanager') {
      const target = request.headers['x-amz-target'] ?? request.headers['X-Amz-Target'] ?? '';
      operation = target.replace(/^secretsmanager\./, '');
      input = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    } else {
      const form = new URLSearchParams(raw);
      operation = form.get('Action') ?? '?';
      input = Object.fromEntries(form.entries());
    }
    const auth = request.headers.authorization ?? request.headers.Authorization ?? '';
    const req: SentRequest = { operation, service: this.service, input, accessKeyId: /Credential=([^/]+)\//.exec(auth)?.[1] };
    this.sent.push(req);
    const a = this.script(req);
    return { response: { statusCode: a.status, reason: '', headers: a.headers, body: Readable.from([Buffer.from(a.body)]) } };
  }

  updateHttpClientConfig() {}
  httpHandlerConfigs() {
    return {};
  }
  destroy() {}
}

const STATIC = { accessKeyId: 'AKIAUNITTEST00000000', secretAccessKey: 'unit-test-not-a-secret' };

/** Clients answering from `script`; every request is recorded in `sent`. */
export function scriptedClients(script: Script): { factory: AwsClientsFactory; sent: SentRequest[]; created: AwsClients[] } {
  const sent: SentRequest[] = [];
  const created: AwsClients[] = [];
  const factory: AwsClientsFactory = (s) => {
    const common = { region: s.region ?? 'us-east-1', credentials: s.credentials ?? STATIC, maxAttempts: 1 };
    const clients = {
      secretsManager: new SecretsManagerClient({ ...common, requestHandler: new ScriptedHandler('secretsmanager', script, sent) as never }),
      sts: new STSClient({ ...common, requestHandler: new ScriptedHandler('sts', script, sent) as never }),
    };
    created.push(clients);
    return clients;
  };
  return { factory, sent, created };
}

/** The STS answer of a successful AssumeRole (query protocol, XML). */
export function assumeRoleOk(roleArn: string): Answer {
  const expiration = new Date(Date.now() + 3600_000).toISOString();
  return {
    status: 200,
    headers: { 'content-type': 'text/xml' },
    body: `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>ASIAUNITTEST0000000</AccessKeyId><SecretAccessKey>session-not-a-secret</SecretAccessKey><SessionToken>token</SessionToken><Expiration>${expiration}</Expiration></Credentials><AssumedRoleUser><Arn>${roleArn.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/')}/connection-secrets</Arn><AssumedRoleId>AROA:connection-secrets</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleResponse>`,
  };
}
