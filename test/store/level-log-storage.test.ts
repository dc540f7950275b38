import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { ClassicLevel } from 'classic-level';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger, type Logger } from '../../common/index.ts';
import { crc32, decodeChecked, encodeChecked } from '../../raft/crc32.ts';
import type { Entry, HardState, SnapshotMetadata } from '../../raft/index.ts';
import { LevelLogStorage } from '../../store/level-log-storage.ts';
import { logKey, raftSublevelNames } from '../../store/level-raft-keys.ts';
import { LevelStableStorage, seedRaftState } from '../../store/level-stable-storage.ts';
import { FileSnapshotStore } from '../../store/file-snapshot-store.ts';

type Db = ClassicLevel<Uint8Array, Uint8Array>;

function normal(index: number, term: number, text = `e${index}`): Entry {
  return { type: 'normal', index, term, data: new TextEncoder().encode(text) };
}

function range(from: number, to: number, term: number): Entry[] {
  return Array.from({ length: to - from + 1 }, (_, offset) => normal(from + offset, term));
}

function summary(entries: readonly Entry[]): string[] {
  return entries.map((entry) => `${entry.index}/${entry.term}/${entry.type === 'normal' ? new TextDecoder().decode(entry.data) : entry.type}`);
}

/** A pino logger that records its lines, to check what open() reported. */
function recordingLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger: Logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}

let directory: string;
let db: Db;

async function openDb(): Promise<Db> {
  const opened = new ClassicLevel<Uint8Array, Uint8Array>(join(directory, 'db'), { keyEncoding: 'view', valueEncoding: 'view' });
  await opened.open();
  return opened;
}

async function appendAndWrite(log: LevelLogStorage, entries: Entry[]): Promise<void> {
  const batch = log.batch();
  log.append(batch, entries);
  await log.write(batch, { sync: true });
}

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'flotilla-level-log-'));
  db = await openDb();
});

afterEach(async () => {
  await db.close();
  await rm(directory, { recursive: true, force: true });
});

describe('crc32', () => {
  it('matches zlib on assorted inputs', () => {
    for (const text of ['', 'a', 'hello world', 'x'.repeat(10_000)]) {
      const bytes = new TextEncoder().encode(text);
      expect(crc32(bytes)).toBe(zlibCrc32(bytes));
    }
  });

  it('detects a flipped bit in a checked value', () => {
    const bytes = encodeChecked({ hello: 'world' });
    expect(decodeChecked(bytes)).toEqual({ ok: true, value: { hello: 'world' } });
    const damaged = Uint8Array.from(bytes);
    damaged[damaged.length - 1] = (damaged[damaged.length - 1] ?? 0) ^ 1;
    expect(decodeChecked(damaged).ok).toBe(false);
  });
});

describe('LevelLogStorage', () => {
  it('appends, reads ranges with a byte limit, and reports bounds', async () => {
    const log = await LevelLogStorage.open(db, { logger: silentLogger });
    expect([log.firstIndex(), log.lastIndex()]).toEqual([1, 0]);
    await appendAndWrite(log, range(1, 10, 1));
    expect([log.firstIndex(), log.lastIndex()]).toEqual([1, 10]);
    expect(summary(await log.entries(3, 6, Number.MAX_SAFE_INTEGER))).toEqual(['3/1/e3', '4/1/e4', '5/1/e5']);
    // Each value is a few dozen bytes: a tiny limit still returns one entry, a moderate one a few.
    expect(await log.entries(1, 11, 1)).toHaveLength(1);
    const some = await log.entries(1, 11, 100);
    expect(some.length).toBeGreaterThan(1);
    expect(some.length).toBeLessThan(10);
    expect(await log.entries(11, 20, 1000)).toEqual([]);
  });

  it('overwrites a conflicting suffix from entries[0].index on', async () => {
    const log = await LevelLogStorage.open(db, { logger: silentLogger });
    await appendAndWrite(log, range(1, 10, 1));
    await appendAndWrite(log, [normal(6, 2, 'new6'), normal(7, 2, 'new7')]);
    expect(log.lastIndex()).toBe(7);
    expect(summary(await log.entries(5, 100, Number.MAX_SAFE_INTEGER))).toEqual(['5/1/e5', '6/2/new6', '7/2/new7']);
  });

  it('truncates after an index and compacts up to one', async () => {
    const log = await LevelLogStorage.open(db, { logger: silentLogger });
    await appendAndWrite(log, range(1, 10, 1));
    const batch = log.batch();
    log.compact(batch, 4);
    log.truncateAfter(batch, 8);
    await log.write(batch, { sync: true });
    expect([log.firstIndex(), log.lastIndex()]).toEqual([5, 8]);
    expect(summary(await log.entries(1, 100, Number.MAX_SAFE_INTEGER)).map((s) => s.split('/')[0])).toEqual(['5', '6', '7', '8']);
    // Compacting past the end (a snapshot from the leader) leaves an empty log that continues after it.
    const second = log.batch();
    log.compact(second, 20);
    await log.write(second, { sync: true });
    expect([log.firstIndex(), log.lastIndex()]).toEqual([21, 20]);
    await appendAndWrite(log, [normal(21, 3)]);
    expect(summary(await log.entries(1, 100, Number.MAX_SAFE_INTEGER))).toEqual(['21/3/e21']);
  });

  it('returns the same after a reopen', async () => {
    const log = await LevelLogStorage.open(db, { logger: silentLogger });
    await appendAndWrite(log, range(1, 12, 2));
    const batch = log.batch();
    log.compact(batch, 3);
    await log.write(batch, { sync: true });
    const before = await log.entries(1, 100, Number.MAX_SAFE_INTEGER);
    await db.close();
    db = await openDb();
    const reopened = await LevelLogStorage.open(db, { logger: silentLogger });
    expect(reopened.repair).toBeNull();
    expect([reopened.firstIndex(), reopened.lastIndex()]).toEqual([4, 12]);
    expect(await reopened.entries(1, 100, Number.MAX_SAFE_INTEGER)).toEqual(before);
  });

  it('cuts a corrupt tail on open, logs it, and never returns the damaged entries', async () => {
    const log = await LevelLogStorage.open(db, { logger: silentLogger });
    await appendAndWrite(log, range(1, 8, 1));
    // Damage entry 7 the way a torn write would: garbage bytes straight into its value.
    const raw = db.sublevel<Uint8Array, Uint8Array>(raftSublevelNames.log, { keyEncoding: 'view', valueEncoding: 'view' });
    await raw.put(logKey(7), Uint8Array.from([0xde, 0xad, 0xbe, 0xef, 1, 2, 3]));
    await db.close();
    db = await openDb();
    const { logger, lines } = recordingLogger();
    const reopened = await LevelLogStorage.open(db, { logger });
    expect(reopened.repair).toMatchObject({ fromIndex: 7, removedEntries: 2 });
    expect(reopened.lastIndex()).toBe(6);
    expect(summary(await reopened.entries(1, 100, Number.MAX_SAFE_INTEGER)).map((s) => s.split('/')[0])).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(lines.some((line) => line['level'] === 50 && line['fromIndex'] === 7)).toBe(true);
    // The cut is durable: a second open finds nothing to repair, and appending continues at 7.
    await appendAndWrite(reopened, [normal(7, 2, 'fresh')]);
    await db.close();
    db = await openDb();
    const third = await LevelLogStorage.open(db, { logger: silentLogger });
    expect(third.repair).toBeNull();
    expect(summary(await third.entries(7, 8, 1000))).toEqual(['7/2/fresh']);
  });

  it('cuts the tail after a gap', async () => {
    const log = await LevelLogStorage.open(db, { logger: silentLogger });
    await appendAndWrite(log, range(1, 6, 1));
    const raw = db.sublevel<Uint8Array, Uint8Array>(raftSublevelNames.log, { keyEncoding: 'view', valueEncoding: 'view' });
    await raw.del(logKey(4));
    await db.close();
    db = await openDb();
    const reopened = await LevelLogStorage.open(db, { logger: silentLogger });
    expect(reopened.lastIndex()).toBe(3);
    expect(reopened.repair?.removedEntries).toBe(2);
  });
});

describe('LevelStableStorage and group commit', () => {
  it('writes hard state, snapshot metadata, entries and a compaction in one batch, and reloads them', async () => {
    const log = await LevelLogStorage.open(db, { logger: silentLogger });
    const stable = await LevelStableStorage.open(db);
    expect([stable.hardState(), stable.snapshot()]).toEqual([null, null]);
    const hardState: HardState = { term: 3, votedFor: 'n2', commitIndex: 5 };
    const snapshot: SnapshotMetadata = { index: 2, term: 1, membership: { voters: ['n1', 'n2'], learners: [], votersOutgoing: [] }, sizeBytes: 10 };
    const batch = log.batch();
    stable.setHardState(batch, hardState);
    log.append(batch, range(1, 6, 1));
    stable.setSnapshot(batch, snapshot);
    log.compact(batch, 2);
    await log.write(batch, { sync: true });
    await db.close();
    db = await openDb();
    const reopenedStable = await LevelStableStorage.open(db);
    const reopenedLog = await LevelLogStorage.open(db, { logger: silentLogger });
    expect(reopenedStable.hardState()).toEqual(hardState);
    expect(reopenedStable.snapshot()).toEqual(snapshot);
    expect([reopenedLog.firstIndex(), reopenedLog.lastIndex()]).toEqual([3, 6]);
  });
});

describe('FileSnapshotStore', () => {
  const membership = { voters: ['n1'], learners: [], votersOutgoing: [] };

  async function* chunks(...parts: string[]): AsyncIterable<Uint8Array> {
    for (const part of parts) yield new TextEncoder().encode(part);
  }

  it('saves and commits a local snapshot, reads chunks, survives a reopen and prunes', async () => {
    const store = await FileSnapshotStore.open(join(directory, 'snap'), { logger: silentLogger });
    const size = await store.save(10, chunks('hello ', 'snapshot'));
    expect(size).toBe(14);
    await store.commit({ index: 10, term: 2, membership, sizeBytes: size });
    expect(new TextDecoder().decode(await store.readChunk(10, 6, 100))).toBe('snapshot');
    const reopened = await FileSnapshotStore.open(join(directory, 'snap'), { logger: silentLogger });
    expect(reopened.current()?.index).toBe(10);
    // An incoming snapshot in two chunks, then finalize.
    const metadata = { index: 20, term: 3, membership, sizeBytes: 6 };
    await reopened.writeChunk({ metadata, offset: 0, data: new TextEncoder().encode('abc'), done: false });
    await reopened.writeChunk({ metadata, offset: 3, data: new TextEncoder().encode('def'), done: true });
    await reopened.finalize(metadata);
    const parts: Uint8Array[] = [];
    for await (const part of reopened.read(20)) parts.push(part);
    expect(Buffer.concat(parts).toString()).toBe('abcdef');
    await reopened.prune(20);
    expect(reopened.current()?.index).toBe(20);
    await expect(reopened.readChunk(10, 0, 1)).rejects.toThrow(/no snapshot/);
  });
});

describe('seedRaftState and reopen (snapshot install by directory swap)', () => {
  it('seeds a fresh database with hard state, snapshot and an empty log after it; storages reopen onto it', async () => {
    const log = await LevelLogStorage.open(db, { logger: silentLogger });
    const stable = await LevelStableStorage.open(db);
    await appendAndWrite(log, range(1, 5, 1));
    const fresh = new ClassicLevel<Uint8Array, Uint8Array>(join(directory, 'fresh'), { keyEncoding: 'view', valueEncoding: 'view' });
    await fresh.open();
    const snapshot: SnapshotMetadata = { index: 40, term: 4, membership: { voters: ['n1'], learners: [], votersOutgoing: [] }, sizeBytes: 1 };
    await seedRaftState(fresh, { hardState: { term: 4, votedFor: 'n1', commitIndex: 40 }, snapshot });
    await log.reopen(fresh);
    await stable.reopen(fresh);
    expect([log.firstIndex(), log.lastIndex()]).toEqual([41, 40]);
    expect(stable.snapshot()).toEqual(snapshot);
    expect(stable.hardState()?.term).toBe(4);
    await appendAndWrite(log, [normal(41, 4)]);
    expect(summary(await log.entries(1, 100, 1000))).toEqual(['41/4/e41']);
    await fresh.close();
  });
});
