/**
 * The reference grammar, generated: any text is scanned without an exception into spans that are
 * really in it, in order and apart; and every reference `formatReference` writes for a provider,
 * dropped into surrounding text, is found once, without an error, and `interpretReference` gives
 * back what was written (the round trip the move-credential fix and completion rely on).
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ProviderType } from '../../../src/core/model';
import { findReferences, formatReference, interpretReference, VAULT_ENGINE_RESERVED } from '../../../src/core/references';
import { runs } from '../../support/properties';

const FRAGMENTS = ['{{', '}}', '{', '}', 'workato', ':sm:', 'workato:sm:', '{{workato:sm:', ' ', ':', 'key', 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:x', '\n', '\\n', 'é', '💥'];

const chars = (alphabet: string, max = 24) => fc.string({ unit: fc.constantFrom(...alphabet), minLength: 1, maxLength: max });
const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
/** JSON keys as people name them. */
const key = chars(`${ALNUM}_.-`, 16);
/** AWS secret names: letters, digits and /_+=.@- (no colon). */
const awsName = chars(`${ALNUM}/_+=.@-`);
const awsArn = fc.tuple(fc.constantFrom('us-east-1', 'eu-west-1'), fc.stringMatching(/^\d{12}$/), awsName, fc.stringMatching(/^[A-Za-z0-9]{6}$/)).map(([region, account, name, suffix]) => `arn:aws:secretsmanager:${region}:${account}:secret:${name}-${suffix}`);
/** Vault engines: no character Workato reserves, no colon, no braces, no spaces. */
const engine = chars(`${ALNUM}_-`, 12).filter((e) => ![...e].some((c) => VAULT_ENGINE_RESERVED.includes(c)));
/** Vault paths: folders and a secret name; a colon is allowed (the path is everything after the engine). */
const vaultPath = fc.array(chars(`${ALNUM}_.-`, 10), { minLength: 1, maxLength: 4 }).map((p) => p.join('/'));
const azureName = chars(`${ALNUM}-`, 127);
/** Names for the env and file providers: no colon. */
const localName = chars(`${ALNUM}_.-/`, 20);

type Case = { type: ProviderType; target: { secretId: string; key?: string }; expected: { secretId: string; key?: string; engine?: string; path?: string } };

const cases: fc.Arbitrary<Case> = fc.oneof(
  fc.tuple(key, fc.oneof(awsName, awsArn)).map(([k, id]): Case => ({ type: 'aws', target: { key: k, secretId: id }, expected: { key: k, secretId: id } })),
  fc.tuple(key, engine, vaultPath).map(([k, e, p]): Case => ({ type: 'vault', target: { key: k, secretId: `${e}:${p}` }, expected: { key: k, engine: e, path: p, secretId: `${e}:${p}` } })),
  azureName.map((n): Case => ({ type: 'azure', target: { secretId: n }, expected: { secretId: n } })),
  fc.tuple(fc.constantFrom<ProviderType>('env', 'file'), fc.option(key, { nil: undefined }), localName).map(([t, k, n]): Case => ({ type: t, target: { secretId: n, ...(k ? { key: k } : {}) }, expected: { secretId: n, ...(k ? { key: k } : {}) } })),
);

/** Text around a reference that holds no brace, so it cannot start or end another span. */
const surrounding = fc.string({ maxLength: 30 }).map((s) => s.replace(/[{}]/g, ''));

describe('reference grammar (property-based)', () => {
  it('any text: no exception; every span is in the text, in order, apart, and a clean one starts with the prefix', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 40 }).map((a) => a.join(''))), (text) => {
        const found = findReferences(text);
        let after = 0;
        for (const r of found) {
          assert.ok(r.offset >= after, `span at ${r.offset} overlaps the one before (ends ${after})`);
          assert.equal(text.slice(r.offset, r.offset + r.raw.length), r.raw, 'raw is not the text at its offset');
          after = r.offset + r.raw.length;
          if (!r.error) {
            assert.equal(r.raw, `{{workato:sm:${r.body}}}`);
            assert.ok(r.body.length > 0 && !r.body.includes('}') && !r.body.includes('{'));
          } else assert.ok(r.error.length > 0 && !r.error.includes('undefined'), r.error);
        }
        for (const type of ['aws', 'vault', 'azure', 'env', 'file'] as const) for (const r of found) if (!r.error) interpretReference(r.body, type);
      }),
      runs(500),
    );
  });

  it('what formatReference writes is found once in any surrounding text and reads back as written', () => {
    fc.assert(
      fc.property(cases, surrounding, surrounding, ({ type, target, expected }, before, after) => {
        const reference = formatReference(type, target);
        const found = findReferences(`${before}${reference}${after}`);
        assert.equal(found.length, 1, `found ${JSON.stringify(found)}`);
        const [r] = found;
        assert.equal(r.error, undefined, r.error);
        assert.equal(r.offset, before.length);
        assert.equal(r.raw, reference);
        const read = interpretReference(r.body, type);
        assert.ok(read.ok, read.ok ? '' : read.error);
        assert.deepEqual(read.target, expected);
      }),
      runs(1000),
    );
  });

  it('several references in one value are each found, in the order written', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(cases, surrounding), { minLength: 1, maxLength: 6 }), (parts) => {
        const text = parts.map(([c, s]) => formatReference(c.type, c.target) + s).join('');
        const found = findReferences(text);
        assert.deepEqual(found.map((r) => r.raw), parts.map(([c]) => formatReference(c.type, c.target)));
      }),
      runs(300),
    );
  });
});
