/**
 * Tester registry: one module per connection type, loaded on first use (pg, mysql2 and ssh2 are
 * heavy; esbuild builds each module as its own bundle, see `lazyModules` in esbuild.mjs).
 */
import type { ConnectionTester, ResolvedConnectionValues, TestOptions, TestResult } from '../core/tester';

type TesterModule = { test: ConnectionTester };

const loaders: Record<string, () => Promise<TesterModule>> = {
  http: () => import('./http'),
  https: () => import('./http'),
  postgres: () => import('./postgres'),
  postgresql: () => import('./postgres'),
  mysql: () => import('./mysql'),
  mariadb: () => import('./mysql'),
  ssh: () => import('./ssh'),
  sftp: () => import('./ssh'),
};

/** Connection types that can be tested (aliases included). */
export const TESTABLE_TYPES: readonly string[] = Object.keys(loaders);

export function isTestable(type: string): boolean {
  return Object.prototype.hasOwnProperty.call(loaders, type);
}

/**
 * Authenticates to the application behind a resolved connection and reports the outcome. Never
 * throws for a failed test (that is a result); rejects only with a `Cancelled` error when
 * `options.signal` aborts.
 */
export async function testConnection(values: ResolvedConnectionValues, options: TestOptions = {}): Promise<TestResult> {
  const load = isTestable(values.type) ? loaders[values.type] : undefined;
  if (!load) {
    return {
      ok: false,
      failureClass: 'config',
      message: `Connections of type "${String(values.type)}" cannot be tested — testable types are http, postgres, mysql and ssh.`,
      durationMs: 0,
    };
  }
  const mod = await load();
  return mod.test(values, options);
}
