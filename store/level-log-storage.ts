import type { AbstractSublevel } from 'abstract-level';
import type { ChainedBatchWriteOptions } from 'classic-level';
import { assert, ErrorCode, FlotillaError, type Logger } from '../common/index.ts';
import { decodeChecked, encodeChecked } from '../raft/crc32.ts';
import type { LogStorage } from '../raft/index.ts';
import type { Entry } from '../raft/index.ts';
import { logBaseKeyIndex as baseKeyIndex, logIndexOfKey, logKey, raftSublevelNames, type LevelBatch, type RaftDatabase } from './level-raft-keys.ts';

type LogSublevel = AbstractSublevel<RaftDatabase, string | Buffer | Uint8Array, Uint8Array, Uint8Array>;

/** The record at key 0: where the log starts. */
export interface LogBase {
  /** Index of the last compacted entry. */
  readonly index: number;
}

function openSublevel(db: RaftDatabase): LogSublevel {
  return db.sublevel<Uint8Array, Uint8Array>(raftSublevelNames.log, { keyEncoding: 'view', valueEncoding: 'view' });
}

/** Stages "the log is empty and starts after `index`" into a batch (seeding a fresh database; see `seedRaftState`). */
export function stageEmptyLog(db: RaftDatabase, batch: LevelBatch, index: number): void {
  const base: LogBase = { index };
  batch.put(logKey(baseKeyIndex), encodeChecked(base), { sublevel: openSublevel(db) });
}

/** Why the tail of the log was cut on open (for the log line and for tests). */
export interface LogRepair {
  readonly fromIndex: number;
  readonly removedEntries: number;
  readonly reason: string;
}

/**
 * The Raft log in a sublevel of the replica's LevelDB. Each value is a checksummed msgpack entry;
 * on open the whole log is verified and a torn or corrupt tail is cut (and logged), so a damaged
 * entry is never handed to the core, let alone applied.
 */
export class LevelLogStorage implements LogStorage<LevelBatch> {
  private db: RaftDatabase;
  private sublevel: LogSublevel;
  private base = 0;
  private last = 0;
  /** Set when the last `open`/`reopen` had to cut the tail. */
  repair: LogRepair | null = null;

  private constructor(
    db: RaftDatabase,
    private readonly logger: Logger,
  ) {
    this.db = db;
    this.sublevel = openSublevel(db);
  }

  /** Opens (the database must be open) and verifies the log, cutting a damaged tail. */
  static async open(db: RaftDatabase, options: { readonly logger: Logger }): Promise<LevelLogStorage> {
    const storage = new LevelLogStorage(db, options.logger);
    await storage.load();
    return storage;
  }

  /**
   * Switches to another database handle holding this replica's log — after a snapshot install
   * swapped the data directory (store/README "Installing a snapshot") — and verifies it again.
   */
  async reopen(db: RaftDatabase): Promise<void> {
    this.db = db;
    this.sublevel = openSublevel(db);
    await this.load();
  }

  private async load(): Promise<void> {
    const base = await readBase(this.sublevel, this.logger);
    const scan = await scanLog(this.sublevel, base);
    this.repair = null;
    if (scan.badIndex !== null) {
      const removedEntries = await cutTail(this.db, this.sublevel, scan.badIndex);
      this.repair = { fromIndex: scan.badIndex, removedEntries, reason: scan.reason };
      this.logger.error(
        { fromIndex: scan.badIndex, removedEntries, reason: scan.reason, lastGoodIndex: scan.last },
        'raft log: damaged tail cut on open (entries from fromIndex on were not durable or are corrupt; they will not be applied)',
      );
    }
    this.base = base;
    this.last = scan.last;
  }

  /** A batch on the shared database: the store adds its apply writes to the same one. */
  batch(): LevelBatch {
    return this.db.batch();
  }

  async write(batch: LevelBatch, options: { readonly sync: boolean }): Promise<void> {
    const writeOptions: ChainedBatchWriteOptions = { sync: options.sync };
    await batch.write(writeOptions);
  }

  async discard(batch: LevelBatch): Promise<void> {
    await batch.close();
  }

  append(batch: LevelBatch, entries: readonly Entry[]): void {
    const first = entries[0];
    if (first === undefined) return;
    assert(first.index > this.base, () => `append at ${first.index} into the compacted log (base ${this.base})`);
    assert(first.index <= this.last + 1, () => `append at ${first.index} leaves a gap after ${this.last}`);
    const newLast = first.index + entries.length - 1;
    for (let index = newLast + 1; index <= this.last; index++) batch.del(logKey(index), { sublevel: this.sublevel });
    for (const [offset, entry] of entries.entries()) {
      assert(entry.index === first.index + offset, () => `non-contiguous append at ${entry.index}`);
      batch.put(logKey(entry.index), encodeChecked(entry), { sublevel: this.sublevel });
    }
    this.last = newLast;
  }

  truncateAfter(batch: LevelBatch, index: number): void {
    const newLast = Math.max(index, this.base);
    for (let i = newLast + 1; i <= this.last; i++) batch.del(logKey(i), { sublevel: this.sublevel });
    this.last = Math.min(this.last, newLast);
  }

  compact(batch: LevelBatch, index: number): void {
    if (index <= this.base) return;
    for (let i = this.base + 1; i <= Math.min(index, this.last); i++) batch.del(logKey(i), { sublevel: this.sublevel });
    const base: LogBase = { index };
    batch.put(logKey(baseKeyIndex), encodeChecked(base), { sublevel: this.sublevel });
    this.base = index;
    this.last = Math.max(this.last, index);
  }

  firstIndex(): number {
    return this.base + 1;
  }

  lastIndex(): number {
    return this.last;
  }

  async entries(fromIndex: number, toIndexExclusive: number, bytesMax: number): Promise<readonly Entry[]> {
    const from = Math.max(fromIndex, this.base + 1);
    const result: Entry[] = [];
    if (from >= toIndexExclusive) return result;
    let bytes = 0;
    for await (const [key, value] of this.sublevel.iterator({ gte: logKey(from), lt: logKey(toIndexExclusive) })) {
      const index = logIndexOfKey(key);
      const decoded = decodeEntry(index, value);
      if (!decoded.ok) throw corruptError(index, decoded.reason);
      if (index !== from + result.length) throw corruptError(index, `expected index ${from + result.length}`);
      if (result.length > 0 && bytes + value.length > bytesMax) break;
      bytes += value.length;
      result.push(decoded.entry);
    }
    return result;
  }
}

type DecodedEntry = { readonly ok: true; readonly entry: Entry } | { readonly ok: false; readonly reason: string };

function decodeEntry(index: number, value: Uint8Array): DecodedEntry {
  const decoded = decodeChecked<Entry>(value);
  if (!decoded.ok) return decoded;
  const entry = decoded.value;
  if (typeof entry !== 'object' || entry === null || entry.index !== index || typeof entry.term !== 'number') {
    return { ok: false, reason: 'entry does not match its key' };
  }
  return { ok: true, entry };
}

function corruptError(index: number, reason: string): FlotillaError {
  return new FlotillaError(ErrorCode.storeCorrupt, `raft log entry ${index} is corrupt: ${reason}`, { details: { index, reason } });
}

async function readBase(sublevel: LogSublevel, logger: Logger): Promise<number> {
  const value = await sublevel.get(logKey(baseKeyIndex));
  if (value === undefined) return 0;
  const decoded = decodeChecked<LogBase>(value);
  if (decoded.ok && typeof decoded.value.index === 'number') return decoded.value.index;
  // The base is rewritten on every compaction; without it, the first stored entry tells where the log starts.
  const first = await sublevel.keys({ gt: logKey(baseKeyIndex), limit: 1 }).all();
  const firstKey = first[0];
  const base = firstKey === undefined ? 0 : logIndexOfKey(firstKey) - 1;
  logger.error({ recoveredBase: base }, 'raft log: compaction base record is corrupt; recovered it from the first entry');
  return base;
}

interface LogScan {
  readonly last: number;
  /** The first entry that is missing, corrupt or out of order; everything from it on is cut. */
  readonly badIndex: number | null;
  readonly reason: string;
}

async function scanLog(sublevel: LogSublevel, base: number): Promise<LogScan> {
  let expected = base + 1;
  let lastTerm = 0;
  for await (const [key, value] of sublevel.iterator({ gt: logKey(baseKeyIndex) })) {
    const index = logIndexOfKey(key);
    if (index <= base) continue; // compacted entries a crash left behind cannot exist (atomic batches), but are harmless
    if (index !== expected) return { last: expected - 1, badIndex: Math.min(index, expected), reason: `gap: expected ${expected}, found ${index}` };
    const decoded = decodeEntry(index, value);
    if (!decoded.ok) return { last: expected - 1, badIndex: index, reason: decoded.reason };
    if (decoded.entry.term < lastTerm) return { last: expected - 1, badIndex: index, reason: `term ${decoded.entry.term} after ${lastTerm}` };
    lastTerm = decoded.entry.term;
    expected = index + 1;
  }
  return { last: expected - 1, badIndex: null, reason: '' };
}

/** Deletes every entry from `fromIndex` on, durably; returns how many were removed. */
async function cutTail(db: RaftDatabase, sublevel: LogSublevel, fromIndex: number): Promise<number> {
  const keys = await sublevel.keys({ gte: logKey(fromIndex) }).all();
  const batch = db.batch();
  for (const key of keys) batch.del(key, { sublevel });
  const writeOptions: ChainedBatchWriteOptions = { sync: true };
  await batch.write(writeOptions);
  return keys.length;
}
