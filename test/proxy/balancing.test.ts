import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BackendPicker, ClientIpAffinity, computeProxyTable, LeastConnectionsBalancer, parseService, RoundRobinBalancer, collectEndpoints,
  type BackendSpec, type ServicePortTarget, type ServiceView,
} from '../../proxy/index.ts';
import { endpointSlice, ManualClock, service } from './builders.ts';

function backends(count: number): BackendSpec[] {
  return Array.from({ length: count }, (_, index) => ({ address: `10.0.0.${index + 1}`, port: 80, key: `10.0.0.${index + 1}:80` }));
}

function target(list: BackendSpec[], overrides: Partial<ServicePortTarget> = {}): ServicePortTarget {
  return { key: 'default/web:80/TCP', serviceKey: 'default/web', portName: '', port: 80, protocol: 'TCP', balancing: 'round-robin', affinity: { kind: 'None' }, backends: list, ...overrides };
}

const noCounts = { activeOn: () => 0 };

describe('round robin', () => {
  it('is fair: over any number of picks, counts per backend differ by at most one', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 500 }), (count, picks) => {
      const balancer = new RoundRobinBalancer();
      const list = backends(count);
      const tally = new Map<string, number>();
      for (let index = 0; index < picks; index++) {
        const picked = balancer.pick(list, () => true);
        if (picked === null) return false;
        tally.set(picked.key, (tally.get(picked.key) ?? 0) + 1);
      }
      const values = list.map((backend) => tally.get(backend.key) ?? 0);
      return Math.max(...values) - Math.min(...values) <= 1;
    }));
  });

  it('only ever picks ready endpoints, whatever their readiness (table + picker end to end)', () => {
    const endpoint = fc.record({ ip: fc.integer({ min: 1, max: 250 }).map((last) => `10.1.0.${last}`), ready: fc.boolean(), terminating: fc.boolean() });
    fc.assert(fc.property(fc.array(endpoint, { maxLength: 20 }), fc.integer({ min: 1, max: 60 }), (endpoints, picks) => {
      const views = [service('web', { clusterIP: '10.96.0.1' })].map(parseService).filter((view): view is ServiceView => view !== null);
      const table = computeProxyTable({
        services: views,
        endpoints: collectEndpoints([endpointSlice('web', endpoints.map((item) => ({ ip: item.ip, ready: item.ready, terminating: item.terminating })), [{ port: 8080 }])], []),
        node: { nodeAddress: '192.0.2.1', listenAddress: '0.0.0.0' },
        mode: 'cluster-ip',
      });
      const computed = table.listeners[0]?.target;
      if (computed === undefined) return false;
      const readyKeys = new Set(endpoints.filter((item) => item.ready && !item.terminating).map((item) => `${item.ip}:8080`));
      expect(new Set(computed.backends.map((backend) => backend.key))).toEqual(readyKeys);
      const picker = new BackendPicker(computed, { clock: new ManualClock(), counts: noCounts });
      for (let index = 0; index < picks; index++) {
        const picked = picker.pick(`192.168.0.${index % 7}`, new Set());
        if (readyKeys.size === 0) expect(picked).toBeNull();
        else expect(readyKeys.has(picked?.key ?? '')).toBe(true);
      }
      return true;
    }));
  });

  it('skips backends that are not eligible and gives null when none is', () => {
    const balancer = new RoundRobinBalancer();
    const list = backends(3);
    expect(balancer.pick(list, (backend) => backend.key !== '10.0.0.1:80')?.key).toBe('10.0.0.2:80');
    expect(balancer.pick(list, () => false)).toBeNull();
    expect(balancer.pick([], () => true)).toBeNull();
  });
});

describe('least connections', () => {
  it('picks the backend with the fewest open connections and rotates among equals', () => {
    const active = new Map([['10.0.0.1:80', 3], ['10.0.0.2:80', 1], ['10.0.0.3:80', 1]]);
    const balancer = new LeastConnectionsBalancer({ activeOn: (key) => active.get(key) ?? 0 });
    const list = backends(3);
    expect(balancer.pick(list, () => true)?.key).toBe('10.0.0.2:80');
    expect(balancer.pick(list, () => true)?.key).toBe('10.0.0.3:80');
    active.set('10.0.0.1:80', 0);
    expect(balancer.pick(list, () => true)?.key).toBe('10.0.0.1:80');
  });
});

describe('ClientIP affinity', () => {
  it('keeps a client on its backend until it has been silent for timeoutSeconds', () => {
    const clock = new ManualClock();
    const picker = new BackendPicker(target(backends(3), { affinity: { kind: 'ClientIP', timeoutSeconds: 10 } }), { clock, counts: noCounts });
    const first = picker.pick('192.168.1.1', new Set());
    if (first === null) throw new Error('no pick');
    picker.onConnected('192.168.1.1', first);
    for (let index = 0; index < 5; index++) {
      clock.advance(9_000);
      const again = picker.pick('192.168.1.1', new Set());
      expect(again?.key).toBe(first.key);
      if (again !== null) picker.onConnected('192.168.1.1', again);
    }
    // Other clients do not disturb the binding but do move the round robin on.
    const other = picker.pick('192.168.1.2', new Set());
    expect(other).not.toBeNull();
    clock.advance(10_001);
    const afterExpiry = new Set<string>();
    for (let index = 0; index < 3; index++) afterExpiry.add(picker.pick('192.168.1.1', new Set())?.key ?? '');
    expect(afterExpiry.size).toBeGreaterThan(1);
  });

  it('moves a client whose backend is no longer ready', () => {
    const clock = new ManualClock();
    const list = backends(2);
    const picker = new BackendPicker(target(list, { affinity: { kind: 'ClientIP', timeoutSeconds: 100 } }), { clock, counts: noCounts });
    const first = picker.pick('c', new Set());
    if (first === null) throw new Error('no pick');
    picker.onConnected('c', first);
    picker.update(target(list.filter((backend) => backend.key !== first.key), { affinity: { kind: 'ClientIP', timeoutSeconds: 100 } }));
    expect(picker.pick('c', new Set())?.key).not.toBe(first.key);
  });

  it('is bounded: the least recently seen client is forgotten first', () => {
    const clock = new ManualClock();
    const affinity = new ClientIpAffinity(clock, 60_000, 2);
    affinity.record('a', 'x');
    affinity.record('b', 'y');
    affinity.lookup('a');
    affinity.record('a', 'x');
    affinity.record('c', 'z');
    expect(affinity.size).toBe(2);
    expect(affinity.lookup('b')).toBeNull();
    expect(affinity.lookup('a')).toBe('x');
    clock.advance(60_001);
    expect(affinity.pruneExpired()).toBe(2);
  });
});

describe('backend picker', () => {
  it('skips an endpoint whose connect failed for the cooldown, then takes it back', () => {
    const clock = new ManualClock();
    const list = backends(2);
    const picker = new BackendPicker(target(list), { clock, counts: noCounts, failedEndpointCooldownMs: 1_000 });
    const dead = list[0];
    if (dead === undefined) throw new Error('no backend');
    picker.onConnectFailed('c', dead);
    for (let index = 0; index < 4; index++) expect(picker.pick('c', new Set())?.key).toBe('10.0.0.2:80');
    clock.advance(1_001);
    const picks = new Set([picker.pick('c', new Set())?.key, picker.pick('c', new Set())?.key]);
    expect(picks.has(dead.key)).toBe(true);
  });

  it('still tries cooling-down endpoints when every endpoint is cooling down', () => {
    const clock = new ManualClock();
    const list = backends(2);
    const picker = new BackendPicker(target(list), { clock, counts: noCounts });
    for (const backend of list) picker.onConnectFailed('c', backend);
    expect(picker.pick('c', new Set())).not.toBeNull();
    expect(picker.pick('c', new Set(list.map((backend) => backend.key)))).toBeNull();
  });
});
