import { appendEntries, flushAppends, sendTimeoutNow } from './core-leader.ts';
import { becomeFollower } from './core-roles.ts';
import type { CoreState } from './core-state.ts';
import { allMembers, allVoters, isJoint, leaveJoint } from './membership.ts';
import { Role, type Membership } from './types.ts';

/** The membership in force at `index`: its latest membership entry at or before it. */
export function membershipAt(state: CoreState, index: number): Membership {
  for (let at = Math.min(index, state.log.lastIndex()); at > state.log.baseIndex; at -= 1) {
    const entry = state.log.entry(at);
    if (entry?.type === 'membership') return entry.membership;
  }
  return state.baseMembership;
}

/** Re-derives the membership from the log (after a restore or a truncation removed its entry). */
export function refreshMembership(state: CoreState): void {
  for (let at = state.log.lastIndex(); at > state.log.baseIndex; at -= 1) {
    const entry = state.log.entry(at);
    if (entry?.type === 'membership') {
      setMembership(state, entry.membership, at);
      return;
    }
  }
  setMembership(state, state.baseMembership, state.log.baseIndex);
}

/** A membership entry was appended (or truncated away): it takes effect now. */
export function setMembership(state: CoreState, membership: Membership, index: number): void {
  state.membership = membership;
  state.membershipIndex = index;
  if (state.role !== Role.leader) return;
  const members = new Set(allMembers(membership));
  for (const id of members) {
    if (id !== state.id && !state.progress.has(id)) {
      const progress = state.newProgress(state.log.lastIndex() + 1);
      // A new member starts "active" so that check-quorum gives it a full timeout to answer.
      progress.recentActive = true;
      state.progress.set(id, progress);
    }
  }
  for (const id of [...state.progress.keys()]) {
    if (id !== state.id && !members.has(id)) state.progress.delete(id);
  }
  if (state.transferee !== null && !allVoters(membership).includes(state.transferee)) state.transferee = null;
}

/** A membership change is in flight: its entry is uncommitted, or the cluster is still joint. */
export function membershipChangePending(state: CoreState): boolean {
  return state.membershipIndex > state.log.committed || isJoint(state.membership);
}

/**
 * Leader, after its commit index moved: once C(old,new) commits, append C(new); once a C(new)
 * that excludes this leader commits, hand over (TimeoutNow to the most up-to-date voter) and step down.
 */
export function onLeaderCommitAdvanced(state: CoreState): void {
  if (state.role !== Role.leader || state.membershipIndex > state.log.committed) return;
  if (isJoint(state.membership)) {
    appendEntries(state, [{ type: 'membership', membership: leaveJoint(state.membership) }]);
    return;
  }
  if (state.membership.voters.includes(state.id)) return;
  let successor: string | null = null;
  for (const id of state.membership.voters) {
    if (successor === null || state.matchOf(id) > state.matchOf(successor)) successor = id;
  }
  // Tell the others the change committed before leaving, so the successor can lead at once.
  state.commitBroadcastNeeded = true;
  flushAppends(state);
  if (successor !== null && state.matchOf(successor) === state.log.lastIndex()) sendTimeoutNow(state, successor);
  becomeFollower(state, state.term, null);
}
