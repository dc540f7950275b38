import type { Membership, NodeId } from './types.ts';

export const VoteResult = { won: 'won', lost: 'lost', pending: 'pending' } as const;
export type VoteResult = (typeof VoteResult)[keyof typeof VoteResult];

/**
 * The largest value that a majority of `voters` has reached (e.g. the commit index from match
 * indexes). An empty set places no constraint, so it yields +Infinity (handy for joint configs).
 */
export function majorityValue(voters: readonly NodeId[], valueOf: (id: NodeId) => number): number {
  if (voters.length === 0) return Number.POSITIVE_INFINITY;
  const sorted = voters.map(valueOf).sort((a, b) => b - a);
  const value = sorted[Math.floor(voters.length / 2)];
  return value ?? Number.NEGATIVE_INFINITY;
}

/** In a joint configuration a value must be reached by a majority of both voter sets (§6). */
export function jointValue(membership: Membership, valueOf: (id: NodeId) => number): number {
  return Math.min(majorityValue(membership.voters, valueOf), majorityValue(membership.votersOutgoing, valueOf));
}

export function majorityVote(voters: readonly NodeId[], votes: ReadonlyMap<NodeId, boolean>): VoteResult {
  if (voters.length === 0) return VoteResult.won;
  const quorum = Math.floor(voters.length / 2) + 1;
  let granted = 0;
  let rejected = 0;
  for (const id of voters) {
    const vote = votes.get(id);
    if (vote === true) granted += 1;
    else if (vote === false) rejected += 1;
  }
  if (granted >= quorum) return VoteResult.won;
  if (rejected > voters.length - quorum) return VoteResult.lost;
  return VoteResult.pending;
}

export function jointVote(membership: Membership, votes: ReadonlyMap<NodeId, boolean>): VoteResult {
  const incoming = majorityVote(membership.voters, votes);
  const outgoing = majorityVote(membership.votersOutgoing, votes);
  if (incoming === VoteResult.lost || outgoing === VoteResult.lost) return VoteResult.lost;
  if (incoming === VoteResult.won && outgoing === VoteResult.won) return VoteResult.won;
  return VoteResult.pending;
}

/** True when a majority of every voter set satisfies `predicate`. */
export function jointQuorum(membership: Membership, predicate: (id: NodeId) => boolean): boolean {
  return jointValue(membership, (id) => (predicate(id) ? 1 : 0)) >= 1;
}
