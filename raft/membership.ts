import type { Membership, MembershipChange, NodeId } from './types.ts';

export const emptyMembership: Membership = { voters: [], learners: [], votersOutgoing: [] };

export function isJoint(membership: Membership): boolean {
  return membership.votersOutgoing.length > 0;
}

/** A voter of either half of a joint configuration: it votes, counts in quorums and may campaign. */
export function isVoter(membership: Membership, id: NodeId): boolean {
  return membership.voters.includes(id) || membership.votersOutgoing.includes(id);
}

/** Every voter (of both halves), each once, in a stable order. */
export function allVoters(membership: Membership): NodeId[] {
  return unique([...membership.voters, ...membership.votersOutgoing]);
}

/** Everyone who receives the log: voters of both halves and learners. */
export function allMembers(membership: Membership): NodeId[] {
  return unique([...membership.voters, ...membership.votersOutgoing, ...membership.learners]);
}

/** The final configuration C(new) that ends a joint one. */
export function leaveJoint(membership: Membership): Membership {
  return { voters: membership.voters, learners: membership.learners, votersOutgoing: [] };
}

export type MembershipChangeOutcome =
  | { readonly ok: true; readonly membership: Membership }
  | { readonly ok: false; readonly reason: string };

/**
 * Applies the requested steps to a non-joint `current` configuration. A change of the voter set
 * yields the joint C(old,new) (even for a single voter: uniformly safe, §6 of the thesis); a
 * change of learners only needs no joint phase because learners never count in a quorum.
 */
export function applyMembershipChange(current: Membership, change: MembershipChange): MembershipChangeOutcome {
  if (change.steps.length === 0) return { ok: false, reason: 'no steps' };
  const ids = change.steps.map((step) => step.id);
  if (new Set(ids).size !== ids.length) return { ok: false, reason: 'a member appears in more than one step' };
  const voters = new Set(current.voters);
  const learners = new Set(current.learners);
  for (const step of change.steps) {
    const known = voters.has(step.id) || learners.has(step.id);
    switch (step.type) {
      case 'add-voter':
        if (known) return { ok: false, reason: `${step.id} is already a member (promote a learner instead)` };
        voters.add(step.id);
        break;
      case 'add-learner':
        if (known) return { ok: false, reason: `${step.id} is already a member` };
        learners.add(step.id);
        break;
      case 'promote-learner':
        if (!learners.has(step.id)) return { ok: false, reason: `${step.id} is not a learner` };
        learners.delete(step.id);
        voters.add(step.id);
        break;
      case 'remove':
        if (!known) return { ok: false, reason: `${step.id} is not a member` };
        voters.delete(step.id);
        learners.delete(step.id);
        break;
    }
  }
  if (voters.size === 0) return { ok: false, reason: 'the last voter cannot be removed' };
  const newVoters = [...voters];
  const votersChanged = newVoters.length !== current.voters.length || newVoters.some((id) => !current.voters.includes(id));
  return {
    ok: true,
    membership: {
      voters: newVoters,
      learners: [...learners],
      votersOutgoing: votersChanged ? [...current.voters] : [],
    },
  };
}

function unique(ids: readonly NodeId[]): NodeId[] {
  return [...new Set(ids)];
}
