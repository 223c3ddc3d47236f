/**
 * The AWS Secrets Manager troubleshooting checklist (the "Permission denied" guide, made
 * executable). Step 1 walks the way a resolution goes: who the credentials belong to, the role
 * they assume, then each Secrets Manager action the provider uses, on the secrets the target's
 * connections reference; step 2 shows one raw GetSecretValue answer with the values masked.
 *
 * The calls go through the provider's own clients, credential chain, retries, timeouts and error
 * mapping (errors.ts), so a check fails for exactly the reason a resolution would. Denials are
 * reported with the IAM principal (the role, for an assumed-role session) and the action to allow;
 * when the answer does not say whether a Deny statement is the cause, the principal's own IAM
 * policies are read (best effort) to name the one that denies.
 *
 * No value leaves a check: per-secret evidence names JSON keys, never values, and the raw answer
 * goes through `redactBody`. Reproduction commands carry no credential (profiles and the role's
 * session through environment variables) and never print a value.
 */
import { GetSecretValueCommand, BatchGetSecretValueCommand, type GetSecretValueResponse } from '@aws-sdk/client-secrets-manager';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { ConnectionSecretsError } from '../../core/errors';
import type { ProviderConfig } from '../../core/model';
import type { ProviderContext } from '../../core/provider';
import { withTimeout } from '../../core/retry';
import { redactBody } from '../../core/troubleshoot/target';
import type { Check, CheckOutcome, CheckRunContext, TroubleshootTarget } from '../../core/troubleshoot/types';
import { AwsSecretsProvider, BATCH_LIMIT, type AwsProviderSettings } from './awsSecretsProvider';
import { addErrorBodyMiddleware, createDefaultClients, type AwsClients, type AwsClientsFactory, type AwsCredentialProvider } from './clients';
import { assumeRoleCredentials, baseCredentials, memoizeCredentials, staticKeysFrom } from './credentials';
import { toAwsError, type AwsOperation } from './errors';
import { createPolicyReader, iamPrincipalArn, type PolicyReader, type PolicyReaderFactory } from './iamPolicies';
import { parseAwsOptions, type AwsOptions } from './options';

/** What tests may replace; production uses the defaults. */
export interface AwsTroubleshootDeps {
  clients?: AwsClientsFactory;
  /** Reads the principal's IAM policies to find an explicit Deny; `null`: never read them. */
  policyReader?: PolicyReaderFactory | null;
  retry?: AwsProviderSettings['retry'];
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DOCS = 'docs/providers/aws.md#troubleshooting-checklist';

/** Single-quotes a shell word when it needs it (ids and ARNs usually do not). */
function sh(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The typed error's short form for evidence: code, status and message (never a value). */
function said(e: ConnectionSecretsError): string {
  // The detail ("AccessDenied, HTTP 403") is what came back; the code only when there is none.
  return `${e.detail ?? e.code}: ${e.message}`;
}

function asTyped(e: unknown, operation: AwsOperation, o: AwsOptions, secretId?: string): ConnectionSecretsError {
  return toAwsError(e, { operation, secretId, region: o.region, endpoint: o.endpoint, profile: o.profile, roleArn: o.roleArn, externalId: o.externalId });
}

function isKms(e: ConnectionSecretsError): boolean {
  return e.code === 'Decryption' || (e.code === 'AccessDenied' && /kms:Decrypt/.test(e.message));
}

/** The ARN pattern a per-secret Allow should name. */
function secretResource(secretId: string, o: AwsOptions, account: string | undefined): string {
  if (secretId.startsWith('arn:')) return secretId;
  return `arn:aws:secretsmanager:${o.region ?? '<region>'}:${account ?? '<account>'}:secret:${secretId}-*`;
}

/**
 * The checklist for one `aws` provider block. A malformed block yields one failing check that
 * says what to fix (the same message creating the provider would give).
 */
export function troubleshootAws(target: TroubleshootTarget, context: ProviderContext, deps: AwsTroubleshootDeps = {}): Check[] {
  const env = context.env ?? process.env;
  let o: AwsOptions;
  try {
    o = parseAwsOptions(target.provider.options, env);
  } catch (e) {
    const err = e instanceof ConnectionSecretsError ? e : new ConnectionSecretsError('InvalidConfig', String(e));
    return [
      {
        id: 'aws.config',
        title: 'The aws provider block is valid',
        step: 1,
        run: async () => ({ status: 'fail', evidence: [`${configFile(target.provider)} → ${err.message}`], fix: err.fix ?? 'Fix the provider block.' }),
      },
    ];
  }
  return new AwsChecklist(target, context, o, deps).checks();
}

function configFile(p: ProviderConfig): string {
  return `${p.file}:${p.range.start.line + 1}`;
}

interface Session {
  base: AwsClients;
  /** Clients signed with the role's session (the base clients when there is no role). */
  clients: AwsClients;
  credentials: AwsCredentialProvider;
  provider: AwsSecretsProvider;
  policies?: PolicyReader;
}

class AwsChecklist {
  private readonly timeoutMs: number;
  private session?: Session;
  /** ARN of the signed-in identity (before any AssumeRole), once known. */
  private baseArn?: string;
  /** ARN the Secrets Manager calls are made as (after AssumeRole, the session), once known. */
  private callerArn?: string;
  private account?: string;

  constructor(
    private readonly target: TroubleshootTarget,
    private readonly context: ProviderContext,
    private readonly o: AwsOptions,
    private readonly deps: AwsTroubleshootDeps,
  ) {
    this.timeoutMs = context.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /**
   * Credentials of the run: the base chain and, with `roleArn`, the role's session, each fetched
   * once and shared by the checks (one AssumeRole per run). Built here rather than taken from the
   * provider's shared cache: the doctor must see the keys and the trust policy as they are now.
   * The sign-in checks drop them first, so re-running one asks again.
   */
  private baseCreds?: AwsCredentialProvider;
  private roleCreds?: AwsCredentialProvider;

  private credentialsOf(): { base: AwsCredentialProvider; caller: AwsCredentialProvider } {
    const o = this.o;
    const factory = this.deps.clients ?? createDefaultClients;
    const base = (this.baseCreds ??= memoizeCredentials(baseCredentials(o.profile, staticKeysFrom(this.context.env ?? process.env, o.profile))));
    if (!o.roleArn) return { base, caller: base };
    const roleArn = o.roleArn;
    this.roleCreds ??= memoizeCredentials(async () => {
      // An STS client of its own, released once the session is issued: nothing outlives a check.
      const { sts, secretsManager } = factory({ region: o.region, profile: o.profile, endpoint: o.endpoint, stsEndpoint: o.stsEndpoint, credentials: base });
      try {
        return await assumeRoleCredentials({
          roleArn,
          externalId: o.externalId,
          sessionName: 'connection-secrets-doctor',
          sts,
          timeoutMs: this.timeoutMs,
          errorContext: { region: o.region, endpoint: o.endpoint, profile: o.profile, roleArn, externalId: o.externalId },
        })();
      } finally {
        sts.destroy();
        secretsManager.destroy();
      }
    });
    return { base, caller: this.roleCreds };
  }

  /** Clients for the running check, built like the provider's (index.ts); released when it settles. */
  private open(): Session {
    if (this.session) return this.session;
    const factory = this.deps.clients ?? createDefaultClients;
    const o = this.o;
    const clientBase = { region: o.region, profile: o.profile, endpoint: o.endpoint, stsEndpoint: o.stsEndpoint };
    const creds = this.credentialsOf();
    const base = factory({ ...clientBase, credentials: creds.base });
    const clients = o.roleArn ? factory({ ...clientBase, credentials: creds.caller }) : base;
    addErrorBodyMiddleware(clients.secretsManager);
    const provider = new AwsSecretsProvider({ options: o, clients, context: this.context, retry: this.deps.retry });
    this.session = { base, clients, credentials: creds.caller, provider };
    return this.session;
  }

  private close(): void {
    const s = this.session;
    this.session = undefined;
    if (!s) return;
    s.policies?.dispose();
    for (const c of new Set([s.base, s.clients])) {
      c.secretsManager.destroy();
      c.sts.destroy();
    }
  }

  /** Runs one check with clients of its own (checks run one at a time), so a re-run of any one check leaves nothing open. */
  private scoped(check: Check): Check {
    return {
      ...check,
      run: async (ctx) => {
        try {
          return await check.run(ctx);
        } finally {
          this.close();
        }
      },
    };
  }

  // ---- reproduction commands ----

  private flags(service: 'sts' | 'secretsmanager', withProfile: boolean): string {
    const endpoint = service === 'sts' ? this.o.stsEndpoint : this.o.endpoint;
    return [this.o.region ? ` --region ${sh(this.o.region)}` : '', endpoint ? ` --endpoint-url ${sh(endpoint)}` : '', withProfile && this.o.profile ? ` --profile ${sh(this.o.profile)}` : ''].join('');
  }

  private assumeRoleCommand(): string {
    const o = this.o;
    return `aws sts assume-role --role-arn ${sh(o.roleArn!)} --role-session-name connection-secrets-doctor${o.externalId ? ` --external-id ${sh(o.externalId)}` : ''}${this.flags('sts', true)}`;
  }

  /** An `aws` command run as the identity the provider uses (the role's session when there is one). */
  private asCaller(command: string, service: 'sts' | 'secretsmanager' = 'secretsmanager'): string {
    if (!this.o.roleArn) return `aws ${command}${this.flags(service, true)}`;
    // The session's keys go into the environment of this shell only; --profile would override them.
    const exportSession = `eval "$(${this.assumeRoleCommand()} --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text | awk '{print "export AWS_ACCESS_KEY_ID="$1" AWS_SECRET_ACCESS_KEY="$2" AWS_SESSION_TOKEN="$3}')"`;
    return `${exportSession} && aws ${command}${this.flags(service, false)}`;
  }

  /** Prints the secret's metadata, never its value. */
  private getValueCommand(secretId: string): string {
    return this.asCaller(`secretsmanager get-secret-value --secret-id ${sh(secretId)} --query '{ARN:ARN,Name:Name,VersionId:VersionId,VersionStages:VersionStages}'`);
  }

  // ---- denials ----

  /** The principal a fix names: the IAM user, or the role (not its session). */
  private async principal(signal: AbortSignal): Promise<string | undefined> {
    if (this.o.roleArn) return this.o.roleArn;
    if (!this.callerArn) {
      try {
        const id = await this.identity(this.open().base, signal);
        this.callerArn = this.baseArn = id.arn;
        this.account = id.account;
      } catch {
        return undefined;
      }
    }
    return this.callerArn ? iamPrincipalArn(this.callerArn) : undefined;
  }

  private async identity(clients: AwsClients, signal: AbortSignal): Promise<{ account?: string; arn?: string }> {
    const out = await withTimeout('sts:GetCallerIdentity', this.timeoutMs, (abortSignal) => clients.sts.send(new GetCallerIdentityCommand({}), { abortSignal }), signal);
    return { account: out.Account, arn: out.Arn };
  }

  /**
   * Evidence and fix for a denial of `action`: an explicit deny when AWS says so or when one of
   * the principal's policies holds a matching Deny; otherwise the Allow to add.
   */
  private async explainDenial(action: string, resources: string[], err: ConnectionSecretsError, signal: AbortSignal): Promise<{ evidence: string[]; fix: string }> {
    const who = (await this.principal(signal)) ?? 'the signed-in identity';
    const accountWide = action === 'secretsmanager:ListSecrets' || action === 'secretsmanager:BatchGetSecretValue';
    const on = accountWide ? 'Resource "*"' : resources.length ? resources.join(', ') : 'the secret';
    const evidence: string[] = [];
    let unknownDeny = false;
    const statedDeny = /explicit deny in ([^)]+)\)/.exec(err.message)?.[1];
    let deny: string | undefined;
    if (statedDeny) {
      deny = statedDeny;
    } else if (who.startsWith('arn:') && this.deps.policyReader !== null) {
      const s = this.open();
      s.policies ??= (this.deps.policyReader ?? createPolicyReader)({ credentials: s.credentials, endpoint: this.o.stsEndpoint, region: this.o.region, timeoutMs: this.timeoutMs });
      const found = await s.policies.findDenies(this.o.roleArn ?? this.callerArn ?? who, action, accountWide ? undefined : resources[0], signal);
      if (!found.read) {
        unknownDeny = true;
        evidence.push(`IAM policies of ${who} → not read: ${found.reason}; whether a Deny statement is involved is unknown`);
      } else if (found.denies.length) {
        const d = found.denies[0];
        deny = `${d.policy}${d.sid ? ` (statement "${d.sid}")` : ''}${d.conditional ? ' (with a Condition)' : ''}`;
        evidence.push(`IAM policies of ${who} → ${found.policiesRead} read; explicit Deny of ${action} in ${found.denies.map((x) => `${x.policy}${x.sid ? ` "${x.sid}"` : ''}`).join(', ')}`);
      } else {
        evidence.push(`IAM policies of ${who} → ${found.policiesRead} read; no Deny statement matches ${action}, so an Allow is missing`);
      }
    }
    if (deny) {
      return { evidence, fix: `Remove or narrow the explicit Deny of "${action}" in ${deny} (principal ${who}); an Allow cannot override an explicit deny.` };
    }
    // errors.ts keeps AWS's reason ("no permissions boundary allows …") in its fix: repeat it.
    const implicit = /AWS says: (no [A-Za-z -]+? allows)/.exec(err.fix ?? '')?.[1];
    const boundary = implicit && /boundary|session|control/i.test(implicit) ? ` AWS says ${implicit} it: check that policy too.` : '';
    const maybeDeny = unknownDeny ? ' If a policy already allows it, a Deny statement (identity policy, permissions boundary or service control policy) is blocking it: remove or narrow that Deny.' : '';
    return { evidence, fix: `Add "${action}" on ${on} to an IAM policy of ${who}.${boundary}${maybeDeny} ${DOCS} has the complete policy.` };
  }

  // ---- the checks ----

  checks(): Check[] {
    const o = this.o;
    const t = this.target;
    const signedIn = o.roleArn ? ['aws.assumeRole'] : ['aws.identity'];
    const first = t.secrets[0]?.secretId;
    const noSecrets = (): CheckOutcome => ({ status: 'skipped', reason: `no connection${t.connection ? ` "${t.connection}"` : ''} of this provider references a secret` });
    const ids = t.secrets.map((s) => s.secretId);

    const identity: Check = {
      id: 'aws.identity',
      title: 'Signed in to AWS',
      step: 1,
      reproduce: `aws sts get-caller-identity${this.flags('sts', true)}`,
      run: async ({ signal }) => {
        const source = o.profile ? `profile "${o.profile}"` : staticKeysFrom(this.context.env ?? process.env, o.profile) ? 'AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY' : 'the default credential chain';
        this.baseCreds = this.roleCreds = undefined;
        try {
          const id = await this.identity(this.open().base, signal);
          this.baseArn = id.arn;
          this.account = id.account;
          if (!o.roleArn) this.callerArn = id.arn;
          return { status: 'pass', evidence: [`credentials from ${source}`, `sts:GetCallerIdentity → ${id.arn ?? '?'} (account ${id.account ?? '?'})`] };
        } catch (e) {
          const err = asTyped(e, 'GetCallerIdentity', o);
          return { status: 'fail', evidence: [`credentials from ${source}`, `sts:GetCallerIdentity → ${said(err)}`], fix: err.fix ?? 'Sign in to AWS (aws configure / aws sso login).' };
        }
      },
    };

    const assumeRole: Check = {
      id: 'aws.assumeRole',
      title: o.externalId ? 'Role assumed with the external ID' : 'Role assumed',
      step: 1,
      needs: ['aws.identity'],
      ...(o.roleArn ? { reproduce: `${this.assumeRoleCommand()} --query AssumedRoleUser.Arn` } : {}),
      run: async ({ signal }) => {
        if (!o.roleArn) return { status: 'skipped', reason: 'no roleArn in the provider block: the signed-in identity is used as is' };
        const asked = `sts:AssumeRole ${o.roleArn}${o.externalId ? ` with external ID "${o.externalId}"` : ' without an external ID'}`;
        this.roleCreds = undefined;
        try {
          const s = this.open();
          await withTimeout('sts:AssumeRole', this.timeoutMs, () => s.credentials(), signal);
          const id = await this.identity(s.clients, signal);
          this.callerArn = id.arn;
          this.account = id.account;
          return { status: 'pass', evidence: [`${asked} → session issued`, `sts:GetCallerIdentity (as the role) → ${id.arn ?? '?'}`] };
        } catch (e) {
          const err = asTyped(e, 'AssumeRole', o);
          if (err.code !== 'AccessDenied') return { status: 'fail', evidence: [`${asked} → ${said(err)}`], fix: err.fix ?? 'Check the role ARN.' };
          const caller = this.baseArn ?? 'the signed-in identity';
          const fix = o.externalId
            ? `Set externalId in connections.yaml to exactly the value of the "sts:ExternalId" condition in the trust policy of ${o.roleArn} (now "${o.externalId}"), and check that the trust policy names ${caller} as a principal allowed "sts:AssumeRole".`
            : `Let ${caller} assume ${o.roleArn}: its trust policy must name this principal with "sts:AssumeRole"; if the trust policy has an "sts:ExternalId" condition, set externalId in connections.yaml to that value.`;
          return { status: 'fail', evidence: [`${asked} → ${said(err)}`], fix };
        }
      },
    };

    const listSecrets: Check = {
      id: 'aws.listSecrets',
      title: 'ListSecrets allowed',
      step: 1,
      needs: signedIn,
      reproduce: this.asCaller(`secretsmanager list-secrets --max-results 1 --query 'SecretList[].Name'`),
      run: async ({ signal }) => {
        try {
          const page = await this.open().provider.list({ pageSize: 1, signal });
          return { status: 'pass', evidence: [`secretsmanager:ListSecrets (1 per page) → allowed, ${page.items.length} on the first page${page.nextToken ? ', more pages' : ''}`] };
        } catch (e) {
          const err = asTyped(e, 'ListSecrets', o);
          if (err.code !== 'AccessDenied') return { status: 'fail', evidence: [`secretsmanager:ListSecrets → ${said(err)}`], fix: err.fix ?? 'See the evidence.' };
          const d = await this.explainDenial('secretsmanager:ListSecrets', [], err, signal);
          return { status: 'fail', evidence: [`secretsmanager:ListSecrets → ${said(err)}`, ...d.evidence], fix: d.fix };
        }
      },
    };

    const getSecretValue: Check = {
      id: 'aws.getSecretValue',
      title: 'GetSecretValue allowed on each referenced secret',
      step: 1,
      needs: signedIn,
      ...(first ? { reproduce: this.getValueCommand(first) } : {}),
      run: async ({ signal }) => {
        if (!t.secrets.length) return noSecrets();
        const evidence: string[] = [];
        const denied: { id: string; err: ConnectionSecretsError }[] = [];
        const other: ConnectionSecretsError[] = [];
        let missingKeys = 0;
        const provider = this.open().provider;
        await inOrder(t.secrets, async (s) => {
          const asked = `secretsmanager:GetSecretValue "${s.secretId}"`;
          try {
            const v = await provider.getValue(s.secretId, signal);
            const keys = keysOf(v.value);
            const absent = s.keys.filter((k) => !keys?.includes(k));
            return () => {
              missingKeys += absent.length;
              evidence.push(
                `${asked} → allowed${v.version ? `, version ${v.version}` : ''}${keys ? `, keys: ${keys.join(', ') || '(none)'}` : ', not a JSON object'}${absent.length ? `; referenced but absent: ${absent.join(', ')}` : ''}`,
              );
            };
          } catch (e) {
            const err = asTyped(e, 'GetSecretValue', o, s.secretId);
            if (isKms(err)) return () => evidence.push(`${asked} → allowed by IAM; decryption failed (see "aws.kms")`);
            return () => {
              evidence.push(`${asked} → ${said(err)}`);
              if (err.code === 'AccessDenied') denied.push({ id: s.secretId, err });
              else other.push(err);
            };
          }
        });
        if (denied.length) {
          const d = await this.explainDenial('secretsmanager:GetSecretValue', denied.map((x) => secretResource(x.id, o, this.account)), denied[0].err, signal);
          return { status: 'fail', evidence: [...evidence, ...d.evidence], fix: d.fix };
        }
        if (other.length) return { status: 'fail', evidence, fix: other[0].fix ?? 'See the evidence.' };
        if (missingKeys) return { status: 'warn', evidence, fix: 'Add the missing keys to the secret (aws secretsmanager put-secret-value), or fix the key in the reference.' };
        return { status: 'pass', evidence };
      },
    };

    const batch: Check = {
      id: 'aws.batchGetSecretValue',
      title: 'BatchGetSecretValue allowed (resolution batches up to 20 secrets a call)',
      step: 1,
      needs: signedIn,
      ...(first ? { reproduce: this.asCaller(`secretsmanager batch-get-secret-value --secret-id-list ${ids.slice(0, BATCH_LIMIT).map(sh).join(' ')} --query '{Names:SecretValues[].Name,Errors:Errors}'`) } : {}),
      run: async ({ signal }) => {
        if (!t.secrets.length) return noSecrets();
        const evidence: string[] = [];
        const s = this.open();
        for (let i = 0; i < ids.length; i += BATCH_LIMIT) {
          const chunk = ids.slice(i, i + BATCH_LIMIT);
          const asked = `secretsmanager:BatchGetSecretValue (${chunk.length} id${chunk.length === 1 ? '' : 's'})`;
          try {
            const out = await withTimeout(asked, this.timeoutMs, (abortSignal) => s.clients.secretsManager.send(new BatchGetSecretValueCommand({ SecretIdList: chunk }), { abortSignal }), signal);
            const errors = (out.Errors ?? []).map((x) => `${x.SecretId ?? '?'}: ${x.ErrorCode ?? '?'}`);
            evidence.push(`${asked} → allowed, ${out.SecretValues?.length ?? 0} value(s)${errors.length ? `; per-secret errors: ${errors.join(', ')} (see "aws.getSecretValue")` : ''}`);
          } catch (e) {
            const err = asTyped(e, 'BatchGetSecretValue', o);
            if (err.code !== 'AccessDenied' || isKms(err)) return { status: 'fail', evidence: [...evidence, `${asked} → ${said(err)}`], fix: err.fix ?? 'See the evidence.' };
            const d = await this.explainDenial('secretsmanager:BatchGetSecretValue', [], err, signal);
            // The provider falls back to one GetSecretValue per secret, so resolution still works.
            return {
              status: 'warn',
              evidence: [...evidence, `${asked} → ${said(err)}`, ...d.evidence, 'resolution falls back to one GetSecretValue per secret (slower, more calls)'],
              fix: d.fix,
            };
          }
        }
        return { status: 'pass', evidence };
      },
    };

    const describeSecret: Check = {
      id: 'aws.describeSecret',
      title: 'DescribeSecret allowed on each referenced secret (refresh compares versions)',
      step: 1,
      needs: signedIn,
      ...(first ? { reproduce: this.asCaller(`secretsmanager describe-secret --secret-id ${sh(first)} --query '{ARN:ARN,KmsKeyId:KmsKeyId,VersionIdsToStages:VersionIdsToStages}'`) } : {}),
      run: async ({ signal }) => {
        if (!t.secrets.length) return noSecrets();
        const evidence: string[] = [];
        const denied: { id: string; err: ConnectionSecretsError }[] = [];
        let failed: ConnectionSecretsError | undefined;
        const provider = this.open().provider;
        await inOrder(t.secrets, async (s) => {
          const asked = `secretsmanager:DescribeSecret "${s.secretId}"`;
          try {
            const d = await provider.describe(s.secretId, signal);
            return () => evidence.push(`${asked} → allowed, ${d.state ?? 'active'}, KMS key ${d.facts['KMS key'] ?? '?'}${d.version ? `, AWSCURRENT ${d.version}` : ''}`);
          } catch (e) {
            const err = asTyped(e, 'DescribeSecret', o, s.secretId);
            return () => {
              evidence.push(`${asked} → ${said(err)}`);
              if (err.code === 'AccessDenied') denied.push({ id: s.secretId, err });
              else failed ??= err;
            };
          }
        });
        if (failed) return { status: 'fail', evidence, fix: failed.fix ?? 'See the evidence.' };
        if (denied.length) {
          const d = await this.explainDenial('secretsmanager:DescribeSecret', denied.map((x) => secretResource(x.id, o, this.account)), denied[0].err, signal);
          // Resolution works without it; refresh then re-fetches every value instead of comparing versions.
          return { status: 'warn', evidence: [...evidence, ...d.evidence, 'without it, refresh re-fetches every value instead of comparing versions'], fix: d.fix };
        }
        return { status: 'pass', evidence };
      },
    };

    const kms: Check = {
      id: 'aws.kms',
      title: 'Secrets Manager can decrypt each referenced secret (KMS)',
      step: 1,
      needs: signedIn,
      ...(first ? { reproduce: this.getValueCommand(first) } : {}),
      run: async ({ signal }) => {
        if (!t.secrets.length) return noSecrets();
        const provider = this.open().provider;
        const evidence: string[] = [];
        const failures: { id: string; key?: string; err: ConnectionSecretsError }[] = [];
        let reached = 0;
        await inOrder(t.secrets, async (s) => {
          // The key is named in the fix; DescribeSecret may be denied, then it stays unnamed.
          const key = await provider.describe(s.secretId, signal).then(
            (d) => d.facts['KMS key']?.replace(' (AWS managed key)', ''),
            () => undefined,
          );
          const asked = `kms:Decrypt via secretsmanager:GetSecretValue "${s.secretId}" (key ${key ?? 'unknown'})`;
          try {
            await provider.getValue(s.secretId, signal);
            return () => {
              reached++;
              evidence.push(`${asked} → decrypted`);
            };
          } catch (e) {
            const err = asTyped(e, 'GetSecretValue', o, s.secretId);
            if (!isKms(err)) return () => evidence.push(`${asked} → not reached: GetSecretValue failed first (${err.code})`);
            return () => {
              reached++;
              failures.push({ id: s.secretId, key, err });
              evidence.push(`${asked} → ${said(err)}`);
            };
          }
        });
        if (failures.length) {
          const who = (await this.principal(signal)) ?? 'the signed-in identity';
          const keys = [...new Set(failures.map((f) => (f.key && !f.key.startsWith('aws/') ? f.key : undefined)).filter((k): k is string => !!k))];
          return {
            status: 'fail',
            evidence,
            fix: `Allow "kms:Decrypt" for ${who} on ${keys.length ? `the KMS key ${keys.join(', ')}` : "the secrets' KMS key"} (in the key policy, or an IAM policy the key policy lets apply), and check that the key is enabled and not pending deletion (aws kms describe-key --key-id <key>).`,
          };
        }
        if (!reached) return { status: 'skipped', evidence, reason: 'GetSecretValue failed for every referenced secret, so decryption was never reached (see "aws.getSecretValue")' };
        return { status: 'pass', evidence };
      },
    };

    const rawCall: Check = {
      id: 'aws.rawCall',
      title: first ? `Raw GetSecretValue of "${first}"` : 'Raw GetSecretValue of a referenced secret',
      step: 2,
      ...(first ? { reproduce: this.getValueCommand(first) } : {}),
      // No `needs` on the permission checks: the raw answer is worth seeing even when one of them
      // failed. Only a failed sign-in skips it (checked in rawCall).
      run: (ctx) => this.rawCall(first, ctx),
    };

    return [identity, assumeRole, listSecrets, getSecretValue, batch, describeSecret, kms, rawCall].map((c) => this.scoped(c));
  }

  private async rawCall(secretId: string | undefined, { signal, results }: CheckRunContext): Promise<CheckOutcome> {
    if (!secretId) return { status: 'skipped', reason: `no connection${this.target.connection ? ` "${this.target.connection}"` : ''} of this provider references a secret` };
    // The runner's `needs`, by hand, for the sign-in only: without credentials there is nothing to show.
    const signIn = (this.o.roleArn ? ['aws.identity', 'aws.assumeRole'] : ['aws.identity']).map((id) => results.get(id)).find((r) => r && r.status !== 'pass' && r.status !== 'warn');
    if (signIn) return { status: 'skipped', reason: `"${signIn.title}" did not pass (${signIn.status}); fix that first` };
    const o = this.o;
    const url = `${o.endpoint ?? `https://secretsmanager.${o.region ?? '<region>'}.amazonaws.com`}/`;
    const asked = `POST ${url} X-Amz-Target: secretsmanager.GetSecretValue {"SecretId":${JSON.stringify(secretId)}}`;
    const s = this.open();
    let out: GetSecretValueResponse & { $metadata?: { httpStatusCode?: number } };
    try {
      out = await withTimeout('secretsmanager:GetSecretValue', this.timeoutMs, (abortSignal) => s.clients.secretsManager.send(new GetSecretValueCommand({ SecretId: secretId }), { abortSignal }), signal);
    } catch (e) {
      const err = asTyped(e, 'GetSecretValue', o, secretId);
      const evidence = [`${asked} → ${said(err)}`];
      if (err.code === 'AccessDenied' && !isKms(err)) {
        const d = await this.explainDenial('secretsmanager:GetSecretValue', [secretResource(secretId, o, this.account)], err, signal);
        return { status: 'fail', evidence: [...evidence, ...d.evidence], fix: d.fix };
      }
      return { status: 'fail', evidence, fix: err.fix ?? 'See the checks above.' };
    }
    const { $metadata, ...body } = out;
    // Through JSON first, as the wire had it: dates become ISO strings (redactBody would empty a Date).
    const shown = JSON.parse(JSON.stringify({ ...body, ...(body.SecretBinary !== undefined ? { SecretBinary: `<${body.SecretBinary.length} bytes>` } : {}) })) as unknown;
    return {
      status: 'pass',
      evidence: [`${asked} → HTTP ${$metadata?.httpStatusCode ?? '?'}`, `response: ${JSON.stringify(redactBody(shown, ['SecretString', 'SecretBinary']))}`],
    };
  }
}

/** Per-secret calls at once: a workspace may reference dozens of secrets, and each check has one time limit. */
const SECRET_CONCURRENCY = 4;

/**
 * Runs `fn` over `items`, a few at a time; each returns how to record its outcome, and the records
 * are applied in input order, so evidence reads in the order the secrets are referenced.
 */
async function inOrder<T>(items: readonly T[], fn: (item: T) => Promise<() => void>): Promise<void> {
  const records = new Array<() => void>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      records[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(SECRET_CONCURRENCY, items.length) }, worker));
  for (const record of records) record();
}

/** Key names of a JSON object value; undefined when the value is not one. */
function keysOf(value: string): string[] | undefined {
  try {
    const v = JSON.parse(value) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v) : undefined;
  } catch {
    return undefined;
  }
}
