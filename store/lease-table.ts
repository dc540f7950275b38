import { assert } from '../common/index.ts';
import { encodeLeaseKey, stringToKey } from './keys.ts';
import { decodeLease, encodeLease, type StoreBatch, type StoreLayout, type StoredLease } from './layout.ts';
import type { LeaseInfo, LeaseTimeToLive } from './types.ts';

interface LiveLease extends StoredLease {
  /** Attached keys (latin1 form). Rebuilt from the index at open, so never persisted. */
  readonly keys: Set<string>;
}

/**
 * The replicated lease table: which leases exist and which keys they carry. It holds no time:
 * expiry is the leader's decision (LeaseClock), applied through a leaseExpire command.
 */
export class LeaseTable {
  private readonly leases = new Map<number, LiveLease>();

  static async load(layout: StoreLayout): Promise<LeaseTable> {
    const table = new LeaseTable();
    for await (const bytes of layout.lease.values()) {
      const lease = decodeLease(bytes);
      table.leases.set(lease.id, { ...lease, keys: new Set() });
    }
    return table;
  }

  get size(): number {
    return this.leases.size;
  }

  has(id: number): boolean {
    return this.leases.has(id);
  }

  grant(layout: StoreLayout, batch: StoreBatch, lease: StoredLease): void {
    assert(!this.leases.has(lease.id), () => `lease ${lease.id} granted twice`);
    this.leases.set(lease.id, { ...lease, keys: new Set() });
    batch.put(encodeLeaseKey(lease.id), encodeLease(lease), { sublevel: layout.lease });
  }

  /** Forgets the lease; its keys must already have been deleted by the caller. */
  remove(layout: StoreLayout, batch: StoreBatch, id: number): void {
    this.leases.delete(id);
    batch.del(encodeLeaseKey(id), { sublevel: layout.lease });
  }

  attach(id: number, key: string): void {
    const lease = this.leases.get(id);
    assert(lease !== undefined, () => `attach to unknown lease ${id}`);
    lease.keys.add(key);
  }

  detach(id: number, key: string): void {
    this.leases.get(id)?.keys.delete(key);
  }

  /** Attached keys in key order: revocation deletes them in this order on every replica. */
  sortedKeys(id: number): string[] {
    return [...(this.leases.get(id)?.keys ?? [])].sort();
  }

  list(): LeaseInfo[] {
    return [...this.leases.values()].map(toInfo).sort((left, right) => left.id - right.id);
  }

  timeToLive(id: number, withKeys: boolean): LeaseTimeToLive | null {
    const lease = this.leases.get(id);
    if (lease === undefined) return null;
    return { ...toInfo(lease), keys: withKeys ? this.sortedKeys(id).map(stringToKey) : [] };
  }
}

function toInfo(lease: LiveLease): LeaseInfo {
  return { id: lease.id, ttlSeconds: lease.ttlSeconds, grantedRevision: lease.grantedRevision };
}
