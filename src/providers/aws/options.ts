/**
 * The `aws` provider block (DESIGN §1): `region`, `profile`, `roleArn`, `externalId`, `endpoint`.
 * Checked when the provider is created, so a typo reads as a configuration error with the fix,
 * not as a network failure later.
 */
import { ConnectionSecretsError } from '../../core/errors';

export interface AwsOptions {
  /** From the block, else AWS_REGION / AWS_DEFAULT_REGION of the context's environment; else the SDK asks the profile. */
  region?: string;
  /** From the block, else AWS_PROFILE of the context's environment. */
  profile?: string;
  roleArn?: string;
  externalId?: string;
  /** Secrets Manager endpoint, normalised without a trailing slash. */
  endpoint?: string;
  /**
   * STS endpoint: the same as `endpoint` for emulators (one server answers every service);
   * AWS's regional STS endpoint when `endpoint` is an AWS VPC endpoint (`*.amazonaws.com`).
   */
  stsEndpoint?: string;
}

const REGION = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
const PROFILE = /^[\w.@+-][\w.@+/ -]{0,127}$/;

function invalid(field: string, message: string, fix: string): never {
  throw new ConnectionSecretsError('InvalidConfig', `aws provider: ${field} ${message}`, { fix });
}

function str(options: Record<string, unknown>, field: string): string | undefined {
  const v = options[field];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') invalid(field, `must be a string (got ${Array.isArray(v) ? 'a list' : typeof v})`, `Write ${field}: <text> in the provider block.`);
  return v.trim();
}

/** True for hosts of AWS itself (VPC endpoints, FIPS endpoints), where STS has its own endpoint. */
export function isAwsHost(endpoint: string): boolean {
  try {
    const host = new URL(endpoint).hostname.toLowerCase();
    return host.endsWith('.amazonaws.com') || host.endsWith('.amazonaws.com.cn') || host.endsWith('.api.aws');
  } catch {
    return false;
  }
}

export function parseAwsOptions(options: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): AwsOptions {
  const region = str(options, 'region') ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined);
  if (region !== undefined && !REGION.test(region)) {
    invalid('region', `"${region}" is not an AWS region code`, 'Use a code such as us-east-1 or eu-west-2.');
  }
  const profile = str(options, 'profile') ?? (env.AWS_PROFILE || undefined);
  if (profile !== undefined && !PROFILE.test(profile)) invalid('profile', `"${profile}" is not a valid profile name`, 'Use the name of a [profile …] section of ~/.aws/config.');
  const roleArn = str(options, 'roleArn');
  if (roleArn !== undefined && !ROLE_ARN.test(roleArn)) {
    invalid('roleArn', `"${roleArn}" is not an IAM role ARN`, 'Write it as arn:aws:iam::<12-digit account>:role/<role name>.');
  }
  const externalId = str(options, 'externalId');
  if (externalId !== undefined && !EXTERNAL_ID.test(externalId)) {
    invalid('externalId', 'must be 2–1224 characters of letters, digits and +=,.@:/-', 'Copy the external ID exactly as the role trust policy states it.');
  }
  if (externalId !== undefined && roleArn === undefined) {
    invalid('externalId', 'is only used with roleArn', 'Add the roleArn of the role whose trust policy requires this external ID, or remove externalId.');
  }
  let endpoint = str(options, 'endpoint');
  if (endpoint !== undefined) {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      invalid('endpoint', `"${endpoint}" is not a URL`, 'Write the full URL, e.g. https://vpce-0abc.secretsmanager.us-east-1.vpce.amazonaws.com or http://127.0.0.1:5000.');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') invalid('endpoint', `must be an http(s) URL (got ${url.protocol})`, 'Use https:// (or http:// for a local emulator).');
    if (url.username || url.password) invalid('endpoint', 'must not contain credentials', 'Remove user:password@ from the URL; AWS credentials come from the profile or environment.');
    endpoint = endpoint.replace(/\/+$/, '');
  }
  return {
    ...(region ? { region } : {}),
    ...(profile ? { profile } : {}),
    ...(roleArn ? { roleArn } : {}),
    ...(externalId ? { externalId } : {}),
    ...(endpoint ? { endpoint, ...(isAwsHost(endpoint) ? {} : { stsEndpoint: endpoint }) } : {}),
  };
}
