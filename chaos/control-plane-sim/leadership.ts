import { silentLogger, type Env, type Prng, type TimerHandle } from '../../common/index.ts';
import { ControllerManager, createInProcessContext, type ControllerFactory, type ObjectStore } from '../../control-plane/index.ts';
import { LeaderStore, type LateWriteCounters } from './leader-store.ts';
import type { Trace } from './trace.ts';

/** Deposed leaders still running at once (an overlap window each); older ones are stopped first. */
export const deposedLeadersMax = 3;
/** Deposed terms whose late writes are counted (a run has far fewer leader changes). */
export const deposedTermsCountedMax = 1_000;

interface Term {
  readonly number: number;
  readonly manager: ControllerManager;
  readonly store: LeaderStore;
}

export interface LeadershipOptions {
  /** The store every leader writes through (with the run's store faults). */
  readonly store: ObjectStore;
  readonly env: Env;
  /** The controllers of a new leader: called once per term, so each leader gets fresh instances. */
  readonly factories: () => readonly ControllerFactory[];
  readonly trace: Trace;
  /** Keeps an asynchronous step's promise (errors are traced, never lost). */
  readonly track: (what: string, work: Promise<unknown>) => void;
}

/**
 * Who runs the controllers, as the Raft leader would: each term a NEW ControllerManager on its own
 * API context (fresh informers, caches, queues, PRNG fork). A leader change stops the old one
 * (optionally with a gap without any leader); an overlap keeps the old one running for a while
 * after the new one started, its writes late, as a deposed leader that has not noticed yet.
 */
export class Leadership {
  private termNumber = 0;
  private current: Term | null = null;
  private readonly deposed: Term[] = [];
  private pendingStart: TimerHandle | null = null;
  /** Every deposed term's store, so late writes landing after its stop are still counted. */
  private readonly deposedStores: LeaderStore[] = [];
  private readonly prng: Prng;

  constructor(private readonly options: LeadershipOptions) {
    this.prng = options.env.prng.fork();
  }

  get term(): number {
    return this.termNumber;
  }

  get runningManagers(): number {
    return (this.current === null ? 0 : 1) + this.deposed.length;
  }

  /** The current leader's manager (for tests that look at its controllers). */
  get currentManager(): ControllerManager | undefined {
    return this.current?.manager;
  }

  /** Starts a leader if there is none (and none is about to start). */
  elect(): void {
    this.pendingStart?.cancel();
    this.pendingStart = null;
    if (this.current !== null) return;
    const store = new LeaderStore(this.options.store, this.options.env.timers);
    const env: Env = { clock: this.options.env.clock, timers: this.options.env.timers, prng: this.prng.fork() };
    const context = createInProcessContext({ store, env, logger: silentLogger });
    const manager = new ControllerManager({ context, env, logger: silentLogger, factories: this.options.factories() });
    this.current = { number: ++this.termNumber, manager, store };
    manager.start();
    this.options.trace.add(`leader: term ${this.termNumber} starts its controllers`);
  }

  /** The leader stops (crash, lost election); a new one starts after `gapMs` without any. */
  changeLeader(gapMs: number): void {
    const old = this.current;
    this.current = null;
    if (old !== null) this.stopTerm(old, 'stops (leadership lost)');
    if (this.pendingStart !== null) return;
    this.pendingStart = this.options.env.timers.setTimeout(() => this.elect(), gapMs);
  }

  /** A new leader starts now while the old one keeps running for `overlapMs`, its writes `lateWriteMs` late. */
  overlap(overlapMs: number, lateWriteMs: number): void {
    const old = this.current;
    this.current = null;
    this.elect();
    if (old === null) return;
    old.store.depose(lateWriteMs);
    this.deposed.push(old);
    if (this.deposedStores.length < deposedTermsCountedMax) this.deposedStores.push(old.store);
    this.options.trace.add(`leader: term ${old.number} deposed but still running for ${overlapMs} ms (writes ${lateWriteMs} ms late)`);
    for (const oldest of this.deposed.slice(0, Math.max(0, this.deposed.length - deposedLeadersMax))) this.stopDeposed(oldest);
    this.options.env.timers.setTimeout(() => this.stopDeposed(old), overlapMs);
  }

  /** Ends every overlap and makes sure exactly one leader runs. */
  heal(): void {
    for (const term of [...this.deposed]) this.stopDeposed(term);
    this.elect();
  }

  /** Stops every leader (the end of the run); resolves when all have stopped. */
  async stopAll(): Promise<void> {
    this.pendingStart?.cancel();
    this.pendingStart = null;
    const terms = [...this.deposed, ...(this.current === null ? [] : [this.current])];
    this.deposed.length = 0;
    this.current = null;
    await Promise.all(terms.map((term) => term.manager.stop()));
  }

  /** What the deposed leaders' late writes came to, over the run. */
  lateWrites(): LateWriteCounters {
    const totals: LateWriteCounters = { attempted: 0, refused: 0, existed: 0, applied: 0, failed: 0 };
    for (const store of this.deposedStores) addCounters(totals, store.late);
    return totals;
  }

  private stopDeposed(term: Term): void {
    const index = this.deposed.indexOf(term);
    if (index < 0) return;
    this.deposed.splice(index, 1);
    this.stopTerm(term, `stops at the end of its overlap (late writes: ${describeLate(term.store.late)})`);
  }

  private stopTerm(term: Term, why: string): void {
    this.options.trace.add(`leader: term ${term.number} ${why}`);
    // Late writes still held back land after the stop, as a deposed leader's in-flight proposals can.
    this.options.track(`stop of term ${term.number}`, term.manager.stop());
  }
}

function addCounters(into: LateWriteCounters, from: LateWriteCounters): void {
  into.attempted += from.attempted;
  into.refused += from.refused;
  into.existed += from.existed;
  into.applied += from.applied;
  into.failed += from.failed;
}

export function describeLate(late: LateWriteCounters): string {
  return `${late.attempted} attempted, ${late.refused} refused by compare-and-swap, ${late.existed} creates found the object present, ${late.applied} still valid and applied, ${late.failed} failed on store faults`;
}
