/**
 * Rules over one stored secret value: plain text (a PEM, a token) or a JSON key/value object
 * whose string leaves are checked one by one (a PEM under `privateKey`, its certificate under
 * `certificate`). Offsets are in the value as stored, so an opened value or a `--as secret` file
 * gets exact positions, and a fix replaces exactly the one JSON string it changes.
 */
import type { ProviderType } from '../model';
import { jsonErrorOffset, jsonStringLeaves, literalOffsets, type JsonStringLeaf } from './jsonText';
import type { ResolvedLintSettings } from './options';
import { keyCertificateMismatches, lintPem, looksLikePem, MISMATCH_MESSAGE, type PemBlockInfo } from './pem';
import { applyValueEdits, type ValueProblem } from './types';

export interface SecretValueProblem extends ValueProblem {
  /** JSON leaf path the problem is in (`privateKey`, `tls.cert`); undefined: the whole value. */
  key?: string;
}

export interface SecretLintResult {
  problems: SecretValueProblem[];
  /** JSON leaf paths ('' for the whole value) that hold an encrypted private key. */
  encryptedKeys: string[];
  /** True when the value is a JSON object (key/value secret). */
  keyValue: boolean;
}

/** Rules that depend on which secrets manager stores the value. */
const KEY_VALUE_REQUIRED: Partial<Record<ProviderType, string>> = {
  aws: 'Workato reads AWS secrets as JSON key/value pairs only: store it as {"<key>": "<value>"} and reference the key.',
};

export function lintSecretValue(value: string, s: ResolvedLintSettings, providerType?: ProviderType): SecretLintResult {
  const problems: SecretValueProblem[] = [];
  const encryptedKeys: string[] = [];
  const pemOptions = (passphrase?: string) => ({ where: 'secret' as const, expectedForm: s.pemForm, now: s.now, expiryWarningDays: s.expiryWarningDays, parseCache: s.parseCache, passphrase });
  let first = 0;
  while (first < value.length && ' \t\r\n'.includes(value[first])) first++;
  const opener = value[first];
  let parsed: unknown;
  let isJson = false;
  if (opener === '{' || opener === '[' || opener === '"') {
    try {
      parsed = JSON.parse(value);
      isJson = true;
    } catch {
      if (opener !== '"') {
        const at = Math.max(0, jsonErrorOffset(value));
        problems.push({
          ruleId: 'secret/invalid-json',
          severity: providerType === 'aws' ? 'error' : 'warning',
          start: at,
          end: Math.min(value.length, at + 1),
          message: `The secret starts like JSON but does not parse at this position${providerType === 'aws' ? ', so Workato cannot read its keys' : ''}. Fix the JSON (quotes, commas, braces) or store it as plain text.`,
        });
      }
    }
  }
  const keyValue = isJson && !!parsed && typeof parsed === 'object' && !Array.isArray(parsed);
  if (providerType && KEY_VALUE_REQUIRED[providerType] && !keyValue && !problems.length) {
    problems.push({ ruleId: 'secret/not-key-value', severity: 'error', start: 0, end: Math.min(value.length, lineEnd(value, 0)), message: `This ${providerType} secret is not a JSON key/value object. ${KEY_VALUE_REQUIRED[providerType]}` });
  }

  if (keyValue) {
    const leaves = jsonStringLeaves(value).filter((l) => looksLikePem(l.value));
    const all: { leaf: JsonStringLeaf; block: PemBlockInfo; map: Int32Array }[] = [];
    const flagged = new Set<string>();
    for (const leaf of leaves) {
      const passphrase = leaf.siblings?.get('passphrase');
      const r = lintPem(leaf.value, pemOptions(passphrase));
      const map = literalOffsets(value, leaf.start, leaf.end);
      for (const p of r.problems) {
        if (p.ruleId === 'x509/key-mismatch') flagged.add(`${leaf.path}@${p.start}`);
        problems.push({
          ...p,
          key: leaf.path,
          start: map[p.start],
          end: map[Math.max(p.start, p.end)],
          ...(p.fixes ? { fixes: p.fixes.map((f) => ({ ...f, edits: [{ start: leaf.start, end: leaf.end, newText: JSON.stringify(applyValueEdits(leaf.value, f.edits)) }] })) } : {}),
        });
      }
      for (const b of r.blocks) {
        all.push({ leaf, block: b, map });
        if (b.kind === 'encrypted') encryptedKeys.push(leaf.path);
      }
    }
    // A key under one name and its certificate under another: they must still belong together.
    for (const m of keyCertificateMismatches(all.map((x) => x.block))) {
      const x = all.find((a) => a.block === m)!;
      if (flagged.has(`${x.leaf.path}@${m.headerStart}`)) continue;
      problems.push({ ruleId: 'x509/key-mismatch', severity: 'error', key: x.leaf.path, start: x.map[m.headerStart], end: x.map[m.headerEnd], message: MISMATCH_MESSAGE });
    }
  } else if (looksLikePem(value)) {
    const r = lintPem(value, pemOptions());
    problems.push(...r.problems);
    if (r.blocks.some((b) => b.kind === 'encrypted')) encryptedKeys.push('');
  }
  return { problems, encryptedKeys, keyValue };
}

function lineEnd(text: string, from: number): number {
  const nl = text.indexOf('\n', from);
  return nl < 0 ? text.length : nl;
}
