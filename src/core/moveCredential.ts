/**
 * Moving a hard-coded credential into the secrets manager (the fix of
 * `conn/hard-coded-credential`): where it goes, writing it there without overwriting anything,
 * and the reference that replaces it. The editor asks for confirmation before calling this.
 */
import { ConnectionSecretsError } from './errors';
import type { Connection, ProviderConfig, WorkspaceModel } from './model';
import type { PutResult, SecretsProvider } from './provider';
import { formatReference, interpretReference } from './references';

export interface MovePlan {
  /** Provider secret id (`<engine>:<path>` for Vault). */
  secretId: string;
  /** Key inside a key/value secret; undefined: the whole value (Azure). */
  key?: string;
  /** The reference text that replaces the literal. */
  reference: string;
}

/** Where a literal of `connection.<fieldPath>` goes: a key/value secret named after the connection. */
export function planMove(provider: ProviderConfig, connection: Connection, fieldPath: string, model?: WorkspaceModel): MovePlan {
  const leaf = fieldPath.split('.').pop() ?? fieldPath;
  const key = leaf.replace(/[^\w.-]/g, '_');
  switch (provider.type) {
    case 'aws':
    case 'file': {
      const secretId = connection.name.replace(/[^\w/+=.@-]/g, '-');
      return { secretId, key, reference: formatReference(provider.type, { secretId, key }) };
    }
    case 'vault': {
      const engine = commonVaultEngine(model) ?? 'secret';
      const secretId = `${engine}:${connection.name.replace(/[^\w/.-]/g, '-')}`;
      return { secretId, key, reference: formatReference('vault', { secretId, key }) };
    }
    case 'azure': {
      const secretId = `${connection.name}-${leaf}`.replace(/[^0-9A-Za-z-]/g, '-').slice(0, 127);
      return { secretId, reference: formatReference('azure', { secretId }) };
    }
    case 'env':
      throw notWritable();
  }
}

function notWritable(): ConnectionSecretsError {
  return new ConnectionSecretsError('InvalidConfig', 'The env provider cannot be written by Connection Secrets.', {
    fix: 'Set an environment variable yourself (where VS Code or the CLI starts) and replace the value with {{workato:sm:<variable>}}.',
  });
}

/** The engine most references of the workspace already use, so a moved secret sits next to them. */
function commonVaultEngine(model: WorkspaceModel | undefined): string | undefined {
  const counts = new Map<string, number>();
  for (const c of model?.connections ?? []) {
    for (const f of c.fields) {
      for (const r of f.references) {
        if (r.error) continue;
        const i = interpretReference(r.body, 'vault');
        if (i.ok && i.target.engine) counts.set(i.target.engine, (counts.get(i.target.engine) ?? 0) + 1);
      }
    }
  }
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
}

/**
 * Writes `value` where the plan says. A key/value secret that exists keeps its other keys; an
 * existing key (or whole value) that differs is never overwritten — the error says to pick
 * another name.
 */
export async function storeCredential(provider: SecretsProvider, plan: MovePlan, value: string, signal?: AbortSignal): Promise<PutResult> {
  if (!provider.put) throw notWritable();
  let existing: string | undefined;
  try {
    existing = (await provider.getValue(plan.secretId, signal)).value;
  } catch (e) {
    if (!(e instanceof ConnectionSecretsError && e.code === 'NotFound')) throw e;
  }
  if (plan.key === undefined) {
    if (existing !== undefined && existing !== value) {
      throw new ConnectionSecretsError('InvalidConfig', `Secret "${plan.secretId}" already exists with another value, so it was not overwritten.`, { fix: 'Move the value by hand under another name, or delete the old secret first.' });
    }
    return existing === value ? { created: false } : provider.put(plan.secretId, value, signal);
  }
  let object: Record<string, unknown> = {};
  if (existing !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(existing);
    } catch {
      parsed = undefined;
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new ConnectionSecretsError('InvalidConfig', `Secret "${plan.secretId}" exists but is not a JSON key/value secret, so key "${plan.key}" cannot be added to it.`, { fix: 'Rename the connection or move the value by hand into a key/value secret.' });
    }
    object = parsed as Record<string, unknown>;
    if (plan.key in object && object[plan.key] !== value) {
      throw new ConnectionSecretsError('InvalidConfig', `Secret "${plan.secretId}" already has a key "${plan.key}" with another value, so it was not overwritten.`, { fix: 'Move the value by hand under another key, or remove the old key first.' });
    }
    if (object[plan.key] === value) return { created: false };
  }
  object[plan.key] = value;
  return provider.put(plan.secretId, JSON.stringify(object), signal);
}
