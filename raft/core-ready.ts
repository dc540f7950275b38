import { assert } from '../common/index.ts';
import { broadcastHeartbeat, flushAppends } from './core-leader.ts';
import { flushForwardedProposals } from './core-propose.ts';
import type { CoreState } from './core-state.ts';
import { Role, type HardState, type Ready, type SoftState } from './types.ts';

function sameHardState(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.votedFor === b.votedFor && a.commitIndex === b.commitIndex;
}

function sameSoftState(a: SoftState, b: SoftState): boolean {
  return a.role === b.role && a.leaderId === b.leaderId && a.term === b.term;
}

function leaderWorkPending(state: CoreState): boolean {
  return state.role === Role.leader && (state.appendsPending || state.commitBroadcastNeeded || state.readHeartbeatNeeded);
}

/** False while a Ready is handed out and not yet advanced: one Ready at a time. */
export function hasReady(state: CoreState): boolean {
  if (state.handed !== null) return false;
  return (
    !sameHardState(state.hardState(), state.previousHardState) ||
    !sameSoftState(state.softState(), state.previousSoftState) ||
    state.log.hasUnstable() ||
    state.log.hasNextCommitted() ||
    state.messages.length > 0 ||
    state.readStates.length > 0 ||
    state.readFailures.length > 0 ||
    state.forwardedProposals.length > 0 ||
    state.proposalsToForward.length > 0 ||
    state.snapshotChunks.length > 0 ||
    state.snapshotToInstall !== null ||
    leaderWorkPending(state)
  );
}

export function ready(state: CoreState): Ready {
  assert(state.handed === null, 'ready() called again before advance()');
  if (state.role === Role.leader) {
    // Deferred until now so that every proposal and read since the last Ready shares messages.
    if (state.appendsPending || state.commitBroadcastNeeded) flushAppends(state);
    if (state.readHeartbeatNeeded) broadcastHeartbeat(state);
  }
  flushForwardedProposals(state);
  const hardState = state.hardState();
  const softState = state.softState();
  const hardChanged = !sameHardState(hardState, state.previousHardState);
  const entries = state.log.unstableEntries();
  const committedEntries = state.log.nextCommitted();
  const last = entries[entries.length - 1];
  const lastCommitted = committedEntries[committedEntries.length - 1];
  const result: Ready = {
    softState: sameSoftState(softState, state.previousSoftState) ? null : softState,
    hardState: hardChanged ? hardState : null,
    entries,
    snapshotChunks: state.snapshotChunks,
    snapshotToInstall: state.snapshotToInstall,
    messages: state.messages,
    committedEntries,
    readStates: state.readStates,
    readFailures: state.readFailures,
    forwardedProposals: state.forwardedProposals,
    // Judged on the applied index this Ready leads to, so the request comes with the entries.
    snapshotRequested:
      (lastCommitted?.index ?? state.log.applied) - (state.snapshot?.index ?? 0) >= state.options.snapshotEntriesThreshold,
    mustSync:
      entries.length > 0 ||
      state.snapshotChunks.length > 0 ||
      state.snapshotToInstall !== null ||
      hardState.term !== state.previousHardState.term ||
      hardState.votedFor !== state.previousHardState.votedFor,
  };
  state.handed = {
    hardState: hardChanged ? hardState : null,
    softState,
    lastEntry: last === undefined ? null : { index: last.index, term: last.term },
    lastCommittedIndex: lastCommitted?.index ?? (state.snapshotToInstall?.index ?? 0),
  };
  state.snapshotChunks = [];
  state.snapshotToInstall = null;
  state.messages = [];
  state.readStates = [];
  state.readFailures = [];
  state.forwardedProposals = [];
  return result;
}

/** Everything in the last Ready is persisted, sent and applied. */
export function advance(state: CoreState): void {
  const handed = state.handed;
  assert(handed !== null, 'advance() without a ready()');
  state.handed = null;
  if (handed.hardState !== null) state.previousHardState = handed.hardState;
  state.previousSoftState = handed.softState;
  if (handed.lastEntry !== null) state.log.stableTo(handed.lastEntry.index, handed.lastEntry.term);
  if (handed.lastCommittedIndex > state.log.applied) state.log.appliedTo(handed.lastCommittedIndex);
}
