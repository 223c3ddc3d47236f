/**
 * Editor assistance in `connections.yaml`: completion, hover and document links for secret
 * references. The core decides (core/assist: what to offer, what a hover says, which references
 * link where); this converts to VS Code objects. Secret names come from the listing cache and key
 * names from the resolver's cache, so repeated requests cost no provider call; in an untrusted
 * workspace nothing is fetched and only the schema's fields and types are offered. A provider that
 * fails during completion is logged (redacted), never shown as a dialog.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import { completeAt, type CompletionEntry, type CompletionKind, type CompletionRequest } from '../core/assist/completion';
import { hoverMarkdown, referenceAtPosition, referencesInFile, type HoverFacts, type LocatedReference } from '../core/assist/hover';
import { buildModel, parseConnectionsFile, providerForFile } from '../core/config';
import { describeError } from '../core/errors';
import type { WorkspaceModel } from '../core/model';
import { containsPosition } from '../core/positions';
import type { FieldRef, SecretRef } from './commands';
import type { Ctx } from './ctx';
import type { ProblemDiagnostics } from './problems';
import { toRange } from './problems';

export const CONNECTIONS_SELECTOR: vscode.DocumentSelector = { scheme: 'file', pattern: '**/connections.yaml' };

/** The only commands a hover's links may run (MarkdownString.isTrusted). */
export const HOVER_COMMANDS = ['connectionSecrets.secret.reveal', 'connectionSecrets.secret.copy', 'connectionSecrets.providers.reveal'] as const;

function kindOf(kind: CompletionKind): vscode.CompletionItemKind {
  const K = vscode.CompletionItemKind;
  const kinds: Record<CompletionKind, vscode.CompletionItemKind> = { secret: K.Value, folder: K.Folder, engine: K.Module, key: K.Property, close: K.Keyword, prefix: K.Snippet, field: K.Field, value: K.EnumMember };
  return kinds[kind];
}

/**
 * The workspace model with `document`'s current text in place of what was last loaded: the models
 * reload a moment after an edit, but completion and hover answer at once.
 */
export function modelWith(ctx: Ctx, document: vscode.TextDocument): WorkspaceModel | undefined {
  const file = document.uri.fsPath;
  const model = ctx.models.all.find((m) => m.files.some((f) => f.path === file)) ?? ctx.models.all.find((m) => file.startsWith(m.root + path.sep));
  if (!model) return undefined;
  const current = model.files.find((f) => f.path === file);
  if (current && current.text === document.getText()) return model;
  const parsed = parseConnectionsFile(document.getText(), file, model.root);
  // Mid-edit the YAML often does not parse (an unclosed quote): keep the provider and scope the
  // file had, so the reference being typed is still completed against its provider.
  if (parsed.problems.some((p) => p.ruleId === 'yaml/syntax') && current) {
    if (current.provider) parsed.provider = current.provider;
    if (current.scope) parsed.scope = current.scope;
  }
  return buildModel(model.root, [...model.files.filter((f) => f.path !== file), parsed].sort((a, b) => a.path.localeCompare(b.path)));
}

export class ReferenceCompletionItemProvider implements vscode.CompletionItemProvider {
  static readonly triggerCharacters = ['{', ':', '/'];

  constructor(private readonly ctx: Ctx) {}

  async provideCompletionItems(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.CompletionList | undefined> {
    const model = modelWith(this.ctx, document);
    const file = document.uri.fsPath;
    const request: CompletionRequest = {
      ...(model ? { provider: providerForFile(model, file) } : {}),
      isRootFile: model ? path.dirname(file) === model.root : false,
      // Restricted mode: nothing is fetched, only the schema is offered.
      ...(this.ctx.trusted ? { sources: { list: (c, parent) => this.ctx.listings.list(c, parent), keysOf: (c, id) => this.ctx.resolver.keysOf(c, id) } } : {}),
    };
    let answer;
    try {
      answer = await completeAt(document.getText(), document.offsetAt(position), request);
    } catch (e) {
      this.ctx.log.warn(`completion in ${vscode.workspace.asRelativePath(document.uri)} failed: ${describeError(e)}`);
      return undefined;
    }
    for (const error of answer.errors) this.ctx.log.warn(`completion: ${error}`);
    if (!answer.items.length && !answer.inReference) return undefined;
    return new vscode.CompletionList(
      answer.items.map((e) => toCompletionItem(document, position, e)),
      // Names narrow as more is typed; the list is complete for what was asked.
      false,
    );
  }
}

function toCompletionItem(document: vscode.TextDocument, position: vscode.Position, e: CompletionEntry): vscode.CompletionItem {
  const item = new vscode.CompletionItem(e.label, kindOf(e.kind));
  item.insertText = e.snippet ? new vscode.SnippetString(e.insertText) : e.insertText;
  const start = document.positionAt(e.replaceStart);
  const end = document.positionAt(Math.max(e.replaceEnd, document.offsetAt(position)));
  // One range for both modes: a name or key in a reference is replaced whole, never spliced into.
  item.range = new vscode.Range(start, end);
  if (e.detail) item.detail = e.detail;
  if (e.documentation) item.documentation = e.documentation;
  if (e.filterText) item.filterText = e.filterText;
  if (e.sortText) item.sortText = e.sortText;
  if (e.retrigger) item.command = { command: 'editor.action.triggerSuggest', title: 'Next part of the reference' };
  return item;
}

export class ReferenceHoverProvider implements vscode.HoverProvider {
  constructor(
    private readonly ctx: Ctx,
    private readonly problems: ProblemDiagnostics,
  ) {}

  async provideHover(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
    const model = modelWith(this.ctx, document);
    if (!model) return undefined;
    const located = referenceAtPosition(model, document.uri.fsPath, { line: position.line, character: position.character });
    if (!located) return undefined;
    const facts = await this.facts(document, located);
    const md = new vscode.MarkdownString(hoverMarkdown(facts), true);
    md.isTrusted = { enabledCommands: [...HOVER_COMMANDS] };
    const links = hoverLinks(facts);
    if (links) md.appendMarkdown(`\n\n${links}`);
    return new vscode.Hover(md, toRange(located.ref.range));
  }

  private async facts(document: vscode.TextDocument, located: LocatedReference): Promise<HoverFacts> {
    const problems = this.problems
      .problems(document.uri)
      .filter((p) => containsPosition(located.ref.range, p.range.start) || containsPosition(p.range, located.ref.range.start))
      .map((p) => p.message);
    if (located.problem || !located.target || !located.provider) return { located, status: 'malformed', problems };
    if (!this.ctx.trusted) return { located, status: 'untrusted', problems };
    const provider = located.provider;
    let status: HoverFacts['status'] = 'unchecked';
    let error: string | undefined;
    let version: string | undefined;
    try {
      // Through the cache: the diagnostics usually fetched it already, so this costs no provider call.
      const r = await this.ctx.resolver.resolveConnection(located.connection, provider);
      const mine = r.references.find((x) => x.field === located.field.path && x.raw === located.ref.raw);
      if (mine) {
        status = mine.status;
        error = mine.error;
        version = mine.version;
      }
    } catch (e) {
      status = 'unresolved';
      error = describeError(e);
    }
    const cached = this.ctx.resolver.cachedMetadata(provider, located.target.secretId);
    const listed = this.ctx.listings.peek(provider)?.items.find((s) => s.id === located.target!.secretId || s.name === located.target!.secretId);
    const updatedOn = cached?.updatedOn ?? listed?.updatedOn;
    const state = cached?.state ?? listed?.state;
    return {
      located,
      status,
      problems,
      ...(error ? { error: this.ctx.redactor.redact(error) } : {}),
      ...((version ?? cached?.version) !== undefined ? { version: version ?? cached?.version } : {}),
      ...(updatedOn ? { updatedOn } : {}),
      ...(state ? { state } : {}),
    };
  }
}

/** Command links of a hover: reveal / copy (the usual confirmed commands) and the tree item. */
export function hoverLinks(facts: HoverFacts): string | undefined {
  const { located } = facts;
  const links: string[] = [];
  if (facts.status === 'resolved') {
    const field: FieldRef = { file: located.connection.file, name: located.connection.name, field: located.field.path };
    links.push(`[$(eye) Reveal value](${commandUri('connectionSecrets.secret.reveal', field)} "Show the value for a few seconds")`);
    links.push(`[$(copy) Copy value](${commandUri('connectionSecrets.secret.copy', field)} "Copy it; the clipboard is cleared after a timeout")`);
  }
  if (facts.status === 'resolved' && located.provider && located.target) {
    const secret: SecretRef = { provider: located.provider.file, secretId: located.target.secretId };
    links.push(`[$(list-tree) Show in Providers](${commandUri('connectionSecrets.providers.reveal', secret)} "Reveal the secret in the Providers view")`);
  }
  return links.length ? links.join(' · ') : undefined;
}

export function commandUri(command: string, arg: unknown): string {
  return `command:${command}?${encodeURIComponent(JSON.stringify([arg]))}`;
}

/** Each reference links to its secret in the Providers view. */
export class ReferenceLinkProvider implements vscode.DocumentLinkProvider {
  constructor(private readonly ctx: Ctx) {}

  provideDocumentLinks(document: vscode.TextDocument): vscode.DocumentLink[] {
    // Restricted mode lists no secrets: there is nothing to link to.
    if (!this.ctx.trusted) return [];
    const model = modelWith(this.ctx, document);
    if (!model) return [];
    const links: vscode.DocumentLink[] = [];
    for (const r of referencesInFile(model, document.uri.fsPath)) {
      if (!r.target || !r.provider) continue;
      const secret: SecretRef = { provider: r.provider.file, secretId: r.target.secretId };
      const link = new vscode.DocumentLink(toRange(r.ref.range), vscode.Uri.parse(commandUri('connectionSecrets.providers.reveal', secret)));
      link.tooltip = `Show ${r.target.secretId} in the Providers view`;
      links.push(link);
    }
    return links;
  }
}

export function registerAssist(ctx: Ctx, problems: ProblemDiagnostics): void {
  ctx.extension.subscriptions.push(
    vscode.languages.registerCompletionItemProvider(CONNECTIONS_SELECTOR, new ReferenceCompletionItemProvider(ctx), ...ReferenceCompletionItemProvider.triggerCharacters),
    vscode.languages.registerHoverProvider(CONNECTIONS_SELECTOR, new ReferenceHoverProvider(ctx, problems)),
    vscode.languages.registerDocumentLinkProvider(CONNECTIONS_SELECTOR, new ReferenceLinkProvider(ctx)),
  );
}
