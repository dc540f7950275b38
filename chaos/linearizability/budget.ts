/**
 * How much search a check may spend. Linearizability checking is NP-complete, so a pathological
 * history must end in "unknown" rather than hang a simulation run.
 */
import { realClock, type Clock } from '../../common/index.ts';

/** Each explored node keeps a copy of its linearized set: about 100 bytes for small partitions. */
export const DEFAULT_MAX_EXPLORED_STATES = 1_000_000;
/** Reading the clock on every node would cost more than the node; every 1024th is plenty. */
export const DEADLINE_CHECK_INTERVAL = 1024;

export interface BudgetOptions {
  /** Explored (linearized set, state) nodes across all partitions. */
  readonly maxStates?: number;
  /** Absolute time on `clock` after which the check gives up. */
  readonly deadlineMs?: number;
  /** Defaults to the real clock: the search runs in real time even inside a simulation. */
  readonly clock?: Clock;
}

export type ExhaustedBy = 'max-states' | 'deadline';

export class Budget {
  private explored = 0;
  private exhaustedBy: ExhaustedBy | undefined;
  private readonly maxStates: number;
  private readonly deadlineMs: number;
  private readonly clock: Clock;

  constructor(options: BudgetOptions = {}) {
    this.maxStates = options.maxStates ?? DEFAULT_MAX_EXPLORED_STATES;
    this.deadlineMs = options.deadlineMs ?? Number.POSITIVE_INFINITY;
    this.clock = options.clock ?? realClock;
  }

  get exploredStates(): number {
    return this.explored;
  }

  get exhausted(): ExhaustedBy | undefined {
    return this.exhaustedBy;
  }

  /** Pays for one explored node; false once the budget is gone (and stays false). */
  spend(): boolean {
    if (this.exhaustedBy !== undefined) return false;
    if (this.explored >= this.maxStates) {
      this.exhaustedBy = 'max-states';
      return false;
    }
    if (this.explored % DEADLINE_CHECK_INTERVAL === 0 && this.pastDeadline()) {
      this.exhaustedBy = 'deadline';
      return false;
    }
    this.explored++;
    return true;
  }

  private pastDeadline(): boolean {
    return this.deadlineMs !== Number.POSITIVE_INFINITY && this.clock.nowMs() >= this.deadlineMs;
  }
}
