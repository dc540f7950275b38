import type { MembershipChangeStep, NodeId } from '../../raft/index.ts';
import type { SimCluster } from './cluster.ts';
import { tickUs } from './config.ts';
import type { LinkConditions } from './network.ts';
import type { ChurnCrash, FaultAction, ScheduledFault } from './schedule.ts';
import type { SimNode } from './sim-node.ts';
import type { Timeline } from './timeline.ts';

/**
 * Turns schedule entries into faults on the simulated cluster, each undone after its duration.
 * Role targets ("the leader") are resolved when the fault fires; a fault with nothing to act on
 * (no leader, no learner to promote) is skipped, which keeps shrunk schedules meaningful.
 */
export class FaultInjector {
  private pendingTransfer: { readonly to: NodeId; readonly deadlineUs: number } | null = null;
  /** Ever a member: adding one of these again is a re-add. */
  private readonly wasMember = new Set<NodeId>();
  /** An active leader-churn window: new leaders are crashed until `untilUs`. */
  private churn: { readonly untilUs: number; readonly crashes: readonly ChurnCrash[]; readonly downTicks: number; crashed: number } | null = null;
  /** Churned leaders waiting for their first commit in their term, with the commit index they won at. */
  private readonly crashAtCommit = new Map<NodeId, { readonly term: number; readonly commitIndex: number }>();

  constructor(
    private readonly cluster: SimCluster,
    private readonly timeline: Timeline,
    private readonly minVoters: number,
    initialVoters: readonly NodeId[],
  ) {
    for (const id of initialVoters) this.wasMember.add(id);
  }

  schedule(faults: readonly ScheduledFault[]): void {
    const ordered = faults.map((fault, order) => ({ fault, order }));
    ordered.sort((a, b) => a.fault.atTick - b.fault.atTick || a.fault.offsetUs - b.fault.offsetUs || a.order - b.order);
    for (const { fault } of ordered) {
      this.cluster.queue.at(fault.atTick * tickUs + fault.offsetUs, () => this.inject(fault.action));
    }
  }

  /** Called once per nominal tick: notices a requested leader transfer that took effect. */
  observeTransfer(): void {
    const pending = this.pendingTransfer;
    if (pending === null) return;
    if (this.cluster.leader()?.id === pending.to) {
      this.cluster.stats.transfersCompleted++;
      this.timeline.add(`leadership transferred to ${pending.to}`);
      this.pendingTransfer = null;
    } else if (this.cluster.queue.nowUs > pending.deadlineUs) {
      this.pendingTransfer = null;
    }
  }

  /** Called when a member first leads a term: during a leader-churn window, its crash is scheduled. */
  onNewLeader(id: NodeId): void {
    const churn = this.churn;
    if (churn === null || this.cluster.queue.nowUs > churn.untilUs) return;
    const node = this.cluster.node(id);
    if (node === undefined) return;
    const crash: ChurnCrash = churn.crashes[churn.crashed % churn.crashes.length] ?? { afterMs: 0, how: 'crash' };
    churn.crashed++;
    if ('atFirstCommit' in crash) {
      const status = node.status();
      if (status !== null) this.crashAtCommit.set(id, { term: status.term, commitIndex: status.commitIndex });
      return;
    }
    this.cluster.queue.after(crash.afterMs * 1000, () => (crash.how === 'crash' ? this.churnCrash(node) : this.churnIsolate(node)));
  }

  /** Called after every event on a leader: a churned leader whose commit index moved dies now. */
  onLeaderCommitIndex(id: NodeId, term: number, commitIndex: number): void {
    const waiting = this.crashAtCommit.get(id);
    if (waiting === undefined) return;
    if (waiting.term !== term) return void this.crashAtCommit.delete(id);
    if (commitIndex <= waiting.commitIndex) return;
    this.crashAtCommit.delete(id);
    const node = this.cluster.node(id);
    // At once, before the Ready being synced is sent: what was in flight stays in flight, the rest is lost.
    if (node !== undefined) this.cluster.queue.after(0, () => this.churnCrash(node));
  }

  private churnCrash(node: SimNode): void {
    const churn = this.churn;
    if (churn !== null && this.crash(node, churn.downTicks)) this.cluster.stats.leaderChurnCrashes++;
  }

  private churnIsolate(node: SimNode): void {
    const churn = this.churn;
    if (churn !== null && node.running && this.partition([node], churn.downTicks, 'outbound')) this.cluster.stats.leaderChurnIsolations++;
  }

  /** The final heal ends every churn window, even one scheduled to last longer. */
  endChurn(): void {
    this.churn = null;
    this.crashAtCommit.clear();
  }

  private inject(action: FaultAction): void {
    const applied = this.applyAction(action);
    if (!applied) return;
    this.cluster.stats.faultsInjected++;
    this.cluster.trace.string(action.kind);
  }

  private applyAction(action: FaultAction): boolean {
    switch (action.kind) {
      case 'partition':
        return this.partition(this.cluster.nodes.filter((_, i) => (action.isolateMask >> i) & 1), action.durationTicks, 'both');
      case 'isolate-leader': {
        const leader = this.cluster.leader();
        return leader !== null && this.partition([leader], action.durationTicks, 'both');
      }
      case 'one-way':
        return this.partition([this.cluster.slot(action.slot)], action.durationTicks, action.direction);
      case 'heal':
        this.cluster.network.healAll();
        this.cluster.stats.heals++;
        this.timeline.add('network healed');
        return true;
      case 'drop':
        return this.conditions({ dropProbability: action.percent / 100, duplicateProbability: 0, extraDelayMaxUs: 0, reorderJitterMaxUs: 0 }, action.durationTicks, `drop ${action.percent}%`);
      case 'duplicate':
        return this.conditions({ dropProbability: 0, duplicateProbability: action.percent / 100, extraDelayMaxUs: 0, reorderJitterMaxUs: 0 }, action.durationTicks, `duplicate ${action.percent}%`);
      case 'delay':
        return this.conditions({ dropProbability: 0, duplicateProbability: 0, extraDelayMaxUs: action.extraMs * 1000, reorderJitterMaxUs: 0 }, action.durationTicks, `delay up to ${action.extraMs}ms`);
      case 'reorder':
        return this.conditions({ dropProbability: 0, duplicateProbability: 0, extraDelayMaxUs: 0, reorderJitterMaxUs: action.jitterMs * 1000 }, action.durationTicks, `reorder (jitter ${action.jitterMs}ms)`);
      case 'crash':
        return this.crash(action.target === 'leader' ? this.cluster.leader() : this.cluster.slot(action.slot), action.downTicks);
      case 'leader-churn':
        return this.startChurn(action);
      case 'add-learner':
      case 'promote':
      case 'remove':
        return this.changeMembership(action);
      case 'transfer':
        return this.transfer(action.pick);
    }
  }

  private partition(isolated: readonly SimNode[], durationTicks: number, direction: 'both' | 'outbound' | 'inbound'): boolean {
    const inside = new Set(isolated.map((node) => node.id));
    const others = this.cluster.nodes.filter((node) => !inside.has(node.id));
    if (inside.size === 0 || others.length === 0) return false;
    const links: [NodeId, NodeId][] = [];
    for (const a of inside) {
      for (const b of others) {
        if (direction !== 'inbound') links.push([a, b.id]);
        if (direction !== 'outbound') links.push([b.id, a]);
      }
    }
    for (const [from, to] of links) this.cluster.network.block(from, to);
    if (direction === 'both') this.cluster.stats.partitions++;
    else this.cluster.stats.oneWayPartitions++;
    this.timeline.add(`partition {${[...inside].join(',')}} ${direction === 'both' ? '|' : direction === 'outbound' ? '-/->' : '<-/-'} rest for ${durationTicks} ticks`);
    this.cluster.queue.after(durationTicks * tickUs, () => {
      for (const [from, to] of links) this.cluster.network.unblock(from, to);
    });
    return true;
  }

  private conditions(conditions: LinkConditions, durationTicks: number, label: string): boolean {
    this.cluster.network.addConditions(conditions);
    this.timeline.add(`${label} for ${durationTicks} ticks`);
    this.cluster.queue.after(durationTicks * tickUs, () => this.cluster.network.removeConditions(conditions));
    return true;
  }

  private startChurn(action: FaultAction & { readonly kind: 'leader-churn' }): boolean {
    this.churn = { untilUs: this.cluster.queue.nowUs + action.durationTicks * tickUs, crashes: action.crashes, downTicks: action.downTicks, crashed: 0 };
    const when = action.crashes.map((crash) => ('atFirstCommit' in crash ? 'crash at first commit' : `${crash.how} ${crash.afterMs} ms after winning`)).join(', ');
    this.timeline.add(`leader churn for ${action.durationTicks} ticks: new leaders, in turn: ${when}; for ${action.downTicks} ticks`);
    // The current leader is the first to go.
    const leader = this.cluster.leader();
    if (leader !== null) this.onNewLeader(leader.id);
    return true;
  }

  private crash(node: SimNode | null, downTicks: number): boolean {
    if (node === null || !node.running) return false;
    const lost = node.crash();
    this.cluster.stats.crashes++;
    if (lost) this.cluster.stats.crashesLosingUnsyncedWrites++;
    this.timeline.add(`crash ${node.id}${lost ? ' (unsynced writes lost)' : ''}, restart in ${downTicks} ticks`);
    this.cluster.queue.after(downTicks * tickUs, () => this.restart(node));
    return true;
  }

  restart(node: SimNode): void {
    if (node.running || !node.everStarted) return;
    this.cluster.start(node);
    this.cluster.stats.restarts++;
    this.timeline.add(`restart ${node.id} from its disk`);
  }

  private transfer(pick: number): boolean {
    const leader = this.cluster.leader();
    const membership = leader?.status()?.membership;
    if (leader === null || membership === undefined) return false;
    const candidates = membership.voters.filter((id) => id !== leader.id);
    const to = candidates[pick % Math.max(1, candidates.length)];
    if (to === undefined) return false;
    const result = leader.command((core) => core.transferLeader(to));
    if (result === null || !result.ok) return false;
    this.cluster.stats.transfers++;
    this.pendingTransfer = { to, deadlineUs: this.cluster.queue.nowUs + 20 * tickUs };
    this.timeline.add(`transfer leadership ${leader.id} -> ${to}`);
    return true;
  }

  private changeMembership(action: FaultAction & { readonly kind: 'add-learner' | 'promote' | 'remove' }): boolean {
    const leader = this.cluster.leader();
    const membership = leader?.status()?.membership;
    if (leader === null || membership === undefined || membership.votersOutgoing.length > 0) return false;
    const step = this.planMembershipStep(action, leader, membership.voters, membership.learners);
    if (step === null) return false;
    const result = leader.command((core) => core.proposeMembershipChange({ steps: [step] }));
    if (result === null || !result.ok) return false;
    this.recordMembershipChange(step, leader);
    return true;
  }

  private planMembershipStep(
    action: FaultAction & { readonly kind: 'add-learner' | 'promote' | 'remove' },
    leader: SimNode,
    voters: readonly NodeId[],
    learners: readonly NodeId[],
  ): MembershipChangeStep | null {
    if (action.kind === 'promote') {
      const id = learners[action.pick % Math.max(1, learners.length)];
      return id === undefined ? null : { type: 'promote-learner', id };
    }
    if (action.kind === 'remove') {
      if (voters.length <= this.minVoters) return null;
      const followers = voters.filter((id) => id !== leader.id);
      const id = action.target === 'leader' ? leader.id : followers[action.pick % Math.max(1, followers.length)];
      return id === undefined ? null : { type: 'remove', id };
    }
    const outsiders = this.cluster.nodes.filter((node) => !voters.includes(node.id) && !learners.includes(node.id));
    const node = outsiders[action.pick % Math.max(1, outsiders.length)];
    if (node === undefined) return null;
    // A re-added member comes back with its own disk (safe: it keeps its votes); a new one boots empty.
    if (!node.running) this.cluster.start(node);
    return { type: 'add-learner', id: node.id };
  }

  private recordMembershipChange(step: MembershipChangeStep, leader: SimNode): void {
    const stats = this.cluster.stats;
    stats.membershipChanges++;
    if (step.type === 'add-learner') {
      stats.learnersAdded++;
      if (this.wasMember.has(step.id)) stats.readds++;
    } else if (step.type === 'promote-learner') {
      stats.learnersPromoted++;
    } else if (step.type === 'remove') {
      stats.votersRemoved++;
      if (step.id === leader.id) stats.leadersRemoved++;
    }
    this.wasMember.add(step.id);
    this.timeline.add(`${leader.id} proposes ${step.type} ${step.id}`);
  }
}
