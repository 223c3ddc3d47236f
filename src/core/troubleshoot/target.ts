/**
 * What to troubleshoot: from the workspace model to one `TroubleshootTarget` per provider block,
 * with the distinct secrets its connections reference (well-formed references only: a malformed
 * one is the linter's to report, not a permission problem).
 */
import { providerFor, providersInScope } from '../config';
import { ConnectionSecretsError } from '../errors';
import type { Connection, ProviderConfig, WorkspaceModel } from '../model';
import { interpretReference } from '../references';
import { providerKey } from '../resolver';
import { closest } from '../schema';
import { MASK } from '../redact';
import type { ReferencedSecret, TroubleshootTarget } from './types';

export interface TargetSelection {
  /** One connection by name. */
  connection?: string;
  /** One provider block (as in the model). */
  provider?: ProviderConfig;
}

/** Targets for a selection; without one, every provider in scope with all its connections. */
export function troubleshootTargets(model: WorkspaceModel, selection: TargetSelection = {}): TroubleshootTarget[] {
  if (selection.connection !== undefined) {
    const connection = model.connections.find((c) => c.name === selection.connection);
    if (!connection) {
      const guess = closest(selection.connection, model.connections.map((c) => c.name));
      throw new ConnectionSecretsError('InvalidConfig', `There is no connection "${selection.connection}" in this workspace`, {
        fix: guess ? `Did you mean "${guess}"?` : `Use one of: ${model.connections.map((c) => c.name).join(', ') || '(none defined)'}.`,
      });
    }
    const provider = providerFor(model, connection);
    if (!provider) {
      throw new ConnectionSecretsError('InvalidConfig', `Connection "${connection.name}" has no secrets manager in scope`, {
        fix: 'Declare a secretsManager.provider block (in the root connections.yaml for workspace scope, or in the project\'s file for project scope).',
      });
    }
    return [{ provider, connection: connection.name, secrets: referencedSecrets([connection], provider) }];
  }
  const providers = selection.provider ? [selection.provider] : providersInScope(model);
  if (providers.length === 0) {
    throw new ConnectionSecretsError('InvalidConfig', 'No secrets manager is configured in this workspace', {
      fix: 'Add a secretsManager.provider block to connections.yaml (see the README\'s file format).',
    });
  }
  return providers.map((provider) => {
    const key = providerKey(provider);
    const connections = model.connections.filter((c) => {
      const p = providerFor(model, c);
      return p !== undefined && providerKey(p) === key && p.file === provider.file;
    });
    return { provider, secrets: referencedSecrets(connections, provider) };
  });
}

function referencedSecrets(connections: readonly Connection[], provider: ProviderConfig): ReferencedSecret[] {
  const byId = new Map<string, ReferencedSecret>();
  for (const c of connections) {
    for (const field of c.fields) {
      for (const ref of field.references) {
        if (ref.error) continue;
        const interpreted = interpretReference(ref.body, provider.type);
        if (!interpreted.ok) continue;
        const { secretId, key } = interpreted.target;
        const entry = byId.get(secretId) ?? { secretId, keys: [], usedBy: [] };
        if (key !== undefined && !entry.keys.includes(key)) entry.keys.push(key);
        entry.usedBy.push(`${c.name}.${field.path}`);
        byId.set(secretId, entry);
      }
    }
  }
  return [...byId.values()];
}

/**
 * A provider's response body for evidence: the structure kept, every value under one of
 * `secretFields` masked. A JSON object stored as a string (AWS `SecretString`) keeps its key
 * names — which keys exist is what a person troubleshooting needs — with each value masked.
 */
export function redactBody(body: unknown, secretFields: readonly string[]): unknown {
  const maskValue = (v: unknown): unknown => {
    if (typeof v === 'string') {
      if (v.trimStart().startsWith('{')) {
        try {
          const parsed = JSON.parse(v) as unknown;
          if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
            return JSON.stringify(Object.fromEntries(Object.keys(parsed).map((k) => [k, MASK])));
          }
        } catch {
          /* not JSON: masked whole below */
        }
      }
      return MASK;
    }
    if (v && typeof v === 'object' && !Array.isArray(v)) return Object.fromEntries(Object.keys(v).map((k) => [k, MASK]));
    return v === null || v === undefined ? v : MASK;
  };
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, secretFields.includes(k) ? maskValue(x) : walk(x)]));
    }
    return v;
  };
  return walk(body);
}
