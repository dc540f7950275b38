import { describe, expect, it } from 'vitest';
import type { RelayLinkRecord } from '../../chaos/local-cluster/cluster-state.ts';
import { partitionFaults } from '../../chaos/local-cluster/relay-control.ts';
import { eligibleReplicas, ReplicaHealth } from '../../chaos/local-cluster/replica-health.ts';
import { planCluster, portsNeeded } from '../../chaos/local-cluster/cluster-plan.ts';
import { formatComponentStatus } from '../../chaos/local-cluster/status-report.ts';
import { parseUpFlags } from '../../bin/up-command.ts';
import { main } from '../../bin/index.ts';

const links: RelayLinkRecord[] = ['n1', 'n2', 'n3'].flatMap((from, i) => ['n1', 'n2', 'n3'].filter((to) => to !== from).map((to, j) => ({ from, to, listenPort: 30_000 + i * 10 + j, targetPort: 31_000 })));

describe('local cluster: partitions, balancer health and up flags', () => {
  it('blackholes exactly the links between groups; a replica in no group keeps its links', () => {
    const faults = partitionFaults(links, [['n1'], ['n2']]);
    const cut = faults.filter((fault) => fault.fault.kind === 'blackhole').map((fault) => `${fault.from}>${fault.to}`);
    expect(cut.sort()).toEqual(['n1>n2', 'n2>n1']);
    expect(partitionFaults(links, [['n1'], ['n2', 'n3']]).filter((fault) => fault.fault.kind === 'blackhole')).toHaveLength(4);
  });

  it('takes a replica out after 2 failed probes and back after 1 success; all are offered when none is healthy', () => {
    const a = new ReplicaHealth('127.0.0.1:1');
    const b = new ReplicaHealth('127.0.0.1:2');
    expect(eligibleReplicas([a, b])).toEqual([a, b]);
    expect(a.record({ ok: true })).toBe(true);
    b.record({ ok: true });
    expect(a.record({ ok: false, error: 'refused' })).toBe(false);
    expect(a.healthy).toBe(true);
    expect(a.record({ ok: false, error: 'refused' })).toBe(true);
    expect(a.lastError).toBe('refused');
    expect(eligibleReplicas([a, b])).toEqual([b]);
    b.record({ ok: false, error: 'x' });
    b.record({ ok: false, error: 'x' });
    expect(eligibleReplicas([a, b])).toEqual([a, b]);
    a.record({ ok: true });
    expect(eligibleReplicas([a, b])).toEqual([a]);
  });

  it('shows every component with its state, pid and first ports, then the stable address and the nodes', () => {
    const state = planCluster({
      directory: '/d', serverCount: 3, agentCount: 1, natsCount: 1, clusterName: 'flotilla', natsServerPath: '/usr/sbin/nats-server', nodePath: '/usr/bin/node',
      flotillaBin: '/r/bin/flotilla.js', ingressHttpPort: 18080, serverArgs: [], env: {}, searchPath: '/usr/bin',
    }, Array.from({ length: portsNeeded({ serverCount: 3, natsCount: 1 }) }, (_, index) => 20_000 + index));
    const text = formatComponentStatus(state, state.components.map((component, index) => ({
      name: component.name, kind: component.kind, state: index === 2 ? 'stopped' : index === 3 ? 'paused' : 'running', pid: index === 2 ? null : 100 + index, logPath: component.logPath, listens: component.listens,
    })));
    expect(text).toMatch(/^COMPONENT\s+KIND\s+STATE\s+PID\s+LISTENS\n/);
    expect(text).toMatch(/\nn1\s+server\s+stopped\s+-\s+127\.0\.0\.1:\d+,127\.0\.0\.1:\d+\n/);
    expect(text).toMatch(/\nn2\s+server\s+paused\s+103\s/);
    expect(text).toContain('6 of 7 components running in /d');
    expect(text).toContain(`https://${state.apiBalancer.endpoint}`);
    expect(text).toContain('node-1 127.0.0.11 (ingress :18080)');
  });

  it('reads up flags and says what to fix', () => {
    expect(parseUpFlags({ dir: '.flotilla', timeoutSeconds: '180', servers: '5', agents: '3' })).toEqual({ servers: 5, agents: 3, timeoutMs: 180_000 });
    expect(parseUpFlags({ dir: '.flotilla', timeoutSeconds: '180', servers: '4' })).toBe('--servers must be 3 or 5, got "4"');
    expect(parseUpFlags({ dir: '.flotilla', timeoutSeconds: '5', agents: '0' })).toBe('--agents must be a whole number from 1 to 20, got "0"; --timeout-seconds must be from 10 to 3600, got "5"');
  });

  it('exits 2 for a bad up flag before starting anything', async () => {
    expect(await main(['node', 'flotilla', 'up', '--servers', '4', '--dir', '/nonexistent/flotilla'])).toBe(2);
    expect(await main(['node', 'flotilla', 'up', '--nats-servers', '2'])).toBe(2);
  });
});
