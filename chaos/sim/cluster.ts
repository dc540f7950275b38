import type { Prng } from '../../common/index.ts';
import type { RaftCoreConfig, RaftOptions } from '../../raft/index.ts';
import type { Membership, Message, NodeId } from '../../raft/index.ts';
import { SafetyChecker } from './checkers.ts';
import { checkCommitSurvivesElections, type MemberLogView } from './election-safety.ts';
import { DiskLimits, tickUs } from './config.ts';
import type { CoreFactory, SimCore } from './core-port.ts';
import { EventQueue } from './event-queue.ts';
import { SimNetwork } from './network.ts';
import { SimNode, type NodeHost } from './sim-node.ts';
import { emptyStats, type SimStats } from './stats.ts';
import { TraceHash } from './trace.ts';

export interface ClusterSetup {
  readonly nodes: number;
  readonly slots: number;
  readonly driftPercent: readonly number[];
  readonly options: RaftOptions;
  readonly prng: Prng;
  readonly createCore: CoreFactory;
  readonly onNewLeader?: (node: NodeId, term: number) => void;
  /** After every event on a member that leads: its commit index (fault injection watches it). */
  readonly onLeaderCommitIndex?: (node: NodeId, term: number, commitIndex: number) => void;
}

/**
 * The simulated world: members, the network between them, virtual time and the checkers. It is
 * the `NodeHost` of every member. Slots beyond the initial voters are spare machines, off until a
 * membership change adds them.
 */
export class SimCluster implements NodeHost {
  readonly queue = new EventQueue();
  readonly checker: SafetyChecker;
  readonly stats: SimStats = emptyStats();
  readonly trace = new TraceHash();
  readonly network: SimNetwork;
  readonly nodes: readonly SimNode[];
  readonly options: RaftOptions;
  private readonly byId = new Map<NodeId, SimNode>();
  private readonly corePrngs: Prng;
  private readonly diskPrng: Prng;
  private readonly phasePrng: Prng;
  private readonly factory: CoreFactory;
  private readonly leaderCommitListener: (node: NodeId, term: number, commitIndex: number) => void;

  constructor(setup: ClusterSetup) {
    this.options = setup.options;
    this.checker = new SafetyChecker(setup.onNewLeader);
    this.factory = setup.createCore;
    this.leaderCommitListener = setup.onLeaderCommitIndex ?? (() => undefined);
    this.network = new SimNetwork(this.queue, setup.prng.fork(), this.stats, (message) => this.byId.get(message.to)?.receive(message));
    this.corePrngs = setup.prng.fork();
    this.diskPrng = setup.prng.fork();
    this.phasePrng = setup.prng.fork();
    const ids = Array.from({ length: setup.slots }, (_, i) => `n${i + 1}`);
    const initial: Membership = { voters: ids.slice(0, setup.nodes), learners: [], votersOutgoing: [] };
    const empty: Membership = { voters: [], learners: [], votersOutgoing: [] };
    this.nodes = ids.map((id, slot) => {
      const drift = setup.driftPercent[slot] ?? 0;
      const node = new SimNode(id, this, Math.round((tickUs * (100 + drift)) / 100), slot < setup.nodes ? initial : empty);
      this.byId.set(id, node);
      return node;
    });
  }

  node(id: NodeId): SimNode | undefined {
    return this.byId.get(id);
  }

  slot(index: number): SimNode {
    return this.nodes[((index % this.nodes.length) + this.nodes.length) % this.nodes.length] as SimNode;
  }

  createCore(config: RaftCoreConfig): SimCore {
    return this.factory(config);
  }

  corePrng(): Prng {
    return this.corePrngs.fork();
  }

  fsyncDelayUs(): number {
    return this.diskPrng.nextInt(DiskLimits.fsyncMinUs, DiskLimits.fsyncMaxUs);
  }

  onLeaderCommitIndex(node: NodeId, term: number, commitIndex: number): void {
    this.leaderCommitListener(node, term, commitIndex);
  }

  checkCommitSurvivesElections(leader: MemberLogView, index: number, term: number): void {
    checkCommitSurvivesElections(leader, index, term, this.nodes.filter((node) => node.everStarted).map((node) => (node.id === leader.id ? leader : node.logView())));
  }

  send(message: Message): void {
    this.network.send(message);
  }

  /** Boots a member with a random clock phase, so members do not tick in lockstep. */
  start(node: SimNode): void {
    node.start(this.phasePrng.nextInt(1, node.tickPeriodUs));
  }

  /** The running member that believes it leads the highest term, if any. */
  leader(): SimNode | null {
    let best: SimNode | null = null;
    let bestTerm = -1;
    for (const node of this.nodes) {
      const status = node.status();
      if (status !== null && status.role === 'leader' && status.term > bestTerm) {
        best = node;
        bestTerm = status.term;
      }
    }
    return best;
  }

  /** Runs events until virtual time `untilUs`. */
  runUntil(untilUs: number): void {
    while (this.queue.runNext(untilUs)) {
      // each event runs inside runNext
    }
    this.queue.advanceTo(untilUs);
  }
}
