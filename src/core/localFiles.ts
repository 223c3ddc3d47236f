/** Facts about local files that the `file` provider and the checks share. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import type { ProviderConfig } from './model';

/** Absolute path of a `file` provider's secrets file. */
export function secretsFilePath(config: ProviderConfig): string {
  const p = typeof config.options.path === 'string' ? config.options.path : '';
  return path.resolve(config.dir, p);
}

/**
 * True when git ignores the secrets file, false when it would be committed, undefined when the
 * folder is not in a git repository (or git is not installed).
 */
export function isGitIgnored(file: string): Promise<boolean | undefined> {
  return new Promise((resolve) => {
    execFile('git', ['check-ignore', '-q', '--', file], { cwd: path.dirname(file), timeout: 5_000 }, (err) => {
      if (!err) return resolve(true);
      const code = (err as unknown as { code?: number | string }).code;
      resolve(code === 1 ? false : undefined);
    });
  });
}
