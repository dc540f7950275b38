import type { ProgressState } from './progress.ts';
import type { Membership, NodeId, Role } from './types.ts';

/** What the leader knows about one member's replication (only the leader tracks progress). */
export interface RaftProgressStatus {
  readonly matchIndex: number;
  readonly nextIndex: number;
  readonly state: ProgressState;
  /** AppendEntries messages sent and not yet acknowledged. */
  readonly inflight: number;
  /** Heard from since the last check-quorum round. */
  readonly recentActive: boolean;
}

/** A read-only view of a core, for diagnostics, tests and the simulator's checkers. */
export interface RaftStatus {
  readonly id: NodeId;
  readonly role: Role;
  readonly term: number;
  readonly votedFor: NodeId | null;
  readonly leaderId: NodeId | null;
  readonly commitIndex: number;
  readonly appliedIndex: number;
  readonly lastIndex: number;
  readonly lastTerm: number;
  /** The last snapshot taken or installed (0 when none). */
  readonly snapshotIndex: number;
  readonly membership: Membership;
  /** Per member, leader only (empty otherwise); includes the leader itself. */
  readonly progress: Readonly<Record<NodeId, RaftProgressStatus>>;
  readonly transferee: NodeId | null;
  /** Reads waiting for confirmation: on a leader its queue, on a follower those forwarded to the leader. */
  readonly pendingReads: number;
}
