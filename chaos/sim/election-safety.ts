import type { Membership, NodeId } from '../../raft/index.ts';
import { SimViolation } from './checkers.ts';

/** The last entry of a log, by index and term (the inputs of Raft's up-to-date rule, §5.4.1). */
export interface LogTip {
  readonly index: number;
  readonly term: number;
}

/** What the check needs to know of one member at the moment a leader commits. */
export interface MemberLogView {
  readonly id: NodeId;
  /** The membership it would campaign under; null when down (it is then judged only as a voter). */
  readonly membership: Membership | null;
  /** The most up-to-date log it could campaign with: what it holds in memory. */
  readonly campaignTip: LogTip;
  /** The least up-to-date log it could judge a candidate by: what survives a crash (its disk). */
  readonly voterTip: LogTip;
  /** Whether its log (or snapshot) holds the entry at `index` of term `term`. */
  holds(index: number, term: number): boolean;
}

/**
 * Checked the moment a leader's commit index advances to `index`: no member whose log lacks the
 * entry there could collect a majority of up-to-date grants (§5.4.1) in the leader's membership.
 *
 * In correct Raft this always holds. A leader commits only an entry of its own term T that a
 * majority stored durably before acknowledging. A member lacking it has a last term ≤ T (an entry
 * of a later term comes from a later leader, which holds every committed entry, and would bring
 * this one along by log matching), and with last term T a shorter log; so every member of that
 * majority refuses it, even judged by what its disk alone holds. A leader that commits an older
 * term's entry by counting replicas (figure 8, §5.4.2) fails here at once, without waiting for
 * the unlucky election that would overwrite the entry, which random faults line up rarely.
 *
 * Only a simple (non-joint) membership is checked, and only running candidates that share it:
 * with several memberships in play, Raft's overlap argument is about each election's own quorum.
 */
export function checkCommitSurvivesElections(
  leader: MemberLogView,
  index: number,
  term: number,
  members: readonly MemberLogView[],
): void {
  const membership = leader.membership;
  if (membership === null || membership.votersOutgoing.length > 0) return;
  const voters = new Set(membership.voters);
  const byId = new Map(members.map((member) => [member.id, member]));
  const majority = Math.floor(voters.size / 2) + 1;
  for (const candidate of members) {
    if (!voters.has(candidate.id) || candidate.id === leader.id || candidate.holds(index, term)) continue;
    if (candidate.membership === null || !sameMembership(candidate.membership, membership)) continue;
    const granting = membership.voters.filter((id) => {
      if (id === candidate.id) return true;
      const voter = id === leader.id ? leader.campaignTip : byId.get(id)?.voterTip;
      return voter !== undefined && isAtLeastAsUpToDate(candidate.campaignTip, voter);
    });
    if (granting.length >= majority) {
      throw new SimViolation(
        'commit survives elections',
        `${leader.id} committed index ${index} (term ${term}), but ${candidate.id} lacks it and could be elected by ${granting.join(', ')} ` +
          `(its last entry ${candidate.campaignTip.index}@${candidate.campaignTip.term})`,
      );
    }
  }
}

function isAtLeastAsUpToDate(candidate: LogTip, voter: LogTip): boolean {
  return candidate.term > voter.term || (candidate.term === voter.term && candidate.index >= voter.index);
}

function sameMembership(a: Membership, b: Membership): boolean {
  const same = (x: readonly NodeId[], y: readonly NodeId[]): boolean => x.length === y.length && x.every((id) => y.includes(id));
  return same(a.voters, b.voters) && same(a.learners, b.learners) && same(a.votersOutgoing, b.votersOutgoing);
}
