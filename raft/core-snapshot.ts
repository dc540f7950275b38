import { assert } from '../common/index.ts';
import { sendAppend } from './core-leader.ts';
import { membershipAt } from './core-membership.ts';
import type { CoreState } from './core-state.ts';
import { ProgressState, type Progress } from './progress.ts';
import type { Message, NodeId, SnapshotMetadata } from './types.ts';

/** The follower needs compacted entries: stream our newest snapshot to it, chunk by chunk. */
export function startSnapshotTransfer(state: CoreState, to: NodeId, progress: Progress): boolean {
  const snapshot = state.snapshot;
  assert(snapshot !== null, 'entries are compacted only after a snapshot');
  progress.becomeSnapshot(snapshot);
  sendSnapshotChunk(state, to, progress);
  return true;
}

/** Sends the chunk at the acknowledged offset; the driver fills its data from the snapshot store. */
function sendSnapshotChunk(state: CoreState, to: NodeId, progress: Progress): void {
  const transfer = progress.snapshot;
  assert(transfer !== null, 'sending a snapshot chunk outside snapshot state');
  const { metadata, ackedOffset } = transfer;
  const length = Math.max(0, Math.min(state.options.snapshotChunkBytes, metadata.sizeBytes - ackedOffset));
  state.send({
    type: 'install-snapshot',
    from: state.id,
    to,
    term: state.term,
    metadata,
    offset: ackedOffset,
    length,
    data: new Uint8Array(0),
    done: ackedOffset + length >= metadata.sizeBytes,
  });
  transfer.ticksSinceSend = 0;
}

export function onSnapshotResponse(state: CoreState, message: Extract<Message, { type: 'install-snapshot-response' }>): void {
  const progress = state.progress.get(message.from);
  if (progress === undefined) return;
  progress.recentActive = true;
  const transfer = progress.snapshot;
  if (progress.state !== ProgressState.snapshot || transfer === null || transfer.metadata.index !== message.snapshotIndex) {
    return;
  }
  if (!message.rejected && message.nextOffset >= transfer.metadata.sizeBytes) {
    // Installed (or not needed): the follower's log now matches ours up to the snapshot.
    progress.maybeUpdate(transfer.metadata.index);
    progress.becomeProbe();
    sendAppend(state, message.from, true);
    return;
  }
  transfer.ackedOffset = Math.max(0, Math.min(message.nextOffset, transfer.metadata.sizeBytes));
  sendSnapshotChunk(state, message.from, progress);
}

/** Leader tick: resend an unacknowledged chunk after a heartbeat interval (switching to a newer snapshot). */
export function tickSnapshotTransfers(state: CoreState): void {
  for (const [id, progress] of state.progress) {
    const transfer = progress.snapshot;
    if (id === state.id || progress.state !== ProgressState.snapshot || transfer === null) continue;
    transfer.ticksSinceSend += 1;
    if (transfer.ticksSinceSend < state.options.heartbeatIntervalTicks) continue;
    // The driver's snapshot store may keep only the newest snapshot: never resend an older one.
    if (state.snapshot !== null && state.snapshot.index > transfer.metadata.index) progress.becomeSnapshot(state.snapshot);
    sendSnapshotChunk(state, id, progress);
  }
}

/**
 * The application snapshotted its state at `index`. Returns the metadata to store with it and
 * trims the log, keeping `snapshotTrailingEntries` entries for slightly lagging followers.
 */
export function compact(state: CoreState, index: number, sizeBytes: number): SnapshotMetadata {
  const { log } = state;
  assert(index <= log.applied, () => `snapshot index ${index} is beyond applied ${log.applied}`);
  assert(index > (state.snapshot?.index ?? 0), () => `snapshot index ${index} is not newer than ${state.snapshot?.index ?? 0}`);
  assert(sizeBytes >= 0, 'snapshot size must not be negative');
  const term = log.term(index);
  assert(term !== undefined, () => `snapshot index ${index} is no longer in the log`);
  const metadata: SnapshotMetadata = { index, term, membership: membershipAt(state, index), sizeBytes };
  const newBase = index - state.options.snapshotTrailingEntries;
  if (newBase > log.baseIndex) {
    state.baseMembership = membershipAt(state, newBase);
    log.compactTo(newBase);
  }
  state.snapshot = metadata;
  return metadata;
}
