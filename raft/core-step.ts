import { onPropose, onProposeResponse } from './core-propose.ts';
import { onReadIndexResponse, refuseForwardedRead } from './core-reads.ts';
import { handleAppend, handleHeartbeat, handleInstallSnapshot } from './core-follower.ts';
import { becomeFollower, hup, onElectionWon, recordVote } from './core-roles.ts';
import type { CoreState } from './core-state.ts';
import { VoteResult } from './quorum.ts';
import { Role, type Message } from './types.ts';

/** Entry point for every incoming message: term rules first (figure 2), then the role's handler. */
export function step(state: CoreState, message: Message): void {
  if (message.to !== state.id || message.from === state.id) return;
  // Forwarded proposals are requests, not Raft state: terms do not apply to them (etcd's MsgProp).
  if (message.type === 'propose') return onPropose(state, message);
  if (message.type === 'propose-response') return onProposeResponse(state, message);
  if (message.term > state.term) {
    if (!onHigherTerm(state, message)) return;
  } else if (message.term < state.term) {
    onLowerTerm(state, message);
    return;
  }
  if (message.type === 'pre-vote' || message.type === 'vote') onVoteRequest(state, message);
  else state.stepRole(state, message);
}

/** Returns false when the message must be ignored. */
function onHigherTerm(state: CoreState, message: Message): boolean {
  if (message.type === 'pre-vote' || message.type === 'vote') {
    const forced = message.type === 'vote' && message.transfer;
    // Leader stickiness: while we hear from a live leader, a disruptive (e.g. removed or
    // partitioned) node cannot depose it. Only a leader transfer overrides the lease.
    // With lease reads, a member that just restarted may have acknowledged a leader it no longer
    // remembers: it honours a lease for its first election timeout as well.
    const recentlyStarted = state.options.leaseReads && state.term > 0 && state.tickCount < state.options.electionTimeoutTicks;
    const inLease =
      state.options.checkQuorum &&
      (state.leaderId !== null || recentlyStarted) &&
      state.electionElapsedTicks < state.options.electionTimeoutTicks;
    if (inLease && !forced) return false;
  }
  // A pre-vote is for a term the sender has not entered yet: answering it changes nothing here.
  if (message.type === 'pre-vote') return true;
  // A granted pre-vote carries the future term; our term moves only when we win.
  if (message.type === 'pre-vote-response' && message.granted) return true;
  const fromLeader = message.type === 'append' || message.type === 'heartbeat' || message.type === 'install-snapshot';
  const { electionElapsedTicks, randomizedElectionTimeoutTicks } = state;
  becomeFollower(state, message.term, fromLeader ? message.from : null);
  if (message.type === 'vote') {
    // Figure 2: only a granted vote resets the election timer. A candidate with a stale log (or
    // a removed member) would otherwise keep better candidates from ever timing out.
    state.electionElapsedTicks = electionElapsedTicks;
    state.randomizedElectionTimeoutTicks = randomizedElectionTimeoutTicks;
  }
  return true;
}

function onLowerTerm(state: CoreState, message: Message): void {
  if ((state.options.checkQuorum || state.options.preVote) && (message.type === 'append' || message.type === 'heartbeat')) {
    // A stale leader (e.g. back from a partition): our higher term makes it step down. Without
    // this, with pre-vote on, it could keep us from ever hearing of it again.
    state.send({
      type: 'append-response',
      from: state.id,
      to: message.from,
      term: state.term,
      success: false,
      matchIndex: 0,
      conflictIndex: 0,
      conflictTerm: 0,
    });
  } else if (message.type === 'pre-vote') {
    state.send({ type: 'pre-vote-response', from: state.id, to: message.from, term: state.term, granted: false });
  }
}

function onVoteRequest(state: CoreState, message: Extract<Message, { type: 'pre-vote' | 'vote' }>): void {
  const canVote =
    state.votedFor === message.from ||
    (state.votedFor === null && state.leaderId === null) ||
    (message.type === 'pre-vote' && message.term > state.term);
  const granted = canVote && state.log.isUpToDate(message.lastLogIndex, message.lastLogTerm);
  const responseType = message.type === 'pre-vote' ? 'pre-vote-response' : 'vote-response';
  // A granted answer carries the requested term (the pre-candidate's future term); a refusal ours.
  const term = granted ? message.term : state.term;
  state.send({ type: responseType, from: state.id, to: message.from, term, granted });
  if (granted && message.type === 'vote') {
    state.electionElapsedTicks = 0;
    state.votedFor = message.from;
  }
}

export function stepFollower(state: CoreState, message: Message): void {
  switch (message.type) {
    case 'append':
    case 'heartbeat':
    case 'install-snapshot':
      acceptLeader(state, message.from);
      if (message.type === 'append') handleAppend(state, message);
      else if (message.type === 'heartbeat') handleHeartbeat(state, message);
      else handleInstallSnapshot(state, message);
      return;
    case 'timeout-now':
      hup(state, true);
      return;
    case 'read-index':
      refuseForwardedRead(state, message);
      return;
    case 'read-index-response':
      onReadIndexResponse(state, message);
      return;
    default:
      return;
  }
}

function acceptLeader(state: CoreState, leaderId: string): void {
  state.electionElapsedTicks = 0;
  state.leaderId = leaderId;
}

/** Pre-candidates and candidates. */
export function stepCandidate(state: CoreState, message: Message): void {
  switch (message.type) {
    case 'append':
    case 'heartbeat':
    case 'install-snapshot':
      // Someone won this term: follow it.
      becomeFollower(state, state.term, message.from);
      stepFollower(state, message);
      return;
    case 'pre-vote-response':
    case 'vote-response': {
      const expected = state.role === Role.preCandidate ? 'pre-vote-response' : 'vote-response';
      if (message.type !== expected) return;
      const result = recordVote(state, message.from, message.granted);
      if (result === VoteResult.won) onElectionWon(state);
      else if (result === VoteResult.lost) becomeFollower(state, state.term, null);
      return;
    }
    case 'read-index':
      refuseForwardedRead(state, message);
      return;
    default:
      return;
  }
}
