/**
 * Troubleshooting checklists of the two local providers (`file`, `env`), so a workspace without a
 * cloud secrets manager — the demo — gets the same panel and `doctor` output as the others.
 * Evidence names files, secrets, keys and variables, never a value: the raw read of step 2 shows
 * the entry's structure with every value masked (`redactBody`) and a variable's length only.
 * Reproduction commands print names, types and lengths, never values either.
 */
import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ConnectionSecretsError } from '../core/errors';
import type { ProviderContext } from '../core/provider';
import { isGitIgnored, secretsFilePath } from '../core/localFiles';
import { closest } from '../core/schema';
import { redactBody } from '../core/troubleshoot/target';
import type { Check, CheckOutcome, ReferencedSecret, TroubleshootTarget } from '../core/troubleshoot/types';

/** Quotes a word for a POSIX shell when it needs it (paths with spaces, `$`, quotes …). */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A jq filter selecting one top-level key, safe for any key name. */
function jqKey(name: string): string {
  return `.[${JSON.stringify(name)}]`;
}

/**
 * Offset of the first JSON syntax error in `text`, or undefined when it is valid JSON. Written
 * out because `JSON.parse`'s messages quote the text around the error — here, secrets — and not
 * every message carries a position.
 */
export function jsonSyntaxErrorOffset(text: string): number | undefined {
  let i = 0;
  const stop = { at: 0 };
  const fail = (): never => {
    stop.at = i;
    throw stop;
  };
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const string = () => {
    i++; // the opening quote
    while (i < text.length) {
      const c = text[i];
      if (c === '"') {
        i++;
        return;
      }
      if (c === '\\') {
        const next = text[i + 1];
        if (next !== undefined && '"\\/bfnrt'.includes(next)) i += 2;
        else if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6;
        else fail();
      } else if (c < ' ') fail();
      else i++;
    }
    fail();
  };
  const number = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      ws();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        if (c === '{') {
          ws();
          if (text[i] !== '"') fail();
          string();
          ws();
          if (text[i] !== ':') fail();
          i++;
        }
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === close) {
          i++;
          return;
        }
        fail();
      }
    }
    if (c === '"') return string();
    number.lastIndex = i;
    const m = number.exec(text);
    if (m && m[0] !== '' && m[0] !== '-') {
      i += m[0].length;
      return;
    }
    for (const literal of ['true', 'false', 'null']) {
      if (text.startsWith(literal, i)) {
        i += literal.length;
        return;
      }
    }
    fail();
  };
  try {
    value();
    ws();
    if (i < text.length) fail();
    return undefined;
  } catch (e) {
    if (e === stop) return stop.at;
    if (e instanceof RangeError) return undefined; // nested too deep to scan; JSON.parse decides
    throw e;
  }
}

/** 1-based line and column of an offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - (before.lastIndexOf('\n') + 1) + 1 };
}

/** A JSON key/value object from a stored value: an object as is, a string holding one parsed. */
function asObject(v: unknown): Record<string, unknown> | undefined {
  if (typeof v === 'string' && v.trimStart().startsWith('{')) {
    try {
      v = JSON.parse(v) as unknown;
    } catch {
      return undefined;
    }
  }
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function didYouMean(name: string, candidates: Iterable<string>): string {
  const guess = closest(name, candidates);
  return guess ? ` — did you mean "${guess}"?` : '';
}

function usedBy(s: ReferencedSecret): string {
  return s.usedBy.join(', ');
}

/** The `file` provider's checklist (exported as `troubleshoot` from `file.ts`). */
export function fileChecks(target: TroubleshootTarget): Check[] {
  const config = target.provider;
  const file = secretsFilePath(config);
  const shown = path.relative(config.dir, file) || file;
  const q = shellQuote(file);
  const declared = typeof config.options.path === 'string' ? config.options.path : '';
  // Each check reads the file itself: "Run again" on one check must see the file as it is now.
  const load = async (): Promise<Record<string, unknown>> => {
    const text = await fs.readFile(file, 'utf8');
    if (jsonSyntaxErrorOffset(text) === undefined) {
      const parsed = JSON.parse(text) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    }
    // Never JSON.parse's own message: it quotes the text around the error.
    throw new ConnectionSecretsError('InvalidConfig', `${shown} is not a JSON object any more`, { fix: 'Run "Secrets file is a JSON object" again to see where.' });
  };
  const types = (names: string[]) =>
    shellQuote(`with_entries(select(${names.map((n) => `.key == ${JSON.stringify(n)}`).join(' or ')})) | map_values(if type == "object" then keys else type end)`);

  return [
    {
      id: 'file.exists',
      title: 'Secrets file exists and is readable',
      step: 1,
      reproduce: `ls -l ${q}`,
      async run() {
        try {
          const stat = await fs.stat(file);
          if (!stat.isFile()) {
            return {
              status: 'fail',
              evidence: [`stat ${file} → not a regular file`],
              fix: declared ? `"path" (${JSON.stringify(declared)}) in ${config.file} names a folder; point it at the JSON secrets file.` : `Set "path" in the provider block of ${config.file} to the JSON secrets file (e.g. path: secrets.json).`,
            };
          }
          await fs.access(file, fsConstants.R_OK);
          return { status: 'pass', evidence: [`stat ${shown} → a file of ${stat.size} bytes`, `read ${shown} → ok`] };
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code ?? 'error';
          if (code === 'ENOENT') {
            return {
              status: 'fail',
              evidence: [`stat ${file} → ENOENT (no such file)`],
              fix: `Create ${file} with a JSON object of secrets, or fix "path" (now ${JSON.stringify(declared)}) in ${config.file}.`,
            };
          }
          return {
            status: 'fail',
            evidence: [`read ${file} → ${code}`],
            fix: code === 'EACCES' ? `Make ${file} readable by the user running VS Code or the CLI (chmod u+r ${q}).` : `Check ${file} ("path" in ${config.file}); reading it failed with ${code}.`,
          };
        }
      },
    },
    {
      id: 'file.json',
      title: 'Secrets file is a JSON object',
      step: 1,
      needs: ['file.exists'],
      reproduce: `jq 'keys' ${q}`,
      async run() {
        const text = await fs.readFile(file, 'utf8');
        const offset = jsonSyntaxErrorOffset(text);
        if (offset !== undefined) {
          const { line, column } = lineColumn(text, offset);
          return {
            status: 'fail',
            evidence: [`parse ${shown} as JSON → syntax error at line ${line}, column ${column}`],
            fix: `Fix the JSON syntax of ${file} at line ${line}, column ${column}: the file must be one object of "name": value pairs.`,
          };
        }
        const parsed = JSON.parse(text) as unknown;
        if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
          const kind = Array.isArray(parsed) ? 'an array' : parsed === null ? 'null' : `a ${typeof parsed}`;
          return { status: 'fail', evidence: [`parse ${shown} as JSON → ${kind}`], fix: `Write ${file} as one JSON object: { "name": "value", "db": { "password": "…" } }.` };
        }
        return { status: 'pass', evidence: [`parse ${shown} as JSON → an object with ${Object.keys(parsed).length} secret(s)`] };
      },
    },
    {
      id: 'file.gitIgnored',
      title: 'Secrets file is git-ignored',
      step: 1,
      needs: ['file.exists'],
      reproduce: `git -C ${shellQuote(path.dirname(file))} check-ignore -v ${shellQuote(path.basename(file))}`,
      async run(): Promise<CheckOutcome> {
        const ignored = await isGitIgnored(file);
        if (ignored === true) return { status: 'pass', evidence: [`git check-ignore ${shown} → ignored`] };
        if (ignored === undefined) return { status: 'pass', evidence: [`git check-ignore ${shown} → not in a git repository (nothing commits it)`] };
        return {
          status: 'warn',
          evidence: [`git check-ignore ${shown} → not ignored`],
          fix: `Add "${path.basename(file)}" to ${path.join(path.dirname(file), '.gitignore')} so the secrets file is never committed.`,
        };
      },
    },
    {
      id: 'file.secrets',
      title: 'Each referenced secret and key is in the file',
      step: 1,
      needs: ['file.json'],
      // Which referenced secrets exist and their key names (or the type of a plain value).
      reproduce: target.secrets.length ? `jq ${types(target.secrets.map((s) => s.secretId))} ${q}` : `jq 'keys' ${q}`,
      async run(): Promise<CheckOutcome> {
        if (target.secrets.length === 0) return { status: 'skipped', reason: 'no connection of this provider references a secret' };
        const secrets = await load();
        const evidence: string[] = [];
        const fixes: string[] = [];
        for (const s of target.secrets) {
          if (!Object.prototype.hasOwnProperty.call(secrets, s.secretId)) {
            evidence.push(`secret "${s.secretId}" → not in ${shown}`);
            fixes.push(`Secret "${s.secretId}" (used by ${usedBy(s)}) is not in ${shown}${didYouMean(s.secretId, Object.keys(secrets))} Add it to ${shown}, or fix the reference.`);
            continue;
          }
          if (s.keys.length === 0) {
            evidence.push(`secret "${s.secretId}" → present`);
            continue;
          }
          const obj = asObject(secrets[s.secretId]);
          if (!obj) {
            evidence.push(`secret "${s.secretId}" → present, not a JSON object (keys ${s.keys.map((k) => `"${k}"`).join(', ')} asked for)`);
            fixes.push(`Secret "${s.secretId}" is not a JSON key/value object, so key "${s.keys[0]}" cannot be read: store it as { "${s.keys[0]}": "…" } in ${shown}, or reference it without a key.`);
            continue;
          }
          const missing = s.keys.filter((k) => !Object.prototype.hasOwnProperty.call(obj, k));
          evidence.push(`secret "${s.secretId}" keys ${s.keys.map((k) => `"${k}"`).join(', ')} → ${missing.length ? `missing ${missing.map((k) => `"${k}"`).join(', ')} (has ${Object.keys(obj).map((k) => `"${k}"`).join(', ') || 'no key'})` : 'present'}`);
          for (const k of missing) {
            fixes.push(`Secret "${s.secretId}" has no key "${k}"${didYouMean(k, Object.keys(obj))} Fix the reference in ${usedBy(s)}, or add the key to the secret in ${shown}.`);
          }
        }
        return fixes.length ? { status: 'fail', evidence, fix: fixes.join(' ') } : { status: 'pass', evidence };
      },
    },
    rawRead(target, shown, q, load),
  ];
}

/** A jq command printing the types of one entry's fields (or of the entry), never their values. */
function entryTypes(secretId: string, q: string): string {
  return `jq ${shellQuote(`${jqKey(secretId)} | if type == "object" then map_values(type) else type end`)} ${q}`;
}

function rawRead(target: TroubleshootTarget, shown: string, q: string, load: () => Promise<Record<string, unknown>>): Check {
  const first = target.secrets[0]?.secretId;
  return {
    id: 'file.rawRead',
    title: 'Raw read of one referenced secret',
    step: 2,
    needs: ['file.json'],
    // Types of the entry's fields, never their values.
    reproduce: first === undefined ? undefined : entryTypes(first, q),
    async run(): Promise<CheckOutcome> {
      const all = await load();
      const secret = target.secrets.find((s) => Object.prototype.hasOwnProperty.call(all, s.secretId));
      if (!secret) {
        return { status: 'skipped', reason: target.secrets.length ? `none of the referenced secrets is in ${shown} (see the check above)` : 'no connection of this provider references a secret' };
      }
      const body = redactBody({ [secret.secretId]: all[secret.secretId] }, [secret.secretId]);
      return {
        status: 'pass',
        evidence: [`read ${JSON.stringify(secret.secretId)} from ${shown} → ${JSON.stringify(body)}`],
        reproduce: entryTypes(secret.secretId, q),
      };
    },
  };
}

/** The `env` provider's checklist (exported as `troubleshoot` from `env.ts`). */
export function envChecks(target: TroubleshootTarget, context: ProviderContext): Check[] {
  const prefix = typeof target.provider.options.prefix === 'string' ? target.provider.options.prefix : '';
  const env = context.env ?? process.env;
  const names = target.secrets.map((s) => prefix + s.secretId);
  // `printenv NAME` exits 1 when NAME is unset; its output (the value) goes nowhere.
  const setOrNot = (vars: string[]) => `for v in ${vars.map(shellQuote).join(' ')}; do printf '%s: ' "$v"; printenv "$v" >/dev/null && echo set || echo 'not set'; done`;
  const withPrefix = `the provider's prefix is ${prefix ? `"${prefix}"` : 'empty'}`;

  return [
    {
      id: 'env.variables',
      title: 'Each referenced environment variable is set',
      step: 1,
      reproduce: names.length ? setOrNot(names) : undefined,
      async run(): Promise<CheckOutcome> {
        if (target.secrets.length === 0) return { status: 'skipped', reason: 'no connection of this provider references a variable' };
        const present = Object.keys(env).filter((k) => env[k] !== undefined);
        const evidence: string[] = [];
        const fixes: string[] = [];
        for (const s of target.secrets) {
          const name = prefix + s.secretId;
          const value = env[name];
          if (value === undefined) {
            evidence.push(`${name} → not set`);
            fixes.push(`Set ${name} (${withPrefix}; used by ${usedBy(s)}) in the environment that starts VS Code or the CLI, then reload${didYouMean(name, present)}`);
            continue;
          }
          if (s.keys.length === 0) {
            evidence.push(`${name} → set`);
            continue;
          }
          const obj = asObject(value);
          const missing = obj ? s.keys.filter((k) => !Object.prototype.hasOwnProperty.call(obj, k)) : s.keys;
          if (!obj) {
            evidence.push(`${name} → set, not a JSON object (keys ${s.keys.map((k) => `"${k}"`).join(', ')} asked for)`);
            fixes.push(`${name} is not a JSON key/value object, so key "${s.keys[0]}" cannot be read: set it to {"${s.keys[0]}": "…"}, or reference it without a key.`);
          } else if (missing.length) {
            evidence.push(`${name} keys ${s.keys.map((k) => `"${k}"`).join(', ')} → missing ${missing.map((k) => `"${k}"`).join(', ')} (has ${Object.keys(obj).map((k) => `"${k}"`).join(', ') || 'no key'})`);
            for (const k of missing) fixes.push(`${name} has no key "${k}"${didYouMean(k, Object.keys(obj))} Fix the reference in ${usedBy(s)}, or add the key.`);
          } else {
            evidence.push(`${name} keys ${s.keys.map((k) => `"${k}"`).join(', ')} → present`);
          }
        }
        return fixes.length ? { status: 'fail', evidence, fix: fixes.join(' ') } : { status: 'pass', evidence };
      },
    },
    {
      id: 'env.rawRead',
      title: 'Raw read of one referenced variable',
      step: 2,
      needs: ['env.variables'],
      reproduce: names.length ? `printf '%s' "$${names[0]}" | wc -c` : undefined,
      async run(): Promise<CheckOutcome> {
        const name = names.find((n) => env[n] !== undefined);
        if (!name) return { status: 'skipped', reason: 'no referenced variable is set' };
        // The length only: enough to spot an empty or truncated value, nothing to guess from.
        if (!env[name]) return { status: 'warn', evidence: [`process.env.${name} → set, 0 characters`], fix: `${name} is set but empty: set it to the secret's value.`, reproduce: `printf '%s' "$${name}" | wc -c` };
        return { status: 'pass', evidence: [`process.env.${name} → set, ${env[name]?.length ?? 0} characters`], reproduce: `printf '%s' "$${name}" | wc -c` };
      },
    },
  ];
}
