import { refreshMembership, setMembership } from './core-membership.ts';
import type { CoreState } from './core-state.ts';
import type { Message, SnapshotMetadata } from './types.ts';

type AppendMessage = Extract<Message, { type: 'append' }>;
type HeartbeatMessage = Extract<Message, { type: 'heartbeat' }>;
type InstallSnapshotMessage = Extract<Message, { type: 'install-snapshot' }>;

/**
 * AppendEntries receiver (figure 2, §5.3). On rejection, `matchIndex` carries the rejected
 * `prevLogIndex` (so the leader can tell stale rejections apart) and the conflict fields carry
 * the fast-backtracking hint.
 */
export function handleAppend(state: CoreState, message: AppendMessage): void {
  // Until the driver has been handed the installed snapshot, new entries would race with its
  // log reset; the leader retries after the next heartbeat.
  if (state.snapshotToInstall !== null) return;
  const { log } = state;
  const base = { from: state.id, to: message.from, term: state.term } as const;
  if (message.prevLogIndex < log.committed) {
    // Everything up to our commit index already matches the leader's log.
    state.send({ type: 'append-response', ...base, success: true, matchIndex: log.committed, conflictIndex: 0, conflictTerm: 0 });
    return;
  }
  const result = log.maybeAppend(message.prevLogIndex, message.prevLogTerm, message.commitIndex, message.entries);
  if (result === null) {
    const hint = log.conflictHint(message.prevLogIndex);
    state.send({ type: 'append-response', ...base, success: false, matchIndex: message.prevLogIndex, ...hint });
    return;
  }
  if (result.truncated && state.membershipIndex >= (result.appended[0]?.index ?? Infinity)) {
    refreshMembership(state);
  } else {
    for (const entry of result.appended) {
      if (entry.type === 'membership') setMembership(state, entry.membership, entry.index);
    }
  }
  state.send({ type: 'append-response', ...base, success: true, matchIndex: result.lastNewIndex, conflictIndex: 0, conflictTerm: 0 });
}

/** The leader sends min(its commit, our match), so committing up to it is always safe. */
export function handleHeartbeat(state: CoreState, message: HeartbeatMessage): void {
  state.log.commitTo(Math.min(message.commitIndex, state.log.lastIndex()));
  state.send({ type: 'heartbeat-response', from: state.id, to: message.from, term: state.term, readContext: message.readContext });
}

/**
 * One InstallSnapshot chunk (§7). Chunks must arrive in order: a chunk at an unexpected offset is
 * answered with the offset we expect, so the leader resumes from there. The last chunk installs.
 */
export function handleInstallSnapshot(state: CoreState, message: InstallSnapshotMessage): void {
  // One snapshot per Ready: the driver installs the finished one before any newer chunk arrives.
  if (state.snapshotToInstall !== null) return;
  const { metadata } = message;
  const respond = (nextOffset: number, rejected: boolean): void =>
    state.send({
      type: 'install-snapshot-response',
      from: state.id,
      to: message.from,
      term: state.term,
      snapshotIndex: metadata.index,
      nextOffset,
      rejected,
    });
  if (metadata.index <= state.log.committed || state.log.matchTerm(metadata.index, metadata.term)) {
    // We already hold everything the snapshot covers: tell the leader it is done.
    state.log.commitTo(metadata.index);
    state.incomingSnapshot = null;
    respond(metadata.sizeBytes, false);
    return;
  }
  const incoming = state.incomingSnapshot;
  const sameSnapshot = incoming !== null && incoming.metadata.index === metadata.index && incoming.metadata.term === metadata.term;
  // A different snapshot restarts the transfer; a chunk not at offset 0 is then answered with 0.
  const receiving = sameSnapshot ? incoming : { metadata, nextOffset: 0 };
  state.incomingSnapshot = receiving;
  if (message.offset !== receiving.nextOffset) {
    respond(receiving.nextOffset, true);
    return;
  }
  state.snapshotChunks.push({ metadata, offset: message.offset, data: message.data, done: message.done });
  receiving.nextOffset += message.length;
  if (message.done) {
    installSnapshot(state, metadata);
    respond(metadata.sizeBytes, false);
    return;
  }
  respond(receiving.nextOffset, false);
}

/** The log becomes the snapshot: the driver replaces its stored log and restores the state machine. */
function installSnapshot(state: CoreState, metadata: SnapshotMetadata): void {
  state.incomingSnapshot = null;
  state.log.resetToSnapshot(metadata.index, metadata.term);
  state.snapshot = metadata;
  state.baseMembership = metadata.membership;
  setMembership(state, metadata.membership, metadata.index);
  state.snapshotToInstall = metadata;
}
