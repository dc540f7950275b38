import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../common/index.ts';
import type { Clock } from '../../common/index.ts';
import { command, LeaseClock, StoreLimits } from '../../store/index.ts';
import { bytes, StoreHarness, text } from './helpers.ts';

const all = { key: new Uint8Array([0]), rangeEnd: new Uint8Array([0]) };

describe('leases in the state machine', () => {
  let harness: StoreHarness;
  beforeEach(async () => {
    harness = await StoreHarness.create();
  });
  afterEach(async () => {
    await harness.destroy();
  });

  it('grants, attaches keys, and revoking deletes them in one revision', async () => {
    const grant = await harness.run(command.leaseGrant(7, 30));
    expect(grant).toMatchObject({ type: 'leaseGrant', response: { id: 7, ttlSeconds: 30, header: { revision: 1 } } });
    await harness.run(command.put(bytes('b'), bytes('1'), { lease: 7 }));
    await harness.run(command.put(bytes('a'), bytes('1'), { lease: 7 }));
    await harness.run(command.put(bytes('c'), bytes('1')));
    expect(harness.store.timeToLive(7, true)?.keys.map(text)).toEqual(['a', 'b']);
    expect(harness.store.leases()).toEqual([{ id: 7, ttlSeconds: 30, grantedRevision: 1 }]);
    await harness.run(command.leaseRevoke(7));
    const { kvs } = await harness.store.range(all);
    expect(kvs.map((kv) => text(kv.key))).toEqual(['c']);
    expect(harness.store.revision).toBe(5);
    expect(harness.store.timeToLive(7)).toBeNull();
    await harness.expectRefused(command.leaseRevoke(7), ErrorCode.storeLeaseNotFound);
  });

  it('moves a key between leases and detaches it on delete', async () => {
    await harness.run(command.leaseGrant(1, 10));
    await harness.run(command.leaseGrant(2, 10));
    await harness.run(command.put(bytes('k'), bytes('v'), { lease: 1 }));
    await harness.run(command.put(bytes('k'), bytes('v2'), { lease: 2 }));
    expect(harness.store.timeToLive(1, true)?.keys).toEqual([]);
    await harness.run(command.put(bytes('k'), bytes('v3'), { ignoreLease: true }));
    expect(harness.store.timeToLive(2, true)?.keys.map(text)).toEqual(['k']);
    await harness.run(command.deleteRange(bytes('k')));
    expect(harness.store.timeToLive(2, true)?.keys).toEqual([]);
  });

  it('refuses unknown leases and duplicate grants', async () => {
    await harness.expectRefused(command.put(bytes('k'), bytes('v'), { lease: 5 }), ErrorCode.storeLeaseNotFound);
    await harness.run(command.leaseGrant(5, 10));
    await harness.expectRefused(command.leaseGrant(5, 10), ErrorCode.invalidArgument);
  });

  it('expires leases by command, skipping ids already gone, one revision per lease', async () => {
    await harness.run(command.leaseGrant(1, 10));
    await harness.run(command.leaseGrant(2, 10));
    await harness.run(command.put(bytes('one'), bytes('v'), { lease: 1 }));
    await harness.run(command.put(bytes('two'), bytes('v'), { lease: 2 }));
    const response = await harness.run(command.leaseExpire([1, 99, 2]));
    expect(response).toMatchObject({ type: 'leaseExpire', response: { revoked: [1, 2], header: { revision: 5 } } });
    expect((await harness.store.range(all)).count).toBe(0);
  });

  it('rebuilds attachments after reopen', async () => {
    await harness.run(command.leaseGrant(3, 60));
    await harness.run(command.put(bytes('x'), bytes('v'), { lease: 3 }));
    await harness.reopen();
    expect(harness.store.timeToLive(3, true)).toMatchObject({ id: 3, ttlSeconds: 60 });
    expect(harness.store.timeToLive(3, true)?.keys.map(text)).toEqual(['x']);
    await harness.run(command.leaseRevoke(3));
    expect((await harness.store.range(all)).count).toBe(0);
  });
});

class ManualClock implements Clock {
  now = 1_000_000;
  nowMs(): number {
    return this.now;
  }
}

describe('LeaseClock', () => {
  it('reports expiry only on the leader, after the TTL, and keepalive extends it', () => {
    const clock = new ManualClock();
    const leases = new LeaseClock(clock);
    expect(leases.expired()).toEqual([]);
    leases.becomeLeader([{ id: 1, ttlSeconds: 10 }, { id: 2, ttlSeconds: 5 }]);
    clock.now += 5000;
    expect(leases.expired()).toEqual([2]);
    expect(leases.keepAlive(1)).toBe(10);
    clock.now += 2000;
    expect(leases.expired()).toEqual([]); // 2 reported recently (its expire is in flight), 1 renewed
    expect(leases.remainingMs(1)).toBe(8000);
    clock.now += StoreLimits.leaseExpireRetryMs;
    expect(leases.expired()).toEqual([2]); // the expire command was lost: report again
    clock.now += 5000;
    expect(leases.expired()).toEqual([2, 1]);
  });

  it('tracks grants and revocations from apply outcomes and gives a new leader fresh TTLs', () => {
    const clock = new ManualClock();
    const leases = new LeaseClock(clock);
    leases.becomeLeader([]);
    leases.observe([{ ok: true, index: 1, response: { type: 'leaseGrant', response: { header: { revision: 1 }, id: 9, ttlSeconds: 2 } } }]);
    clock.now += 1500;
    expect(leases.remainingMs(9)).toBe(500);
    leases.becomeFollower();
    expect(leases.keepAlive(9)).toBeNull();
    leases.becomeLeader([{ id: 9, ttlSeconds: 2 }]);
    expect(leases.remainingMs(9)).toBe(2000);
    leases.observe([{ ok: true, index: 2, response: { type: 'leaseExpire', response: { header: { revision: 1 }, revoked: [9] } } }]);
    expect(leases.remainingMs(9)).toBeNull();
  });

  it('drives expiry end to end: leader decides, the command revokes everywhere', async () => {
    const harness = await StoreHarness.create();
    try {
      const clock = new ManualClock();
      const leaseClock = new LeaseClock(clock);
      leaseClock.becomeLeader(harness.store.leases());
      leaseClock.observe(await harness.applyBatch([command.leaseGrant(4, 1)]));
      await harness.run(command.put(bytes('session'), bytes('v'), { lease: 4 }));
      clock.now += 1000;
      const expired = leaseClock.expired();
      expect(expired).toEqual([4]);
      leaseClock.observe(await harness.applyBatch([command.leaseExpire(expired)]));
      expect((await harness.store.range({ key: bytes('session') })).count).toBe(0);
      expect(leaseClock.expired()).toEqual([]);
    } finally {
      await harness.destroy();
    }
  });
});
