/**
 * What a receiver of the leader's published changes concludes from one message's epoch and
 * sequence number. NATS core delivers at most once and, from one publisher, in order; so a
 * skipped number means lost messages, and a different epoch means a different (or restarted)
 * publisher whose numbering says nothing about what this receiver missed. Both mean: re-list.
 */
export type SequenceVerdict =
  /** The first message since start or `reset()`: the baseline (the receiver has just listed). */
  | 'first'
  /** Exactly the next number: nothing was missed. */
  | 'next'
  /** Another publisher (leader change, restart, or a re-started watch): re-list. */
  | 'newEpoch'
  /** Numbers were skipped: messages were lost, re-list. */
  | 'gap'
  /** At or below the last number: a duplicate, ignore it. */
  | 'stale';

/** The gap and epoch detector of one subject (pure: no I/O, no clock). */
export class SequenceTracker {
  private epoch: string | undefined;
  private last = 0;

  observe(epoch: string, sequence: number): SequenceVerdict {
    if (this.epoch === undefined) {
      this.adopt(epoch, sequence);
      return 'first';
    }
    if (epoch !== this.epoch) {
      this.adopt(epoch, sequence);
      return 'newEpoch';
    }
    if (sequence <= this.last) return 'stale';
    const verdict = sequence === this.last + 1 ? 'next' : 'gap';
    this.last = sequence;
    return verdict;
  }

  /** Forget the baseline (after a reconnect, before re-listing): the next message is `first`. */
  reset(): void {
    this.epoch = undefined;
    this.last = 0;
  }

  /** Whether a verdict means the receiver's view may be incomplete. */
  static needsRelist(verdict: SequenceVerdict): boolean {
    return verdict === 'newEpoch' || verdict === 'gap';
  }

  private adopt(epoch: string, sequence: number): void {
    this.epoch = epoch;
    this.last = sequence;
  }
}
