import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, isFlotillaError } from '../../common/index.ts';
import { command, prefixEnd, type KeyValue } from '../../store/index.ts';
import { bytes, StoreHarness, text } from './helpers.ts';

const zero = new Uint8Array([0]);
const keysOf = (kvs: readonly KeyValue[]): string[] => kvs.map((kv) => text(kv.key));

describe('MvccStore put/range/delete', () => {
  let harness: StoreHarness;
  beforeEach(async () => {
    harness = await StoreHarness.create();
  });
  afterEach(async () => {
    await harness.destroy();
  });

  it('starts at revision 1 like etcd and bumps the revision once per put', async () => {
    expect(harness.store.revision).toBe(1);
    const first = await harness.run(command.put(bytes('a'), bytes('1')));
    expect(first).toMatchObject({ type: 'put', response: { header: { revision: 2 }, prevKv: null } });
    await harness.run(command.put(bytes('a'), bytes('2')));
    const { kvs } = await harness.store.range({ key: bytes('a') });
    expect(kvs).toHaveLength(1);
    expect(kvs[0]).toMatchObject({ createRevision: 2, modRevision: 3, version: 2, lease: 0 });
    expect(text(kvs[0]?.value ?? new Uint8Array())).toBe('2');
    expect(harness.store.revision).toBe(3);
  });

  it('returns prevKv and honours ignoreValue', async () => {
    await harness.run(command.put(bytes('a'), bytes('old')));
    const response = await harness.run(command.put(bytes('a'), bytes('new'), { prevKv: true }));
    expect(response.type === 'put' && text(response.response.prevKv?.value ?? new Uint8Array())).toBe('old');
    await harness.run(command.put(bytes('a'), new Uint8Array(0), { ignoreValue: true }));
    const { kvs } = await harness.store.range({ key: bytes('a') });
    expect(text(kvs[0]?.value ?? new Uint8Array())).toBe('new');
    expect(kvs[0]?.version).toBe(3);
    await harness.expectRefused(command.put(bytes('missing'), new Uint8Array(0), { ignoreValue: true }), ErrorCode.invalidArgument);
  });

  it('implements etcd range-end conventions (single, prefix, from-key, all)', async () => {
    for (const key of ['a', 'b/1', 'b/2', 'b0', 'c']) await harness.run(command.put(bytes(key), bytes(key)));
    expect(keysOf((await harness.store.range({ key: bytes('b/1') })).kvs)).toEqual(['b/1']);
    expect(keysOf((await harness.store.range({ key: bytes('b/'), rangeEnd: prefixEnd(bytes('b/')) })).kvs)).toEqual(['b/1', 'b/2']);
    expect(keysOf((await harness.store.range({ key: bytes('b0'), rangeEnd: zero })).kvs)).toEqual(['b0', 'c']);
    expect(keysOf((await harness.store.range({ key: zero, rangeEnd: zero })).kvs)).toEqual(['a', 'b/1', 'b/2', 'b0', 'c']);
    expect((await harness.store.range({ key: bytes('c'), rangeEnd: bytes('a') })).kvs).toEqual([]);
  });

  it('supports limit/more/count, keysOnly, countOnly and sorting', async () => {
    await harness.run(command.put(bytes('k1'), bytes('c')));
    await harness.run(command.put(bytes('k2'), bytes('a')));
    await harness.run(command.put(bytes('k3'), bytes('b')));
    await harness.run(command.put(bytes('k1'), bytes('z')));
    const all = { key: bytes('k'), rangeEnd: prefixEnd(bytes('k')) };
    const limited = await harness.store.range({ ...all, limit: 2 });
    expect(keysOf(limited.kvs)).toEqual(['k1', 'k2']);
    expect(limited).toMatchObject({ more: true, count: 3 });
    expect(await harness.store.range({ ...all, countOnly: true })).toMatchObject({ kvs: [], count: 3, more: false });
    const keysOnly = await harness.store.range({ ...all, keysOnly: true });
    expect(keysOnly.kvs.every((kv) => kv.value.byteLength === 0)).toBe(true);
    expect(keysOf((await harness.store.range({ ...all, sortTarget: 'value', sortOrder: 'descend' })).kvs)).toEqual(['k1', 'k3', 'k2']);
    expect(keysOf((await harness.store.range({ ...all, sortTarget: 'mod', sortOrder: 'descend' })).kvs)).toEqual(['k1', 'k3', 'k2']);
    expect(keysOf((await harness.store.range({ ...all, sortTarget: 'key', sortOrder: 'descend', limit: 1 })).kvs)).toEqual(['k3']);
    expect(keysOf((await harness.store.range({ ...all, sortTarget: 'create' })).kvs)).toEqual(['k1', 'k2', 'k3']);
    expect(keysOf((await harness.store.range({ ...all, sortTarget: 'version', sortOrder: 'descend' })).kvs)).toEqual(['k1', 'k2', 'k3']);
    expect(keysOf((await harness.store.range({ ...all, minModRevision: 4 })).kvs)).toEqual(['k1', 'k3']);
    expect(keysOf((await harness.store.range({ ...all, maxCreateRevision: 3 })).kvs)).toEqual(['k1', 'k2']);
  });

  it('deletes with tombstones; a re-created key starts a new generation', async () => {
    await harness.run(command.put(bytes('a'), bytes('1')));
    await harness.run(command.put(bytes('a'), bytes('2')));
    await harness.run(command.put(bytes('b'), bytes('3')));
    const deleted = await harness.run(command.deleteRange(bytes('a'), bytes('c'), { prevKv: true }));
    expect(deleted.type === 'deleteRange' && deleted.response.deleted).toBe(2);
    expect(deleted.type === 'deleteRange' && keysOf(deleted.response.prevKvs)).toEqual(['a', 'b']);
    expect(deleted.type === 'deleteRange' && deleted.response.header.revision).toBe(5);
    expect((await harness.store.range({ key: bytes('a'), rangeEnd: zero })).count).toBe(0);
    await harness.run(command.put(bytes('a'), bytes('again')));
    const { kvs } = await harness.store.range({ key: bytes('a') });
    expect(kvs[0]).toMatchObject({ createRevision: 6, modRevision: 6, version: 1 });
  });

  it('does not bump the revision for a delete that deletes nothing', async () => {
    await harness.run(command.put(bytes('a'), bytes('1')));
    const response = await harness.run(command.deleteRange(bytes('zzz')));
    expect(response.type === 'deleteRange' && response.response).toMatchObject({ deleted: 0, header: { revision: 2 } });
    expect(harness.store.revision).toBe(2);
  });

  it('reads history at past revisions and refuses future ones', async () => {
    await harness.run(command.put(bytes('a'), bytes('v1'))); // 2
    await harness.run(command.put(bytes('b'), bytes('v1'))); // 3
    await harness.run(command.put(bytes('a'), bytes('v2'))); // 4
    await harness.run(command.deleteRange(bytes('b'))); // 5
    const at = async (revision: number): Promise<string[]> =>
      (await harness.store.range({ key: zero, rangeEnd: zero, revision })).kvs.map((kv) => `${text(kv.key)}=${text(kv.value)}`);
    expect(await at(1)).toEqual([]);
    expect(await at(2)).toEqual(['a=v1']);
    expect(await at(3)).toEqual(['a=v1', 'b=v1']);
    expect(await at(4)).toEqual(['a=v2', 'b=v1']);
    expect(await at(5)).toEqual(['a=v2']);
    const future = await harness.store.range({ key: bytes('a'), revision: 6 }).catch((error: unknown) => error);
    expect(isFlotillaError(future, ErrorCode.storeFutureRevision)).toBe(true);
  });
});
