import { assert } from '../common/index.ts';
import { checkInvariants } from './core-invariants.ts';
import { appendEntries } from './core-leader.ts';
import { membershipChangePending, refreshMembership } from './core-membership.ts';
import { expireReads, readIndex } from './core-reads.ts';
import { advance, hasReady, ready } from './core-ready.ts';
import { becomeFollower } from './core-roles.ts';
import { forwardProposal, leaderRefusal, propose } from './core-propose.ts';
import { compact } from './core-snapshot.ts';
import { CoreState } from './core-state.ts';
import { step } from './core-step.ts';
import { startTransfer } from './core-transfer.ts';
import { applyMembershipChange } from './membership.ts';
import type { RaftCoreConfig } from './options.ts';
import type { RaftProgressStatus, RaftStatus } from './status.ts';
import {
  Role,
  type CommandResult,
  type MembershipChange,
  type Message,
  type NodeId,
  type ProposeResult,
  type Ready,
  type SnapshotMetadata,
} from './types.ts';

/**
 * A pure Raft state machine after etcd-io/raft: no I/O, no clock, randomness only from the
 * injected PRNG. Feed it `tick()`, `step()` and requests; act on `ready()` in the documented order;
 * call `advance()`. See raft/README.md and raft/core-api.md.
 */
export class RaftCore {
  readonly id: NodeId;
  private readonly state: CoreState;

  constructor(config: RaftCoreConfig) {
    this.id = config.id;
    this.state = new CoreState(config);
    refreshMembership(this.state);
    becomeFollower(this.state, this.state.term, null);
    // A restart keeps the persisted vote: becomeFollower only clears it when the term changes.
    this.state.previousSoftState = this.state.softState();
  }

  tick(): void {
    this.state.tickCount += 1;
    expireReads(this.state);
    this.state.tickRole(this.state);
  }

  step(message: Message): void {
    step(this.state, message);
  }

  propose(data: Uint8Array): ProposeResult {
    return propose(this.state, data);
  }

  /** On a follower: sends the proposal to the leader; the outcome comes in `Ready.forwardedProposals`. */
  forwardProposal(id: string, data: Uint8Array): CommandResult {
    return forwardProposal(this.state, id, data);
  }

  proposeMembershipChange(change: MembershipChange): ProposeResult {
    const { state } = this;
    const refusal = leaderRefusal(state);
    if (refusal !== null) return { ok: false, refusal };
    // One change at a time: the next one is computed from a committed, non-joint configuration.
    if (membershipChangePending(state)) return { ok: false, refusal: { code: 'RAFT_MEMBERSHIP_CHANGE_PENDING' } };
    const outcome = applyMembershipChange(state.membership, change);
    if (!outcome.ok) return { ok: false, refusal: { code: 'RAFT_INVALID_MEMBERSHIP_CHANGE', reason: outcome.reason } };
    const [entry] = appendEntries(state, [{ type: 'membership', membership: outcome.membership }]);
    assert(entry !== undefined, 'one entry appended');
    return { ok: true, index: entry.index, term: entry.term };
  }

  readIndex(requestId: string): CommandResult {
    return readIndex(this.state, requestId);
  }

  transferLeader(to: NodeId): CommandResult {
    return startTransfer(this.state, to);
  }

  compact(index: number, sizeBytes: number): SnapshotMetadata {
    return compact(this.state, index, sizeBytes);
  }

  hasReady(): boolean {
    return hasReady(this.state);
  }

  ready(): Ready {
    return ready(this.state);
  }

  advance(): void {
    advance(this.state);
  }

  status(): RaftStatus {
    const { state } = this;
    const progress: Record<NodeId, RaftProgressStatus> = {};
    for (const [id, peer] of state.progress) {
      progress[id] = {
        matchIndex: state.matchOf(id),
        nextIndex: peer.nextIndex,
        state: peer.state,
        inflight: peer.inflights.count,
        recentActive: peer.recentActive,
      };
    }
    return {
      id: state.id,
      role: state.role,
      term: state.term,
      votedFor: state.votedFor,
      leaderId: state.leaderId,
      commitIndex: state.log.committed,
      appliedIndex: state.log.applied,
      lastIndex: state.log.lastIndex(),
      lastTerm: state.log.lastTerm(),
      snapshotIndex: state.snapshot?.index ?? 0,
      membership: state.membership,
      progress,
      transferee: state.transferee,
      pendingReads: state.role === Role.leader ? state.leaderReads.size : state.forwardedReads.size,
    };
  }

  checkInvariants(): void {
    checkInvariants(this.state);
  }
}
