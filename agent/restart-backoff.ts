import type { Clock } from '../common/index.ts';

/** Kubernetes' values: 10 s initial, doubling, capped at 300 s (MaxContainerBackOff). */
export const BackoffDefaults = {
  initialMs: 10_000,
  maxMs: 300_000,
  /**
   * kubelet's flowcontrol.Backoff forgets an entry that was not updated for 2 × max: so a container
   * that ran for 10 minutes restarts at the initial delay again.
   */
  resetAfterMs: 600_000,
  /** Containers tracked by one back-off (one per pod worker, so this is generous). */
  entriesMax: 1024,
} as const;

export interface BackoffSettings {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly resetAfterMs: number;
}

export type BackoffDecision = { readonly kind: 'restart-now' } | { readonly kind: 'wait'; readonly untilMs: number; readonly backoffMs: number };

interface BackoffEntry {
  backoffMs: number;
  lastUpdateMs: number;
}

/**
 * kubelet's container restart back-off (kuberuntime doBackOff + client-go flowcontrol.Backoff's
 * IsInBackOffSince/Next) as a pure state machine on an injected clock. The first restart after a
 * crash is immediate and arms a 10 s window; a container that dies again waits until its death +
 * the window (reason CrashLoopBackOff); each restart doubles the window up to the maximum; a
 * container that ran longer than `resetAfterMs` since its last restart starts over at the initial
 * window (kubelet: the entry expired, 2 × max since its last update). No jitter: tests want exact
 * delays, and restarts of one pod's containers are not a thundering herd.
 */
export class RestartBackoff {
  private readonly entries = new Map<string, BackoffEntry>();
  readonly settings: BackoffSettings;

  constructor(private readonly clock: Clock, settings: Partial<BackoffSettings> = {}) {
    this.settings = { ...BackoffDefaults, ...settings };
  }

  /** Whether container `key`, which finished at `finishedAtMs`, may be restarted now. */
  decide(key: string, finishedAtMs: number): BackoffDecision {
    const entry = this.entries.get(key);
    if (entry === undefined || this.expired(entry, finishedAtMs)) return { kind: 'restart-now' };
    if (this.clock.nowMs() - finishedAtMs < entry.backoffMs) {
      return { kind: 'wait', untilMs: finishedAtMs + entry.backoffMs, backoffMs: entry.backoffMs };
    }
    return { kind: 'restart-now' };
  }

  /** Call when the container is restarted: arms (or doubles) its window. */
  recordRestart(key: string, finishedAtMs: number): void {
    const entry = this.entries.get(key);
    if (entry === undefined || this.expired(entry, finishedAtMs)) {
      if (entry === undefined) this.evictIfFull();
      this.entries.set(key, { backoffMs: this.settings.initialMs, lastUpdateMs: this.clock.nowMs() });
      return;
    }
    entry.backoffMs = Math.min(entry.backoffMs * 2, this.settings.maxMs);
    entry.lastUpdateMs = this.clock.nowMs();
  }

  /** The current window of `key` (0 when none): for messages and tests. */
  currentMs(key: string): number {
    return this.entries.get(key)?.backoffMs ?? 0;
  }

  forget(key: string): void {
    this.entries.delete(key);
  }

  private expired(entry: BackoffEntry, finishedAtMs: number): boolean {
    return finishedAtMs - entry.lastUpdateMs > this.settings.resetAfterMs;
  }

  /** Drops the entry updated longest ago; entries of long-gone containers are what it finds. */
  private evictIfFull(): void {
    if (this.entries.size < BackoffDefaults.entriesMax) return;
    let oldest: [string, number] | undefined;
    for (const [key, entry] of this.entries) if (oldest === undefined || entry.lastUpdateMs < oldest[1]) oldest = [key, entry.lastUpdateMs];
    if (oldest !== undefined) this.entries.delete(oldest[0]);
  }
}
