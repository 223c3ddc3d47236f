/**
 * The messages between the Troubleshoot panel (extension host) and its webview script
 * (`src/webview/troubleshoot/main.ts`, bundled to `media/troubleshoot/main.js`). Both sides import
 * these types; nothing here imports `vscode` or runs in only one side. The host sends only
 * `CheckResult`s, which the runner redacted: no secret value ever reaches the webview.
 */
import type { CheckResult, CheckStep } from '../core/troubleshoot/types';

/** A check as listed before it runs. */
export interface CheckHead {
  id: string;
  title: string;
  step: CheckStep;
}

export type HostMessage =
  /** What is being troubleshot, and the checks in order (all pending). */
  | { type: 'target'; title: string; subtitle: string; checks: CheckHead[] }
  /** A check started (`running`) or settled (`done`, with its result). */
  | { type: 'progress'; id: string; state: 'running' }
  | { type: 'progress'; id: string; state: 'done'; result: CheckResult }
  /** Every check has settled; `firstFailure` is the id of the one to fix first. */
  | { type: 'done'; firstFailure?: string }
  /** The checklist could not be built (no such connection, provider without checks …). */
  | { type: 'error'; message: string; fix?: string };

export type WebviewMessage =
  /** The script is listening: the host (re)sends the whole state. */
  | { type: 'ready' }
  | { type: 'rerun'; id: string }
  /** Copy the check's reproduction command (which holds no secret) to the clipboard. */
  | { type: 'copy'; id: string }
  | { type: 'runAll' };

/** Checks a message from the webview: its content is not trusted to have any shape. */
export function isWebviewMessage(m: unknown): m is WebviewMessage {
  if (!m || typeof m !== 'object') return false;
  const { type, id } = m as { type?: unknown; id?: unknown };
  if (type === 'ready' || type === 'runAll') return true;
  return (type === 'rerun' || type === 'copy') && typeof id === 'string' && id.length < 200;
}
