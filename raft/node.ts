import { assert, AssertionFailure, type Env, type Logger, type TimerHandle } from '../common/index.ts';
import { RaftCore } from './core.ts';
import { defaultRaftOptions } from './defaults.ts';
import type { LogStorage } from './log-storage.ts';
import { loadRestoreState } from './node-restore.ts';
import {
  PendingProposals,
  queueFullError,
  refusalError,
  stoppedError,
  unknownOutcomeError,
  type ProposalSettler,
  Waiter,
  type RequestOptions,
} from './node-requests.ts';
import type { RaftOptions } from './options.ts';
import type { SnapshotStore } from './snapshot-store.ts';
import type { StableStorage } from './stable-storage.ts';
import type { PreparedApply, StateMachine } from './state-machine.ts';
import type { RaftStatus } from './status.ts';
import type { Transport } from './transport.ts';
import type { Entry, Membership, MembershipChange, Message, NodeId, Ready, ReadFailure, ReadState, Role, SoftState } from './types.ts';

export type { RequestOptions } from './node-requests.ts';

/** Driver tunables on top of the core's (whose ticks this turns into milliseconds). */
export interface RaftNodeOptions {
  /** Length of one core tick. */
  readonly tickMs: number;
  readonly raft: RaftOptions;
  /** Default bound on propose/readIndex/transfer waits when the caller gives no timeout. */
  readonly requestTimeoutMs: number;
  /** Proposals appended and waiting to be applied, plus those queued for the core. */
  readonly pendingProposalsMax: number;
  /** Messages received and not yet stepped (they pile up only while a Ready is being persisted). */
  readonly inboxMessagesMax: number;
  /**
   * Ticks that fired while the loop was busy. Capped low: after a long stall (GC, a slow fsync)
   * a flood of ticks would make followers call an election the leader's heartbeats would have
   * prevented, had they been stepped first (they are: messages go before ticks).
   */
  readonly pendingTicksMax: number;
}

/**
 * Defaults tuned for fast failover on a LAN: a 50 ms tick, a heartbeat every tick and an election
 * timeout of 6 ticks, randomized by the core in [300, 600) ms. The first follower to time out does
 * so ~390 ms (median) after the leader's last heartbeat, and pre-vote + vote take a few ms on
 * loopback, so failover lands well under 500 ms median. Raise `tickMs` for WAN links or slow disks
 * (an fsync slower than ~250 ms would risk spurious elections).
 */
export const raftNodeDefaults: RaftNodeOptions = {
  tickMs: 50,
  raft: { ...defaultRaftOptions, heartbeatIntervalTicks: 1, electionTimeoutTicks: 6 },
  requestTimeoutMs: 10_000,
  pendingProposalsMax: 10_000,
  inboxMessagesMax: 10_000,
  pendingTicksMax: 3,
};

export interface RaftNodeOptionsInput extends Partial<Omit<RaftNodeOptions, 'raft'>> {
  readonly raft?: Partial<RaftOptions>;
}

export interface RaftNodeConfig<Batch, Result> {
  readonly id: NodeId;
  /** Bootstrap membership, used only on first boot (see `RaftCoreConfig.initialMembership`). */
  readonly initialMembership: Membership;
  readonly env: Env;
  readonly logger: Logger;
  readonly log: LogStorage<Batch>;
  readonly stable: StableStorage<Batch>;
  readonly snapshots: SnapshotStore;
  /** Started by `start()` and stopped by `stop()`: the node owns it. */
  readonly transport: Transport;
  readonly stateMachine: StateMachine<Batch, Result>;
  readonly options?: RaftNodeOptionsInput;
}

export interface LeaderChange {
  readonly leaderId: NodeId | null;
  readonly term: number;
  readonly role: Role;
}

export interface ProposalOutcome<Result> {
  readonly index: number;
  /** The state machine's result for the entry. */
  readonly result: Result;
}

export interface MembershipChangeOutcome {
  /** Index of the membership entry (a joint change completes with a second entry the leader appends itself). */
  readonly index: number;
}

export interface RaftNodeStatus extends RaftStatus {
  readonly stateMachineAppliedIndex: number;
  readonly pendingProposals: number;
  readonly droppedInboundMessages: number;
  readonly snapshotInProgress: boolean;
  /** Why the node stopped itself (a storage failure), or null. */
  readonly failure: string | null;
}

type Command = () => void | Promise<void>;

interface ForwardedWait<Result> {
  readonly settler: ProposalSettler<Result>;
  /** Points the caller's abort/timeout at the proposal's new home once the leader answered. */
  readonly retarget: (detach: () => void) => void;
}

/** Callers waiting on leader transfers (one transfer runs at a time; the rest are impatient retries). */
const transfersPendingMax = 16;

/**
 * Messages only a leader sends, which carry no promise about its own disk: they may go out before
 * its write (see `handleReady`). Votes and acknowledgements are not among them.
 */
const leaderTrafficTypes: ReadonlySet<Message['type']> = new Set<Message['type']>([
  'append',
  'heartbeat',
  'install-snapshot',
  'timeout-now',
  'propose-response',
  'read-index-response',
]);

interface AppliedEntries<Result> {
  readonly entries: readonly Entry[];
  readonly prepared: PreparedApply<Result>;
}

interface AwaitedRead {
  readonly index: number;
  readonly waiter: Waiter<void>;
}

/**
 * The production driver: runs a `RaftCore` on real timers, persists every `Ready` with one batch
 * and one fsync, sends, applies, serves reads, and turns it all into promises for callers.
 *
 * Everything that touches the core runs in one loop (`run`): incoming messages, ticks and caller
 * commands queue up (bounded) while a Ready is being persisted, and the next turn steps them all
 * and so batches their effects into one Ready — that is where group commit comes from.
 */
export class RaftNode<Batch, Result> {
  readonly id: NodeId;
  private readonly options: RaftNodeOptions;
  private readonly logger: Logger;
  private readonly proposals = new PendingProposals<Result>();
  /** Proposals forwarded to the leader and not answered yet, by id (counted in pendingProposalsMax). */
  private readonly forwarded = new Map<string, ForwardedWait<Result>>();
  private forwardSequence = 0;
  /** ReadIndex requests issued to the core, each with the callers that share it. */
  private readonly reads = new Map<string, Set<Waiter<void>>>();
  /** Callers gathering for the next ReadIndex request (issued at the loop's next turn). */
  private nextReadGroup: Set<Waiter<void>> | null = null;
  /** Callers in `reads` and `nextReadGroup` (bounded by `pendingReadsMax`, with `awaitedReads`). */
  private readersWaiting = 0;
  private awaitedReads: AwaitedRead[] = [];
  private readonly transfers: Array<{ readonly to: NodeId; readonly waiter: Waiter<void> }> = [];
  private readonly leaderListeners = new Set<(change: LeaderChange) => void>();
  private inbox: Message[] = [];
  private commands: Command[] = [];
  /** Callers whose command is queued for the loop and not run yet (so `stop` can fail them too). */
  private readonly queuedWaiters = new Set<{ reject(error: unknown): void }>();
  private queuedProposals = 0;
  private pendingTicks = 0;
  private droppedInbound = 0;
  private ticker: TimerHandle | null = null;
  private loop: Promise<void> | null = null;
  private stopping = false;
  private stopped: Promise<void> | null = null;
  private failure: string | null = null;
  private snapshotInProgress = false;
  private snapshotSave: Promise<void> = Promise.resolve();
  private readonly readIdPrefix: string;
  private readSequence = 0;
  private softState: SoftState;

  private constructor(
    private readonly config: RaftNodeConfig<Batch, Result>,
    private readonly core: RaftCore,
    options: RaftNodeOptions,
  ) {
    this.id = config.id;
    this.options = options;
    this.logger = config.logger.child({ raftNode: config.id });
    // Read ids travel to the leader; the random part keeps them unique across restarts of this node.
    this.readIdPrefix = `${config.id}:${config.env.prng.nextInt(0, 2 ** 31).toString(36)}:`;
    const status = core.status();
    this.softState = { role: status.role, leaderId: status.leaderId, term: status.term };
  }

  /** Loads persisted state, restores the state machine if needed, starts the transport and the ticker. */
  static async start<Batch, Result>(config: RaftNodeConfig<Batch, Result>): Promise<RaftNode<Batch, Result>> {
    const options = resolveOptions(config.options);
    const restore = await loadRestoreState(config);
    const core = new RaftCore({
      id: config.id,
      initialMembership: config.initialMembership,
      restore,
      options: options.raft,
      prng: config.env.prng.fork(),
    });
    const node = new RaftNode(config, core, options);
    await node.begin();
    return node;
  }

  private async begin(): Promise<void> {
    this.config.transport.onMessage((message) => this.onMessage(message));
    await this.config.transport.start();
    this.ticker = this.config.env.timers.setInterval(() => this.onTick(), this.options.tickMs);
    this.logger.info({ tickMs: this.options.tickMs, electionTimeoutTicks: this.options.raft.electionTimeoutTicks }, 'raft node started');
    this.schedule();
  }

  // -------------------------------------------------------------------------------------------
  // Public API

  /** Resolves once the entry is applied here, with the state machine's result for it. */
  propose(data: Uint8Array, options: RequestOptions = {}): Promise<ProposalOutcome<Result>> {
    return new Promise<ProposalOutcome<Result>>((resolve, reject) => {
      const waiter = new Waiter<ProposalOutcome<Result>>(this.config.env, options, this.options.requestTimeoutMs, resolve, reject);
      const settle = (index: number, result: Result | undefined): void => {
        // Every normal entry has a result; a missing one is a state machine bug, not an outcome.
        if (result === undefined) waiter.reject(new AssertionFailure(`state machine gave no result for entry ${index}`));
        else waiter.resolve({ index, result });
      };
      this.submitProposal(waiter, () => this.core.propose(data), settle, data);
    });
  }

  /** Resolves once the membership entry is applied here. */
  proposeMembershipChange(change: MembershipChange, options: RequestOptions = {}): Promise<MembershipChangeOutcome> {
    return new Promise<MembershipChangeOutcome>((resolve, reject) => {
      const waiter = new Waiter<MembershipChangeOutcome>(this.config.env, options, this.options.requestTimeoutMs, resolve, reject);
      this.submitProposal(waiter, () => this.core.proposeMembershipChange(change), (index) => waiter.resolve({ index }));
    });
  }

  /**
   * Resolves when a linearizable read is safe: a ReadIndex was confirmed and this node has applied it.
   * Callers that arrive before the loop next runs share one ReadIndex request (etcd's read loop):
   * each of them arrived before the request was issued, so its answer is linearizable for all.
   * A caller arriving after that waits for the next request, never for one already under way.
   */
  readIndex(options: RequestOptions = {}): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter = new Waiter<void>(this.config.env, options, this.options.requestTimeoutMs, resolve, reject);
      if (this.stopping) return waiter.reject(stoppedError());
      const max = this.options.raft.pendingReadsMax;
      if (this.readersWaiting + this.awaitedReads.length >= max) return waiter.reject(queueFullError('pending reads', max));
      let group = this.nextReadGroup;
      if (group === null) {
        const fresh = new Set<Waiter<void>>();
        this.nextReadGroup = group = fresh;
        this.enqueue(() => this.issueReadIndex(fresh));
      }
      const joined = group;
      joined.add(waiter);
      this.readersWaiting++;
      waiter.detach = () => {
        if (joined.delete(waiter)) this.readersWaiting--;
      };
    });
  }

  /** One ReadIndex request for every caller in `group` (see `readIndex`). */
  private issueReadIndex(group: Set<Waiter<void>>): void {
    if (this.nextReadGroup === group) this.nextReadGroup = null;
    if (group.size === 0) return;
    const requestId = `${this.readIdPrefix}${++this.readSequence}`;
    const outcome = this.core.readIndex(requestId);
    if (outcome.ok) this.reads.set(requestId, group);
    else this.settleReadGroup(group, (waiter) => waiter.reject(refusalError(outcome.refusal)));
  }

  /** Takes every caller out of a group (so none is counted twice) and settles or hands on each. */
  private settleReadGroup(group: Set<Waiter<void>>, each: (waiter: Waiter<void>) => void): void {
    this.readersWaiting -= group.size;
    const waiters = [...group];
    group.clear();
    for (const waiter of waiters) each(waiter);
  }

  /** Resolves once `to` is the leader this node knows of. */
  transferLeader(to: NodeId, options: RequestOptions = {}): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter = new Waiter<void>(this.config.env, options, this.options.requestTimeoutMs, resolve, reject);
      if (this.stopping) return waiter.reject(stoppedError());
      if (this.transfers.length >= transfersPendingMax) return waiter.reject(queueFullError('pending leader transfers', transfersPendingMax));
      this.enqueueFor(waiter, () => {
        const outcome = this.core.transferLeader(to);
        if (!outcome.ok) return waiter.reject(refusalError(outcome.refusal));
        if (this.softState.leaderId === to) return waiter.resolve();
        const entry = { to, waiter };
        this.transfers.push(entry);
        waiter.detach = () => this.transfers.splice(this.transfers.indexOf(entry), 1);
      });
    });
  }

  /** Called with every change of leader or of this node's role; returns an unsubscribe function. */
  onLeaderChange(listener: (change: LeaderChange) => void): () => void {
    this.leaderListeners.add(listener);
    return () => this.leaderListeners.delete(listener);
  }

  /** The term as of the last Ready: cheap, for per-request headers (`status()` builds a whole report). */
  get term(): number {
    return this.softState.term;
  }

  status(): RaftNodeStatus {
    return {
      ...this.core.status(),
      stateMachineAppliedIndex: this.config.stateMachine.appliedIndex,
      pendingProposals: this.proposals.size + this.queuedProposals,
      droppedInboundMessages: this.droppedInbound,
      snapshotInProgress: this.snapshotInProgress,
      failure: this.failure,
    };
  }

  /** Stops ticking, lets the Ready in progress finish, stops the transport and fails every waiter with RAFT_STOPPED. */
  stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  private async shutdown(): Promise<void> {
    this.stopping = true;
    this.ticker?.cancel();
    await this.loop;
    await this.config.transport.stop();
    await this.snapshotSave;
    this.commands = [];
    this.inbox = [];
    const error = stoppedError();
    for (const waiter of this.queuedWaiters) waiter.reject(error);
    this.queuedWaiters.clear();
    this.queuedProposals = 0;
    this.proposals.rejectAll(error);
    for (const wait of this.forwarded.values()) wait.settler.reject(error);
    this.forwarded.clear();
    for (const group of this.reads.values()) this.settleReadGroup(group, (waiter) => waiter.reject(error));
    this.reads.clear();
    if (this.nextReadGroup !== null) this.settleReadGroup(this.nextReadGroup, (waiter) => waiter.reject(error));
    this.nextReadGroup = null;
    for (const read of this.awaitedReads) read.waiter.reject(error);
    this.awaitedReads = [];
    for (const transfer of this.transfers.splice(0)) transfer.waiter.reject(error);
    this.logger.info('raft node stopped');
  }

  // -------------------------------------------------------------------------------------------
  // Inputs

  /**
   * Hands a proposal to the core. With `forwardData`, a follower that knows the leader forwards
   * it there (any replica accepts writes); the leader's answer arrives in a later Ready and turns
   * it into an ordinary pending proposal at the index the leader chose.
   */
  private submitProposal<T>(
    waiter: Waiter<T>,
    propose: () => ReturnType<RaftCore['propose']>,
    resolve: (index: number, result: Result | undefined) => void,
    forwardData?: Uint8Array,
  ): void {
    if (this.stopping) return waiter.reject(stoppedError());
    const max = this.options.pendingProposalsMax;
    if (this.proposals.size + this.forwarded.size + this.queuedProposals >= max) {
      return waiter.reject(queueFullError('pending proposals', max));
    }
    this.queuedProposals++;
    const settler = { resolve, reject: (error: unknown) => waiter.reject(error) };
    this.enqueueFor(
      waiter,
      () => {
        const outcome = propose();
        if (outcome.ok) {
          waiter.detach = this.proposals.add(outcome.index, outcome.term, settler);
          return;
        }
        const { refusal } = outcome;
        if (forwardData === undefined || refusal.code !== 'RAFT_NOT_LEADER' || refusal.leaderHint === null) {
          return waiter.reject(refusalError(refusal));
        }
        const id = `${this.readIdPrefix}p${++this.forwardSequence}`;
        const forwarded = this.core.forwardProposal(id, forwardData);
        if (!forwarded.ok) return waiter.reject(refusalError(forwarded.refusal));
        this.forwarded.set(id, { settler, retarget: (detach) => (waiter.detach = detach) });
        waiter.detach = () => this.forwarded.delete(id);
      },
      () => this.queuedProposals--,
    );
  }

  /** The leader answered proposals forwarded from here: track each at its index, or fail it. */
  private onForwardedProposals(results: Ready['forwardedProposals']): void {
    for (const result of results) {
      const wait = this.forwarded.get(result.id);
      this.forwarded.delete(result.id);
      if (wait === undefined) continue;
      if (!result.ok) {
        wait.settler.reject(refusalError(result.refusal));
      } else if (result.index <= this.config.stateMachine.appliedIndex) {
        // Applied here before the answer arrived: which entry it was can no longer be told.
        wait.settler.reject(unknownOutcomeError(result.index));
      } else {
        wait.retarget(this.proposals.add(result.index, result.term, wait.settler));
      }
    }
  }

  /** The leader changed before answering: the proposals may or may not have been appended. */
  private failUnansweredForwards(): void {
    for (const wait of this.forwarded.values()) wait.settler.reject(unknownOutcomeError(null));
    this.forwarded.clear();
  }

  private onMessage(message: Message): void {
    if (this.stopping) return;
    if (this.inbox.length >= this.options.inboxMessagesMax) {
      this.droppedInbound++;
      return;
    }
    this.inbox.push(message);
    this.schedule();
  }

  private onTick(): void {
    if (this.pendingTicks < this.options.pendingTicksMax) this.pendingTicks++;
    this.schedule();
  }

  /** Commands are bounded by their callers' own limits (pending proposals, reads). */
  private enqueue(command: Command): void {
    this.commands.push(command);
    this.schedule();
  }

  /** A caller's command: skipped if the caller gave up meanwhile, failed by `stop` if it never ran. */
  private enqueueFor<T>(waiter: Waiter<T>, command: () => void, dequeued: () => void = () => undefined): void {
    this.queuedWaiters.add(waiter);
    this.enqueue(() => {
      this.queuedWaiters.delete(waiter);
      dequeued();
      if (!waiter.done) command();
    });
  }

  // -------------------------------------------------------------------------------------------
  // The loop

  private schedule(): void {
    if (this.loop !== null || this.stopping) return;
    this.loop = this.run().finally(() => {
      this.loop = null;
      if (this.inbox.length > 0 || this.commands.length > 0 || this.pendingTicks > 0) this.schedule();
    });
  }

  private async run(): Promise<void> {
    // Start on a fresh microtask so that every input queued in the current synchronous run lands in this turn.
    await Promise.resolve();
    try {
      while (!this.stopping) {
        await this.drainInputs();
        if (!this.core.hasReady()) break;
        await this.handleReady(this.core.ready());
        this.core.advance();
      }
    } catch (error) {
      this.fail(error);
    }
  }

  private async drainInputs(): Promise<void> {
    const messages = this.inbox;
    this.inbox = [];
    for (const message of messages) this.core.step(message);
    const ticks = this.pendingTicks;
    this.pendingTicks = 0;
    for (let tick = 0; tick < ticks; tick++) this.core.tick();
    const commands = this.commands;
    this.commands = [];
    for (const command of commands) await command();
  }

  /** A storage failure leaves memory and disk disagreeing: the only safe move is to stop. */
  private fail(error: unknown): void {
    this.failure = error instanceof Error ? error.message : String(error);
    this.logger.fatal({ err: error }, 'raft node failed; stopping');
    void this.stop();
  }

  /**
   * The Ready contract (types.ts): persist, send, apply, serve reads; `advance` follows in `run`.
   * Two liberties, both safe:
   * - A leader sends before its own write (thesis §10.2.1): followers persist before they ack, and
   *   their acks are stepped only after this Ready is durable here, so no commit index leaves this
   *   node before the entries it covers are on its disk.
   * - Committed entries are applied in the same batch as the Ready's Raft writes: one LevelDB
   *   write per Ready instead of two, atomic, so the applied state is never durable without the
   *   log entries it came from.
   */
  private async handleReady(ready: Ready): Promise<void> {
    if (ready.softState !== null) this.onSoftState(ready.softState);
    const sendFirst = this.maySendBeforePersist(ready);
    if (sendFirst) await this.send(ready.messages);
    const applied = await this.persistAndApply(ready);
    if (!sendFirst) await this.send(ready.messages);
    this.onForwardedProposals(ready.forwardedProposals);
    if (applied !== null) this.publishApplied(applied);
    this.serveReads(ready.readStates, ready.readFailures);
    if (ready.snapshotRequested) await this.startSnapshot();
  }

  /**
   * Only a leader's replication traffic may overtake its own write. Anything a follower or a
   * candidate says (acks, votes) must wait: it promises what is on its disk. A Ready that made this
   * node step down is judged by its new role, so everything in it waits.
   */
  private maySendBeforePersist(ready: Ready): boolean {
    if (this.softState.role !== 'leader' || ready.messages.length === 0) return false;
    // Nothing of this Ready is staged yet, so this is the end of the durable log. A commit index
    // beyond it (a lone voter commits on its own append) must not reach a learner before the write.
    const durableLastIndex = this.config.log.lastIndex();
    return ready.messages.every((message) => leaderTrafficTypes.has(message.type) && commitIndexOf(message) <= durableLastIndex);
  }

  /** Writes the Ready's Raft state and the effects of its committed entries as one batch. */
  private async persistAndApply(ready: Ready): Promise<AppliedEntries<Result> | null> {
    const { log, snapshots } = this.config;
    for (const chunk of ready.snapshotChunks) await snapshots.writeChunk(chunk);
    const install = ready.snapshotToInstall;
    if (install !== null) await this.installSnapshot(install);
    // Most of a leader's Readies (heartbeats, read confirmations) persist nothing: no batch at all.
    if (ready.hardState === null && install === null && ready.entries.length === 0 && ready.committedEntries.length === 0) return null;
    // Created after an install: the restored state machine may sit on a new database handle.
    const batch = log.batch();
    let dirty = this.stageRaftState(batch, ready);
    const applied = await this.stageApply(batch, ready.committedEntries);
    if (applied !== null) dirty = true;
    if (dirty) {
      try {
        await log.write(batch, { sync: ready.mustSync });
      } catch (error) {
        applied?.prepared.abandon(error);
        throw error;
      }
    } else {
      await log.discard(batch);
    }
    if (install !== null) await snapshots.prune(install.index);
    return applied;
  }

  /** Stages hard state, snapshot metadata and new entries; returns whether anything was staged. */
  private stageRaftState(batch: Batch, ready: Ready): boolean {
    const { log, stable } = this.config;
    const install = ready.snapshotToInstall;
    let dirty = false;
    if (ready.hardState !== null) {
      stable.setHardState(batch, ready.hardState);
      dirty = true;
    }
    if (install !== null) {
      // The core replaced its whole log by the snapshot; the stored log follows, in the same batch.
      stable.setSnapshot(batch, install);
      log.compact(batch, install.index);
      log.truncateAfter(batch, install.index);
      dirty = true;
    }
    if (ready.entries.length > 0) {
      this.proposals.settleOverwritten(ready.entries);
      log.append(batch, ready.entries);
      dirty = true;
    }
    return dirty;
  }

  private async installSnapshot(metadata: Ready['snapshotToInstall'] & object): Promise<void> {
    const { snapshots, stateMachine } = this.config;
    await snapshots.finalize(metadata);
    await stateMachine.restore(metadata, snapshots.read(metadata.index));
    this.proposals.settleCoveredBySnapshot(metadata.index);
    this.logger.info({ index: metadata.index, term: metadata.term, sizeBytes: metadata.sizeBytes }, 'installed snapshot from the leader');
  }

  private async send(messages: readonly Message[]): Promise<void> {
    if (messages.length === 0) return;
    const out: Message[] = [];
    for (const message of messages) {
      if (message.type !== 'install-snapshot') out.push(message);
      else {
        const filled = await this.fillSnapshotChunk(message);
        if (filled !== null) out.push(filled);
      }
    }
    this.config.transport.send(out);
  }

  /** The core sends chunk coordinates only; the bytes come from the snapshot store. */
  private async fillSnapshotChunk(message: Extract<Message, { type: 'install-snapshot' }>): Promise<Message | null> {
    try {
      const data = await this.config.snapshots.readChunk(message.metadata.index, message.offset, message.length);
      assert(data.length === message.length, () => `snapshot ${message.metadata.index}: read ${data.length} of ${message.length} bytes`);
      return { ...message, data };
    } catch (error) {
      // A newer snapshot replaced this one; the core switches to it on its next resend.
      this.logger.warn({ index: message.metadata.index, to: message.to, err: error }, 'snapshot chunk unavailable; not sent');
      return null;
    }
  }

  /** Stages the committed entries the state machine has not applied yet (it keeps its own applied index across restarts). */
  private async stageApply(batch: Batch, entries: readonly Entry[]): Promise<AppliedEntries<Result> | null> {
    const applied = this.config.stateMachine.appliedIndex;
    const fresh = entries[0] !== undefined && entries[0].index > applied ? entries : entries.filter((entry) => entry.index > applied);
    if (fresh.length === 0) return null;
    return { entries: fresh, prepared: await this.config.stateMachine.prepareApply(fresh, batch) };
  }

  /** The batch is written: readers and watchers see the entries, their proposers get the results. */
  private publishApplied(applied: AppliedEntries<Result>): void {
    applied.prepared.commit();
    this.proposals.settleApplied(applied.entries, applied.prepared.outcomes);
    this.releaseAwaitedReads();
  }

  private serveReads(readStates: readonly ReadState[], readFailures: readonly ReadFailure[]): void {
    for (const failure of readFailures) {
      const group = this.reads.get(failure.requestId);
      this.reads.delete(failure.requestId);
      if (group !== undefined) this.settleReadGroup(group, (waiter) => waiter.reject(refusalError(failure.reason)));
    }
    if (readStates.length === 0) return;
    for (const state of readStates) {
      const group = this.reads.get(state.requestId);
      if (group === undefined) continue;
      this.reads.delete(state.requestId);
      this.settleReadGroup(group, (waiter) => this.awaitedReads.push({ index: state.index, waiter }));
    }
    this.releaseAwaitedReads();
  }

  private releaseAwaitedReads(): void {
    if (this.awaitedReads.length === 0) return;
    const applied = this.config.stateMachine.appliedIndex;
    const still: AwaitedRead[] = [];
    for (const read of this.awaitedReads) {
      if (read.waiter.done) continue;
      if (read.index <= applied) read.waiter.resolve();
      else still.push(read);
    }
    this.awaitedReads = still;
  }

  private onSoftState(soft: SoftState): void {
    const previous = this.softState;
    this.softState = soft;
    if (previous.leaderId === soft.leaderId && previous.role === soft.role) return;
    if (previous.leaderId !== soft.leaderId) this.failUnansweredForwards();
    this.logger.info({ role: soft.role, leaderId: soft.leaderId, term: soft.term }, 'raft leadership changed');
    for (const transfer of [...this.transfers]) if (transfer.to === soft.leaderId) transfer.waiter.resolve();
    this.transfers.splice(0, this.transfers.length, ...this.transfers.filter((transfer) => !transfer.waiter.done));
    const change: LeaderChange = { leaderId: soft.leaderId, term: soft.term, role: soft.role };
    for (const listener of this.leaderListeners) {
      try {
        listener(change);
      } catch (error) {
        this.logger.error({ err: error }, 'leader change listener threw');
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Local snapshots

  /**
   * Captures the state machine (cheap: a point-in-time view) inside the loop, then streams it to the
   * snapshot store in the background so applies and heartbeats go on; `commitSnapshot` finishes
   * the job back in the loop.
   */
  private async startSnapshot(): Promise<void> {
    if (this.snapshotInProgress || this.stopping) return;
    this.snapshotInProgress = true;
    let snapshot: Awaited<ReturnType<StateMachine<Batch, Result>['takeSnapshot']>>;
    try {
      snapshot = await this.config.stateMachine.takeSnapshot();
    } catch (error) {
      this.snapshotInProgress = false;
      this.logger.warn({ err: error }, 'taking a snapshot failed; will retry when asked again');
      return;
    }
    this.snapshotSave = (async () => {
      try {
        const sizeBytes = await this.config.snapshots.save(snapshot.index, snapshot.data);
        this.enqueue(() => this.commitSnapshot(snapshot.index, sizeBytes));
      } catch (error) {
        this.snapshotInProgress = false;
        this.logger.warn({ index: snapshot.index, err: error }, 'saving a snapshot failed; will retry when asked again');
      }
    })();
  }

  private async commitSnapshot(index: number, sizeBytes: number): Promise<void> {
    const { log, stable, snapshots } = this.config;
    try {
      const status = this.core.status();
      if (index <= status.snapshotIndex || index > status.appliedIndex) {
        this.logger.debug({ index, snapshotIndex: status.snapshotIndex }, 'local snapshot superseded; dropped');
        return;
      }
      const metadata = this.core.compact(index, sizeBytes);
      await snapshots.commit(metadata);
      const batch = log.batch();
      stable.setSnapshot(batch, metadata);
      log.compact(batch, metadata.index);
      await log.write(batch, { sync: true });
      await snapshots.prune(metadata.index);
      this.logger.info({ index, term: metadata.term, sizeBytes }, 'took a snapshot and compacted the log');
    } finally {
      this.snapshotInProgress = false;
    }
  }
}

function commitIndexOf(message: Message): number {
  return message.type === 'append' || message.type === 'heartbeat' ? message.commitIndex : 0;
}

function resolveOptions(input: RaftNodeOptionsInput | undefined): RaftNodeOptions {
  const { raft, ...rest } = input ?? {};
  return { ...raftNodeDefaults, ...rest, raft: { ...raftNodeDefaults.raft, ...raft } };
}
