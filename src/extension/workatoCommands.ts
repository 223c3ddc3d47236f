/**
 * "Clear Workato Secrets Cache" and its API token: the token lives in VS Code's SecretStorage,
 * asked for once, kept per base URL (a token is only ever sent to the Workato instance it was
 * entered for), and can be replaced or forgotten. The HTTP call and its error handling are the
 * core's (src/core/workato.ts); this file asks, stores and displays.
 */
import * as vscode from 'vscode';
import { ConnectionSecretsError, describeError } from '../core/errors';
import { clearSecretsCache, dataCenterOf, workatoBaseUrl } from '../core/workato';
import type { Factory } from './commands';
import type { Ctx } from './ctx';
import { refuseUntrusted } from './testCommands';

/** SecretStorage key of the token for one Workato base URL. */
export function workatoTokenKey(baseUrl: string): string {
  return `workato.apiToken:${baseUrl}`;
}

const SETTINGS_QUERY = 'connectionSecrets.workato';

/** The base URL the settings choose; throws with the fix when the custom URL is missing or bad. */
export function configuredBaseUrl(ctx: Ctx): string {
  const { workatoDataCenter: dc, workatoBaseUrl: custom } = ctx.config.settings;
  if (dc === 'custom') {
    if (!custom.trim()) {
      throw new ConnectionSecretsError('InvalidConfig', 'The Workato data centre is "custom" but no base URL is set', {
        fix: 'Set "Connection Secrets › Workato: Base URL" (connectionSecrets.workato.baseUrl) to the https:// address of your Workato instance, or choose a data centre.',
      });
    }
    return workatoBaseUrl(custom);
  }
  return workatoBaseUrl(dc);
}

function where(baseUrl: string): string {
  const dc = dataCenterOf(baseUrl);
  return dc ? `${dc.toUpperCase()} data centre, ${baseUrl}` : baseUrl;
}

async function askToken(baseUrl: string): Promise<string | undefined> {
  const value = await vscode.window.showInputBox({
    title: `Workato API token for ${baseUrl}`,
    prompt: 'The token of a Workato API client (Workspace admin → API clients) whose role may use the secrets management endpoints. Kept in VS Code\'s secret storage.',
    password: true,
    ignoreFocusOut: true,
    validateInput: (v) => (!v.trim() ? 'Paste the API token' : /\s/.test(v.trim()) ? 'The token has no spaces or line breaks; paste it exactly as Workato shows it' : undefined),
  });
  return value?.trim() || undefined;
}

async function storeToken(ctx: Ctx, baseUrl: string, token: string): Promise<void> {
  ctx.redactor.add(token);
  await ctx.extension.secrets.store(workatoTokenKey(baseUrl), token);
}

export interface ClearCacheOutcome {
  ok: boolean;
  baseUrl?: string;
  status?: number;
  attempts?: number;
  /** Error code (Unauthenticated, Throttled, Unreachable …) when not ok. */
  code?: string;
  message?: string;
}

/** Shows a failed call once, with the action that fixes it. */
function showFailure(ctx: Ctx, e: unknown): ClearCacheOutcome {
  const code = e instanceof ConnectionSecretsError ? e.code : 'Unknown';
  const message = ctx.redactor.redact(describeError(e));
  ctx.log.error(`clearing the Workato secrets cache failed: ${message}`);
  const actions = code === 'Unauthenticated' || code === 'AccessDenied' ? ['Replace API Token', 'Show Log'] : code === 'Throttled' ? ['Show Log'] : ['Open Settings', 'Show Log'];
  void vscode.window.showErrorMessage(`Clearing the Workato secrets cache failed: ${message}`, ...actions).then((a) => {
    if (a === 'Replace API Token') void vscode.commands.executeCommand('connectionSecrets.workato.setToken');
    else if (a === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', SETTINGS_QUERY);
    else if (a === 'Show Log') ctx.log.show();
  });
  return { ok: false, code, message };
}

export const workatoCommands: Record<string, Factory> = {
  'connectionSecrets.workato.clearCache': (ctx) => async () => {
    if (refuseUntrusted(ctx, 'Clear Workato Secrets Cache', 'clear the Workato secrets cache from it')) return { ok: false, code: 'Untrusted' };
    let baseUrl: string;
    try {
      baseUrl = configuredBaseUrl(ctx);
    } catch (e) {
      return showFailure(ctx, e);
    }
    const key = workatoTokenKey(baseUrl);
    let token = await ctx.extension.secrets.get(key);
    if (!token) {
      token = await askToken(baseUrl);
      if (!token) {
        void vscode.window.showInformationMessage('The Workato secrets cache was not cleared: no API token was given.');
        return { ok: false, code: 'NoToken', baseUrl } satisfies ClearCacheOutcome;
      }
      await storeToken(ctx, baseUrl, token);
    }
    ctx.redactor.add(token);
    const apiToken = token;
    try {
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Clearing the Workato secrets cache (${where(baseUrl)})…`, cancellable: true },
        (_p, cancel) => {
          const controller = new AbortController();
          const sub = cancel.onCancellationRequested(() => controller.abort());
          return clearSecretsCache({ token: apiToken, baseUrl, signal: controller.signal }).finally(() => sub.dispose());
        },
      );
      const retried = result.attempts > 1 ? ` after ${result.attempts - 1} ${result.attempts === 2 ? 'retry' : 'retries'}` : '';
      const line = `Cleared the Workato secrets cache (${where(baseUrl)}) in ${result.durationMs} ms${retried}: Workato fetches secrets afresh from now on.`;
      ctx.log.info(line);
      void vscode.window.showInformationMessage(line);
      return { ok: true, baseUrl, status: result.status, attempts: result.attempts } satisfies ClearCacheOutcome;
    } catch (e) {
      if (e instanceof ConnectionSecretsError && e.code === 'Cancelled') {
        void vscode.window.showInformationMessage('Clearing the Workato secrets cache was cancelled.');
        return { ok: false, code: 'Cancelled', baseUrl } satisfies ClearCacheOutcome;
      }
      return { ...showFailure(ctx, e), baseUrl };
    }
  },

  /**
   * Asks for a token and stores it for the configured base URL, replacing any. Other extensions
   * and tests may pass the token as the argument instead (never bind it in keybindings.json: that
   * file is plain text on disk).
   */
  'connectionSecrets.workato.setToken': (ctx) => async (arg) => {
    const baseUrl = configuredBaseUrl(ctx);
    const token = typeof arg === 'string' && arg.trim() ? arg.trim() : await askToken(baseUrl);
    if (!token) return { ok: false };
    if (/\s/.test(token)) throw new ConnectionSecretsError('InvalidConfig', 'The Workato API token contains spaces or line breaks', { fix: 'Store the token again, exactly as Workato shows it.' });
    await storeToken(ctx, baseUrl, token);
    ctx.log.info(`stored a Workato API token for ${baseUrl}`);
    if (typeof arg !== 'string') void vscode.window.showInformationMessage(`Stored the Workato API token for ${where(baseUrl)} in VS Code's secret storage.`);
    return { ok: true, baseUrl };
  },

  'connectionSecrets.workato.forgetToken': (ctx) => async () => {
    const baseUrl = configuredBaseUrl(ctx);
    const key = workatoTokenKey(baseUrl);
    const had = !!(await ctx.extension.secrets.get(key));
    await ctx.extension.secrets.delete(key);
    const line = had ? `Forgot the Workato API token for ${where(baseUrl)}.` : `No Workato API token was stored for ${where(baseUrl)}.`;
    ctx.log.info(line);
    void vscode.window.showInformationMessage(line);
    return { ok: true, baseUrl, forgot: had };
  },
};
