import { assert } from '../common/index.ts';
import type { SnapshotMetadata } from './types.ts';

/**
 * How the leader replicates to one member (etcd's tracker):
 * - probe: one append at a time until we find where the logs match;
 * - replicate: pipelined appends, bounded by the in-flight window;
 * - snapshot: the entries it needs are compacted; an InstallSnapshot transfer is under way.
 */
export const ProgressState = {
  probe: 'probe',
  replicate: 'replicate',
  snapshot: 'snapshot',
} as const;
export type ProgressState = (typeof ProgressState)[keyof typeof ProgressState];

/** The in-flight window of appends to one follower, bounded by count and by bytes. */
export class Inflights {
  private readonly items: { readonly lastIndex: number; readonly bytes: number }[] = [];
  private bytesInFlight = 0;

  constructor(
    private readonly countMax: number,
    private readonly bytesMax: number,
  ) {}

  get count(): number {
    return this.items.length;
  }

  get bytes(): number {
    return this.bytesInFlight;
  }

  full(): boolean {
    return this.items.length >= this.countMax || this.bytesInFlight >= this.bytesMax;
  }

  add(lastIndex: number, bytes: number): void {
    assert(!this.full(), 'adding to a full in-flight window');
    this.items.push({ lastIndex, bytes });
    this.bytesInFlight += bytes;
  }

  /** Acknowledged up to `index`: everything sent up to there has landed. */
  freeUpTo(index: number): void {
    while (this.items[0] !== undefined && this.items[0].lastIndex <= index) this.freeFirst();
  }

  /** A heartbeat answered while the window is full: let one more message out (etcd does the same). */
  freeFirst(): void {
    const first = this.items.shift();
    if (first !== undefined) this.bytesInFlight -= first.bytes;
  }

  reset(): void {
    this.items.length = 0;
    this.bytesInFlight = 0;
  }
}

/** A snapshot being streamed to a follower, one chunk in flight at a time. */
export interface SnapshotTransfer {
  readonly metadata: SnapshotMetadata;
  /** Bytes the follower has acknowledged; the next chunk starts here. */
  ackedOffset: number;
  ticksSinceSend: number;
}

export class Progress {
  matchIndex = 0;
  nextIndex: number;
  state: ProgressState = ProgressState.probe;
  /** In probe state, an append is out and we wait for its answer (or the next heartbeat). */
  probeSent = false;
  recentActive = false;
  snapshot: SnapshotTransfer | null = null;
  /** The commit index the last append told this member (so commit-only updates are not resent). */
  commitSent = 0;
  /** The highest heartbeat read context this member acknowledged in the current term. */
  readContextAcked = 0;
  /** The leader tick at which the newest heartbeat this member acknowledged was sent (for lease reads). */
  ackedHeartbeatSentTick = Number.NEGATIVE_INFINITY;
  readonly inflights: Inflights;

  constructor(nextIndex: number, inflightMessagesMax: number, inflightBytesMax: number) {
    this.nextIndex = nextIndex;
    this.inflights = new Inflights(inflightMessagesMax, inflightBytesMax);
  }

  becomeProbe(): void {
    const snapshotIndex = this.snapshot?.metadata.index ?? 0;
    this.resetState(ProgressState.probe);
    this.nextIndex = Math.max(this.matchIndex + 1, snapshotIndex + 1);
  }

  becomeReplicate(): void {
    this.resetState(ProgressState.replicate);
    this.nextIndex = this.matchIndex + 1;
  }

  becomeSnapshot(metadata: SnapshotMetadata): void {
    this.resetState(ProgressState.snapshot);
    this.snapshot = { metadata, ackedOffset: 0, ticksSinceSend: 0 };
  }

  private resetState(state: ProgressState): void {
    this.state = state;
    this.probeSent = false;
    this.snapshot = null;
    this.inflights.reset();
  }

  /** A successful append response up to `index`; true when it moved `matchIndex`. */
  maybeUpdate(index: number): boolean {
    let updated = false;
    if (this.matchIndex < index) {
      this.matchIndex = index;
      this.probeSent = false;
      updated = true;
    }
    this.nextIndex = Math.max(this.nextIndex, index + 1);
    return updated;
  }

  /**
   * A rejection of the append at `rejectedIndex`, with the leader's next-index estimate from the
   * follower's hint. Stale rejections (already matched, or for an older probe) return false.
   */
  maybeDecreaseTo(rejectedIndex: number, nextHint: number): boolean {
    if (this.state === ProgressState.snapshot) return false;
    if (this.state === ProgressState.replicate) {
      if (rejectedIndex <= this.matchIndex) return false;
      this.becomeProbe();
    } else if (this.nextIndex - 1 !== rejectedIndex) {
      return false;
    }
    this.nextIndex = Math.max(this.matchIndex + 1, Math.min(nextHint, rejectedIndex));
    this.probeSent = false;
    return true;
  }

  /** Appends up to `lastIndex` went out: pipeline in replicate state, wait in probe state. */
  sentEntries(lastIndex: number, bytes: number): void {
    if (this.state === ProgressState.replicate) {
      this.nextIndex = lastIndex + 1;
      this.inflights.add(lastIndex, bytes);
    } else if (this.state === ProgressState.probe) {
      this.probeSent = true;
    }
  }

  isPaused(): boolean {
    switch (this.state) {
      case ProgressState.probe:
        return this.probeSent;
      case ProgressState.replicate:
        return this.inflights.full();
      case ProgressState.snapshot:
        return true;
    }
  }
}
