/**
 * The Raft core's data types: entries, messages, hard state, membership, snapshots, and the
 * `Ready` batch the core hands its driver. Everything here is plain data (msgpack-encodable), so
 * the same values travel over TCP, sit in LevelDB and flow through the simulator.
 */

/** A member's name, unique within a cluster ("n1"). */
export type NodeId = string;

// ---------------------------------------------------------------------------------------------
// Membership

/**
 * A membership configuration. `voters` decide elections and commits; `learners` receive the log
 * but do not vote. While a joint-consensus change is under way, `votersOutgoing` holds the old
 * voter set and every decision needs a majority of both `voters` and `votersOutgoing`.
 */
export interface Membership {
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
  /** Non-empty only in a joint configuration C(old,new). */
  readonly votersOutgoing: readonly NodeId[];
}

/** One requested change; several may be proposed together (they then go through joint consensus). */
export type MembershipChangeStep =
  | { readonly type: 'add-voter'; readonly id: NodeId }
  | { readonly type: 'add-learner'; readonly id: NodeId }
  | { readonly type: 'promote-learner'; readonly id: NodeId }
  | { readonly type: 'remove'; readonly id: NodeId };

export interface MembershipChange {
  readonly steps: readonly MembershipChangeStep[];
}

// ---------------------------------------------------------------------------------------------
// Log

export type Entry =
  | { readonly type: 'normal'; readonly term: number; readonly index: number; readonly data: Uint8Array }
  /** Appended by every new leader so that it can commit entries of earlier terms (§5.4.2). */
  | { readonly type: 'noop'; readonly term: number; readonly index: number }
  /** Takes effect when appended (not when committed), as in the Raft thesis §4.1. */
  | { readonly type: 'membership'; readonly term: number; readonly index: number; readonly membership: Membership };

/** Persisted before any message that depends on it is sent. */
export interface HardState {
  readonly term: number;
  readonly votedFor: NodeId | null;
  readonly commitIndex: number;
}

// ---------------------------------------------------------------------------------------------
// Snapshots

export interface SnapshotMetadata {
  /** The last log entry the snapshot covers. */
  readonly index: number;
  readonly term: number;
  /** The membership in force at `index`. */
  readonly membership: Membership;
  /** Total size of the snapshot's data, so the receiver knows when the last chunk has arrived. */
  readonly sizeBytes: number;
}

// ---------------------------------------------------------------------------------------------
// Messages

interface MessageBase {
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term: number;
}

export type Message =
  | (MessageBase & { readonly type: 'pre-vote'; readonly lastLogIndex: number; readonly lastLogTerm: number })
  | (MessageBase & { readonly type: 'pre-vote-response'; readonly granted: boolean })
  | (MessageBase & {
      readonly type: 'vote';
      readonly lastLogIndex: number;
      readonly lastLogTerm: number;
      /** Set by a leader transfer (TimeoutNow): the voter grants even inside its leader lease. */
      readonly transfer: boolean;
    })
  | (MessageBase & { readonly type: 'vote-response'; readonly granted: boolean })
  | (MessageBase & {
      readonly type: 'append';
      readonly prevLogIndex: number;
      readonly prevLogTerm: number;
      readonly entries: readonly Entry[];
      readonly commitIndex: number;
    })
  | (MessageBase & {
      readonly type: 'append-response';
      readonly success: boolean;
      /** On success: the follower's last index matching the leader. */
      readonly matchIndex: number;
      /** On failure: fast-backtracking hints (the follower's conflicting term and its first index, or its log end). */
      readonly conflictIndex: number;
      readonly conflictTerm: number;
    })
  | (MessageBase & {
      /** A leader's heartbeat; carries a read context so one round confirms pending ReadIndex requests. */
      readonly type: 'heartbeat';
      readonly commitIndex: number;
      readonly readContext: number;
    })
  | (MessageBase & { readonly type: 'heartbeat-response'; readonly readContext: number })
  | (MessageBase & {
      readonly type: 'install-snapshot';
      readonly metadata: SnapshotMetadata;
      readonly offset: number;
      readonly length: number;
      /**
       * The chunk's bytes. The core leaves this empty: the driver (or simulator) fills it from its
       * `SnapshotStore` just before sending, so snapshot data never has to sit in the core.
       */
      readonly data: Uint8Array;
      readonly done: boolean;
    })
  | (MessageBase & {
      readonly type: 'install-snapshot-response';
      readonly snapshotIndex: number;
      /** Bytes received so far; the leader resumes from here (or from 0 after a rejection). */
      readonly nextOffset: number;
      readonly rejected: boolean;
    })
  | (MessageBase & { readonly type: 'timeout-now' })
  | (MessageBase & {
      /**
       * A follower forwarding client proposals to the leader (etcd's MsgProp), so that any
       * replica accepts writes. Handled whatever the terms: it changes no Raft state by itself.
       */
      readonly type: 'propose';
      readonly proposals: readonly ForwardedProposal[];
    })
  | (MessageBase & {
      /** The leader's answer: where each forwarded proposal was appended, or why it was refused. */
      readonly type: 'propose-response';
      readonly results: readonly ForwardedProposalResult[];
    })
  | (MessageBase & {
      /** A follower forwarding a ReadIndex request to the leader. */
      readonly type: 'read-index';
      readonly requestId: string;
    })
  | (MessageBase & {
      readonly type: 'read-index-response';
      readonly requestId: string;
      /** 0 when the leader could not serve it (the follower then fails the read with not-leader). */
      readonly readIndex: number;
    });

export type MessageType = Message['type'];

export interface ForwardedProposal {
  /** Chosen by the forwarding node's driver, unique among its outstanding proposals. */
  readonly id: string;
  readonly data: Uint8Array;
}

export type ForwardedProposalResult =
  | { readonly id: string; readonly ok: true; readonly index: number; readonly term: number }
  | { readonly id: string; readonly ok: false; readonly refusal: ProposalRefusal };

// ---------------------------------------------------------------------------------------------
// Outputs

export const Role = {
  follower: 'follower',
  preCandidate: 'pre-candidate',
  candidate: 'candidate',
  leader: 'leader',
} as const;
export type Role = (typeof Role)[keyof typeof Role];

export interface SoftState {
  readonly role: Role;
  readonly leaderId: NodeId | null;
  readonly term: number;
}

/** A linearizable read is safe to serve once the state machine has applied `index`. */
export interface ReadState {
  readonly requestId: string;
  readonly index: number;
}

/** A read that could not be confirmed (lost leadership, no leader known, queue full). */
export interface ReadFailure {
  readonly requestId: string;
  readonly reason: ProposalRefusal;
}

/** A chunk of an incoming snapshot, to be written to the snapshot store before the ack is sent. */
export interface SnapshotChunk {
  readonly metadata: SnapshotMetadata;
  readonly offset: number;
  readonly data: Uint8Array;
  readonly done: boolean;
}

/**
 * What the driver must do, in this order:
 * 1. persist `hardState`, `entries` (overwriting any stable entries from `entries[0].index` on)
 *    and `snapshotChunks`; when `snapshotToInstall` is set, make the received snapshot current and
 *    restore the state machine from it; fsync if `mustSync`;
 * 2. send `messages` (filling `install-snapshot` data from the snapshot store);
 * 3. apply `committedEntries` to the state machine, then serve `readStates` whose index is applied;
 * 4. call `advance()`.
 */
export interface Ready {
  readonly softState: SoftState | null;
  readonly hardState: HardState | null;
  readonly entries: readonly Entry[];
  readonly snapshotChunks: readonly SnapshotChunk[];
  readonly snapshotToInstall: SnapshotMetadata | null;
  readonly messages: readonly Message[];
  readonly committedEntries: readonly Entry[];
  readonly readStates: readonly ReadState[];
  readonly readFailures: readonly ReadFailure[];
  /**
   * Answers to proposals this node forwarded to the leader: the driver then waits for the entry
   * at `index` with `term`, exactly as for a proposal of its own.
   */
  readonly forwardedProposals: readonly ForwardedProposalResult[];
  /** True when the applied log has grown past the snapshot threshold: call `compact()` after taking one. */
  readonly snapshotRequested: boolean;
  readonly mustSync: boolean;
}

// ---------------------------------------------------------------------------------------------
// Refusals (expected outcomes on the hot path are returned, not thrown)

export type ProposalRefusal =
  | { readonly code: 'RAFT_NOT_LEADER'; readonly leaderHint: NodeId | null }
  | { readonly code: 'RAFT_TRANSFER_IN_PROGRESS'; readonly transferee: NodeId }
  | { readonly code: 'RAFT_PROPOSAL_TOO_LARGE'; readonly sizeBytes: number; readonly limitBytes: number }
  | { readonly code: 'RAFT_UNCOMMITTED_LIMIT'; readonly uncommittedBytes: number; readonly limitBytes: number }
  | { readonly code: 'RAFT_MEMBERSHIP_CHANGE_PENDING' }
  | { readonly code: 'RAFT_INVALID_MEMBERSHIP_CHANGE'; readonly reason: string }
  | { readonly code: 'RAFT_READ_QUEUE_FULL'; readonly limit: number };

export type ProposeResult =
  | { readonly ok: true; readonly index: number; readonly term: number }
  | { readonly ok: false; readonly refusal: ProposalRefusal };

export type CommandResult = { readonly ok: true } | { readonly ok: false; readonly refusal: ProposalRefusal };
