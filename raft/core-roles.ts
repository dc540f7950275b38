import { assert } from '../common/index.ts';
import { appendEntries, broadcastHeartbeat, stepLeader } from './core-leader.ts';
import { failAllReads } from './core-reads.ts';
import { tickSnapshotTransfers } from './core-snapshot.ts';
import type { CoreState } from './core-state.ts';
import { stepCandidate, stepFollower } from './core-step.ts';
import { allMembers, allVoters, isVoter } from './membership.ts';
import { jointQuorum, jointVote, VoteResult } from './quorum.ts';
import { Role, type NodeId } from './types.ts';

export const CampaignKind = { preVote: 'pre-vote', election: 'election', transfer: 'transfer' } as const;
export type CampaignKind = (typeof CampaignKind)[keyof typeof CampaignKind];

/** Common reset when the term or role changes. */
function reset(state: CoreState, term: number): void {
  if (state.term !== term) {
    state.term = term;
    state.votedFor = null;
  }
  state.leaderId = null;
  state.electionElapsedTicks = 0;
  state.heartbeatElapsedTicks = 0;
  state.resetRandomizedElectionTimeout();
  state.transferee = null;
  state.votes.clear();
  state.progress.clear();
  state.uncommittedBytes = 0;
  state.appendsPending = false;
  state.commitBroadcastNeeded = false;
  state.readHeartbeatNeeded = false;
  state.heartbeatSentTicks.clear();
  state.leaseRevoked = false;
}

export function becomeFollower(state: CoreState, term: number, leaderId: NodeId | null): void {
  // Reads wait on one particular leader: a new term or a different leader voids them.
  if (state.role === Role.leader || state.leaderId !== leaderId || state.term !== term) failAllReads(state);
  reset(state, term);
  state.role = Role.follower;
  state.leaderId = leaderId;
  state.stepRole = stepFollower;
  state.tickRole = tickElection;
}

function becomePreCandidate(state: CoreState): void {
  assert(state.role !== Role.leader, 'a leader does not pre-campaign');
  failAllReads(state);
  // Pre-vote changes neither term nor vote: a partitioned node cannot inflate terms (thesis §9.6).
  state.votes.clear();
  state.leaderId = null;
  state.role = Role.preCandidate;
  state.stepRole = stepCandidate;
  state.tickRole = tickElection;
}

function becomeCandidate(state: CoreState): void {
  assert(state.role !== Role.leader, 'a leader does not campaign');
  failAllReads(state);
  reset(state, state.term + 1);
  state.votedFor = state.id;
  state.role = Role.candidate;
  state.stepRole = stepCandidate;
  state.tickRole = tickElection;
}

function becomeLeader(state: CoreState): void {
  assert(state.role === Role.candidate, 'only a candidate becomes leader');
  reset(state, state.term);
  state.role = Role.leader;
  state.leaderId = state.id;
  state.stepRole = stepLeader;
  state.tickRole = tickHeartbeat;
  const nextIndex = state.log.lastIndex() + 1;
  for (const id of allMembers(state.membership)) state.progress.set(id, state.newProgress(nextIndex));
  const self = state.progress.get(state.id) ?? state.newProgress(nextIndex);
  state.progress.set(state.id, self);
  self.becomeReplicate();
  self.recentActive = true;
  // §5.4.2 / §8: commit something of our own term, which commits everything before it.
  appendEntries(state, [{ type: 'noop' }]);
}

export function promotable(state: CoreState): boolean {
  return isVoter(state.membership, state.id);
}

/** Start an election (or pre-election) if this member may lead. */
export function campaign(state: CoreState, kind: CampaignKind): void {
  if (state.role === Role.leader || !promotable(state)) return;
  let voteTerm: number;
  if (kind === CampaignKind.preVote) {
    becomePreCandidate(state);
    voteTerm = state.term + 1;
  } else {
    becomeCandidate(state);
    voteTerm = state.term;
  }
  if (recordVote(state, state.id, true) === VoteResult.won) {
    onElectionWon(state);
    return;
  }
  const lastIndex = state.log.lastIndex();
  const lastTerm = state.log.lastTerm();
  for (const to of allVoters(state.membership)) {
    if (to === state.id) continue;
    if (kind === CampaignKind.preVote) {
      state.send({ type: 'pre-vote', from: state.id, to, term: voteTerm, lastLogIndex: lastIndex, lastLogTerm: lastTerm });
    } else {
      const transfer = kind === CampaignKind.transfer;
      state.send({ type: 'vote', from: state.id, to, term: voteTerm, lastLogIndex: lastIndex, lastLogTerm: lastTerm, transfer });
    }
  }
}

export function recordVote(state: CoreState, from: NodeId, granted: boolean): VoteResult {
  if (!state.votes.has(from)) state.votes.set(from, granted);
  return jointVote(state.membership, state.votes);
}

export function onElectionWon(state: CoreState): void {
  if (state.role === Role.preCandidate) campaign(state, CampaignKind.election);
  else becomeLeader(state);
}

/** Start campaigning after an election timeout (or a TimeoutNow, which skips pre-vote). */
export function hup(state: CoreState, transfer: boolean): void {
  if (transfer) campaign(state, CampaignKind.transfer);
  else campaign(state, state.options.preVote ? CampaignKind.preVote : CampaignKind.election);
}

export function tickElection(state: CoreState): void {
  state.electionElapsedTicks += 1;
  if (promotable(state) && state.electionElapsedTicks >= state.randomizedElectionTimeoutTicks) {
    state.electionElapsedTicks = 0;
    hup(state, false);
  }
}

function tickHeartbeat(state: CoreState): void {
  state.heartbeatElapsedTicks += 1;
  state.electionElapsedTicks += 1;
  if (state.electionElapsedTicks >= state.options.electionTimeoutTicks) {
    state.electionElapsedTicks = 0;
    if (state.options.checkQuorum && !checkQuorumActive(state)) {
      becomeFollower(state, state.term, null);
      return;
    }
    // A transfer that did not finish within an election timeout is abandoned.
    state.transferee = null;
  }
  if (state.heartbeatElapsedTicks >= state.options.heartbeatIntervalTicks) {
    state.heartbeatElapsedTicks = 0;
    broadcastHeartbeat(state);
  }
  tickSnapshotTransfers(state);
}

/** Check-quorum: did a quorum of voters answer during the last election timeout? Resets the marks. */
function checkQuorumActive(state: CoreState): boolean {
  const active = jointQuorum(state.membership, (id) => id === state.id || state.progress.get(id)?.recentActive === true);
  for (const [id, progress] of state.progress) progress.recentActive = id === state.id;
  return active;
}
