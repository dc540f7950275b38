import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AssertionFailure } from '../../common/index.ts';
import { ErrorCode } from '../../common/index.ts';
import type { Entry } from '../../raft/index.ts';
import { command, MvccStore } from '../../store/index.ts';
import { bytes, normalEntry, openDatabase, StoreHarness, text } from './helpers.ts';

const all = { key: new Uint8Array([0]), rangeEnd: new Uint8Array([0]) };

describe('apply durability', () => {
  let harness: StoreHarness;
  beforeEach(async () => {
    harness = await StoreHarness.create();
  });
  afterEach(async () => {
    await harness.destroy();
  });

  it('skips re-delivered entries after a reopen (idempotent apply)', async () => {
    const entries = Array.from({ length: 7 }, (_, position) => normalEntry(position + 1, command.put(bytes(`k${position % 3}`), bytes(`${position}`))));
    await harness.store.apply(entries.slice(0, 5));
    const before = await harness.store.hashKv();
    await harness.reopen();
    expect(harness.store.appliedIndex).toBe(5);
    expect(await harness.store.hashKv()).toEqual(before);
    const outcomes = await harness.store.apply(entries);
    expect([...outcomes.keys()]).toEqual([6, 7]);
    expect(harness.store.revision).toBe(8);
    expect(harness.store.appliedIndex).toBe(7);
  });

  it('advances appliedIndex on noop and membership entries without touching the revision', async () => {
    const entries: Entry[] = [
      { type: 'noop', term: 2, index: 1 },
      { type: 'membership', term: 2, index: 2, membership: { voters: ['n1'], learners: [], votersOutgoing: [] } },
    ];
    const outcomes = await harness.store.apply(entries);
    expect(outcomes.size).toBe(0);
    expect(harness.store.appliedIndex).toBe(2);
    expect(harness.store.appliedTerm).toBe(2);
    expect(harness.store.revision).toBe(1);
  });

  it('answers a malformed payload with INVALID_ARGUMENT and keeps going', async () => {
    const outcomes = await harness.store.apply([
      { type: 'normal', term: 1, index: 1, data: new Uint8Array([0xc1]) },
      { type: 'normal', term: 1, index: 2, data: new Uint8Array([0x81, 0xa4, 0x74, 0x79, 0x70, 0x65, 0xa1, 0x78]) },
      normalEntry(3, command.put(bytes('a'), bytes('1'))),
    ]);
    expect(outcomes.get(1)).toMatchObject({ ok: false, error: { code: ErrorCode.invalidArgument } });
    expect(outcomes.get(2)).toMatchObject({ ok: false, error: { code: ErrorCode.invalidArgument } });
    expect(outcomes.get(3)).toMatchObject({ ok: true });
    expect(harness.store.appliedIndex).toBe(3);
  });

  it('refuses a gap in the log as a bug', async () => {
    await expect(harness.store.apply([normalEntry(2, command.put(bytes('a'), bytes('1')))])).rejects.toBeInstanceOf(AssertionFailure);
  });

  it('writes into a caller batch: nothing is visible or durable until the caller writes and commits', async () => {
    await harness.store.apply([normalEntry(1, command.put(bytes('a'), bytes('1')))]);
    const batch = harness.db.batch();
    const raftState = harness.db.sublevel<Uint8Array, Uint8Array>('raft-test', { keyEncoding: 'view', valueEncoding: 'view' });
    batch.put(bytes('hard-state'), bytes('term=3'), { sublevel: raftState });
    const prepared = await harness.store.prepareApply([normalEntry(2, command.put(bytes('a'), bytes('2')))], batch);
    expect(prepared.outcomes.get(2)?.ok).toBe(true);
    expect(harness.store.revision).toBe(2);
    expect(text((await harness.store.range({ key: bytes('a') })).kvs[0]?.value ?? bytes('-'))).toBe('1');
    await batch.write();
    prepared.commit();
    expect(harness.store.revision).toBe(3);
    expect(harness.store.appliedIndex).toBe(2);
    expect(text((await raftState.get(bytes('hard-state'))) ?? bytes('-'))).toBe('term=3');
  });

  it('after a crash before the batch is written, reopens at the last committed batch', async () => {
    await harness.store.apply([normalEntry(1, command.put(bytes('a'), bytes('1')))]);
    const before = await harness.store.hashKv();
    const batch = harness.db.batch();
    await harness.store.prepareApply([normalEntry(2, command.put(bytes('a'), bytes('2'))), normalEntry(3, command.put(bytes('b'), bytes('x')))], batch);
    // "Crash": the batch is dropped, the process restarts on the same directory.
    await batch.close();
    await harness.store.close();
    await harness.db.close();
    harness.db = openDatabase(harness.dataDirectory);
    await harness.db.open();
    harness.store = await MvccStore.open({ db: harness.db });
    expect(harness.store.appliedIndex).toBe(1);
    expect(await harness.store.hashKv()).toEqual(before);
    const outcomes = await harness.store.apply([normalEntry(2, command.put(bytes('a'), bytes('2')))]);
    expect(outcomes.get(2)).toMatchObject({ ok: true, response: { type: 'put', response: { header: { revision: 3 } } } });
  });

  it('refuses further use after a batch that could not be written', async () => {
    const batch = harness.db.batch();
    const prepared = await harness.store.prepareApply([normalEntry(1, command.put(bytes('a'), bytes('1')))], batch);
    await batch.close();
    prepared.abandon(new Error('disk full'));
    await expect(harness.store.range(all)).rejects.toMatchObject({ code: ErrorCode.storeCorrupt });
  });
});
