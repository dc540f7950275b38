import { sendAppend, sendTimeoutNow } from './core-leader.ts';
import type { CoreState } from './core-state.ts';
import { isVoter } from './membership.ts';
import { Role, type CommandResult, type NodeId } from './types.ts';

/**
 * Leader transfer (thesis §3.10): stop taking proposals, bring `to` up to date, then tell it to
 * campaign at once. Abandoned if not done within an election timeout (see tickHeartbeat).
 */
export function startTransfer(state: CoreState, to: NodeId): CommandResult {
  if (state.role !== Role.leader) return { ok: false, refusal: { code: 'RAFT_NOT_LEADER', leaderHint: state.leaderId } };
  if (to === state.id) return { ok: true };
  const progress = state.progress.get(to);
  if (progress === undefined || !isVoter(state.membership, to)) {
    return { ok: false, refusal: { code: 'RAFT_INVALID_MEMBERSHIP_CHANGE', reason: `${to} is not a voter` } };
  }
  if (state.transferee === to) return { ok: true };
  state.transferee = to;
  // The transfer gets one election timeout from now.
  state.electionElapsedTicks = 0;
  if (progress.matchIndex === state.log.lastIndex()) sendTimeoutNow(state, to);
  else sendAppend(state, to, true);
  return { ok: true };
}
