/** How a DaemonSet slows down when its pod keeps failing on a node (Kubernetes' failedPodsBackoff: 1 s doubling to 15 min; a homelab waits less). */
export const FailedPodBackoffLimits = {
  initialDelayMs: 1_000,
  maxDelayMs: 300_000,
  /** Nodes × DaemonSets remembered; the oldest is forgotten first (it then starts again at the initial delay). */
  entriesMax: 4_096,
} as const;

interface Entry {
  delayMs: number;
  lastMs: number;
}

/**
 * Per (DaemonSet, node) back-off for deleting failed daemon pods: an agent that keeps rejecting a
 * pod would otherwise see it deleted and re-created in a hot loop. Time comes from the caller (Env).
 */
export class FailedPodBackoff {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly nowMs: () => number) {}

  /** How long a failed pod under `key` must still wait before it may be deleted again (0: not now in back-off). */
  remainingMs(key: string): number {
    const entry = this.entries.get(key);
    if (entry === undefined) return 0;
    return Math.max(0, entry.lastMs + entry.delayMs - this.nowMs());
  }

  /** A failed pod under `key` was deleted: the next one waits twice as long (reset after a quiet spell of twice the maximum). */
  next(key: string): void {
    const now = this.nowMs();
    const entry = this.entries.get(key);
    const expired = entry === undefined || now - entry.lastMs > 2 * FailedPodBackoffLimits.maxDelayMs;
    const delayMs = expired ? FailedPodBackoffLimits.initialDelayMs : Math.min(entry.delayMs * 2, FailedPodBackoffLimits.maxDelayMs);
    this.entries.delete(key);
    this.entries.set(key, { delayMs, lastMs: now });
    if (this.entries.size > FailedPodBackoffLimits.entriesMax) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
