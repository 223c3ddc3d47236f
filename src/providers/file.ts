/**
 * `file` provider: a JSON object of secrets in a git-ignored file next to the connections.yaml.
 * Each top-level key is a secret; an object value is a key/value secret (its JSON text is the
 * value, so `{{workato:sm:password:db}}` reads key `password` of secret `db`).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { ConnectionSecretsError } from '../core/errors';
import type { BatchResult, ListOptions, ProviderFactory, SecretDescription, SecretPage, SecretsProvider, SecretValue } from '../core/provider';
import { secretsFilePath } from '../core/localFiles';
import { localVersion, pageOf } from './local';

export const createProvider: ProviderFactory = (config) => {
  const file = secretsFilePath(config);
  const shown = path.relative(config.dir, file) || file;
  let loaded: { mtimeMs: number; size: number; secrets: Record<string, unknown> } | undefined;

  async function load(): Promise<Record<string, unknown>> {
    let stat: import('node:fs').Stats;
    try {
      stat = await fs.stat(file);
    } catch {
      throw new ConnectionSecretsError('InvalidConfig', `The secrets file ${shown} does not exist`, {
        fix: `Create ${file} with a JSON object of secrets, or fix "path" in ${config.file}.`,
      });
    }
    if (loaded && loaded.mtimeMs === stat.mtimeMs && loaded.size === stat.size) return loaded.secrets;
    const text = await fs.readFile(file, 'utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Node's message quotes the surrounding text (secrets!), so only a line number is given,
      // found by the position-aware YAML parser (JSON is YAML).
      const line = jsonErrorLine(text);
      throw new ConnectionSecretsError('InvalidConfig', `The secrets file ${shown} is not valid JSON${line ? ` (line ${line})` : ''}`, {
        fix: 'Fix the JSON syntax: the file must be one object of "name": value pairs.',
      });
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new ConnectionSecretsError('InvalidConfig', `The secrets file ${shown} must contain a JSON object`, {
        fix: 'Write it as { "name": "value", "db": { "password": "…" } }.',
      });
    }
    loaded = { mtimeMs: stat.mtimeMs, size: stat.size, secrets: parsed as Record<string, unknown> };
    return loaded.secrets;
  }

  async function read(id: string): Promise<SecretValue> {
    const secrets = await load();
    if (!Object.prototype.hasOwnProperty.call(secrets, id)) {
      throw new ConnectionSecretsError('NotFound', `Secret "${id}" is not in ${shown}`, {
        fix: `Add "${id}" to ${shown}, or fix the reference.`,
      });
    }
    const raw = secrets[id];
    const value = typeof raw === 'string' ? raw : JSON.stringify(raw);
    return { id, value, version: localVersion(value), state: 'active' };
  }

  const provider: SecretsProvider = {
    type: 'file',
    label: `file (${shown})`,
    async list(options?: ListOptions): Promise<SecretPage> {
      const secrets = await load();
      return pageOf(Object.keys(secrets).sort().map((name) => ({ id: name, name, kind: 'secret' as const })), options);
    },
    getValue: read,
    async getValues(ids) {
      const out = new Map<string, BatchResult>();
      for (const id of ids) {
        try {
          out.set(id, await read(id));
        } catch (e) {
          out.set(id, e as ConnectionSecretsError);
        }
      }
      return out;
    },
    async describe(id): Promise<SecretDescription> {
      const v = await read(id);
      return { id, name: id, version: v.version, state: 'active', facts: { file } };
    },
    async currentVersion(id) {
      return (await read(id)).version;
    },
    dispose() {},
  };
  return provider;
};

function jsonErrorLine(text: string): number | undefined {
  const err = parseDocument(text).errors[0];
  return err ? err.linePos?.[0].line : undefined;
}
