import type { Env, Logger } from '../../../common/index.ts';
import type { ClusterControl, ExperimentCluster } from '../cluster/experiment-cluster.ts';
import type { ComponentTarget, FaultSpec, LinkSelection } from '../experiment.ts';
import type { FaultRecord } from '../timeline/observations.ts';
import { sleep, sleepUntil } from '../run/sleep.ts';
import { allLinks, combineLinkEffects, linkKey, type LinkEffect } from './link-effects.ts';
import { linksAcross, planPartition } from './partition-plan.ts';

/** How long a fault aimed at "the leader" waits for one to be known before it is skipped. */
export const leaderWaitMs = 5_000;
const leaderPollMs = 50;

export type LeaderSource = () => { readonly leader: string | null; readonly term: number | null };

interface AppliedFault {
  readonly record: Omit<FaultRecord, 'healedMs'>;
  healedMs: number | null;
  healed: boolean;
  readonly undo: () => Promise<void>;
}

/**
 * Applies an experiment's faults on schedule and heals them, recording when each really started
 * and ended and what "the leader" was at that moment. Link faults are layered per link
 * (`combineLinkEffects`), so overlapping faults heal independently.
 */
export class FaultPlayer {
  private readonly applied = new Map<string, AppliedFault>();
  private readonly effects = new Map<string, Map<string, LinkEffect>>();
  private readonly servers: string[];

  constructor(
    private readonly cluster: ExperimentCluster,
    private readonly leaderNow: LeaderSource,
    private readonly env: Env,
    private readonly logger: Logger,
  ) {
    this.servers = cluster.servers.map((server) => server.name);
  }

  /** Runs every fault's start and heal at its time from `zeroMs` (epoch); resolves when all are done. */
  async play(faults: readonly FaultSpec[], zeroMs: number, signal: AbortSignal): Promise<void> {
    await Promise.all(faults.map(async (fault) => {
      await sleepUntil(this.env, zeroMs + fault.atMs, signal);
      if (signal.aborted) return;
      await this.apply(fault);
      if (fault.action.kind === 'restart') {
        await sleep(this.env, fault.forMs ?? 0, signal);
        await this.heal(fault.id);
        return;
      }
      if (fault.forMs === null) return;
      await sleepUntil(this.env, zeroMs + fault.atMs + fault.forMs, signal);
      await this.heal(fault.id);
    }));
  }

  async apply(fault: FaultSpec): Promise<void> {
    const control = this.control();
    const startMs = this.env.clock.nowMs();
    const { leader, term } = await this.knownLeader(fault);
    const base = { id: fault.id, startMs, leaderBefore: leader, termBefore: term };
    const action = fault.action;
    let applied: AppliedFault;
    if (action.kind === 'kill' || action.kind === 'pause' || action.kind === 'restart') {
      const name = this.resolve(action.target, leader);
      if (name === null) return this.skip(fault, base, 'no leader was known');
      if (action.kind === 'kill') await control.kill(name);
      else if (action.kind === 'pause') await control.pause(name);
      else await control.stop(name);
      const isLeader = name === leader;
      applied = this.entry({ ...base, removesLeader: isLeader, description: `${action.kind} ${name}${isLeader ? ' (the leader)' : ''}` }, async () => (action.kind === 'pause' ? control.resume(name) : control.start(name)));
    } else if (action.kind === 'partition') {
      const plan = planPartition(action.isolate, this.servers, leader, (name) => name);
      await this.setEffects(fault.id, linksAcross(plan.groups), { kind: 'cut' });
      applied = this.entry({ ...base, removesLeader: plan.removesLeader, description: plan.description }, async () => this.setEffects(fault.id, [], null));
    } else {
      const selected = this.selectLinks(action.links, leader);
      if (selected === null) return this.skip(fault, base, 'no leader was known');
      const { links, label } = selected;
      const effect: LinkEffect = action.kind === 'delay' ? { kind: 'delay', delayMs: action.delayMs } : { kind: 'loss', rate: action.rate };
      await this.setEffects(fault.id, links, effect);
      const what = action.kind === 'delay' ? `delay ${action.delayMs} ms` : `loss ${Math.round(action.rate * 100)}%`;
      applied = this.entry({ ...base, removesLeader: false, description: `${what} on ${label}` }, async () => this.setEffects(fault.id, [], null));
    }
    this.applied.set(fault.id, applied);
    this.logger.info({ fault: fault.id, description: applied.record.description }, 'fault applied');
  }

  async heal(id: string): Promise<void> {
    const applied = this.applied.get(id);
    if (applied === undefined || applied.healed) return;
    applied.healed = true;
    await applied.undo();
    applied.healedMs = this.env.clock.nowMs();
    this.logger.info({ fault: id }, 'fault healed');
  }

  /** Heals whatever is still in force (the end of the run); those keep `healedMs` null in the records. */
  async healAll(): Promise<void> {
    for (const applied of [...this.applied.values()].reverse()) {
      if (applied.healed) continue;
      applied.healed = true;
      await applied.undo().catch((error: unknown) => this.logger.warn({ fault: applied.record.id, error }, 'heal failed'));
    }
  }

  records(): FaultRecord[] {
    return [...this.applied.values()].map((applied) => ({ ...applied.record, healedMs: applied.healedMs })).sort((a, b) => a.startMs - b.startMs);
  }

  private entry(record: Omit<FaultRecord, 'healedMs'>, undo: () => Promise<void>): AppliedFault {
    return { record, healedMs: null, healed: false, undo };
  }

  private skip(fault: FaultSpec, base: { id: string; startMs: number; leaderBefore: string | null; termBefore: number | null }, why: string): void {
    const nowMs = this.env.clock.nowMs();
    this.applied.set(fault.id, { record: { ...base, removesLeader: false, description: `skipped ${fault.action.kind}: ${why}` }, healedMs: nowMs, healed: true, undo: async () => undefined });
    this.logger.warn({ fault: fault.id, why }, 'fault skipped');
  }

  /** The leader now; a fault aimed at the leader waits (bounded) for one to be known. */
  private async knownLeader(fault: FaultSpec): Promise<{ leader: string | null; term: number | null }> {
    const deadline = this.env.clock.nowMs() + (needsLeader(fault) ? leaderWaitMs : 0);
    let known = this.leaderNow();
    while (known.leader === null && this.env.clock.nowMs() < deadline) {
      await sleep(this.env, leaderPollMs);
      known = this.leaderNow();
    }
    return known;
  }

  private resolve(target: ComponentTarget, leader: string | null): string | null {
    return target.kind === 'leader' ? leader : target.name;
  }

  private selectLinks(selection: LinkSelection, leader: string | null): { links: [string, string][]; label: string } | null {
    if (selection.kind === 'all') return { links: allLinks(this.servers), label: 'every replica link' };
    if (selection.kind === 'replica') {
      const name = this.resolve(selection.target, leader);
      if (name === null) return null;
      return { links: allLinks(this.servers).filter(([from, to]) => from === name || to === name), label: `every link of ${name}${name === leader ? ' (the leader)' : ''}` };
    }
    const from = this.resolve(selection.from, leader);
    const to = this.resolve(selection.to, leader);
    return from === null || to === null ? null : { links: [[from, to], [to, from]], label: `${from} ↔ ${to}` };
  }

  /** Sets (or with `effect` null, removes) one fault's effect on links, then updates the links whose combination changed. */
  private async setEffects(faultId: string, links: readonly [string, string][], effect: LinkEffect | null): Promise<void> {
    const before = this.effects.get(faultId) ?? new Map<string, LinkEffect>();
    const touched = new Set([...before.keys(), ...links.map(([from, to]) => linkKey(from, to))]);
    if (effect === null) this.effects.delete(faultId);
    else this.effects.set(faultId, new Map(links.map(([from, to]) => [linkKey(from, to), effect])));
    const settings = [...touched].map((key) => {
      const [from = '', to = ''] = key.split('>');
      const held = [...this.effects.values()].map((perLink) => perLink.get(key)).filter((held): held is LinkEffect => held !== undefined);
      return { from, to, fault: combineLinkEffects(held) };
    });
    await this.control().setLinks(settings);
  }

  private control(): ClusterControl {
    if (this.cluster.control === null) throw new Error(`faults cannot be applied: ${this.cluster.faultsUnavailable}`);
    return this.cluster.control;
  }
}

function needsLeader(fault: FaultSpec): boolean {
  const action = fault.action;
  if (action.kind === 'kill' || action.kind === 'pause' || action.kind === 'restart') return action.target.kind === 'leader';
  if (action.kind === 'partition') return action.isolate.kind !== 'groups';
  if (action.links.kind === 'replica') return action.links.target.kind === 'leader';
  return action.links.kind === 'between' && (action.links.from.kind === 'leader' || action.links.to.kind === 'leader');
}
