import { assert, type Prng } from '../common/index.ts';
import { RaftLog } from './log.ts';
import { emptyMembership } from './membership.ts';
import type { RaftCoreConfig, RaftOptions } from './options.ts';
import { Progress } from './progress.ts';
import { ForwardedReads, LeaderReads } from './read-only.ts';
import {
  Role,
  type ForwardedProposal,
  type ForwardedProposalResult,
  type HardState,
  type Membership,
  type Message,
  type NodeId,
  type ReadFailure,
  type ReadState,
  type SnapshotChunk,
  type SnapshotMetadata,
  type SoftState,
} from './types.ts';

/** What the last `ready()` handed out, so `advance()` can mark exactly that as done. */
export interface HandedReady {
  readonly hardState: HardState | null;
  readonly softState: SoftState;
  readonly lastEntry: { readonly index: number; readonly term: number } | null;
  readonly lastCommittedIndex: number;
}

/** A snapshot being received from the leader, chunk by chunk. */
export interface IncomingSnapshot {
  readonly metadata: SnapshotMetadata;
  nextOffset: number;
}

export type StepFunction = (state: CoreState, message: Message) => void;
export type TickFunction = (state: CoreState) => void;

const noStep: StepFunction = () => undefined;
const noTick: TickFunction = () => undefined;

/**
 * The mutable state of one Raft member. Role behaviour lives in the `core-*.ts` modules as
 * functions over this state; `becomeFollower`/`becomeLeader`/... swap `stepRole` and `tickRole`.
 */
export class CoreState {
  readonly id: NodeId;
  readonly options: RaftOptions;
  readonly prng: Prng;
  readonly log: RaftLog;

  term = 0;
  votedFor: NodeId | null = null;
  leaderId: NodeId | null = null;
  role: Role = Role.follower;
  stepRole: StepFunction = noStep;
  tickRole: TickFunction = noTick;

  /** In force from the moment its entry is appended (thesis §4.1). */
  membership: Membership;
  /** Index of the entry that set `membership` (the log base when it came from a snapshot or bootstrap). */
  membershipIndex: number;
  /** The membership in force at `log.baseIndex`, for when the log no longer holds a membership entry. */
  baseMembership: Membership;
  /** The newest snapshot taken (`compact`) or installed; what lagging followers are sent. */
  snapshot: SnapshotMetadata | null;
  incomingSnapshot: IncomingSnapshot | null = null;

  readonly progress = new Map<NodeId, Progress>();
  readonly votes = new Map<NodeId, boolean>();
  electionElapsedTicks = 0;
  heartbeatElapsedTicks = 0;
  randomizedElectionTimeoutTicks = 0;
  /** Local ticks since start; only for ages (read timeouts, lease). */
  tickCount = 0;
  transferee: NodeId | null = null;
  uncommittedBytes = 0;

  readonly leaderReads = new LeaderReads();
  readonly forwardedReads = new ForwardedReads();
  /** The context of the newest heartbeat round sent by this leader. */
  readContextSent = 0;
  /** Heartbeat round → the tick it was sent at, for lease reads; pruned to one election timeout. */
  readonly heartbeatSentTicks = new Map<number, number>();
  /**
   * Set once this leader sent TimeoutNow in its term: transfer votes ignore followers' leases,
   * so from then on reads go through ReadIndex only.
   */
  leaseRevoked = false;
  /** Leader work deferred to `ready()` so several proposals or reads share one message. */
  appendsPending = false;
  commitBroadcastNeeded = false;
  readHeartbeatNeeded = false;

  messages: Message[] = [];
  readStates: ReadState[] = [];
  readFailures: ReadFailure[] = [];
  forwardedProposals: ForwardedProposalResult[] = [];
  /** Proposals to send to the leader with the next Ready (bounded by the driver's pending limit). */
  proposalsToForward: ForwardedProposal[] = [];
  /** `from/id` of forwarded proposals appended here, oldest first (see core-propose.ts). */
  appendedForwardedIds = new Set<string>();
  snapshotChunks: SnapshotChunk[] = [];
  snapshotToInstall: SnapshotMetadata | null = null;

  previousHardState: HardState;
  previousSoftState: SoftState;
  handed: HandedReady | null = null;

  constructor(config: RaftCoreConfig) {
    validateOptions(config.options);
    this.id = config.id;
    this.options = config.options;
    this.prng = config.prng;
    const { hardState, snapshot, entries } = config.restore;
    this.snapshot = snapshot;
    this.log = new RaftLog(snapshot?.index ?? 0, snapshot?.term ?? 0, entries, hardState?.commitIndex ?? 0);
    this.term = hardState?.term ?? 0;
    this.votedFor = hardState?.votedFor ?? null;
    this.baseMembership = snapshot?.membership ?? config.initialMembership ?? emptyMembership;
    this.membership = this.baseMembership;
    this.membershipIndex = this.log.baseIndex;
    this.previousHardState = this.hardState();
    this.previousSoftState = this.softState();
  }

  hardState(): HardState {
    return { term: this.term, votedFor: this.votedFor, commitIndex: this.log.committed };
  }

  softState(): SoftState {
    return { role: this.role, leaderId: this.leaderId, term: this.term };
  }

  send(message: Message): void {
    assert(message.to !== this.id, () => `${this.id} sending ${message.type} to itself`);
    this.messages.push(message);
  }

  /** The match index of a member as the leader sees it (its own log counts in full). */
  matchOf(id: NodeId): number {
    if (id === this.id) return this.log.lastIndex();
    return this.progress.get(id)?.matchIndex ?? 0;
  }

  committedInCurrentTerm(): boolean {
    return this.log.term(this.log.committed) === this.term;
  }

  newProgress(nextIndex: number): Progress {
    return new Progress(nextIndex, this.options.inflightMessagesMax, this.options.inflightBytesMax);
  }

  resetRandomizedElectionTimeout(): void {
    const base = this.options.electionTimeoutTicks;
    this.randomizedElectionTimeoutTicks = this.prng.nextInt(base, 2 * base);
  }
}

function validateOptions(options: RaftOptions): void {
  assert(options.heartbeatIntervalTicks >= 1, 'heartbeatIntervalTicks must be at least 1');
  assert(
    options.electionTimeoutTicks > options.heartbeatIntervalTicks,
    'electionTimeoutTicks must exceed heartbeatIntervalTicks',
  );
  assert(options.appendEntriesMax >= 1 && options.inflightMessagesMax >= 1, 'append limits must be at least 1');
  assert(options.snapshotChunkBytes >= 1, 'snapshotChunkBytes must be at least 1');
  assert(options.snapshotTrailingEntries >= 0, 'snapshotTrailingEntries must not be negative');
}
