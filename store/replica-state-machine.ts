import { rm } from 'node:fs/promises';
import { ClassicLevel } from 'classic-level';
import { decode, encode, ErrorCode, FlotillaError, type Logger } from '../common/index.ts';
import type { Entry, Membership, SnapshotMetadata } from '../raft/index.ts';
// Not in raft/index.ts yet (reported to the lead): the driver's state machine port.
import type { PreparedApply, StateMachine, StateMachineSnapshot } from '../raft/index.ts';
import type { ApplyOutcome } from './commands.ts';
import { prepareStagingDirectory, swapInStagingDirectory } from './directory-swap.ts';
import type { LevelLogStorage } from './level-log-storage.ts';
import type { LevelBatch } from './level-raft-keys.ts';
import { seedRaftState, type LevelStableStorage } from './level-stable-storage.ts';
import { MvccStore } from './mvcc-store.ts';
import {
  decodeDirectoryCommand,
  isDirectoryEntry,
  parseMemberRecord,
  writeDirectoryRecords,
  type DirectoryCommand,
  type MemberDirectory,
  type MemberRecord,
} from './replica-directory.ts';
import { installSnapshot } from './snapshot.ts';

export type ReplicaDatabase = ClassicLevel<Uint8Array, Uint8Array>;

/** What one entry produced: a store command's outcome, or a directory change (no client result). */
export type ReplicaApplyResult = { readonly kind: 'store'; readonly outcome: ApplyOutcome } | { readonly kind: 'directory' };

/** What the replica learns from each committed apply (called after the batch is written). */
export interface AppliedBatch {
  readonly storeOutcomes: ReadonlyMap<number, ApplyOutcome>;
  /** Membership entries applied (committed) in this batch, oldest first. */
  readonly memberships: readonly Membership[];
  readonly directoryChanged: boolean;
}

export interface ReplicaStateMachineHooks {
  onApplied(batch: AppliedBatch): void;
  /** A snapshot install replaced the database and the store (watchers of the old one were closed). */
  onRestored(metadata: SnapshotMetadata): void;
}

export function openReplicaDatabase(directory: string): ReplicaDatabase {
  return new ClassicLevel<Uint8Array, Uint8Array>(directory, { keyEncoding: 'view', valueEncoding: 'view' });
}

/** Snapshot layout: magic, 4-byte big-endian header length, msgpack header, then the store's own stream. */
const snapshotMagic = new TextEncoder().encode('FLRS');
const snapshotHeaderBytesMax = 16 * 1024 * 1024;

export interface SnapshotHeader {
  readonly formatVersion: 1;
  readonly members: readonly MemberRecord[];
}

/**
 * The Raft state machine of a replica: the MVCC store plus the member directory, in one LevelDB
 * (store/README "Batch contract": both stage into the driver's batch, with the applied index).
 * Directory entries reach the store as `noop`s, so its applied index still advances by one.
 *
 * Restore follows store/README "Installing a snapshot": a fresh database in the staging
 * directory, filled from the snapshot (store data, directory, Raft records), swapped in, reopened;
 * the LevelDB storages of the driver are pointed at the new handle before returning.
 */
export class ReplicaStateMachine implements StateMachine<LevelBatch, ReplicaApplyResult> {
  private db: ReplicaDatabase;
  private mvcc: MvccStore;
  /** Set while a snapshot install swaps the database: readers wait for it. */
  private restoring: Promise<void> | null = null;

  constructor(
    private readonly databaseDirectory: string,
    db: ReplicaDatabase,
    store: MvccStore,
    private readonly directory: MemberDirectory,
    private readonly log: LevelLogStorage,
    private readonly stable: LevelStableStorage,
    private readonly logger: Logger,
    private readonly hooks: ReplicaStateMachineHooks,
  ) {
    this.db = db;
    this.mvcc = store;
  }

  /** The current store (replaced by a snapshot install: never cache it). */
  get store(): MvccStore {
    return this.mvcc;
  }

  get database(): ReplicaDatabase {
    return this.db;
  }

  get appliedIndex(): number {
    return this.mvcc.appliedIndex;
  }

  /**
   * Runs a read on the current store. A snapshot install closes the store it replaces, so a read
   * waits for an install in progress, and one caught by an install is run again on the new store.
   */
  async read<T>(run: (store: MvccStore) => Promise<T>): Promise<T> {
    if (this.restoring !== null) await this.restoring;
    const store = this.mvcc;
    try {
      return await run(store);
    } catch (error) {
      if (this.restoring === null && store === this.mvcc) throw error;
      if (this.restoring !== null) await this.restoring;
      return run(this.mvcc);
    }
  }

  async prepareApply(entries: readonly Entry[], batch: LevelBatch): Promise<PreparedApply<ReplicaApplyResult>> {
    const applied = this.mvcc.appliedIndex;
    const storeEntries: Entry[] = [];
    const commands: DirectoryCommand[] = [];
    const directoryIndexes: number[] = [];
    const memberships: Membership[] = [];
    for (const entry of entries) {
      if (!isDirectoryEntry(entry)) {
        storeEntries.push(entry);
        if (entry.type === 'membership' && entry.index > applied) memberships.push(entry.membership);
        continue;
      }
      storeEntries.push({ type: 'noop', term: entry.term, index: entry.index });
      if (entry.index <= applied) continue;
      directoryIndexes.push(entry.index);
      const command = decodeDirectoryCommand(entry.data);
      // Only replicas propose directory entries; a bad one is skipped the same way everywhere.
      if (command === null) this.logger.error({ index: entry.index }, 'malformed member directory entry; skipped');
      else commands.push(command);
    }
    const staged = this.directory.stage(batch, commands);
    const prepared = await this.mvcc.prepareApply(storeEntries, batch);
    const outcomes = new Map<number, ReplicaApplyResult>();
    for (const [index, outcome] of prepared.outcomes) outcomes.set(index, { kind: 'store', outcome });
    for (const index of directoryIndexes) outcomes.set(index, { kind: 'directory' });
    return {
      outcomes,
      commit: () => {
        prepared.commit();
        staged.commit();
        this.notify({ storeOutcomes: prepared.outcomes, memberships, directoryChanged: staged.changed });
      },
      abandon: (error) => prepared.abandon(error),
    };
  }

  private notify(batch: AppliedBatch): void {
    try {
      this.hooks.onApplied(batch);
    } catch (error) {
      this.logger.error({ err: error }, 'apply hook threw');
    }
  }

  async takeSnapshot(): Promise<StateMachineSnapshot> {
    // Both captured in this synchronous step: the store's LevelDB snapshot is the last written batch,
    // and the directory in memory is committed with that same batch.
    const header = encodeSnapshotHeader({ formatVersion: 1, members: this.directory.snapshotRecords() });
    const stream = await this.mvcc.createSnapshot();
    async function* data(): AsyncGenerator<Uint8Array> {
      let finished = false;
      try {
        yield header;
        for await (const chunk of stream) yield chunk;
        finished = true;
      } finally {
        if (!finished) await stream.close();
      }
    }
    return { index: stream.meta.appliedIndex, data: data() };
  }

  async restore(metadata: SnapshotMetadata, data: AsyncIterable<Uint8Array>): Promise<void> {
    let finished: () => void = () => undefined;
    this.restoring = new Promise<void>((resolve) => {
      finished = resolve;
    });
    try {
      await this.install(metadata, data);
    } finally {
      this.restoring = null;
      finished();
    }
  }

  private async install(metadata: SnapshotMetadata, data: AsyncIterable<Uint8Array>): Promise<void> {
    const staging = await prepareStagingDirectory(this.databaseDirectory);
    const fresh = openReplicaDatabase(staging);
    await fresh.open();
    try {
      const { header, rest } = await readSnapshotHeader(data);
      const meta = await installSnapshot(fresh, rest);
      if (meta.appliedIndex !== metadata.index) {
        throw new FlotillaError(ErrorCode.storeCorrupt, `snapshot data covers index ${meta.appliedIndex}, its metadata says ${metadata.index}`);
      }
      await writeDirectoryRecords(fresh, header.members);
      await seedRaftState(fresh, { hardState: this.stable.hardState(), snapshot: metadata });
      await fresh.close();
    } catch (error) {
      await fresh.close().catch(() => undefined);
      await rm(staging, { recursive: true, force: true });
      throw error;
    }
    await this.mvcc.close();
    await this.db.close();
    await swapInStagingDirectory(this.databaseDirectory);
    await this.reopen();
    this.logger.info({ index: metadata.index, term: metadata.term, members: this.directory.list().length }, 'replica restored from snapshot');
    try {
      this.hooks.onRestored(metadata);
    } catch (error) {
      this.logger.error({ err: error }, 'restore hook threw');
    }
  }

  private async reopen(): Promise<void> {
    const db = openReplicaDatabase(this.databaseDirectory);
    await db.open();
    this.db = db;
    this.mvcc = await MvccStore.open({ db, logger: this.logger });
    await this.log.reopen(db);
    await this.stable.reopen(db);
    await this.directory.reopen(db);
  }

  /** Closes the store (watchers end with `closed`) and the database. */
  async close(): Promise<void> {
    await this.mvcc.close();
    await this.db.close();
  }
}

export function encodeSnapshotHeader(header: SnapshotHeader): Uint8Array {
  const body = encode(header);
  const bytes = new Uint8Array(snapshotMagic.length + 4 + body.length);
  bytes.set(snapshotMagic, 0);
  new DataView(bytes.buffer).setUint32(snapshotMagic.length, body.length);
  bytes.set(body, snapshotMagic.length + 4);
  return bytes;
}

/** Splits our header off the snapshot stream; `rest` is the store's stream, untouched. */
async function readSnapshotHeader(data: AsyncIterable<Uint8Array>): Promise<{ header: SnapshotHeader; rest: AsyncIterable<Uint8Array> }> {
  const iterator = data[Symbol.asyncIterator]();
  let buffered: Uint8Array = new Uint8Array(0);
  const fill = async (bytes: number): Promise<void> => {
    while (buffered.length < bytes) {
      const next = await iterator.next();
      if (next.done === true) throw new FlotillaError(ErrorCode.storeCorrupt, 'snapshot ends inside its replica header');
      buffered = concat(buffered, next.value);
    }
  };
  const prefix = snapshotMagic.length + 4;
  await fill(prefix);
  if (!snapshotMagic.every((byte, index) => buffered[index] === byte)) throw new FlotillaError(ErrorCode.storeCorrupt, 'not a replica snapshot');
  const length = new DataView(buffered.buffer, buffered.byteOffset, buffered.byteLength).getUint32(snapshotMagic.length);
  if (length > snapshotHeaderBytesMax) throw new FlotillaError(ErrorCode.storeCorrupt, `replica snapshot header of ${length} bytes`);
  await fill(prefix + length);
  const header = parseHeader(buffered.subarray(prefix, prefix + length));
  const leftover = buffered.subarray(prefix + length);
  async function* rest(): AsyncGenerator<Uint8Array> {
    if (leftover.length > 0) yield leftover;
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) return;
      yield next.value;
    }
  }
  return { header, rest: rest() };
}

function parseHeader(bytes: Uint8Array): SnapshotHeader {
  let value: unknown;
  try {
    value = decode<unknown>(bytes);
  } catch (cause) {
    throw new FlotillaError(ErrorCode.storeCorrupt, 'replica snapshot header is not msgpack', { cause });
  }
  const record = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const members = record['members'];
  if (record['formatVersion'] !== 1 || !Array.isArray(members)) throw new FlotillaError(ErrorCode.storeCorrupt, 'bad replica snapshot header');
  const parsed = members.map(parseMemberRecord);
  if (parsed.some((member) => member === null)) throw new FlotillaError(ErrorCode.storeCorrupt, 'bad member record in snapshot');
  return { formatVersion: 1, members: parsed as MemberRecord[] };
}

function concat(left: Uint8Array, right: Uint8Array): Uint8Array {
  if (left.length === 0) return right;
  const joined = new Uint8Array(left.length + right.length);
  joined.set(left, 0);
  joined.set(right, left.length);
  return joined;
}
