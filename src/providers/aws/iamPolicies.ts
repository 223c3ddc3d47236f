/**
 * Finds the explicit Deny behind an IAM denial by reading the principal's own policies, for the
 * troubleshooting checks. Real AWS says "with an explicit deny in …" in the denial itself, but
 * not every endpoint does (moto never does), and even AWS does not say *which* policy: reading
 * the policies lets the fix name it. Best effort: without `iam:List*`/`iam:Get*` on the
 * principal the answer is "could not tell", never a failure of its own.
 *
 * Only identity-based policies of the user (inline, attached, and those of its groups) or of the
 * role are read; service control policies and permissions boundaries are out of reach here.
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import type { AwsCredentialProvider } from './clients';

/** A Deny statement that matches the action, and where it lives. */
export interface DenyFinding {
  /** e.g. `inline policy "ci-policy" of user ci`, `managed policy arn:aws:iam::…:policy/x`. */
  policy: string;
  /** The statement's Sid, when it has one. */
  sid?: string;
  /** True when the statement has a Condition (it may not apply to every request). */
  conditional: boolean;
}

export type PolicyLookup = { read: true; denies: DenyFinding[]; policiesRead: number } | { read: false; reason: string };

/** Reads the policies of a principal; built per check run with the credentials in use. */
export interface PolicyReader {
  findDenies(principalArn: string, action: string, resource: string | undefined, signal?: AbortSignal): Promise<PolicyLookup>;
  dispose(): void;
}

export interface PolicyReaderSettings {
  credentials: AwsCredentialProvider;
  /** IAM endpoint (emulators); undefined: the global IAM endpoint of the region's partition. */
  endpoint?: string;
  /** Picks the partition (aws, aws-cn, aws-us-gov); IAM itself is global within it. */
  region?: string;
  timeoutMs: number;
}

export type PolicyReaderFactory = (settings: PolicyReaderSettings) => PolicyReader;

type Statement = { Sid?: string; Effect?: string; Action?: string | string[]; NotAction?: string | string[]; Resource?: string | string[]; NotResource?: string | string[]; Condition?: unknown };

/** IAM wildcard match (`*` any run, `?` one character); actions compare case-insensitively. */
export function iamMatch(pattern: string, value: string, caseInsensitive = false): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, caseInsensitive ? 'i' : '');
  return re.test(value);
}

const list = (v: string | string[] | undefined): string[] | undefined => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);

/** Deny statements of one policy document that apply to `action` (on `resource` when known). */
export function denyingStatements(document: string, action: string, resource: string | undefined): Statement[] {
  let parsed: { Statement?: Statement | Statement[] };
  try {
    // IAM returns documents URL-encoded; an already decoded one passes through.
    parsed = JSON.parse(/^\s*%7B/i.test(document) ? decodeURIComponent(document) : document) as typeof parsed;
  } catch {
    return [];
  }
  const statements = list(parsed.Statement as never) as unknown as Statement[] | undefined;
  return (statements ?? []).filter((s) => {
    if (s.Effect !== 'Deny') return false;
    const actions = list(s.Action);
    const notActions = list(s.NotAction);
    const actionApplies = actions ? actions.some((a) => iamMatch(a, action, true)) : notActions ? !notActions.some((a) => iamMatch(a, action, true)) : false;
    if (!actionApplies) return false;
    if (!resource) return true;
    const resources = list(s.Resource);
    const notResources = list(s.NotResource);
    return resources ? resources.some((r) => iamMatch(r, resource)) : notResources ? !notResources.some((r) => iamMatch(r, resource)) : true;
  });
}

/** `user`/`role` and the name of an IAM principal, from its ARN or an assumed-role session ARN. */
export function principalOf(arn: string): { kind: 'user' | 'role'; name: string } | undefined {
  const user = /^arn:aws[a-z-]*:iam::\d{12}:user\/(?:.*\/)?([^/]+)$/.exec(arn);
  if (user) return { kind: 'user', name: user[1] };
  const role = /^arn:aws[a-z-]*:iam::\d{12}:role\/(?:.*\/)?([^/]+)$/.exec(arn);
  if (role) return { kind: 'role', name: role[1] };
  const session = /^arn:aws[a-z-]*:sts::\d{12}:assumed-role\/([^/]+)\/[^/]+$/.exec(arn);
  if (session) return { kind: 'role', name: session[1] };
  return undefined;
}

/** The IAM ARN a fix should name: the role of an assumed-role session, else the ARN itself. */
export function iamPrincipalArn(arn: string): string {
  const session = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/.exec(arn);
  return session ? `arn:${session[1]}:iam::${session[2]}:role/${session[3]}` : arn;
}

/** The production reader: the AWS SDK's IAM client, loaded on first use (only on a denial). */
export const createPolicyReader: PolicyReaderFactory = (settings) => {
  let client: IAMClient | undefined;
  const sdk = import('@aws-sdk/client-iam');
  const send = async <T>(build: (m: typeof import('@aws-sdk/client-iam')) => object, signal?: AbortSignal): Promise<T> => {
    const m = await sdk;
    client ??= new m.IAMClient({ region: settings.region ?? 'us-east-1', credentials: settings.credentials, maxAttempts: 1, ...(settings.endpoint ? { endpoint: settings.endpoint } : {}) });
    const timeout = AbortSignal.timeout(settings.timeoutMs);
    const abortSignal = signal ? AbortSignal.any([signal, timeout]) : timeout;
    return (await client.send(build(m) as never, { abortSignal })) as T;
  };
  return {
    async findDenies(principalArn, action, resource, signal) {
      const principal = principalOf(principalArn);
      if (!principal) return { read: false, reason: `${principalArn} is not an IAM user or role` };
      const denies: DenyFinding[] = [];
      let policiesRead = 0;
      const scan = (document: string | undefined, policy: string) => {
        policiesRead++;
        for (const s of denyingStatements(document ?? '', action, resource)) denies.push({ policy, ...(s.Sid ? { sid: s.Sid } : {}), conditional: s.Condition !== undefined });
      };
      const managed = async (arns: (string | undefined)[]) => {
        for (const arn of arns) {
          if (!arn) continue;
          const p = await send<{ Policy?: { DefaultVersionId?: string } }>((m) => new m.GetPolicyCommand({ PolicyArn: arn }), signal);
          const v = await send<{ PolicyVersion?: { Document?: string } }>((m) => new m.GetPolicyVersionCommand({ PolicyArn: arn, VersionId: p.Policy?.DefaultVersionId }), signal);
          scan(v.PolicyVersion?.Document, `managed policy ${arn}`);
        }
      };
      try {
        if (principal.kind === 'user') {
          const UserName = principal.name;
          const inline = await send<{ PolicyNames?: string[] }>((m) => new m.ListUserPoliciesCommand({ UserName }), signal);
          for (const PolicyName of inline.PolicyNames ?? []) {
            const p = await send<{ PolicyDocument?: string }>((m) => new m.GetUserPolicyCommand({ UserName, PolicyName }), signal);
            scan(p.PolicyDocument, `inline policy "${PolicyName}" of user ${UserName}`);
          }
          const attached = await send<{ AttachedPolicies?: { PolicyArn?: string }[] }>((m) => new m.ListAttachedUserPoliciesCommand({ UserName }), signal);
          await managed((attached.AttachedPolicies ?? []).map((a) => a.PolicyArn));
          const groups = await send<{ Groups?: { GroupName?: string }[] }>((m) => new m.ListGroupsForUserCommand({ UserName }), signal);
          for (const GroupName of (groups.Groups ?? []).map((g) => g.GroupName).filter((g): g is string => !!g)) {
            const gi = await send<{ PolicyNames?: string[] }>((m) => new m.ListGroupPoliciesCommand({ GroupName }), signal);
            for (const PolicyName of gi.PolicyNames ?? []) {
              const p = await send<{ PolicyDocument?: string }>((m) => new m.GetGroupPolicyCommand({ GroupName, PolicyName }), signal);
              scan(p.PolicyDocument, `inline policy "${PolicyName}" of group ${GroupName}`);
            }
            const ga = await send<{ AttachedPolicies?: { PolicyArn?: string }[] }>((m) => new m.ListAttachedGroupPoliciesCommand({ GroupName }), signal);
            await managed((ga.AttachedPolicies ?? []).map((a) => a.PolicyArn));
          }
        } else {
          const RoleName = principal.name;
          const inline = await send<{ PolicyNames?: string[] }>((m) => new m.ListRolePoliciesCommand({ RoleName }), signal);
          for (const PolicyName of inline.PolicyNames ?? []) {
            const p = await send<{ PolicyDocument?: string }>((m) => new m.GetRolePolicyCommand({ RoleName, PolicyName }), signal);
            scan(p.PolicyDocument, `inline policy "${PolicyName}" of role ${RoleName}`);
          }
          const attached = await send<{ AttachedPolicies?: { PolicyArn?: string }[] }>((m) => new m.ListAttachedRolePoliciesCommand({ RoleName }), signal);
          await managed((attached.AttachedPolicies ?? []).map((a) => a.PolicyArn));
        }
      } catch (e) {
        const err = e as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
        const status = err.$metadata?.httpStatusCode;
        // The error's own text may quote a response body; the code and status say enough.
        return { read: false, reason: `reading its IAM policies was refused or failed (${err.Code ?? err.name ?? 'error'}${status ? `, HTTP ${status}` : ''})` };
      }
      return { read: true, denies, policiesRead };
    },
    dispose() {
      client?.destroy();
    },
  };
};
