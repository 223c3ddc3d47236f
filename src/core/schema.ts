/**
 * What a `connections.yaml` may contain (DESIGN §1). The loader validates against it; the JSON
 * schema and completions can be generated from it. Add fields and types; never rename.
 */
import type { ProviderType } from './model';

export interface FieldSpec {
  required?: boolean;
  /** Allowed scalar values. */
  enum?: readonly string[];
  /** Nested mapping. */
  fields?: Record<string, FieldSpec>;
  description?: string;
}

export const PROVIDER_FIELDS: Record<ProviderType, Record<string, FieldSpec>> = {
  aws: {
    region: { description: 'AWS region of the secrets, e.g. us-east-1' },
    profile: { description: 'Named profile from the shared AWS config/credentials files' },
    roleArn: { description: 'IAM role to assume (STS AssumeRole)' },
    externalId: { description: 'External ID required by the role trust policy' },
    endpoint: { description: 'Custom endpoint URL (VPC endpoints, emulators)' },
  },
  vault: {
    address: { required: true, description: 'Vault address, e.g. https://vault.example.com:8200' },
    namespace: { description: 'Vault Enterprise namespace, sent as X-Vault-Namespace' },
    caCert: { description: 'PEM file of the CA that signed the Vault certificate (relative to this file)' },
    auth: {
      required: true,
      fields: {
        method: { required: true, enum: ['approle', 'token'] },
        mount: { description: 'AppRole auth mount (default approle)' },
        roleName: { description: 'AppRole role name' },
        roleId: { description: 'AppRole role_id (the secret_id is never in this file)' },
      },
    },
  },
  azure: {
    vaultUrl: { required: true, description: 'https://<vault-name>.vault.azure.net' },
    tenantId: { description: 'Directory (tenant) ID of the app registration' },
    clientId: { description: 'Application (client) ID; absent: the default Azure credential chain' },
    caCert: { description: 'PEM file of a CA to trust for the vault endpoint' },
    authorityHost: { description: 'Microsoft Entra authority host (sovereign clouds, tests)' },
    versions: { description: 'Pinned versions: secret name → version id' },
    disableChallengeResourceVerification: { description: 'For emulators and private endpoints' },
    serviceVersion: { description: 'Key Vault REST API version to pin (emulators that lag behind)' },
  },
  env: {
    prefix: { description: 'Prefix added to every variable name' },
  },
  file: {
    path: { required: true, description: 'JSON file of secrets, relative to this file; keep it git-ignored' },
  },
};

/** Fields of the secrets manager's own credentials: never allowed in a connections.yaml. */
export const FORBIDDEN_PROVIDER_FIELDS: Record<string, string> = {
  secretId: 'VAULT_SECRET_ID or the prompt (kept in VS Code SecretStorage)',
  token: 'VAULT_TOKEN, ~/.vault-token or the prompt (kept in VS Code SecretStorage)',
  clientSecret: 'AZURE_CLIENT_SECRET or the prompt (kept in VS Code SecretStorage)',
  accessKeyId: 'an AWS profile, SSO or the AWS_* environment variables',
  secretAccessKey: 'an AWS profile, SSO or the AWS_* environment variables',
  sessionToken: 'an AWS profile, SSO or the AWS_* environment variables',
  password: 'the prompt (kept in VS Code SecretStorage)',
};

const tls = { description: 'true, false, or a mapping of TLS options' };

export const CONNECTION_FIELDS: Record<string, Record<string, FieldSpec>> = {
  http: {
    url: { required: true },
    method: { enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] },
    headers: { description: 'Extra request headers' },
    auth: {
      fields: {
        type: { required: true, enum: ['basic', 'bearer', 'apiKey', 'oauth2ClientCredentials', 'mtls'] },
        username: {},
        password: {},
        token: {},
        header: {},
        value: {},
        tokenUrl: {},
        clientId: {},
        clientSecret: {},
        scope: {},
        certificate: {},
        privateKey: {},
        passphrase: {},
        caCert: {},
      },
    },
  },
  postgres: { host: { required: true }, port: {}, database: {}, user: { required: true }, password: {}, ssl: tls },
  mysql: { host: { required: true }, port: {}, database: {}, user: { required: true }, password: {}, ssl: tls },
  ssh: { host: { required: true }, port: {}, user: { required: true }, privateKey: {}, passphrase: {}, password: {} },
};

/** Common to every connection. */
export const CONNECTION_COMMON_FIELDS: Record<string, FieldSpec> = {
  type: { required: true },
  description: {},
};

/** Field names that hold credentials: a literal value there is a hard-coded secret. */
export const CREDENTIAL_FIELD_NAMES = new Set([
  'password',
  'token',
  'clientSecret',
  'privateKey',
  'passphrase',
  'secret',
  'apiKey',
  'value',
]);

/** Closest candidate by edit distance, for "did you mean" messages. */
export function closest(word: string, candidates: Iterable<string>, maxDistance = 3): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return bestD <= Math.min(maxDistance, Math.max(1, Math.floor(word.length / 2))) ? best : undefined;
}

/**
 * Up to `limit` candidates closest to `word` by edit distance (case-insensitive), nearest first,
 * for "did you mean" fixes of renamed secrets and keys. A candidate qualifies within
 * `max(2, ⌊length/2⌋)` edits, or when one name contains the other (`jira` → `jira-prod`).
 */
export function closestNames(word: string, candidates: Iterable<string>, limit = 3): string[] {
  const w = word.toLowerCase();
  const allowed = Math.max(2, Math.floor(word.length / 2));
  const scored: { name: string; d: number }[] = [];
  for (const c of new Set(candidates)) {
    const lc = c.toLowerCase();
    if (lc === w) continue;
    let d = editDistance(w, lc);
    // Renames often add or drop a suffix/prefix ("jira" → "jira-prod"): rank them as near.
    if (d > allowed && w.length >= 3 && (lc.includes(w) || w.includes(lc))) d = allowed;
    if (d <= allowed) scored.push({ name: c, d });
  }
  scored.sort((a, b) => a.d - b.d || a.name.localeCompare(b.name));
  return scored.slice(0, limit).map((s) => s.name);
}

/** Levenshtein distance (capped for very long inputs, which cannot be typos of each other). */
export function editDistance(a: string, b: string): number {
  if (a.length > 200 || b.length > 200) return Math.abs(a.length - b.length) + 200;
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}
