/**
 * `file` provider: a JSON object of secrets in a git-ignored file next to the connections.yaml.
 * Each top-level key is a secret; an object value is a key/value secret (its JSON text is the
 * value, so `{{workato:sm:password:db}}` reads key `password` of secret `db`).
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { ConnectionSecretsError } from '../core/errors';
import type { BatchResult, ListOptions, ProviderFactory, PutResult, SecretDescription, SecretPage, SecretsProvider, SecretValue } from '../core/provider';
import { secretsFilePath } from '../core/localFiles';
import type { TroubleshooterFactory } from '../core/troubleshoot/types';
import { localVersion, pageOf } from './local';
import { fileChecks } from './localTroubleshoot';

/** Its troubleshooting checklist: file exists, is a JSON object, is git-ignored, holds each referenced secret and key. */
export const troubleshoot: TroubleshooterFactory = (target) => fileChecks(target);

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

  /**
   * Writes one entry and keeps the rest of the file as it was (entries, order, indentation). A
   * JSON object value is stored as an object, so the file stays readable. The new file is written
   * next to the old one and renamed over it: a crash never leaves half a secrets file.
   */
  async function put(id: string, value: string): Promise<PutResult> {
    await load(); // the file must exist and be a JSON object; throws the clear errors otherwise
    const text = await fs.readFile(file, 'utf8');
    const secrets = JSON.parse(text) as Record<string, unknown>;
    const created = !Object.prototype.hasOwnProperty.call(secrets, id);
    let entry: unknown = value;
    try {
      const parsed: unknown = JSON.parse(value);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed) && (created || typeof secrets[id] === 'object')) entry = parsed;
    } catch {
      /* a plain string */
    }
    secrets[id] = entry;
    const indent = /^\{\r?\n([ \t]+)"/.exec(text)?.[1] ?? (text.trimEnd().includes('\n') ? '  ' : '');
    const mode = (await fs.stat(file)).mode & 0o777;
    const temp = path.join(path.dirname(file), `.${path.basename(file)}.${crypto.randomBytes(6).toString('hex')}.tmp`);
    try {
      await fs.writeFile(temp, JSON.stringify(secrets, null, indent) + (text.endsWith('\n') ? '\n' : ''), { mode, flag: 'wx' });
      await fs.rename(temp, file);
    } catch (e) {
      await fs.rm(temp, { force: true });
      throw new ConnectionSecretsError('InvalidConfig', `Writing the secrets file ${shown} failed (${(e as NodeJS.ErrnoException).code ?? 'error'})`, {
        fix: `Check that the folder of ${file} is writable.`,
      });
    }
    loaded = undefined;
    return { version: localVersion(typeof entry === 'string' ? entry : JSON.stringify(entry)), created };
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
    put,
    dispose() {},
  };
  return provider;
};

function jsonErrorLine(text: string): number | undefined {
  const err = parseDocument(text).errors[0];
  return err ? err.linePos?.[0].line : undefined;
}
