import type { Clock } from '../common/index.ts';
import type { ApplyOutcome } from './commands.ts';
import { StoreLimits } from './store-limits.ts';

interface Deadline {
  ttlMs: number;
  deadlineMs: number;
  /** When this lease was last reported expired (its leaseExpire command is in flight), or null. */
  reportedAtMs: number | null;
}

/**
 * The leader's lease deadlines. Expiry is a decision only the leader makes: it asks `expired()`,
 * proposes `command.leaseExpire(ids)`, and every replica then revokes the same leases at the same
 * log index. Keepalives are leader-local (they only move the leader's deadline); on a leader change
 * the new leader gives every lease a fresh full TTL, as etcd does without checkpointing.
 *
 * Pure: no timers, time only from the injected clock (virtual in the simulator).
 */
export class LeaseClock {
  private readonly deadlines = new Map<number, Deadline>();
  private leading = false;

  constructor(private readonly clock: Clock) {}

  get isLeading(): boolean {
    return this.leading;
  }

  /** On becoming leader: every existing lease (e.g. `store.leases()`) gets its full TTL from now. */
  becomeLeader(leases: Iterable<{ readonly id: number; readonly ttlSeconds: number }>): void {
    this.leading = true;
    this.deadlines.clear();
    for (const lease of leases) this.track(lease.id, lease.ttlSeconds);
  }

  /** On losing leadership: deadlines are forgotten (the next leader starts afresh). */
  becomeFollower(): void {
    this.leading = false;
    this.deadlines.clear();
  }

  /** Feed every apply's outcomes: grants start a deadline, revocations and expiries end one. */
  observe(outcomes: Iterable<ApplyOutcome>): void {
    if (!this.leading) return;
    for (const outcome of outcomes) {
      if (!outcome.ok) continue;
      const { response } = outcome;
      if (response.type === 'leaseGrant') this.track(response.response.id, response.response.ttlSeconds);
      else if (response.type === 'leaseRevoke') this.deadlines.delete(response.response.id);
      else if (response.type === 'leaseExpire') for (const id of response.response.revoked) this.deadlines.delete(id);
    }
  }

  /** Renews a lease on the leader; returns its TTL in seconds, or null (unknown lease or not leader). */
  keepAlive(id: number): number | null {
    const deadline = this.deadlines.get(id);
    if (!this.leading || deadline === undefined) return null;
    deadline.deadlineMs = this.clock.nowMs() + deadline.ttlMs;
    deadline.reportedAtMs = null;
    return deadline.ttlMs / 1000;
  }

  /** Milliseconds left (>= 0), or null when unknown here. */
  remainingMs(id: number): number | null {
    const deadline = this.deadlines.get(id);
    if (!this.leading || deadline === undefined) return null;
    return Math.max(0, deadline.deadlineMs - this.clock.nowMs());
  }

  /**
   * Leases past their deadline, most overdue first, at most `max`. A lease reported once is not
   * reported again for `leaseExpireRetryMs` (its expire command is presumably in flight; if that
   * command was lost, it is reported again after the retry delay).
   */
  expired(max: number = StoreLimits.leaseExpireIdsMax): number[] {
    if (!this.leading) return [];
    const now = this.clock.nowMs();
    const due: [number, Deadline][] = [];
    for (const [id, deadline] of this.deadlines) {
      const recentlyReported = deadline.reportedAtMs !== null && now - deadline.reportedAtMs < StoreLimits.leaseExpireRetryMs;
      if (deadline.deadlineMs <= now && !recentlyReported) due.push([id, deadline]);
    }
    due.sort(([leftId, left], [rightId, right]) => left.deadlineMs - right.deadlineMs || leftId - rightId);
    const chosen = due.slice(0, max);
    for (const [, deadline] of chosen) deadline.reportedAtMs = now;
    return chosen.map(([id]) => id);
  }

  private track(id: number, ttlSeconds: number): void {
    const ttlMs = ttlSeconds * 1000;
    this.deadlines.set(id, { ttlMs, deadlineMs: this.clock.nowMs() + ttlMs, reportedAtMs: null });
  }
}
