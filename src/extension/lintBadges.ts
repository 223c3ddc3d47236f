/**
 * How a fetched secret whose value breaks a lint rule looks in the trees: a warning (or error)
 * icon, a badge through a FileDecoration on the item's `resourceUri`, and the problems in the
 * tooltip. Only findings are shown — rule and message — never the value.
 */
import * as vscode from 'vscode';
import type { ValueFinding } from '../core/lint';

export const LINT_BADGE_SCHEME = 'connection-secrets-lint';

export interface LintLook {
  icon: vscode.ThemeIcon;
  /** Markdown lines for the tooltip. */
  tooltip: string;
  /** Short text appended to the description. */
  summary: string;
  resourceUri: vscode.Uri;
}

/** The look of an item whose value has these findings (undefined: none). */
export function lintLook(id: string, findings: readonly ValueFinding[] | undefined): LintLook | undefined {
  if (!findings?.length) return undefined;
  const errors = findings.some((f) => f.severity === 'error');
  const listed = findings.slice(0, 5).map((f) => `- $(${f.severity === 'error' ? 'error' : f.severity === 'warning' ? 'warning' : 'info'}) \`${f.ruleId}\`${f.key ? ` (key \`${f.key}\`)` : ''}: ${escapeMarkdown(f.message)}`);
  if (findings.length > 5) listed.push(`- … and ${findings.length - 5} more`);
  const n = findings.length;
  return {
    icon: new vscode.ThemeIcon(errors ? 'error' : 'warning', new vscode.ThemeColor(errors ? 'problemsErrorIcon.foreground' : 'problemsWarningIcon.foreground')),
    tooltip: [`**The value breaks ${n} lint rule${n === 1 ? '' : 's'}**`, ...listed, '', 'Open the value (read-only) to see where, with the fixes.'].join('\n'),
    summary: `${n} problem${n === 1 ? '' : 's'}`,
    resourceUri: badgeUri(id, errors ? 'error' : 'warning', n),
  };
}

function badgeUri(id: string, level: 'error' | 'warning', count: number): vscode.Uri {
  return vscode.Uri.from({ scheme: LINT_BADGE_SCHEME, path: `/${encodeURIComponent(id)}`, query: `${level}&${count}` });
}

function escapeMarkdown(s: string): string {
  return s.replace(/[\\`*_[\]<>]/g, (c) => `\\${c}`);
}

/** Draws the badge of items that carry a lint `resourceUri`. */
export class LintBadgeDecorationProvider implements vscode.FileDecorationProvider {
  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    if (uri.scheme !== LINT_BADGE_SCHEME) return undefined;
    const [level, count] = uri.query.split('&');
    const n = Number(count) || 1;
    return new vscode.FileDecoration(n > 9 ? '9+' : String(n), `The value breaks ${n} lint rule${n === 1 ? '' : 's'}`, new vscode.ThemeColor(level === 'error' ? 'problemsErrorIcon.foreground' : 'problemsWarningIcon.foreground'));
  }
}
