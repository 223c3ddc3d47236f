/** Shared pieces of the two local providers (env, file). */
import crypto from 'node:crypto';
import type { ListOptions, SecretPage, SecretSummary } from '../core/provider';

// Local secrets have no version ids. A keyed hash lets refresh notice a changed value without
// creating anything that could be compared against guesses outside this process.
const versionKey = crypto.randomBytes(32);

export function localVersion(value: string): string {
  return crypto.createHmac('sha256', versionKey).update(value).digest('hex').slice(0, 12);
}

/** Pages a sorted in-memory list with numeric offset tokens. */
export function pageOf(items: SecretSummary[], options: ListOptions = {}): SecretPage {
  const filter = options.filter?.toLowerCase();
  const all = filter ? items.filter((i) => i.name.toLowerCase().includes(filter)) : items;
  const start = options.pageToken ? Number(options.pageToken) || 0 : 0;
  const size = Math.max(1, options.pageSize ?? 100);
  const end = start + size;
  return { items: all.slice(start, end), ...(end < all.length ? { nextToken: String(end) } : {}) };
}
