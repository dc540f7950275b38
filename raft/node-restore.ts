import { ErrorCode, FlotillaError, type Logger } from '../common/index.ts';
import type { LogStorage } from './log-storage.ts';
import type { RaftRestoreState } from './options.ts';
import type { SnapshotStore } from './snapshot-store.ts';
import type { StableStorage } from './stable-storage.ts';
import type { StateMachine } from './state-machine.ts';
import type { Entry } from './types.ts';

/** Bytes read from the log storage per round trip while loading it at startup. */
export const restoreReadBytes = 4 * 1024 * 1024;

export interface RestoreSources<Batch, Result> {
  readonly log: LogStorage<Batch>;
  readonly stable: StableStorage<Batch>;
  readonly snapshots: SnapshotStore;
  readonly stateMachine: StateMachine<Batch, Result>;
  readonly logger: Logger;
}

/**
 * Rebuilds what the core restarts from: hard state, snapshot metadata and the log after the
 * snapshot. Stable storage names the snapshot the log starts after; any other snapshot file (one a
 * crash left between being written and being recorded) is dropped. A state machine that is behind
 * the snapshot (an in-memory one, or one that crashed mid-restore) is restored from it first.
 */
export async function loadRestoreState<Batch, Result>(sources: RestoreSources<Batch, Result>): Promise<RaftRestoreState> {
  const { log, stable, snapshots, stateMachine, logger } = sources;
  const snapshot = stable.snapshot();
  await snapshots.prune(snapshot?.index ?? 0);
  if (snapshot !== null && snapshots.current()?.index !== snapshot.index) {
    throw new FlotillaError(ErrorCode.storeCorrupt, `snapshot ${snapshot.index} is recorded but missing from the snapshot store`, {
      details: { index: snapshot.index },
    });
  }
  if (snapshot !== null && stateMachine.appliedIndex < snapshot.index) {
    logger.info({ index: snapshot.index, applied: stateMachine.appliedIndex }, 'restoring the state machine from the snapshot');
    await stateMachine.restore(snapshot, snapshots.read(snapshot.index));
  }
  const from = (snapshot?.index ?? 0) + 1;
  const entries = await readAll(log, from);
  const first = entries[0];
  if (first !== undefined && first.index !== from) {
    throw new FlotillaError(ErrorCode.storeCorrupt, `the raft log starts at ${first.index}, after the snapshot at ${from - 1}`, {
      details: { firstIndex: first.index, snapshotIndex: from - 1 },
    });
  }
  const hardState = stable.hardState();
  const lastIndex = Math.max(from - 1, entries[entries.length - 1]?.index ?? 0);
  if (hardState !== null && hardState.commitIndex > lastIndex) {
    // Only a cut log tail (see LevelLogStorage.open) gets here: those entries are re-fetched from the leader.
    logger.error({ commitIndex: hardState.commitIndex, lastIndex }, 'commit index beyond the stored log; entries past the log end will be re-replicated');
  }
  logger.info({ snapshotIndex: from - 1, entries: entries.length, term: hardState?.term ?? 0 }, 'raft state loaded');
  return { hardState, snapshot, entries };
}

async function readAll<Batch>(log: LogStorage<Batch>, from: number): Promise<Entry[]> {
  const entries: Entry[] = [];
  const end = log.lastIndex() + 1;
  let next = from;
  while (next < end) {
    const part = await log.entries(next, end, restoreReadBytes);
    if (part.length === 0) break;
    entries.push(...part);
    next = (part[part.length - 1]?.index ?? next) + 1;
  }
  return entries;
}
