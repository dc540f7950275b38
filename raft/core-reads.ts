import type { CoreState } from './core-state.ts';
import type { Progress } from './progress.ts';
import { jointValue } from './quorum.ts';
import type { PendingRead } from './read-only.ts';
import { Role, type CommandResult, type Message, type NodeId } from './types.ts';

/** Reads not confirmed within this many election timeouts fail (lost messages must not pin them). */
export const readTimeoutElectionTimeouts = 2;
/**
 * Lease reads trust a quorum's acknowledgement for one election timeout after the heartbeat was
 * sent, minus this margin for clock drift between members' ticks.
 */
export const leaseSafetyMarginTicks = 1;

/** ReadIndex (§6.4 of the thesis): on the leader, or forwarded by a follower to its leader. */
export function readIndex(state: CoreState, requestId: string): CommandResult {
  if (state.role === Role.leader) return leaderRead(state, requestId, state.id);
  if (state.leaderId === null) return { ok: false, refusal: { code: 'RAFT_NOT_LEADER', leaderHint: null } };
  if (state.forwardedReads.size >= state.options.pendingReadsMax) return queueFull(state);
  state.forwardedReads.add({ requestId, leaderId: state.leaderId, createdTick: state.tickCount });
  state.send({ type: 'read-index', from: state.id, to: state.leaderId, term: state.term, requestId });
  return { ok: true };
}

function leaderRead(state: CoreState, requestId: string, from: NodeId): CommandResult {
  if (state.leaderReads.size >= state.options.pendingReadsMax) return queueFull(state);
  const committedInTerm = state.committedInCurrentTerm();
  if (committedInTerm && state.options.leaseReads && state.options.checkQuorum && leaseValid(state)) {
    deliver(state, { requestId, from, context: 0, index: state.log.committed, createdTick: state.tickCount });
    return { ok: true };
  }
  // Confirmed by the next heartbeat round, which `ready()` sends (one round serves many reads).
  state.leaderReads.add({
    requestId,
    from,
    context: state.readContextSent + 1,
    index: committedInTerm ? state.log.committed : null,
    createdTick: state.tickCount,
  });
  state.readHeartbeatNeeded = true;
  return { ok: true };
}

function queueFull(state: CoreState): CommandResult {
  return { ok: false, refusal: { code: 'RAFT_READ_QUEUE_FULL', limit: state.options.pendingReadsMax } };
}

/** A quorum acknowledged a heartbeat sent within the lease, so no other leader can exist yet. */
function leaseValid(state: CoreState): boolean {
  if (state.leaseRevoked) return false;
  const sentTick = jointValue(state.membership, (id) =>
    id === state.id ? state.tickCount : (state.progress.get(id)?.ackedHeartbeatSentTick ?? Number.NEGATIVE_INFINITY),
  );
  return sentTick + state.options.electionTimeoutTicks - leaseSafetyMarginTicks > state.tickCount;
}

export function onForwardedRead(state: CoreState, message: Extract<Message, { type: 'read-index' }>): void {
  if (!leaderRead(state, message.requestId, message.from).ok) refuseForwardedRead(state, message);
}

/** Answer a forwarded read we cannot serve; the follower fails it with not-leader. */
export function refuseForwardedRead(state: CoreState, message: Extract<Message, { type: 'read-index' }>): void {
  state.send({ type: 'read-index-response', from: state.id, to: message.from, term: state.term, requestId: message.requestId, readIndex: 0 });
}

export function onReadIndexResponse(state: CoreState, message: Extract<Message, { type: 'read-index-response' }>): void {
  const read = state.forwardedReads.take(message.requestId);
  if (read === undefined) return;
  if (message.readIndex > 0) state.readStates.push({ requestId: read.requestId, index: message.readIndex });
  else state.readFailures.push({ requestId: read.requestId, reason: { code: 'RAFT_NOT_LEADER', leaderHint: state.leaderId } });
}

export function onReadContextAcked(state: CoreState, progress: Progress, context: number): void {
  progress.readContextAcked = Math.max(progress.readContextAcked, context);
  const sentTick = state.heartbeatSentTicks.get(context);
  if (sentTick !== undefined) progress.ackedHeartbeatSentTick = Math.max(progress.ackedHeartbeatSentTick, sentTick);
  resolveReads(state);
}

/** The first commit of our term fixes the index that reads received before it must wait for. */
export function onCommittedInTerm(state: CoreState): void {
  state.leaderReads.assignIndex(state.log.committed);
  resolveReads(state);
}

function resolveReads(state: CoreState): void {
  if (state.role !== Role.leader || !state.committedInCurrentTerm()) return;
  const context = jointValue(state.membership, (id) => state.progress.get(id)?.readContextAcked ?? 0);
  for (const read of state.leaderReads.takeConfirmed(context)) deliver(state, read);
}

function deliver(state: CoreState, read: PendingRead): void {
  const index = read.index ?? state.log.committed;
  if (read.from === state.id) {
    state.readStates.push({ requestId: read.requestId, index });
  } else {
    state.send({ type: 'read-index-response', from: state.id, to: read.from, term: state.term, requestId: read.requestId, readIndex: index });
  }
}

/** Leadership lost or leader changed: no pending read can be confirmed any more. */
export function failAllReads(state: CoreState): void {
  failLeaderReads(state, state.leaderReads.takeAll());
  for (const read of state.forwardedReads.takeAll()) {
    state.readFailures.push({ requestId: read.requestId, reason: { code: 'RAFT_NOT_LEADER', leaderHint: null } });
  }
}

function failLeaderReads(state: CoreState, reads: readonly PendingRead[]): void {
  for (const read of reads) {
    if (read.from === state.id) {
      state.readFailures.push({ requestId: read.requestId, reason: { code: 'RAFT_NOT_LEADER', leaderHint: null } });
    } else {
      state.send({ type: 'read-index-response', from: state.id, to: read.from, term: state.term, requestId: read.requestId, readIndex: 0 });
    }
  }
}

export function expireReads(state: CoreState): void {
  const cutoff = state.tickCount - readTimeoutElectionTimeouts * state.options.electionTimeoutTicks;
  failLeaderReads(state, state.leaderReads.takeCreatedBefore(cutoff));
  for (const read of state.forwardedReads.takeCreatedBefore(cutoff)) {
    state.readFailures.push({ requestId: read.requestId, reason: { code: 'RAFT_NOT_LEADER', leaderHint: state.leaderId } });
  }
}
