import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyInterval, keyToString, prefixEnd } from '../../store/keys.ts';
import { SortedKeys } from '../../store/sorted-keys.ts';
import { bytes } from './helpers.ts';

describe('SortedKeys', () => {
  it('behaves like a sorted set for inserts, deletes and ranges (across chunk splits)', () => {
    const operation = fc.record({ insert: fc.boolean(), key: fc.string({ maxLength: 3, unit: fc.constantFrom('a', 'b', 'c', 'd', '\u00ff', '\u0000') }) });
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 3000 }), fc.string({ maxLength: 2 }), fc.option(fc.string({ maxLength: 2 }), { nil: null }), (operations, start, end) => {
        const keys = new SortedKeys();
        const reference = new Set<string>();
        for (const { insert, key } of operations) {
          if (insert) {
            keys.insert(key);
            reference.add(key);
          } else {
            expect(keys.delete(key)).toBe(reference.delete(key));
          }
        }
        const sorted = [...reference].sort();
        expect(keys.size).toBe(sorted.length);
        expect([...keys.range('', null)]).toEqual(sorted);
        expect([...keys.range(start, end)]).toEqual(sorted.filter((key) => key >= start && (end === null || key < end)));
      }),
      { numRuns: 200 },
    );
  });

  it('keeps 20k keys ordered', () => {
    const keys = new SortedKeys();
    const all: string[] = [];
    for (let index = 0; index < 20_000; index++) {
      const key = `k${(index * 7919) % 20_000}`;
      keys.insert(key);
      all.push(key);
    }
    expect([...keys.range('', null)]).toEqual(all.sort());
  });
});

describe('key helpers', () => {
  it('computes etcd prefix ends and intervals', () => {
    expect(prefixEnd(bytes('abc'))).toEqual(bytes('abd'));
    expect(prefixEnd(new Uint8Array([0x61, 0xff]))).toEqual(new Uint8Array([0x62]));
    expect(prefixEnd(new Uint8Array([0xff]))).toEqual(new Uint8Array([0]));
    expect(keyInterval(bytes('a'), undefined)).toEqual({ start: 'a', end: null, single: true });
    expect(keyInterval(new Uint8Array([0]), new Uint8Array([0]))).toEqual({ start: '', end: null, single: false });
    expect(keyToString(new Uint8Array([0xff, 0x00]))).toBe('\u00ff\u0000');
  });
});
