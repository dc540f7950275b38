import type { NodeId } from './types.ts';

/**
 * A ReadIndex request on the leader. `context` is the heartbeat round that will confirm it;
 * `index` is the commit index it must wait for, unknown (null) until the leader has committed an
 * entry of its own term (before that its commit index may lag the cluster's).
 */
export interface PendingRead {
  readonly requestId: string;
  /** Who asked: the leader itself or a follower that forwarded the request. */
  readonly from: NodeId;
  readonly context: number;
  index: number | null;
  readonly createdTick: number;
}

/** The leader's queue of reads waiting for a quorum to acknowledge a heartbeat round. */
export class LeaderReads {
  private readonly pending: PendingRead[] = [];

  get size(): number {
    return this.pending.length;
  }

  add(read: PendingRead): void {
    this.pending.push(read);
  }

  /** The leader committed in its term: reads that came before learn the index to wait for. */
  assignIndex(index: number): void {
    for (const read of this.pending) if (read.index === null) read.index = index;
  }

  /** Removes and returns, in order, the reads confirmed by a quorum acknowledging `context`. */
  takeConfirmed(context: number): PendingRead[] {
    let count = 0;
    for (const read of this.pending) {
      if (read.context > context || read.index === null) break;
      count += 1;
    }
    return this.pending.splice(0, count);
  }

  takeCreatedBefore(tick: number): PendingRead[] {
    return takeWhere(this.pending, (read) => read.createdTick < tick);
  }

  takeAll(): PendingRead[] {
    return this.pending.splice(0, this.pending.length);
  }
}

/** A follower's reads forwarded to the leader, waiting for its `read-index-response`. */
export interface ForwardedRead {
  readonly requestId: string;
  readonly leaderId: NodeId;
  readonly createdTick: number;
}

export class ForwardedReads {
  private readonly pending = new Map<string, ForwardedRead>();

  get size(): number {
    return this.pending.size;
  }

  add(read: ForwardedRead): void {
    this.pending.set(read.requestId, read);
  }

  take(requestId: string): ForwardedRead | undefined {
    const read = this.pending.get(requestId);
    this.pending.delete(requestId);
    return read;
  }

  takeCreatedBefore(tick: number): ForwardedRead[] {
    const expired = [...this.pending.values()].filter((read) => read.createdTick < tick);
    for (const read of expired) this.pending.delete(read.requestId);
    return expired;
  }

  takeAll(): ForwardedRead[] {
    const all = [...this.pending.values()];
    this.pending.clear();
    return all;
  }
}

function takeWhere<T>(items: T[], predicate: (item: T) => boolean): T[] {
  const taken = items.filter(predicate);
  const kept = items.filter((item) => !predicate(item));
  items.splice(0, items.length, ...kept);
  return taken;
}
