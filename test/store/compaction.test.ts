import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, isFlotillaError } from '../../common/index.ts';
import { command, openLayout } from '../../store/index.ts';
import { bytes, StoreHarness, text } from './helpers.ts';

const all = { key: new Uint8Array([0]), rangeEnd: new Uint8Array([0]) };

async function historyRecordCount(harness: StoreHarness): Promise<number> {
  return (await openLayout(harness.db).kv.keys().all()).length;
}

describe('compaction', () => {
  let harness: StoreHarness;
  beforeEach(async () => {
    harness = await StoreHarness.create();
  });
  afterEach(async () => {
    await harness.destroy();
  });

  it('keeps the state at the compact revision and refuses reads below it', async () => {
    await harness.run(command.put(bytes('a'), bytes('1'))); // 2
    await harness.run(command.put(bytes('a'), bytes('2'))); // 3
    await harness.run(command.put(bytes('b'), bytes('1'))); // 4
    await harness.run(command.deleteRange(bytes('b'))); // 5
    await harness.run(command.put(bytes('a'), bytes('3'))); // 6
    const before = await harness.store.range({ ...all, revision: 5 });
    await harness.run(command.compact(5));
    await harness.store.whenCompacted();
    expect(harness.store.compactRevision).toBe(5);
    const after = await harness.store.range({ ...all, revision: 5 });
    expect(after.kvs).toEqual(before.kvs);
    expect((await harness.store.range({ ...all })).kvs.map((kv) => text(kv.value))).toEqual(['3']);
    const error = await harness.store.range({ ...all, revision: 4 }).catch((caught: unknown) => caught);
    expect(isFlotillaError(error, ErrorCode.storeCompacted)).toBe(true);
    // Retained: a@3 (latest at or below 5) and a@6; b's tombstone and older writes are gone.
    expect(await historyRecordCount(harness)).toBe(2);
  });

  it('refuses compacting twice at the same revision or into the future', async () => {
    await harness.run(command.put(bytes('a'), bytes('1')));
    await harness.run(command.compact(2));
    await harness.expectRefused(command.compact(2), ErrorCode.storeCompacted);
    await harness.expectRefused(command.compact(9), ErrorCode.storeFutureRevision);
  });

  it('compacts a large history in bounded steps while applies continue, and survives reopen', async () => {
    const keys = 6000;
    const commands = [];
    for (let round = 0; round < 2; round++) {
      for (let index = 0; index < keys; index++) commands.push(command.put(bytes(`key/${index}`), bytes(`r${round}`)));
    }
    for (let start = 0; start < commands.length; start += 1000) await harness.applyBatch(commands.slice(start, start + 1000));
    const compactAt = harness.store.revision;
    const hashBefore = await harness.store.hashKv();
    await harness.run(command.compact(compactAt));
    // Writes during the background compaction land above the compact revision and are unaffected.
    await harness.run(command.put(bytes('key/0'), bytes('during')));
    await harness.store.whenCompacted();
    expect(await historyRecordCount(harness)).toBe(keys + 1);
    const { count } = await harness.store.range({ key: bytes('key/'), rangeEnd: bytes('key0'), countOnly: true });
    expect(count).toBe(keys);
    await harness.reopen();
    expect(harness.store.compactRevision).toBe(compactAt);
    const hashAfter = await harness.store.hashKv(compactAt);
    expect(hashAfter.compactRevision).toBe(compactAt);
    expect(hashBefore.compactRevision).toBe(0);
    expect((await harness.store.range({ key: bytes('key/0') })).kvs[0]?.value).toEqual(bytes('during'));
  });

  it('gives the same hash whether or not the compactor has finished deleting', async () => {
    for (let index = 0; index < 50; index++) await harness.run(command.put(bytes(`k${index % 5}`), bytes(`${index}`)));
    await harness.run(command.compact(30));
    const early = await harness.store.hashKv();
    await harness.store.whenCompacted();
    const late = await harness.store.hashKv();
    expect(late).toEqual(early);
  });
});
