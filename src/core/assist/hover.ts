/**
 * Finding the reference under the cursor in the workspace model, and what a hover says about it:
 * provider, secret, key, version, last change, resolution status and the linter's messages.
 * Built from metadata only — the value is never an input here, so it cannot be an output.
 */
import path from 'node:path';
import { providerForFile } from '../config';
import type { Connection, ConnectionField, Position, ProviderConfig, ReferenceOccurrence, WorkspaceModel } from '../model';
import { containsPosition } from '../positions';
import type { SecretState } from '../provider';
import { interpretReference, type ReferenceTarget } from '../references';

/** A reference written in a file, with what it points at under the provider in scope. */
export interface LocatedReference {
  model: WorkspaceModel;
  connection: Connection;
  field: ConnectionField;
  ref: ReferenceOccurrence;
  provider?: ProviderConfig;
  /** Undefined when the reference is malformed or does not fit the provider. */
  target?: ReferenceTarget;
  /** Why there is no target (a user-facing sentence). */
  problem?: string;
}

/** Every reference of `file` (in document order), located in the model. */
export function referencesInFile(model: WorkspaceModel, file: string): LocatedReference[] {
  const provider = providerForFile(model, file);
  const out: LocatedReference[] = [];
  for (const connection of model.connections) {
    if (connection.file !== file) continue;
    for (const field of connection.fields) {
      for (const ref of field.references) {
        const base = { model, connection, field, ref, ...(provider ? { provider } : {}) };
        if (ref.error) out.push({ ...base, problem: ref.error });
        else if (!provider) out.push({ ...base, problem: 'No secrets manager is in scope for this file; add a provider block.' });
        else {
          const i = interpretReference(ref.body, provider.type);
          out.push(i.ok ? { ...base, target: i.target } : { ...base, problem: i.error });
        }
      }
    }
  }
  return out;
}

/** The reference whose range contains `position`, if any. */
export function referenceAtPosition(model: WorkspaceModel, file: string, position: Position): LocatedReference | undefined {
  return referencesInFile(model, file).find((r) => containsPosition(r.ref.range, position));
}

export type HoverStatus = 'resolved' | 'unresolved' | 'malformed' | 'untrusted' | 'unchecked';

export interface HoverFacts {
  located: LocatedReference;
  status: HoverStatus;
  /** Why it does not resolve (user-facing, never a value). */
  error?: string;
  version?: string;
  updatedOn?: Date;
  state?: SecretState;
  /** Messages of the problems reported on the reference (linter, validate). */
  problems: string[];
}

const STATUS_LINE: Record<HoverStatus, string> = {
  resolved: '$(pass) resolved',
  unresolved: '$(error) does not resolve',
  malformed: '$(error) malformed',
  untrusted: '$(shield) not resolved — this workspace is not trusted, so nothing is fetched',
  unchecked: '$(circle-outline) not resolved yet',
};

/**
 * The hover's Markdown (theme icons allowed). Names are in code spans; messages are escaped so
 * nothing in a secret name or an error can turn into a link or markup.
 */
export function hoverMarkdown(f: HoverFacts): string {
  const { located } = f;
  const lines: string[] = [];
  const p = located.provider;
  const where = p ? path.relative(located.model.root, p.dir) || 'workspace' : undefined;
  lines.push(`**Secret reference** · ${STATUS_LINE[f.status]}`, '');
  const rows: [string, string][] = [];
  rows.push(['Provider', p ? `${p.type} (${where})` : 'none in scope']);
  const t = located.target;
  if (t) {
    if (t.engine !== undefined) {
      rows.push(['Engine', code(t.engine)]);
      rows.push(['Path', code(t.path ?? '')]);
    } else {
      rows.push(['Secret', code(t.secretId)]);
    }
    rows.push(['Key', t.key !== undefined ? code(t.key) : 'the whole value']);
  }
  if (f.version !== undefined) rows.push(['Version', code(f.version)]);
  rows.push(['Last changed', f.updatedOn ? f.updatedOn.toISOString().replace('T', ' ').slice(0, 16) + ' UTC' : f.status === 'resolved' ? `not reported by the ${p?.type ?? ''} provider` : 'unknown']);
  if (f.state && f.state !== 'active') rows.push(['State', f.state]);
  rows.push(['Connection', `${code(located.connection.name)} · ${code(located.field.path)}`]);
  for (const [k, v] of rows) lines.push(`${k}: ${v}  `);
  const why = f.error ?? located.problem;
  // The diagnostic on the reference usually says the same and more ("closest existing …"): then it alone.
  const said = why !== undefined && f.problems.some((m) => m.includes(why));
  if (why && !said && f.status !== 'resolved' && f.status !== 'untrusted') lines.push('', escapeMarkdown(why));
  if (f.problems.length) {
    lines.push('', '**Problems**');
    for (const m of f.problems) lines.push(`- ${escapeMarkdown(m)}`);
  }
  return lines.join('\n');
}

/** A code span that holds any text (backticks inside get a longer fence). */
export function code(s: string): string {
  const longest = Math.max(0, ...[...s.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = s.startsWith('`') || s.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${s}${pad}${fence}`;
}

/** Escapes Markdown (and theme-icon) syntax in plain text. */
export function escapeMarkdown(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>$~]/g, '\\$&');
}
