import { assert, type Prng } from '../../common/index.ts';
import type { RaftCoreConfig, RaftOptions } from '../../raft/index.ts';
import type { Entry, ForwardedProposalResult, Membership, Message, NodeId, ProposalRefusal, Ready } from '../../raft/index.ts';
import type { SafetyChecker } from './checkers.ts';
import { ClientRequests, type ClientOutcome, type Reply } from './client-requests.ts';
import type { SimCore, SimCoreStatus } from './core-port.ts';
import { SimDisk, type StoredSnapshot } from './disk.ts';
import type { EventQueue } from './event-queue.ts';
import { encodeCommand, KvStateMachine, type KvCommand } from './kv-state-machine.ts';
import type { MemberLogView } from './election-safety.ts';
import { entryHash, LogMirror } from './log-mirror.ts';
import { SimSnapshotStore } from './snapshot-store.ts';
import type { SimStats } from './stats.ts';
import type { TraceHash } from './trace.ts';

/** What a member needs from the simulated world around it. */
export interface NodeHost {
  readonly queue: EventQueue;
  readonly checker: SafetyChecker;
  readonly stats: SimStats;
  readonly trace: TraceHash;
  readonly options: RaftOptions;
  createCore(config: RaftCoreConfig): SimCore;
  /** A fresh seeded stream for each incarnation's core. */
  corePrng(): Prng;
  fsyncDelayUs(): number;
  send(message: Message): void;
  onLeaderCommitIndex(node: NodeId, term: number, commitIndex: number): void;
  checkCommitSurvivesElections(leader: MemberLogView, index: number, term: number): void;
}

const messageTypeCodes: Readonly<Record<Message['type'], number>> = {
  'pre-vote': 1, 'pre-vote-response': 2, vote: 3, 'vote-response': 4, append: 5, 'append-response': 6,
  heartbeat: 7, 'heartbeat-response': 8, 'install-snapshot': 9, 'install-snapshot-response': 10,
  'timeout-now': 11, 'read-index': 12, 'read-index-response': 13, propose: 14, 'propose-response': 15,
};

function refusal(reason: ProposalRefusal): ClientOutcome & { readonly kind: 'refused' } {
  return { kind: 'refused', leaderHint: reason.code === 'RAFT_NOT_LEADER' ? reason.leaderHint : null, reason: reason.code };
}

export function nodeNumber(id: NodeId): number {
  return Number(id.slice(1));
}

/**
 * One simulated member: the production `RaftCore` plus a driver that acts on `Ready` in the
 * documented order (persist → fsync → send → apply → advance) against a simulated disk whose
 * fsync takes time, a KV state machine and a snapshot store. Its clock ticks at its own period.
 */
export class SimNode {
  readonly disk = new SimDisk();
  private core: SimCore | null = null;
  private incarnationValue = 0;
  private kv = new KvStateMachine();
  private mirror = new LogMirror();
  private snapshots = new SimSnapshotStore();
  private requests = new ClientRequests();
  /** Writes forwarded to the leader, by id, until it answers (bounded by the client limits). */
  private readonly forwarded = new Map<string, { readonly command: KvCommand; readonly reply: Reply }>();
  private forwardSequence = 0;
  /** An fsync is under way: the next `ready()` waits for it (the driver handles one Ready at a time). */
  private syncing = false;
  private observedCommit = 0;
  private pendingInstall: StoredSnapshot | null = null;
  everStarted = false;

  constructor(
    readonly id: NodeId,
    private readonly host: NodeHost,
    readonly tickPeriodUs: number,
    private readonly bootstrap: Membership,
  ) {}

  get running(): boolean {
    return this.core !== null;
  }

  get appliedIndex(): number {
    return this.kv.appliedIndex;
  }

  get kvFingerprint(): string {
    return this.kv.fingerprint();
  }

  status(): SimCoreStatus | null {
    return this.core === null ? null : this.core.status();
  }

  /** What the commit-survives-elections check sees of this member (see election-safety.ts). */
  logView(): MemberLogView {
    const mirror = this.mirror;
    const voterTip = this.disk.durableTip;
    if (this.core === null) return { id: this.id, membership: null, campaignTip: voterTip, voterTip, holds: () => false };
    const lastIndex = mirror.lastIndex;
    return {
      id: this.id,
      membership: this.core.status().membership,
      campaignTip: { index: lastIndex, term: mirror.termAt(lastIndex) ?? 0 },
      voterTip,
      holds: (index, term) => index <= mirror.snapshotIndex || mirror.termAt(index) === term,
    };
  }

  /** Boots from whatever the disk holds (nothing on first boot). */
  start(firstTickDelayUs: number): void {
    if (this.core !== null) return;
    this.incarnationValue++;
    this.everStarted = true;
    const restore = this.disk.restoreState();
    const stored = this.disk.durableSnapshot;
    this.kv = new KvStateMachine();
    this.snapshots = new SimSnapshotStore();
    this.requests = new ClientRequests();
    if (stored !== null) {
      this.kv.restore(stored.data, stored.metadata.index);
      this.snapshots.keep(stored);
    }
    this.mirror = LogMirror.fromRestore(stored?.metadata.index ?? 0, stored?.metadata.term ?? 0, restore.entries);
    const core = this.host.createCore({ id: this.id, initialMembership: this.bootstrap, restore, options: this.host.options, prng: this.host.corePrng() });
    this.core = core;
    this.syncing = false;
    const restored = core.status().commitIndex;
    this.host.checker.observeRestart(this.id, this.incarnationValue, restore.hardState?.commitIndex ?? 0, restored);
    this.observedCommit = restored;
    this.scheduleTick(firstTickDelayUs);
    this.afterEvent();
  }

  /** Power loss: memory and unsynced writes are gone; returns whether unsynced writes were lost. */
  crash(): boolean {
    if (this.core === null) return false;
    this.core = null;
    this.syncing = false;
    this.pendingInstall = null;
    this.snapshots.clearIncoming();
    // Forwarded writes die with the process; their clients time out (unknown outcome).
    this.forwarded.clear();
    return this.disk.crash();
  }

  receive(message: Message): void {
    const core = this.core;
    if (core === null) return;
    const trace = this.host.trace;
    trace.number(this.host.queue.nowUs);
    trace.number(messageTypeCodes[message.type] * 64 + nodeNumber(message.from) * 8 + nodeNumber(message.to));
    trace.number(message.term);
    this.host.stats.messagesDelivered++;
    core.step(message);
    core.checkInvariants();
    this.afterEvent();
  }

  /** Runs an operator command (membership change, transfer) against the core, then drives it. */
  command<T>(action: (core: SimCore) => T): T | null {
    const core = this.core;
    if (core === null) return null;
    const result = action(core);
    core.checkInvariants();
    this.afterEvent();
    return result;
  }

  submitWrite(command: KvCommand, reply: Reply): void {
    const core = this.core;
    if (core === null || this.requests.full) return reply({ kind: 'refused', leaderHint: null, reason: core === null ? 'node down' : 'too many pending requests' });
    const data = encodeCommand(command);
    const result = core.propose(data);
    if (result.ok) this.requests.addProposal(result.index, command, reply);
    else if (result.refusal.code === 'RAFT_NOT_LEADER' && result.refusal.leaderHint !== null) this.forward(core, data, command, reply);
    else reply(refusal(result.refusal));
    core.checkInvariants();
    this.afterEvent();
  }

  /** A follower that knows the leader forwards the write, as the production driver does. */
  private forward(core: SimCore, data: Uint8Array, command: KvCommand, reply: Reply): void {
    const id = `${this.incarnationValue}.${++this.forwardSequence}`;
    const outcome = core.forwardProposal(id, data);
    if (!outcome.ok) return reply(refusal(outcome.refusal));
    this.forwarded.set(id, { command, reply });
    this.host.stats.proposalsForwarded++;
  }

  /** The leader said where it appended (or why not); from then on it is an ordinary proposal here. */
  private onForwardedResult(result: ForwardedProposalResult): void {
    const pending = this.forwarded.get(result.id);
    if (pending === undefined) return;
    this.forwarded.delete(result.id);
    if (!result.ok) return pending.reply(refusal(result.refusal));
    // Already applied here before the answer came (messages reorder): the outcome cannot be told,
    // so no reply at all; the client's timeout records it as unknown.
    if (result.index <= this.kv.appliedIndex) return;
    this.requests.addProposal(result.index, pending.command, pending.reply);
  }

  submitRead(requestId: string, key: string, reply: Reply): void {
    const core = this.core;
    if (core === null || this.requests.full) return reply({ kind: 'refused', leaderHint: null, reason: core === null ? 'node down' : 'too many pending requests' });
    const result = core.readIndex(requestId);
    if (result.ok) this.requests.addRead(requestId, key, reply);
    else reply(refusal(result.refusal));
    core.checkInvariants();
    this.afterEvent();
  }

  private scheduleTick(delayUs: number): void {
    const incarnation = this.incarnationValue;
    this.host.queue.after(delayUs, () => {
      const core = this.core;
      if (core === null || incarnation !== this.incarnationValue) return;
      this.host.stats.ticks++;
      core.tick();
      core.checkInvariants();
      this.afterEvent();
      this.scheduleTick(this.tickPeriodUs);
    });
  }

  /** After anything touched the core: act on its Ready, then check what it now claims. */
  private afterEvent(): void {
    this.drain();
    const status = this.core?.status();
    if (status === undefined) return;
    this.host.checker.observeRole(this.id, status.term, status.role === 'leader');
    this.host.checker.observeCommitIndex(this.id, this.incarnationValue, status.commitIndex);
    if (status.role === 'leader') this.host.onLeaderCommitIndex(this.id, status.term, status.commitIndex);
  }

  private drain(): void {
    for (;;) {
      const core = this.core;
      if (core === null || this.syncing || !core.hasReady()) return;
      const ready = core.ready();
      this.persist(ready);
      if (!ready.mustSync) {
        this.finish(core, ready);
        continue;
      }
      this.syncing = true;
      const incarnation = this.incarnationValue;
      this.host.queue.after(this.host.fsyncDelayUs(), () => {
        if (incarnation !== this.incarnationValue || this.core !== core) return;
        this.disk.sync();
        this.syncing = false;
        this.finish(core, ready);
        core.checkInvariants();
        this.afterEvent();
      });
      return;
    }
  }

  /** Step 1: record what the member now holds (for the checkers) and write it to the page cache. */
  private persist(ready: Ready): void {
    for (const chunk of ready.snapshotChunks) this.snapshots.storeChunk(chunk);
    const install = ready.snapshotToInstall;
    if (install !== null) {
      this.pendingInstall = { metadata: install, data: this.snapshots.assemble(install) };
      this.mirror.installSnapshot(install.index, install.term);
    }
    const checker = this.host.checker;
    this.mirror.append(ready.entries, (entry, hash, prevTerm) => checker.observeAppend(this.id, entry.index, entry.term, hash, prevTerm));
    if (ready.hardState !== null) {
      if (this.core?.status().role === 'leader') this.checkLeaderCommit(ready.hardState.commitIndex);
      this.observeCommits(ready.hardState.commitIndex);
    }
    if (ready.softState !== null && ready.softState.role === 'leader') {
      checker.observeRole(this.id, ready.softState.term, true);
      checker.checkLeaderCompleteness(this.id, ready.softState.term, this.mirror.snapshotIndex, (index) => this.mirror.termAt(index));
    }
    this.disk.write({ hardState: ready.hardState, snapshot: this.pendingInstall, entries: ready.entries });
  }

  /** A leader's commit index moved: the newly committed entry must survive any election. */
  private checkLeaderCommit(commitIndex: number): void {
    if (commitIndex <= this.observedCommit) return;
    const term = this.mirror.termAt(commitIndex);
    if (term === undefined) return;
    this.host.checkCommitSurvivesElections(this.logView(), commitIndex, term);
  }

  private observeCommits(commitIndex: number): void {
    for (let index = Math.max(this.observedCommit, this.mirror.snapshotIndex) + 1; index <= commitIndex; index++) {
      const term = this.mirror.termAt(index);
      const hash = this.mirror.hashAt(index);
      if (term !== undefined && hash !== undefined) this.host.checker.observeCommitted(this.id, index, term, hash);
    }
    if (commitIndex > this.observedCommit) this.observedCommit = commitIndex;
  }

  /** Steps 2–4, once the Ready is durable: send, apply, serve reads, advance; then snapshot if asked. */
  private finish(core: SimCore, ready: Ready): void {
    const install = this.pendingInstall;
    this.pendingInstall = null;
    if (install !== null) this.installSnapshot(install);
    for (const message of ready.messages) this.send(message);
    for (const result of ready.forwardedProposals) this.onForwardedResult(result);
    for (const entry of ready.committedEntries) this.apply(entry);
    for (const state of ready.readStates) this.requests.onReadState(state.requestId, state.index);
    for (const failure of ready.readFailures) {
      const { leaderHint, reason } = refusal(failure.reason);
      this.requests.onReadFailure(failure.requestId, leaderHint, reason);
    }
    this.host.stats.readsServed += this.requests.serveReads(this.kv.appliedIndex, (key) => this.kv.get(key));
    core.advance();
    if (ready.snapshotRequested) this.takeSnapshot(core);
  }

  private installSnapshot(snapshot: StoredSnapshot): void {
    this.kv.restore(snapshot.data, snapshot.metadata.index);
    this.snapshots.keep(snapshot);
    this.requests.forgetUpTo(snapshot.metadata.index);
    this.host.stats.snapshotsInstalled++;
  }

  private send(message: Message): void {
    if (message.type !== 'install-snapshot') return this.host.send(message);
    this.host.stats.snapshotChunksSent++;
    this.host.send(this.snapshots.fill(message));
  }

  private apply(entry: Entry): void {
    const applied = this.kv.apply(entry);
    // Applied entries are identified by term and content, so a mismatch at one index is caught.
    this.host.checker.observeApplied(this.id, entry.index, Math.imul(entry.term, 0x9e3779b1) ^ entryHash(entry));
    this.requests.onApplied(entry.index, applied);
  }

  private takeSnapshot(core: SimCore): void {
    const data = this.kv.takeSnapshot();
    const metadata = core.compact(this.kv.appliedIndex, data.length);
    assert(metadata.index === this.kv.appliedIndex, () => `compact(${this.kv.appliedIndex}) returned snapshot ${metadata.index}`);
    const snapshot = { metadata, data };
    this.snapshots.keep(snapshot);
    this.disk.saveTakenSnapshot(snapshot);
    this.mirror.compact(metadata.index, metadata.term);
    this.host.stats.snapshotsTaken++;
  }
}
