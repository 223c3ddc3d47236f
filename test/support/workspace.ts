/** Temporary workspaces written from a map of relative paths to file contents. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function tempWorkspace(files: Record<string, string>): { root: string; cleanup: () => void } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-ws-'));
  for (const [rel, text] of Object.entries(files)) {
    const p = path.join(root, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
  }
  return { root, cleanup: () => fs.rmSync(root, { recursive: true, force: true }) };
}
