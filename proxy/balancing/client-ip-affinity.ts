import type { Clock } from '../../common/index.ts';

interface AffinityEntry {
  readonly backendKey: string;
  lastSeenMs: number;
}

/**
 * sessionAffinity ClientIP: a client keeps going to the backend it last used until it has been
 * silent for timeoutSeconds (kube-proxy's iptables `recent` match counts from the last connection
 * too). Bounded: past `entriesMax` the least recently seen client is forgotten. Map order is the
 * recency order (an entry is re-inserted on use).
 */
export class ClientIpAffinity {
  private readonly entries = new Map<string, AffinityEntry>();

  constructor(
    private readonly clock: Clock,
    private timeoutMs: number,
    private readonly entriesMax: number,
  ) {}

  setTimeoutSeconds(seconds: number): void {
    this.timeoutMs = seconds * 1000;
  }

  /** The backend this client is bound to, if the binding has not expired. */
  lookup(clientAddress: string): string | null {
    const entry = this.entries.get(clientAddress);
    if (entry === undefined) return null;
    if (this.clock.nowMs() - entry.lastSeenMs > this.timeoutMs) {
      this.entries.delete(clientAddress);
      return null;
    }
    return entry.backendKey;
  }

  record(clientAddress: string, backendKey: string): void {
    this.entries.delete(clientAddress);
    this.entries.set(clientAddress, { backendKey, lastSeenMs: this.clock.nowMs() });
    while (this.entries.size > this.entriesMax) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
  }

  forget(clientAddress: string): void {
    this.entries.delete(clientAddress);
  }

  /** Drops expired entries (housekeeping); the oldest come first, so this stops at the first live one. */
  pruneExpired(): number {
    const now = this.clock.nowMs();
    let removed = 0;
    for (const [client, entry] of this.entries) {
      if (now - entry.lastSeenMs <= this.timeoutMs) break;
      this.entries.delete(client);
      removed += 1;
    }
    return removed;
  }

  get size(): number {
    return this.entries.size;
  }
}
