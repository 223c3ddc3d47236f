/** Pieces every CLI command shares: argument parsing, loading, the resolver, output. */
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadWorkspace } from '../core/config';
import type { Problem, WorkspaceModel } from '../core/model';
import type { CredentialSource } from '../core/provider';
import { ProviderPool } from '../core/providerPool';
import { Redactor } from '../core/redact';
import { Resolver } from '../core/resolver';
import { SecretCache } from '../core/cache';
import { createProvider } from '../providers';
import { UsageError, type CliIo } from './io';

export type Format = 'text' | 'json';

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options: { format: { type: 'string', default: 'text' }, help: { type: 'boolean', short: 'h' }, ...options }, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

export function formatOf(value: unknown, allowed: readonly string[] = ['text', 'json']): string {
  const f = String(value ?? 'text');
  if (!allowed.includes(f)) throw new UsageError(`--format must be one of ${allowed.join(', ')} (got "${f}")`);
  return f;
}

export async function loadDir(dir: string | undefined, io: CliIo): Promise<WorkspaceModel> {
  const root = path.resolve(io.cwd, dir ?? '.');
  const model = await loadWorkspace(root);
  if (model.files.length === 0) {
    throw new UsageError(`no connections.yaml found under ${root}; run the command in a workspace folder or pass it as [dir]`);
  }
  return model;
}

/**
 * In a terminal the secrets manager's own credentials come from the environment
 * (VAULT_SECRET_ID, VAULT_TOKEN, AZURE_CLIENT_SECRET …), never from prompts, so CI never hangs.
 */
export function envCredentials(env: NodeJS.ProcessEnv): CredentialSource {
  return {
    async get(_key, prompt) {
      return prompt.envVar ? env[prompt.envVar] : undefined;
    },
    async forget() {},
  };
}

export function createCliResolver(io: CliIo, redactor = new Redactor()) {
  const pool = new ProviderPool(createProvider, {
    credentials: envCredentials(io.env),
    env: io.env,
    timeoutMs: Number(io.env.CONNECTION_SECRETS_TIMEOUT_MS) || 10_000,
    log: io.env.CONNECTION_SECRETS_DEBUG ? (m) => io.stderr(redactor.redact(m)) : undefined,
  });
  const resolver = new Resolver({ getProvider: (c) => pool.get(c), cache: new SecretCache(), redactor });
  return { resolver, pool, redactor };
}

/** `file:line:col: severity ruleId message`, paths relative to the working directory. */
export function formatProblem(p: Problem, cwd: string): string {
  const file = path.relative(cwd, p.file) || p.file;
  return `${file}:${p.range.start.line + 1}:${p.range.start.character + 1}: ${p.severity} ${p.ruleId}: ${p.message}`;
}

export function problemJson(p: Problem, cwd: string) {
  return {
    file: path.relative(cwd, p.file) || p.file,
    ruleId: p.ruleId,
    severity: p.severity,
    message: p.message,
    line: p.range.start.line + 1,
    column: p.range.start.character + 1,
  };
}
