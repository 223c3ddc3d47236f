import assert from 'node:assert/strict';
import { SecretCache } from '../../../src/core/cache';
import type { SecretValue } from '../../../src/core/provider';

const value = (id: string, version = '1'): SecretValue => ({ id, value: `v-${id}`, version });

describe('SecretCache', () => {
  it('shares one load among concurrent requests for the same secret', async () => {
    const cache = new SecretCache();
    let calls = 0;
    const load = async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 20));
      return value('a');
    };
    const results = await Promise.all(Array.from({ length: 50 }, () => cache.getOrLoad('a', load)));
    assert.equal(calls, 1);
    assert.ok(results.every((r) => r.value === 'v-a'));
  });

  it('batches the missing keys of a request into one load and joins loads in flight', async () => {
    const cache = new SecretCache();
    const batches: string[][] = [];
    const load = async (keys: string[]) => {
      batches.push(keys);
      await new Promise((r) => setTimeout(r, 10));
      return new Map<string, SecretValue | Error>(keys.map((k) => [k, value(k)]));
    };
    const [first, second] = await Promise.all([cache.getMany(['a', 'b', 'c'], load), cache.getMany(['b', 'c', 'd'], load)]);
    assert.deepEqual(batches, [['a', 'b', 'c'], ['d']]);
    assert.equal(first.size, 3);
    assert.equal((second.get('b') as SecretValue).value, 'v-b');
    await cache.getMany(['a', 'b', 'c', 'd'], load);
    assert.equal(batches.length, 2, 'all four now come from the cache');
  });

  it('keeps errors per key and does not cache them', async () => {
    const cache = new SecretCache();
    let n = 0;
    const load = async (keys: string[]) => {
      n++;
      return new Map<string, SecretValue | Error>(keys.map((k) => [k, k === 'bad' ? new Error('denied') : value(k)]));
    };
    const r = await cache.getMany(['ok', 'bad'], load);
    assert.equal((r.get('ok') as SecretValue).value, 'v-ok');
    assert.equal((r.get('bad') as Error).message, 'denied');
    await cache.getMany(['ok', 'bad'], load);
    assert.equal(n, 2, 'the failed key is loaded again');
  });

  it('turns a failing batch into an error for each key', async () => {
    const cache = new SecretCache();
    const r = await cache.getMany(['a', 'b'], async () => {
      throw new Error('unreachable');
    });
    assert.equal((r.get('a') as Error).message, 'unreachable');
    assert.equal((r.get('b') as Error).message, 'unreachable');
    assert.equal(cache.stats.entries, 0);
  });

  it('expires entries after the TTL', () => {
    let now = 1000;
    const cache = new SecretCache({ ttlMs: 300_000, now: () => now });
    cache.set('a', value('a'));
    now += 299_999;
    assert.ok(cache.get('a'));
    now += 2;
    assert.equal(cache.get('a'), undefined);
  });

  it('evicts the least recently used entry at the bound', () => {
    const cache = new SecretCache({ maxEntries: 1000 });
    for (let i = 0; i < 1000; i++) cache.set(`k${i}`, value(`k${i}`));
    assert.ok(cache.get('k0')); // k0 is now the most recently used; k1 the least
    cache.set('k1000', value('k1000'));
    assert.equal(cache.stats.entries, 1000);
    assert.equal(cache.peek('k1'), undefined, 'least recently used evicted');
    assert.ok(cache.peek('k0'), 'recently read entry kept');
    assert.ok(cache.peek('k1000'));
    assert.equal(cache.stats.evictions, 1);
  });

  it('invalidates single keys and key sets', () => {
    const cache = new SecretCache();
    for (const k of ['p1|a', 'p1|b', 'p2|a']) cache.set(k, value(k));
    assert.equal(cache.delete('p1|a'), true);
    assert.equal(cache.deleteWhere((k) => k.startsWith('p1|')), 1);
    assert.deepEqual(cache.keys(), ['p2|a']);
  });
});
