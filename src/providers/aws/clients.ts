/**
 * The SDK clients the AWS provider talks through, built by a factory so tests (and the bench) can
 * pass their own — typically the default ones with a call-counting middleware added.
 */
import { Readable } from 'node:stream';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { STSClient } from '@aws-sdk/client-sts';

/** AWS credentials as the SDK takes them. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

export type AwsCredentialProvider = () => Promise<AwsCredentials>;

export interface AwsClientSettings {
  /** Undefined: the SDK reads AWS_REGION or the profile's region. */
  region?: string;
  /** Named profile, for the region lookup (credentials come from `credentials`). */
  profile?: string;
  /** Secrets Manager endpoint (emulator, VPC endpoint). */
  endpoint?: string;
  /** STS endpoint; undefined: the regional default. */
  stsEndpoint?: string;
  credentials: AwsCredentialProvider;
}

export interface AwsClients {
  secretsManager: SecretsManagerClient;
  sts: STSClient;
}

export type AwsClientsFactory = (settings: AwsClientSettings) => AwsClients;

/**
 * Production clients. SDK retries are off (`maxAttempts: 1`) because the provider retries
 * throttling and 5xx itself with jittered backoff, and a call count should mean HTTP requests.
 */
export const createDefaultClients: AwsClientsFactory = (s) => {
  const common = { region: s.region, profile: s.profile, credentials: s.credentials, maxAttempts: 1 };
  return {
    secretsManager: new SecretsManagerClient({ ...common, ...(s.endpoint ? { endpoint: s.endpoint } : {}) }),
    sts: new STSClient({ ...common, ...(s.stsEndpoint ? { endpoint: s.stsEndpoint } : {}) }),
  };
};

const ERROR_BODY_MIDDLEWARE = 'connectionSecretsErrorBody';
/** Error bodies are short; anything longer is not an AWS error document. */
const MAX_ERROR_BODY = 64 * 1024;

/** Thrown for a non-JSON error answer; `toAwsError` reads `Code`, `message` and `$metadata`. */
export class NonJsonErrorAnswer extends Error {
  readonly Code?: string;
  readonly $fault?: 'client' | 'server';
  readonly $metadata: { httpStatusCode: number };
  constructor(status: number, code: string | undefined, message: string | undefined) {
    super(message ?? `HTTP ${status}`);
    this.name = code ?? 'NonJsonErrorAnswer';
    this.$metadata = { httpStatusCode: status };
    if (code) {
      this.Code = code;
      this.$fault = status >= 500 ? 'server' : 'client';
    }
  }
}

function xmlTag(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}>([^<]{0,2000})</${tag}>`).exec(xml);
  return m ? m[1].replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&') : undefined;
}

async function readCapped(body: unknown): Promise<string | undefined> {
  if (typeof body === 'string') return body.slice(0, MAX_ERROR_BODY);
  if (body instanceof Uint8Array) return Buffer.from(body).subarray(0, MAX_ERROR_BODY).toString('utf8');
  if (!body || typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] !== 'function') return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk);
    size += b.length;
    if (size <= MAX_ERROR_BODY) chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

type AnyStack = { add: (mw: unknown, options: Record<string, unknown>) => void; identify: () => string[] };

/**
 * Reads the `<Code>` and `<Message>` of error answers that are not JSON before the SDK's JSON
 * deserializer fails on them. moto answers an IAM denial with HTTP 403 and an XML body (real AWS
 * uses HTTP 400 JSON), and a corporate proxy may answer with HTML; without this the SDK reports
 * only "Deserialization error" and the status. JSON answers and successes pass untouched.
 * Idempotent: adding it twice to a client is a no-op.
 */
export function addErrorBodyMiddleware(client: { middlewareStack: unknown }): void {
  const stack = client.middlewareStack as AnyStack;
  if (stack.identify().some((s) => s.startsWith(`${ERROR_BODY_MIDDLEWARE} `))) return;
  stack.add(
    (next: (args: unknown) => Promise<{ response: { statusCode: number; headers: Record<string, string>; body: unknown } }>) => async (args: unknown) => {
      const out = await next(args);
      const r = out.response;
      const type = (r?.headers?.['content-type'] ?? '').toLowerCase();
      if (!r || r.statusCode < 300 || type.includes('json')) return out;
      const text = await readCapped(r.body);
      if (text !== undefined && /^\s*</.test(text)) {
        throw new NonJsonErrorAnswer(r.statusCode, xmlTag(text, 'Code'), xmlTag(text, 'Message'));
      }
      // Not XML either: hand the bytes back so the SDK reports what it can.
      if (text !== undefined) r.body = Readable.from([Buffer.from(text)]);
      return out;
    },
    // "low" priority in the deserialize step runs inside the SDK's deserializer, i.e. first on the answer.
    { step: 'deserialize', priority: 'low', name: ERROR_BODY_MIDDLEWARE, tags: ['CONNECTION_SECRETS'] },
  );
}
