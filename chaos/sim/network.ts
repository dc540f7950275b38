import type { Prng } from '../../common/index.ts';
import type { Message, NodeId } from '../../raft/index.ts';
import { NetworkLimits } from './config.ts';
import type { EventQueue } from './event-queue.ts';
import type { SimStats } from './stats.ts';

/** Fault levels in force on every link; overlapping fault windows combine by maximum. */
export interface LinkConditions {
  readonly dropProbability: number;
  readonly duplicateProbability: number;
  /** Extra one-way latency, uniform in [0, extraDelayMaxUs). */
  readonly extraDelayMaxUs: number;
  /** Jitter large enough to reorder messages on one link. */
  readonly reorderJitterMaxUs: number;
}

export const healthyLink: LinkConditions = {
  dropProbability: 0,
  duplicateProbability: 0,
  extraDelayMaxUs: 0,
  reorderJitterMaxUs: 0,
};

/**
 * The simulated network between members: per-message loss, duplication, delay and reordering
 * drawn from its own PRNG stream, and partitions as a set of blocked directed links (counted, so
 * that overlapping partitions heal independently). Delivery is an event in the queue.
 */
export class SimNetwork {
  private readonly blockedLinks = new Map<string, number>();
  private readonly activeConditions = new Set<LinkConditions>();
  private current: LinkConditions = healthyLink;
  private inFlight = 0;

  constructor(
    private readonly queue: EventQueue,
    private readonly prng: Prng,
    private readonly stats: SimStats,
    private readonly deliver: (message: Message) => void,
  ) {}

  get inFlightMessages(): number {
    return this.inFlight;
  }

  send(message: Message): void {
    if (this.isBlocked(message.from, message.to)) {
      this.stats.messagesBlockedByPartition++;
      return;
    }
    const conditions = this.current;
    if (conditions.dropProbability > 0 && this.prng.chance(conditions.dropProbability)) {
      this.stats.messagesDropped++;
      return;
    }
    this.schedule(message, conditions);
    if (conditions.duplicateProbability > 0 && this.prng.chance(conditions.duplicateProbability)) {
      this.stats.messagesDuplicated++;
      this.schedule(message, conditions);
    }
  }

  private schedule(message: Message, conditions: LinkConditions): void {
    if (this.inFlight >= NetworkLimits.inFlightMessagesMax) {
      this.stats.messagesOverflowed++;
      return;
    }
    let delayUs = this.prng.nextInt(NetworkLimits.baseLatencyMinUs, NetworkLimits.baseLatencyMaxUs);
    if (conditions.extraDelayMaxUs > 0) {
      delayUs += this.prng.nextInt(0, conditions.extraDelayMaxUs);
      this.stats.messagesDelayed++;
    }
    if (conditions.reorderJitterMaxUs > 0) {
      delayUs += this.prng.nextInt(0, conditions.reorderJitterMaxUs);
      this.stats.messagesReordered++;
    }
    this.inFlight++;
    this.queue.after(delayUs, () => {
      this.inFlight--;
      // A partition that starts while a message is on the wire also cuts that message.
      if (this.isBlocked(message.from, message.to)) {
        this.stats.messagesBlockedByPartition++;
        return;
      }
      this.deliver(message);
    });
  }

  isBlocked(from: NodeId, to: NodeId): boolean {
    return (this.blockedLinks.get(linkKey(from, to)) ?? 0) > 0;
  }

  block(from: NodeId, to: NodeId): void {
    const key = linkKey(from, to);
    this.blockedLinks.set(key, (this.blockedLinks.get(key) ?? 0) + 1);
  }

  unblock(from: NodeId, to: NodeId): void {
    const key = linkKey(from, to);
    const count = (this.blockedLinks.get(key) ?? 0) - 1;
    if (count > 0) this.blockedLinks.set(key, count);
    else this.blockedLinks.delete(key);
  }

  addConditions(conditions: LinkConditions): void {
    this.activeConditions.add(conditions);
    this.recompute();
  }

  removeConditions(conditions: LinkConditions): void {
    this.activeConditions.delete(conditions);
    this.recompute();
  }

  /** The final heal: every link open, every fault window closed. */
  healAll(): void {
    this.blockedLinks.clear();
    this.activeConditions.clear();
    this.recompute();
  }

  private recompute(): void {
    let next = healthyLink;
    for (const c of this.activeConditions) {
      next = {
        dropProbability: Math.max(next.dropProbability, c.dropProbability),
        duplicateProbability: Math.max(next.duplicateProbability, c.duplicateProbability),
        extraDelayMaxUs: Math.max(next.extraDelayMaxUs, c.extraDelayMaxUs),
        reorderJitterMaxUs: Math.max(next.reorderJitterMaxUs, c.reorderJitterMaxUs),
      };
    }
    this.current = next;
  }
}

function linkKey(from: NodeId, to: NodeId): string {
  return `${from}>${to}`;
}
