import { assert } from '../common/index.ts';
import { onLeaderCommitAdvanced, setMembership } from './core-membership.ts';
import { onForwardedRead, onReadContextAcked, onCommittedInTerm } from './core-reads.ts';
import { onSnapshotResponse, startSnapshotTransfer } from './core-snapshot.ts';
import type { CoreState } from './core-state.ts';
import { entryBytes } from './log.ts';
import { ProgressState } from './progress.ts';
import { jointValue } from './quorum.ts';
import type { Entry, Membership, Message, NodeId } from './types.ts';

type AppendResponse = Extract<Message, { type: 'append-response' }>;
type HeartbeatResponse = Extract<Message, { type: 'heartbeat-response' }>;

/** Entries as proposed, before the leader stamps term and index on them. */
export type EntryDraft =
  | { readonly type: 'normal'; readonly data: Uint8Array }
  | { readonly type: 'noop' }
  | { readonly type: 'membership'; readonly membership: Membership };

export function stepLeader(state: CoreState, message: Message): void {
  switch (message.type) {
    case 'append-response':
      onAppendResponse(state, message);
      return;
    case 'heartbeat-response':
      onHeartbeatResponse(state, message);
      return;
    case 'install-snapshot-response':
      onSnapshotResponse(state, message);
      return;
    case 'read-index':
      onForwardedRead(state, message);
      return;
    default:
      return;
  }
}

/** Appends to the leader's own log; replication goes out at the next `ready()` (batching). */
export function appendEntries(state: CoreState, drafts: readonly EntryDraft[]): Entry[] {
  let index = state.log.lastIndex();
  const entries = drafts.map((draft): Entry => ({ ...draft, term: state.term, index: (index += 1) }));
  state.log.append(entries);
  state.progress.get(state.id)?.maybeUpdate(state.log.lastIndex());
  for (const entry of entries) {
    if (entry.type === 'membership') setMembership(state, entry.membership, entry.index);
  }
  state.appendsPending = true;
  // A single voter commits on its own append.
  maybeCommit(state);
  return entries;
}

/** Sends what replication is waiting for: new entries (batched) and commit-index updates. */
export function flushAppends(state: CoreState): void {
  const forceEmpty = state.commitBroadcastNeeded;
  state.appendsPending = false;
  state.commitBroadcastNeeded = false;
  for (const [id, progress] of state.progress) {
    if (id === state.id) continue;
    while (sendAppend(state, id, false));
    if (forceEmpty && progress.commitSent < state.log.committed) sendAppend(state, id, true);
  }
}

/**
 * Sends one append (or starts a snapshot if the entries are compacted). Returns false when
 * the follower is paused or, unless `sendIfEmpty`, there is nothing new to send.
 */
export function sendAppend(state: CoreState, to: NodeId, sendIfEmpty: boolean): boolean {
  const progress = state.progress.get(to);
  if (progress === undefined || to === state.id || progress.isPaused()) return false;
  const prevLogIndex = progress.nextIndex - 1;
  const prevLogTerm = state.log.term(prevLogIndex);
  if (prevLogTerm === undefined) return startSnapshotTransfer(state, to, progress);
  const { options } = state;
  const entries = state.log.slice(progress.nextIndex, options.appendEntriesMax, options.appendBytesMax);
  if (entries.length === 0 && !sendIfEmpty) return false;
  state.send({
    type: 'append',
    from: state.id,
    to,
    term: state.term,
    prevLogIndex,
    prevLogTerm,
    entries,
    commitIndex: state.log.committed,
  });
  progress.commitSent = state.log.committed;
  const last = entries[entries.length - 1];
  if (last !== undefined) progress.sentEntries(last.index, entries.reduce((sum, entry) => sum + entryBytes(entry), 0));
  else if (progress.state === ProgressState.probe) progress.probeSent = true;
  return true;
}

/**
 * Advances the commit index to what a (joint) majority has matched, but only to an entry of the
 * current term: older entries commit indirectly (§5.4.2, figure 8).
 */
export function maybeCommit(state: CoreState): boolean {
  const index = jointValue(state.membership, (id) => state.matchOf(id));
  if (!Number.isFinite(index) || index <= state.log.committed) return false;
  if (state.log.term(index) !== state.term) return false;
  const previous = state.log.committed;
  state.log.commitTo(index);
  releaseUncommitted(state, previous, index);
  state.commitBroadcastNeeded = true;
  onCommittedInTerm(state);
  onLeaderCommitAdvanced(state);
  return true;
}

function releaseUncommitted(state: CoreState, from: number, to: number): void {
  for (let index = from + 1; index <= to; index += 1) {
    const entry = state.log.entry(index);
    if (entry?.type === 'normal') state.uncommittedBytes -= entry.data.byteLength;
  }
  state.uncommittedBytes = Math.max(0, state.uncommittedBytes);
}

function onAppendResponse(state: CoreState, message: AppendResponse): void {
  const progress = state.progress.get(message.from);
  if (progress === undefined) return;
  progress.recentActive = true;
  if (!message.success) {
    if (progress.maybeDecreaseTo(message.matchIndex, nextIndexHint(state, message))) sendAppend(state, message.from, true);
    return;
  }
  const wasPaused = progress.isPaused();
  const updated = progress.maybeUpdate(message.matchIndex);
  // A probe answered at the match we already know (e.g. right after a snapshot) also ends probing.
  const probeConfirmed = progress.state === ProgressState.probe && progress.matchIndex === message.matchIndex;
  if (!updated && !probeConfirmed) return;
  if (progress.state === ProgressState.probe) progress.becomeReplicate();
  else if (progress.state === ProgressState.snapshot) {
    if (progress.matchIndex >= (progress.snapshot?.metadata.index ?? 0)) progress.becomeProbe();
  } else progress.inflights.freeUpTo(message.matchIndex);
  if (!maybeCommit(state) && wasPaused) sendAppend(state, message.from, true);
  if (state.progress.get(message.from) !== progress) return; // the commit ended our leadership
  while (sendAppend(state, message.from, false));
  if (message.from === state.transferee && progress.matchIndex === state.log.lastIndex()) {
    sendTimeoutNow(state, message.from);
  }
}

/**
 * Where to retry after a rejection: past the last entry we hold of the follower's conflicting
 * term, else at the first index the follower holds of that term, or at its log end.
 */
function nextIndexHint(state: CoreState, message: AppendResponse): number {
  if (message.conflictTerm === 0) return message.conflictIndex;
  const last = state.log.lastIndexOfTerm(message.conflictTerm);
  return last > 0 ? last + 1 : message.conflictIndex;
}

function onHeartbeatResponse(state: CoreState, message: HeartbeatResponse): void {
  const progress = state.progress.get(message.from);
  if (progress === undefined) return;
  progress.recentActive = true;
  progress.probeSent = false;
  if (progress.state === ProgressState.replicate && progress.inflights.full()) progress.inflights.freeFirst();
  if (progress.matchIndex < state.log.lastIndex()) sendAppend(state, message.from, true);
  onReadContextAcked(state, progress, message.readContext);
}

/** One heartbeat round: also a read-confirmation round with a fresh context. */
export function broadcastHeartbeat(state: CoreState): void {
  state.readContextSent += 1;
  const context = state.readContextSent;
  state.readHeartbeatNeeded = false;
  state.heartbeatSentTicks.set(context, state.tickCount);
  for (const [sent, tick] of state.heartbeatSentTicks) {
    if (tick < state.tickCount - state.options.electionTimeoutTicks) state.heartbeatSentTicks.delete(sent);
  }
  for (const [id, progress] of state.progress) {
    if (id === state.id) continue;
    const commitIndex = Math.min(progress.matchIndex, state.log.committed);
    state.send({ type: 'heartbeat', from: state.id, to: id, term: state.term, commitIndex, readContext: context });
  }
  // With no other voter, our own acknowledgement is a quorum.
  const self = state.progress.get(state.id);
  if (self !== undefined) onReadContextAcked(state, self, context);
}

export function sendTimeoutNow(state: CoreState, to: NodeId): void {
  assert(to !== state.id, 'timeout-now to self');
  state.leaseRevoked = true;
  state.send({ type: 'timeout-now', from: state.id, to, term: state.term });
}
