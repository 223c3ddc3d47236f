/**
 * The linter's two fixes that write to a secrets manager, each after a modal confirmation:
 * moving a hard-coded credential out of connections.yaml (and replacing it with a reference), and
 * storing the fixed form of an opened value. Part of the one command registry (commands.ts).
 * Arguments say where the value is, never what it is: it is read again when the command runs.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import { parseDocument } from 'yaml';
import { providerFor } from '../core/config';
import { ConnectionSecretsError } from '../core/errors';
import { applyTextEdits, lintSecretText, MOVE_COMMAND, STORE_FIXED_COMMAND, type MoveArgs, type StoreFixArgs } from '../core/lint';
import { planMove, storeCredential } from '../core/moveCredential';
import type { Ctx } from './ctx';
import type { Ui } from './commands';
import { toRange } from './problems';
import { VALUE_SCHEME } from './secretValues';

type Factory = (ctx: Ctx, ui: Ui) => (...args: unknown[]) => unknown;

/** A modal question; a refused dialog (extension test mode) counts as "no". */
async function confirm(message: string, detail: string, action: string): Promise<boolean> {
  try {
    return (await vscode.window.showWarningMessage(message, { modal: true, detail }, action)) === action;
  } catch {
    return false;
  }
}

function isMoveArgs(a: unknown): a is MoveArgs {
  const x = a as MoveArgs;
  return !!x && typeof x.file === 'string' && typeof x.connection === 'string' && typeof x.field === 'string';
}

function isStoreArgs(a: unknown): a is StoreFixArgs {
  const x = a as StoreFixArgs;
  return !!x && typeof x.uri === 'string' && typeof x.ruleId === 'string' && typeof x.title === 'string' && Number.isInteger(x.line) && Number.isInteger(x.character);
}

export const lintCommands: Record<string, Factory> = {
  [MOVE_COMMAND]: (ctx, ui) => async (arg) => {
    if (!isMoveArgs(arg)) throw new Error('run it from the quick fix of a hard-coded credential');
    const model = ctx.models.all.find((m) => m.files.some((f) => f.path === arg.file));
    const connection = model?.connections.find((c) => c.file === arg.file && c.name === arg.connection);
    const field = connection?.fields.find((f) => f.path === arg.field);
    const where = path.basename(arg.file);
    if (!model || !connection || !field) throw new Error(`${arg.connection}.${arg.field} is no longer in ${where}; let the file settle and try the quick fix again`);
    if (field.references.length) return { moved: false };
    const config = providerFor(model, connection);
    if (!config) {
      throw new ConnectionSecretsError('InvalidConfig', `No secrets manager is in scope for connection "${connection.name}"`, { fix: 'Add a secretsManager provider block, then run the quick fix again.' });
    }
    const plan = planMove(config, connection, field.path, model);
    const target = `${plan.key ? `key "${plan.key}" of ` : ''}secret "${plan.secretId}"`;
    const ok = await confirm(
      `Move the value of ${connection.name}.${field.path} into the ${config.type} secrets manager?`,
      `It is stored as ${target} (an existing secret keeps its other keys; nothing is overwritten), and ${field.path} becomes ${plan.reference}. ${where} is saved afterwards.`,
      'Move',
    );
    if (!ok) return { moved: false };

    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(arg.file));
    const range = toRange(field.range);
    // The model is reloaded shortly after each edit: the text at the range must still be this value.
    const source = doc.getText(range);
    if ((parseDocument(`v: ${source}`).toJS() as { v?: unknown } | null)?.v !== field.value) throw new Error(`${where} changed since it was checked; try the quick fix again`);
    ctx.redactor.add(field.value);
    const provider = await ctx.provider(config);
    const stored = await storeCredential(provider, plan, field.value);
    ctx.resolver.invalidateSecret(config, plan.secretId);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(doc.uri, range, JSON.stringify(plan.reference));
    if (!(await vscode.workspace.applyEdit(edit))) throw new Error(`${where} could not be edited; replace the value with ${plan.reference} by hand (it is stored already)`);
    await doc.save();
    const line = `Moved ${connection.name}.${field.path} into the ${config.type} secrets manager (${target}${stored.created ? ', created' : ''}); ${where} now references it.`;
    ctx.log.info(line);
    void vscode.window.showInformationMessage(line);
    await ui.updateDiagnostics();
    return { moved: true, reference: plan.reference };
  },

  [STORE_FIXED_COMMAND]: (ctx, ui) => async (arg) => {
    if (!isStoreArgs(arg)) throw new Error('run it from a quick fix of an opened value');
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === arg.uri && d.uri.scheme === VALUE_SCHEME);
    const source = doc && ui.documents.sourceOf(doc.uri);
    if (!doc || !source) throw new Error('the value is no longer open; open it again from the Connection Secrets view');
    // The core fix this command stands for, found again in the document's current text.
    const problems = lintSecretText(doc.getText(), arg.uri, ctx.lintSettings(), source.key === undefined ? source.config.type : undefined);
    const problem = problems.find((p) => p.ruleId === arg.ruleId && p.range.start.line === arg.line && p.range.start.character === arg.character);
    const fix = problem?.fixes?.find((f) => f.title === arg.title);
    if (!fix) throw new Error('the problem is gone; nothing to store');
    const fixed = applyTextEdits(doc.getText(), fix.edits);
    const target = `${source.key ? `key "${source.key}" of ` : ''}secret "${source.secretId}"`;
    const ok = await confirm(`Store the fixed value in the ${source.config.type} secrets manager?`, `${arg.title}: this writes a new version of ${target}.`, 'Store');
    if (!ok) return { stored: false };
    const provider = await ctx.provider(source.config);
    if (!provider.put) throw new ConnectionSecretsError('InvalidConfig', `The ${source.config.type} provider cannot be written by Connection Secrets`, { fix: 'Change the value where it is stored, then refresh.' });
    ctx.redactor.add(fixed);
    let whole = fixed;
    if (source.key !== undefined) {
      const current = JSON.parse((await provider.getValue(source.secretId)).value) as Record<string, unknown>;
      whole = JSON.stringify({ ...current, [source.key]: fixed });
    }
    await provider.put(source.secretId, whole);
    ctx.resolver.invalidateSecret(source.config, source.secretId);
    ui.documents.update(doc.uri, fixed);
    ctx.log.info(`stored the fixed value of ${target} (${arg.title})`);
    void vscode.window.showInformationMessage(`Stored the fixed value of ${target}.`);
    await ui.updateDiagnostics();
    return { stored: true };
  },
};
