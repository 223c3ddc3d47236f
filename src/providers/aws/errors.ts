/**
 * Turns whatever the AWS SDK throws into a `ConnectionSecretsError` whose message names the
 * missing IAM action (or the setting to fix) and whose `fix` says what to do.
 *
 * Sources of errors, all handled here:
 * - service exceptions from real AWS (JSON protocol, HTTP 400, `__type` = `AccessDeniedException`,
 *   `ResourceNotFoundException`, `DecryptionFailure`, `ThrottlingException`, …),
 * - STS query-protocol errors (XML, HTTP 403 `AccessDenied` for AssumeRole),
 * - non-JSON error bodies (moto answers a denial with HTTP 403 and an XML body, a proxy with an
 *   HTML page): `errorBodyMiddleware` in clients.ts reads their `<Code>`/`<Message>`; without
 *   it the SDK surfaces a deserialization error carrying only `$metadata.httpStatusCode`,
 * - per-secret entries of BatchGetSecretValue's `Errors` list,
 * - credential-chain errors (no credentials, expired SSO session, unknown profile),
 * - network errors (refused, DNS, TLS) and a missing or unknown region.
 *
 * Never copied into a message: request input other than the secret id, and the message of a
 * deserialization error (it quotes the start of the response body, which for a mangled 200 answer
 * could be a secret value).
 */
import { ConnectionSecretsError, type ErrorCode } from '../../core/errors';

export type AwsOperation = 'ListSecrets' | 'GetSecretValue' | 'BatchGetSecretValue' | 'DescribeSecret' | 'GetCallerIdentity' | 'AssumeRole' | 'PutSecretValue' | 'CreateSecret';

/** What was being done when the error happened; every field is non-secret. */
export interface AwsErrorContext {
  operation: AwsOperation;
  secretId?: string;
  region?: string;
  /** Custom endpoint from the provider block, if any. */
  endpoint?: string;
  profile?: string;
  roleArn?: string;
  externalId?: string;
}

/** The IAM action each operation needs. GetCallerIdentity needs none. */
export const REQUIRED_ACTION: Record<AwsOperation, string | undefined> = {
  ListSecrets: 'secretsmanager:ListSecrets',
  GetSecretValue: 'secretsmanager:GetSecretValue',
  BatchGetSecretValue: 'secretsmanager:BatchGetSecretValue',
  DescribeSecret: 'secretsmanager:DescribeSecret',
  GetCallerIdentity: undefined,
  AssumeRole: 'sts:AssumeRole',
  PutSecretValue: 'secretsmanager:PutSecretValue',
  CreateSecret: 'secretsmanager:CreateSecret',
};

/** Regions known when this was written; only used to word a DNS failure as "unknown region". */
export const KNOWN_REGIONS: ReadonlySet<string> = new Set([
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'af-south-1', 'ap-east-1', 'ap-east-2', 'ap-south-1', 'ap-south-2',
  'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-6', 'ap-southeast-7',
  'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ca-central-1', 'ca-west-1', 'eu-central-1', 'eu-central-2',
  'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-south-1', 'eu-south-2', 'eu-north-1', 'il-central-1', 'me-south-1',
  'me-central-1', 'mx-central-1', 'sa-east-1', 'us-gov-east-1', 'us-gov-west-1', 'cn-north-1', 'cn-northwest-1',
  'eusc-de-east-1',
]);

const THROTTLING = new Set(['ThrottlingException', 'Throttling', 'TooManyRequestsException', 'RequestLimitExceeded', 'ProvisionedThroughputExceededException', 'SlowDown', 'RequestThrottled', 'RequestThrottledException']);
const EXPIRED = new Set(['ExpiredTokenException', 'ExpiredToken', 'RequestExpired', 'TokenRefreshRequired']);
const BAD_CREDENTIALS = new Set([
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'IncompleteSignatureException',
  'MissingAuthenticationToken',
  'MissingAuthenticationTokenException',
  'InvalidAccessKeyId',
  'AuthFailure',
  'NotAuthorized',
]);
const SERVER_SIDE = new Set(['InternalServiceError', 'InternalServiceErrorException', 'InternalFailure', 'InternalError', 'ServiceUnavailable', 'ServiceUnavailableException']);
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED', 'EADDRNOTAVAIL']);
const TLS = /^(CERT_|UNABLE_TO_|SELF_SIGNED_CERT|DEPTH_ZERO_SELF_SIGNED_CERT|ERR_TLS_|ERR_SSL_|HOSTNAME_MISMATCH)/;

const DOCS = 'docs/providers/aws.md';

/** The parts of an AWS denial message worth repeating to the user. */
export interface DenialFacts {
  principal?: string;
  action?: string;
  resource?: string;
  /** e.g. "an identity-based policy", "a service control policy", "a permissions boundary". */
  explicitDenyIn?: string;
  /** e.g. "no identity-based policy allows", "no permissions boundary allows". */
  implicitReason?: string;
}

/**
 * Reads the well-known shape of IAM denial messages:
 * "User: <arn> is not authorized to perform: <action> [on resource: <arn>] [because no … allows
 * the <action> action | with an explicit deny in <policy type>]".
 */
export function parseDenial(message: string | undefined): DenialFacts {
  if (!message) return {};
  const facts: DenialFacts = {};
  const principal = /User:\s+(\S+)\s+is not authorized/i.exec(message);
  if (principal) facts.principal = principal[1];
  const action = /not authorized to perform:\s*([A-Za-z0-9-]+:[A-Za-z0-9*]+)/i.exec(message);
  if (action) facts.action = action[1];
  const resource = /\bon resource:\s*(\S+?)(?:\s+(?:because|with)\b|\s*$)/i.exec(message);
  if (resource) facts.resource = resource[1];
  const deny = /with an explicit deny in (an? [A-Za-z -]+?)\s*(?:$|[.;,:(])/i.exec(message);
  if (deny) facts.explicitDenyIn = deny[1];
  const implicit = /because (no [A-Za-z -]+? allows)/i.exec(message);
  if (implicit) facts.implicitReason = implicit[1];
  return facts;
}

interface Classified {
  /** Service error code (`AccessDeniedException`, `AccessDenied`, …) when the error is one. */
  code?: string;
  /** The service's own message, when it comes from a parsed error body (safe to repeat). */
  serviceMessage?: string;
  status?: number;
  /** Node / TLS error code of the underlying socket error. */
  sysCode?: string;
  /** Host name of a failed DNS lookup. */
  hostname?: string;
  name?: string;
  /** The error's own message, only for non-deserialization errors. */
  message?: string;
  deserialization: boolean;
}

function classify(e: unknown): Classified {
  const err = (e ?? {}) as Record<string, unknown> & { $metadata?: { httpStatusCode?: number }; cause?: unknown };
  const name = typeof err.name === 'string' ? err.name : undefined;
  const rawMessage = typeof err.message === 'string' ? err.message : undefined;
  const deserialization = name === 'SyntaxError' || (rawMessage?.includes('Deserialization error') ?? false);
  const status = err.$metadata?.httpStatusCode ?? (typeof err.statusCode === 'number' ? err.statusCode : undefined);
  // A modeled or unmodeled service exception has $fault; errors from errorBodyMiddleware carry Code.
  const isService = typeof err.$fault === 'string' || typeof err.Code === 'string';
  const code = typeof err.Code === 'string' ? err.Code : isService ? name : undefined;
  let sysCode: string | undefined;
  let hostname: string | undefined;
  for (let c: unknown = e, depth = 0; c && typeof c === 'object' && depth < 5; c = (c as { cause?: unknown }).cause, depth++) {
    const x = c as { code?: unknown; hostname?: unknown };
    if (typeof x.code === 'string' && !sysCode) sysCode = x.code;
    if (typeof x.hostname === 'string' && !hostname) hostname = x.hostname;
  }
  return {
    code,
    serviceMessage: isService && !deserialization ? rawMessage : undefined,
    status,
    sysCode,
    hostname,
    name,
    message: deserialization ? undefined : rawMessage,
    deserialization,
  };
}

function target(ctx: AwsErrorContext): string {
  return ctx.secretId ? ` for secret "${ctx.secretId}"` : '';
}

function where(ctx: AwsErrorContext): string {
  return ctx.endpoint ? ctx.endpoint : `AWS${ctx.region ? ` (${ctx.region})` : ''}`;
}

function detailOf(c: Classified): string | undefined {
  const parts = [c.code ?? c.sysCode ?? (c.deserialization ? 'non-JSON answer' : c.name), c.status ? `HTTP ${c.status}` : undefined].filter(Boolean);
  return parts.length ? parts.join(', ') : undefined;
}

function make(code: ErrorCode, message: string, fix: string, c: Classified, cause: unknown, retryable?: boolean): ConnectionSecretsError {
  return new ConnectionSecretsError(code, message, { fix, detail: detailOf(c), cause, ...(retryable === undefined ? {} : { retryable }) });
}

/** The access-denied message for an operation, from what AWS said (or, for bare 403s, from the operation). */
function accessDenied(c: Classified, ctx: AwsErrorContext, cause: unknown): ConnectionSecretsError {
  const said = c.serviceMessage;
  // KMS denials come back from Secrets Manager as AccessDeniedException "Access to KMS is not allowed".
  if (said && /\bKMS\b/.test(said) && !/not authorized to perform:\s*secretsmanager:/i.test(said)) {
    return make(
      'AccessDenied',
      `Access denied: Secrets Manager may not use the KMS key of ${ctx.secretId ? `secret "${ctx.secretId}"` : 'the secret'} (kms:Decrypt)`,
      `Allow "kms:Decrypt" on the secret's KMS key for this identity, in the key policy or an IAM policy (a secret encrypted with a customer managed key needs it besides secretsmanager:GetSecretValue); see ${DOCS}.`,
      c,
      cause,
    );
  }
  const facts = parseDenial(said);
  const action = facts.action ?? REQUIRED_ACTION[ctx.operation] ?? `the ${ctx.operation} action`;
  const who = facts.principal ?? 'the signed-in identity';
  // Not the role: a Secrets Manager call is denied on the secret (or on nothing, for ListSecrets).
  const on = facts.resource ?? ctx.secretId;
  // These two actions take no resource: a policy must grant them on "*".
  const accountWide = action === 'secretsmanager:ListSecrets' || action === 'secretsmanager:BatchGetSecretValue';
  if (ctx.operation === 'AssumeRole' || action === 'sts:AssumeRole') {
    const role = ctx.roleArn ?? facts.resource ?? 'the role';
    return make(
      'AccessDenied',
      `Access denied: ${who} may not assume ${role} (sts:AssumeRole)${facts.explicitDenyIn ? `; an explicit deny in ${facts.explicitDenyIn} blocks it` : ''}`,
      ctx.externalId
        ? `Check that externalId in connections.yaml is exactly the sts:ExternalId the role's trust policy requires, that the trust policy lets ${who} assume the role, and that ${who} is allowed "sts:AssumeRole" on it.`
        : `Let ${who} assume the role: its trust policy must name this principal (and, if it requires an external ID, set externalId in connections.yaml), and ${who} needs "sts:AssumeRole" on the role.`,
      c,
      cause,
    );
  }
  const message = `Access denied: ${who} may not call ${action}${on ? ` on ${on}` : ''}${facts.explicitDenyIn ? ` (explicit deny in ${facts.explicitDenyIn})` : ''}`;
  const fix = facts.explicitDenyIn
    ? `Remove or narrow the Deny of "${action}" in ${facts.explicitDenyIn}; an Allow cannot override an explicit deny. See ${DOCS}.`
    : `Allow "${action}"${accountWide ? ' on Resource "*"' : on ? ` on ${on.startsWith('arn:') ? on : `the secret's ARN (arn:aws:secretsmanager:<region>:<account>:secret:${on}-*)`}` : ''} in an IAM policy attached to ${who}${facts.implicitReason && /boundary|session|control/i.test(facts.implicitReason) ? ` (AWS says: ${facts.implicitReason} it, so check that policy too)` : ''}; ${DOCS} has the complete policy.`;
  return make('AccessDenied', message, fix, c, cause);
}

/** Maps one thrown value to the typed error; `ConnectionSecretsError`s pass through unchanged. */
export function toAwsError(e: unknown, ctx: AwsErrorContext): ConnectionSecretsError {
  if (e instanceof ConnectionSecretsError) return e;
  const c = classify(e);

  if (c.name === 'AbortError' && !c.code) return new ConnectionSecretsError('Cancelled', `AWS ${ctx.operation} was cancelled`, { cause: e });

  if (c.code) {
    const code = c.code.replace(/^.*#/, '');
    if (code === 'AccessDeniedException' || code === 'AccessDenied') return accessDenied(c, ctx, e);
    if (code === 'ResourceNotFoundException') {
      return make(
        'NotFound',
        `Secret "${ctx.secretId ?? '?'}" was not found in ${where(ctx)}`,
        `Check the secret's name or ARN, the region${ctx.region ? ` (${ctx.region})` : ''} and the account; a secret of another account or region must be referenced by its full ARN.`,
        c,
        e,
      );
    }
    if (code === 'DecryptionFailure') {
      return make(
        'Decryption',
        `Secrets Manager could not decrypt ${ctx.secretId ? `secret "${ctx.secretId}"` : 'the secret'} with its KMS key`,
        `Allow "kms:Decrypt" on the secret's KMS key for this identity and check that the key is enabled and not pending deletion (aws kms describe-key --key-id <key>).`,
        c,
        e,
      );
    }
    if (code === 'InvalidRequestException' && /delet/i.test(c.serviceMessage ?? '')) {
      return make(
        'Disabled',
        `Secret "${ctx.secretId ?? '?'}" is scheduled for deletion`,
        `Restore it (aws secretsmanager restore-secret --secret-id <id>) or point the reference at another secret.`,
        c,
        e,
      );
    }
    if (code === 'InvalidParameterException' || code === 'ValidationException') {
      return make(
        'InvalidReference',
        `AWS rejected the request${target(ctx)}: ${c.serviceMessage ?? code}`,
        'Check the secret name or ARN in the reference (names use letters, digits and /_+=.@-).',
        c,
        e,
      );
    }
    if (THROTTLING.has(code)) {
      return make('Throttled', `AWS throttled ${ctx.operation}${target(ctx)}`, 'Wait a moment and retry; resolve fewer connections at once, or ask for a higher Secrets Manager quota.', c, e, true);
    }
    if (EXPIRED.has(code)) {
      return make(
        'CredentialsExpired',
        `The AWS credentials${ctx.profile ? ` of profile "${ctx.profile}"` : ''} have expired`,
        ctx.profile ? `Refresh them (aws sso login --profile ${ctx.profile}, or renew the session keys of the profile) and refresh.` : 'Renew the session credentials (aws sso login, or new AWS_SESSION_TOKEN keys) and refresh.',
        c,
        e,
      );
    }
    if (BAD_CREDENTIALS.has(code)) {
      return make(
        'Unauthenticated',
        `AWS rejected the credentials${ctx.profile ? ` of profile "${ctx.profile}"` : ''} (${code}): ${c.serviceMessage ?? 'the access key or signature is not valid'}`,
        'Check the access key id and secret key of the profile or the AWS_* variables (aws sts get-caller-identity shows who they belong to); a key that was deleted or deactivated must be replaced.',
        c,
        e,
      );
    }
    if (code === 'RegionDisabledException') {
      return make('InvalidConfig', `STS is not enabled in region ${ctx.region ?? '?'} for this account`, 'Activate the region for STS in the IAM console (Account settings), or use another region.', c, e);
    }
    if (SERVER_SIDE.has(code) || (c.status !== undefined && c.status >= 500)) {
      return make('Unknown', `AWS had an internal error during ${ctx.operation}${target(ctx)} (${code})`, 'Retry in a moment; if it persists, check the AWS Health Dashboard.', c, e, true);
    }
    return make('Unknown', `AWS ${ctx.operation} failed${target(ctx)}: ${code}${c.serviceMessage ? `: ${c.serviceMessage}` : ''}`, `Check the AWS provider settings; ${DOCS} lists the known errors.`, c, e);
  }

  // Credential chain and configuration errors raised by the SDK before any request is sent.
  const msg = c.message ?? '';
  if (c.name === 'CredentialsProviderError' || c.name === 'TokenProviderError') {
    if (/expired|refresh/i.test(msg)) {
      return make(
        'CredentialsExpired',
        `The AWS sign-in${ctx.profile ? ` of profile "${ctx.profile}"` : ''} has expired`,
        `Sign in again: aws sso login${ctx.profile ? ` --profile ${ctx.profile}` : ''}, then refresh.`,
        c,
        e,
      );
    }
    if (/profile/i.test(msg) && /(not found|could not be found|could not be parsed)/i.test(msg)) {
      return make(
        'InvalidConfig',
        `AWS profile "${ctx.profile ?? '?'}" was not found in the shared config or credentials files`,
        'Create it (aws configure --profile <name>, or aws configure sso) or fix the profile name in connections.yaml.',
        c,
        e,
      );
    }
    return make(
      'Unauthenticated',
      `No AWS credentials were found${ctx.profile ? ` for profile "${ctx.profile}"` : ''}`,
      ctx.profile
        ? `Check that profile "${ctx.profile}" exists (aws configure list-profiles) and has keys, SSO settings or a source profile; or fix "profile" in the provider block.`
        : 'Sign in with aws configure / aws sso login, set "profile" in the provider block, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment that starts VS Code or the CLI.',
      c,
      e,
    );
  }
  if (/Region is missing/i.test(msg)) {
    return make('InvalidConfig', 'No AWS region is set', 'Set "region" in the provider block, or AWS_REGION in the environment, or a region in the AWS profile.', c, e);
  }
  if (/Invalid region/i.test(msg)) {
    return make('InvalidConfig', `"${ctx.region ?? '?'}" is not a valid AWS region name`, 'Use a region code such as us-east-1 in the provider block.', c, e);
  }

  if (c.sysCode && TLS.test(c.sysCode)) {
    return make('Tls', `The TLS certificate of ${where(ctx)} is not trusted (${c.sysCode})`, 'If a proxy or private endpoint re-signs traffic, add its CA with NODE_EXTRA_CA_CERTS; otherwise check the endpoint URL.', c, e);
  }
  if (c.sysCode && NETWORK.has(c.sysCode)) {
    const dns = c.sysCode === 'ENOTFOUND' || c.sysCode === 'EAI_AGAIN';
    if (dns && !ctx.endpoint && ctx.region && !KNOWN_REGIONS.has(ctx.region)) {
      return make('InvalidConfig', `Unknown AWS region "${ctx.region}": ${c.hostname ?? 'the Secrets Manager endpoint'} does not resolve`, 'Fix "region" in the provider block (e.g. us-east-1).', c, e);
    }
    return make(
      'Unreachable',
      `Cannot reach ${dns && c.hostname ? c.hostname : where(ctx)} (${c.sysCode})`,
      ctx.endpoint
        ? `Check that "endpoint" (${ctx.endpoint}) is right and its server is running and reachable from this machine.`
        : 'Check the network, DNS and proxy settings (HTTPS_PROXY), or set "endpoint" to your VPC endpoint.',
      c,
      e,
      c.sysCode === 'ECONNRESET' ? true : undefined,
    );
  }
  if (c.name === 'TimeoutError' || c.name === 'RequestTimeout') {
    return make('Timeout', `AWS ${ctx.operation}${target(ctx)} timed out`, 'Check that the endpoint is reachable from this machine, or raise the timeout setting.', c, e, true);
  }

  // A markup answer without an AWS error code: a proxy or captive portal, not AWS.
  if (c.name === 'NonJsonErrorAnswer' && c.status !== undefined) {
    return make(
      c.status === 403 || c.status === 407 ? 'AccessDenied' : 'Unreachable',
      `${where(ctx)} answered ${ctx.operation} with HTTP ${c.status} and a page that is not from AWS (a proxy or firewall?)`,
      ctx.endpoint ? `Check that "endpoint" (${ctx.endpoint}) is a Secrets Manager endpoint.` : 'Check the proxy settings (HTTPS_PROXY, NO_PROXY) or ask the network team to allow secretsmanager.<region>.amazonaws.com.',
      c,
      e,
    );
  }

  // An answer the SDK could not parse (moto's XML denial reaches here when the error-body
  // middleware is not installed): the status is all there is.
  if (c.status !== undefined) {
    if (c.status === 403) return accessDenied(c, ctx, e);
    if (c.status === 401) {
      return make('Unauthenticated', `${where(ctx)} refused the credentials (HTTP 401)`, 'Check the AWS credentials, and that "endpoint" points at Secrets Manager rather than a proxy that wants its own login.', c, e);
    }
    if (c.status === 429) return make('Throttled', `AWS throttled ${ctx.operation}${target(ctx)}`, 'Wait a moment and retry.', c, e, true);
    if (c.status >= 500) {
      return make('Unknown', `${where(ctx)} answered HTTP ${c.status} to ${ctx.operation}${target(ctx)}`, 'Retry in a moment; if it persists, check the endpoint or the AWS Health Dashboard.', c, e, true);
    }
    return make(
      'Unknown',
      `${where(ctx)} gave an answer to ${ctx.operation} that is not from Secrets Manager (HTTP ${c.status})`,
      ctx.endpoint ? `Check that "endpoint" (${ctx.endpoint}) is a Secrets Manager endpoint.` : 'Check proxy settings: something between this machine and AWS answered instead.',
      c,
      e,
    );
  }

  return make('Unknown', `AWS ${ctx.operation} failed${target(ctx)}: ${c.deserialization ? 'the answer could not be read' : (c.message ?? String(e)).split('\n')[0]}`, `Retry; if it persists, run with CONNECTION_SECRETS_DEBUG=1 and see ${DOCS}.`, c, e);
}

/** One entry of BatchGetSecretValue's `Errors` list, mapped as if GetSecretValue had failed for that secret. */
export function fromBatchErrorEntry(entry: { SecretId?: string; ErrorCode?: string; Message?: string }, ctx: Omit<AwsErrorContext, 'operation' | 'secretId'>): ConnectionSecretsError {
  const pseudo = { name: entry.ErrorCode ?? 'Unknown', Code: entry.ErrorCode ?? 'Unknown', message: entry.Message ?? '', $fault: 'client' };
  return toAwsError(pseudo, { ...ctx, operation: 'GetSecretValue', secretId: entry.SecretId });
}

/** True when a whole BatchGetSecretValue call was refused, so the per-secret fallback applies. */
export function isBatchDenied(e: ConnectionSecretsError): boolean {
  return e.code === 'AccessDenied' && !/kms:Decrypt/.test(e.message);
}
