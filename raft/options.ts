import type { Prng } from '../common/index.ts';
import type { Entry, HardState, Membership, NodeId, SnapshotMetadata } from './types.ts';

/** Tunables of one Raft member, in ticks (the driver decides how long a tick is). */
export interface RaftOptions {
  /** A follower that hears no leader for a random time in [electionTimeoutTicks, 2×) starts a (pre-)election. */
  readonly electionTimeoutTicks: number;
  readonly heartbeatIntervalTicks: number;
  /** Pre-vote (Raft thesis §9.6): a partitioned node cannot inflate terms and disrupt the cluster. */
  readonly preVote: boolean;
  /** A leader that has not heard from a quorum within an election timeout steps down. */
  readonly checkQuorum: boolean;
  /**
   * Serve reads from the leader's lease without a heartbeat round (needs bounded clock drift;
   * off by default). When off, reads use ReadIndex.
   */
  readonly leaseReads: boolean;
  readonly appendEntriesMax: number;
  readonly appendBytesMax: number;
  readonly inflightMessagesMax: number;
  readonly inflightBytesMax: number;
  readonly proposalBytesMax: number;
  readonly uncommittedBytesMax: number;
  readonly snapshotChunkBytes: number;
  /** Applied entries retained in the log before `Ready.snapshotRequested` is raised. */
  readonly snapshotEntriesThreshold: number;
  /** Entries kept after a compaction so slightly lagging followers can catch up without a snapshot. */
  readonly snapshotTrailingEntries: number;
  readonly pendingReadsMax: number;
}

/** What a member restarts from: everything it persisted (nothing, on first boot). */
export interface RaftRestoreState {
  readonly hardState: HardState | null;
  /** The last snapshot the member installed or took, or null. */
  readonly snapshot: SnapshotMetadata | null;
  /** Persisted entries after the snapshot, in order, contiguous. */
  readonly entries: readonly Entry[];
}

export interface RaftCoreConfig {
  readonly id: NodeId;
  /**
   * The bootstrap membership, used only when the restore state holds no snapshot and no
   * membership entry. A node joining an existing cluster passes an empty membership and learns
   * the real one from the leader.
   */
  readonly initialMembership: Membership;
  readonly restore: RaftRestoreState;
  readonly options: RaftOptions;
  /** Randomizes election timeouts; the simulator passes a seeded one. */
  readonly prng: Prng;
}
