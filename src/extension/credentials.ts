/**
 * Credentials of the secrets managers themselves (Vault secret_id, Azure client secret …):
 * kept in VS Code's SecretStorage, asked for once with a password box, or taken from the
 * environment variable the provider names.
 */
import * as vscode from 'vscode';
import type { CredentialSource } from '../core/provider';

export class SecretStorageCredentials implements CredentialSource {
  private readonly prompts = new Map<string, Promise<string | undefined>>();

  constructor(private readonly storage: vscode.SecretStorage) {}

  async get(key: string, prompt: { title: string; envVar?: string; password?: boolean }): Promise<string | undefined> {
    const stored = await this.storage.get(key);
    if (stored) return stored;
    if (prompt.envVar && process.env[prompt.envVar]) return process.env[prompt.envVar];
    // Several tree nodes may need the same credential at once: ask once.
    let pending = this.prompts.get(key);
    if (!pending) {
      pending = Promise.resolve(
        vscode.window.showInputBox({
          title: prompt.title,
          prompt: `Stored in VS Code's secret storage, never in connections.yaml${prompt.envVar ? ` (or set ${prompt.envVar})` : ''}.`,
          password: prompt.password ?? true,
          ignoreFocusOut: true,
        }),
      ).then(async (value) => {
        if (value) await this.storage.store(key, value);
        return value || undefined;
      });
      pending.finally(() => this.prompts.delete(key)).catch(() => undefined);
      this.prompts.set(key, pending);
    }
    return pending;
  }

  async forget(key: string): Promise<void> {
    await this.storage.delete(key);
  }
}
