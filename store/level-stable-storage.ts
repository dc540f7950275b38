import type { AbstractSublevel } from 'abstract-level';
import type { ChainedBatchWriteOptions } from 'classic-level';
import { ErrorCode, FlotillaError } from '../common/index.ts';
import { decodeChecked, encodeChecked } from '../raft/crc32.ts';
import type { StableStorage } from '../raft/index.ts';
import type { HardState, SnapshotMetadata } from '../raft/index.ts';
import { stageEmptyLog } from './level-log-storage.ts';
import { raftStateKeys, raftSublevelNames, type LevelBatch, type RaftDatabase } from './level-raft-keys.ts';

type StateSublevel = AbstractSublevel<RaftDatabase, string | Buffer | Uint8Array, string, Uint8Array>;

function openSublevel(db: RaftDatabase): StateSublevel {
  return db.sublevel<string, Uint8Array>(raftSublevelNames.state, { keyEncoding: 'utf8', valueEncoding: 'view' });
}

/**
 * Hard state and snapshot metadata in a sublevel of the replica's LevelDB, checksummed like the log.
 * Unlike a log tail, these cannot be cut back safely (a forgotten vote could elect two leaders), so
 * a corrupt record stops the open with STORE_CORRUPT instead.
 */
export class LevelStableStorage implements StableStorage<LevelBatch> {
  private hard: HardState | null = null;
  private snapshotMetadata: SnapshotMetadata | null = null;

  private constructor(private sublevel: StateSublevel) {}

  static async open(db: RaftDatabase): Promise<LevelStableStorage> {
    const storage = new LevelStableStorage(openSublevel(db));
    await storage.load();
    return storage;
  }

  /** Switches to another database handle (after a snapshot install swapped the data directory) and reloads. */
  async reopen(db: RaftDatabase): Promise<void> {
    this.sublevel = openSublevel(db);
    await this.load();
  }

  private async load(): Promise<void> {
    this.hard = await readRecord<HardState>(this.sublevel, raftStateKeys.hardState);
    this.snapshotMetadata = await readRecord<SnapshotMetadata>(this.sublevel, raftStateKeys.snapshot);
  }

  hardState(): HardState | null {
    return this.hard;
  }

  snapshot(): SnapshotMetadata | null {
    return this.snapshotMetadata;
  }

  setHardState(batch: LevelBatch, hardState: HardState): void {
    batch.put(raftStateKeys.hardState, encodeChecked(hardState), { sublevel: this.sublevel });
    this.hard = hardState;
  }

  setSnapshot(batch: LevelBatch, metadata: SnapshotMetadata): void {
    batch.put(raftStateKeys.snapshot, encodeChecked(metadata), { sublevel: this.sublevel });
    this.snapshotMetadata = metadata;
  }
}

/**
 * Writes a replica's Raft records into a fresh database — hard state, the snapshot it now starts
 * from, an empty log after it — durably and in one batch. For the snapshot install of
 * store/README: the staged database must be self-consistent before it is swapped in.
 */
export async function seedRaftState(db: RaftDatabase, state: { readonly hardState: HardState | null; readonly snapshot: SnapshotMetadata }): Promise<void> {
  const sublevel = openSublevel(db);
  const batch = db.batch();
  if (state.hardState !== null) batch.put(raftStateKeys.hardState, encodeChecked(state.hardState), { sublevel });
  batch.put(raftStateKeys.snapshot, encodeChecked(state.snapshot), { sublevel });
  stageEmptyLog(db, batch, state.snapshot.index);
  const writeOptions: ChainedBatchWriteOptions = { sync: true };
  await batch.write(writeOptions);
}

async function readRecord<T>(sublevel: StateSublevel, key: string): Promise<T | null> {
  const value = await sublevel.get(key);
  if (value === undefined) return null;
  const decoded = decodeChecked<T>(value);
  if (!decoded.ok) {
    throw new FlotillaError(ErrorCode.storeCorrupt, `raft ${key} record is corrupt: ${decoded.reason}`, { details: { key } });
  }
  return decoded.value;
}
