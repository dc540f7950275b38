import { ProtocolLimits } from './protocol/index.ts';

/**
 * The per-subject sequence numbers of one publisher epoch, and when each subject last heard
 * anything (so idle subjects get a progress message). Bounded by `nodesTrackedMax`: a subject
 * beyond it is not numbered (and not published to) — its agent re-lists on silence.
 */
export class SubjectSequences {
  private readonly entries = new Map<string, { sequence: number; lastPublishedMs: number }>();
  refused = 0;

  /** The next number for `subject`, or undefined when the bound is reached. */
  next(subject: string, nowMs: number): number | undefined {
    let entry = this.entries.get(subject);
    if (entry === undefined) {
      if (this.entries.size >= ProtocolLimits.nodesTrackedMax) {
        this.refused++;
        return undefined;
      }
      entry = { sequence: 0, lastPublishedMs: nowMs };
      this.entries.set(subject, entry);
    }
    entry.sequence++;
    entry.lastPublishedMs = nowMs;
    return entry.sequence;
  }

  /** Subjects that heard nothing since `beforeMs`. */
  idleSince(beforeMs: number): string[] {
    return [...this.entries].filter(([, entry]) => entry.lastPublishedMs <= beforeMs).map(([subject]) => subject);
  }

  /** Starts numbering a subject (a node that exists but has had no pod change yet). */
  track(subject: string, nowMs: number): void {
    if (!this.entries.has(subject) && this.entries.size < ProtocolLimits.nodesTrackedMax) this.entries.set(subject, { sequence: 0, lastPublishedMs: nowMs - ProtocolLimits.progressIntervalMs });
  }

  get size(): number {
    return this.entries.size;
  }
}
