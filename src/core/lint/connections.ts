/**
 * Rules over connection definitions: Vault engine names Workato reserves, a KV v2 `data/` path, hard-coded credentials (fixed by moving
 * them into the secrets manager), PEM written inline, and — when values were fetched — the
 * problems of the secrets a reference points at, reported on the reference.
 */
import { providerFor } from '../config';
import type { Connection, ConnectionField, ConnectionsFile, Fix, Problem, ProviderConfig, Range, WorkspaceModel } from '../model';
import { LineIndex } from '../positions';
import { interpretReference, VAULT_ENGINE_RESERVED } from '../references';
import { cacheKey } from '../resolver';
import { CREDENTIAL_FIELD_NAMES } from '../schema';
import { stripKvV2DataPrefix } from '../../providers/vault/kv';
import type { ValueFindings } from './fetched';
import type { ResolvedLintSettings } from './options';
import { lintPem, looksLikePem } from './pem';
import { applyValueEdits } from './types';
import { encodeScalar, mapScalar } from './yamlScalar';

/** The command a hard-coded credential's fix runs (it asks for confirmation first). */
export const MOVE_COMMAND = 'connectionSecrets.lint.moveToSecretsManager';

/** Arguments of the move command: where the literal is. The value itself is never an argument. */
export interface MoveArgs {
  file: string;
  connection: string;
  field: string;
}

/** Providers the move fix can write to (`env` cannot be written from here). */
export const WRITABLE_PROVIDERS = new Set(['aws', 'vault', 'azure', 'file']);

export interface ConnectionLintContext {
  model: WorkspaceModel;
  settings: ResolvedLintSettings;
  /** What the linter found in fetched secret values, by cache key (absent: nothing fetched). */
  fetched?: (cacheKey: string) => ValueFindings | undefined;
}

export function lintConnectionsFile(file: ConnectionsFile, ctx: ConnectionLintContext): Problem[] {
  const problems: Problem[] = [];
  const index = new LineIndex(file.text);
  for (const connection of file.connections) {
    const provider = providerFor(ctx.model, connection);
    for (const field of connection.fields) {
      if (field.references.length) lintReferences(connection, field, provider, file, index, ctx, problems);
      else lintLiteral(connection, field, provider, file, index, ctx, problems);
    }
  }
  return problems;
}

const leafOf = (path: string) => path.split('.').pop() ?? path;
const siblingPath = (path: string, leaf: string) => (path.includes('.') ? `${path.slice(0, path.lastIndexOf('.'))}.${leaf}` : leaf);

function lintLiteral(connection: Connection, field: ConnectionField, provider: ProviderConfig | undefined, file: ConnectionsFile, index: LineIndex, ctx: ConnectionLintContext, out: Problem[]) {
  const leaf = leafOf(field.path);
  const where = `"${field.path}" of connection "${connection.name}"`;
  if (CREDENTIAL_FIELD_NAMES.has(leaf) && field.value.trim().length > 0) {
    const fixes: Fix[] = [];
    let how: string;
    if (!provider) how = 'Add a secretsManager provider, then move the value there and reference it.';
    else if (provider.type === 'env') {
      how = `The env provider cannot be written by Connection Secrets: set an environment variable yourself and write {{workato:sm:<variable>}} here.`;
    } else {
      how = `Move it into the ${provider.type} secrets manager and reference it (quick fix).`;
      const args: MoveArgs = { file: file.path, connection: connection.name, field: field.path };
      fixes.push({ title: `Move to the ${provider.type} secrets manager and reference it…`, edits: [], command: { id: MOVE_COMMAND, args: [args] } });
    }
    out.push({ ruleId: 'conn/hard-coded-credential', severity: 'warning', file: file.path, range: field.range, message: `${where} holds a hard-coded credential, which ends up in version control. ${how}`, ...(fixes.length ? { fixes } : {}) });
  }
  if (!looksLikePem(field.value)) return;

  // A PEM written into the file: the PEM rules, mapped back into the YAML scalar.
  const passField = connection.fields.find((f) => f.path === siblingPath(field.path, 'passphrase'));
  const passphrase = !passField ? (leaf === 'privateKey' ? null : undefined) : passField.references.length ? undefined : passField.value;
  const r = lintPem(field.value, { where: 'field', expectedForm: 'either', now: ctx.settings.now, expiryWarningDays: ctx.settings.expiryWarningDays, parseCache: ctx.settings.parseCache, passphrase });
  const start = index.offset(field.range.start);
  const end = index.offset(field.range.end);
  const mapping = mapScalar(file.text, start, end, field.value);
  const rangeOf = (s: number, e: number): Range => (mapping.map ? index.range(mapping.map[s], mapping.map[Math.max(s, e)]) : field.range);
  for (const p of r.problems) {
    out.push({
      ruleId: p.ruleId,
      severity: p.severity,
      file: file.path,
      range: rangeOf(p.start, p.end),
      message: `${where}: ${p.message}`,
      ...(p.fixes
        ? { fixes: p.fixes.map((f) => ({ title: f.title, preferred: f.preferred, edits: [{ range: index.range(start, mapping.replaceEnd), newText: encodeScalar(applyValueEdits(field.value, f.edits), mapping) }] })) }
        : {}),
    });
  }
}

function lintReferences(connection: Connection, field: ConnectionField, provider: ProviderConfig | undefined, file: ConnectionsFile, index: LineIndex, ctx: ConnectionLintContext, out: Problem[]) {
  if (!provider) return;
  for (const ref of field.references) {
    if (ref.error) continue; // the loader reported it (ref/malformed)
    // The range is exact when the source at it is the reference as written.
    const refStart = index.offset(ref.range.start);
    const exact = file.text.slice(refStart, index.offset(ref.range.end)) === ref.raw;
    const sub = (from: number, length: number): Range => (exact ? index.range(refStart + from, refStart + from + length) : ref.range);
    const bodyAt = ref.raw.indexOf(ref.body);
    const parts = ref.body.split(':');
    if (provider.type === 'vault' && parts.length >= 3) {
      const engine = parts[1];
      const bad = [...engine].find((c) => VAULT_ENGINE_RESERVED.includes(c));
      if (bad) {
        out.push({ ruleId: 'ref/vault-engine-reserved', severity: 'error', file: file.path, range: sub(bodyAt + parts[0].length + 1, engine.length), message: `The Vault engine name "${engine}" contains "${bad}", which Workato reserves (; / ? : @ & = + $ ,). Mount the KV engine under a name without them and update the reference.` });
        continue;
      }
    }
    const i = interpretReference(ref.body, provider.type);
    if (!i.ok) continue; // the scope rule reports it (ref/invalid-for-provider)
    const target = i.target;
    if (provider.type === 'vault' && target.path) {
      const stripped = stripKvV2DataPrefix(target.path);
      if (stripped) {
        const fixed = ref.raw.replace(`${target.engine}:${target.path}`, `${target.engine}:${stripped}`);
        const pathAt = bodyAt + parts[0].length + 1 + (target.engine?.length ?? 0) + 1;
        out.push({
          ruleId: 'ref/kv2-data-prefix',
          severity: 'warning',
          file: file.path,
          range: sub(pathAt, 'data/'.length),
          message: `The path starts with "data/", which the KV v2 API adds itself; on a KV v2 engine this reads "${target.engine}/data/data/…". Reference "${target.engine}:${stripped}".`,
          ...(exact ? { fixes: [{ title: 'Remove "data/" from the path', preferred: true, edits: [{ range: ref.range, newText: fixed }] }] } : {}),
        });
      }
    }
    // Problems of the fetched value this reference points at.
    const findings = ctx.fetched?.(cacheKey(provider, target.secretId));
    if (!findings) continue;
    const key = target.key ?? '';
    const secretName = `secret "${target.secretId}"${target.key ? `, key "${target.key}"` : ''}`;
    for (const p of findings.problems) {
      // The resolver already reports a value that is not key/value when a key is asked for.
      if ((p.key ?? '') !== key || p.ruleId === 'secret/not-key-value') continue;
      out.push({ ruleId: p.ruleId, severity: p.severity, file: file.path, range: ref.range, message: `The value of ${secretName}: ${p.message}` });
    }
    const passField = connection.fields.find((f) => f.path === siblingPath(field.path, 'passphrase'));
    if (leafOf(field.path) === 'privateKey' && findings.encrypted.includes(key) && !passField) {
      out.push({ ruleId: 'pem/encrypted-no-passphrase', severity: 'warning', file: file.path, range: ref.range, message: `The private key in ${secretName} is encrypted, but connection "${connection.name}" has no "passphrase". Add "${siblingPath(field.path, 'passphrase')}" with a reference to the passphrase.` });
    }
  }
}
