import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
// The library's files, not its index: these tests need neither the agent nor the control plane loaded.
import { planCluster, portsNeeded, type ClusterPlanInput } from '../../chaos/local-cluster/cluster-plan.ts';
import { ClusterStateError, clusterStateVersion, parseClusterState, readClusterState, stateFilePath, writeClusterState } from '../../chaos/local-cluster/cluster-state.ts';
import { processState } from '../../chaos/local-cluster/process-control.ts';
import { readIdentity, removeIdentity, writeIdentity } from '../../chaos/local-cluster/process-identity-file.ts';
import { readProcessStat } from '../../agent/proc-stat.ts';

/** The state file another process reads to find the cluster, and the pure plan it is made from. */
describe('local cluster state', () => {
  let directory: string;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'flotilla-state-'));
  });

  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  const input = (overrides: Partial<ClusterPlanInput> = {}): ClusterPlanInput => ({
    directory, serverCount: 3, agentCount: 2, natsCount: 1, clusterName: 'flotilla', natsServerPath: '/usr/sbin/nats-server',
    nodePath: '/usr/bin/node', flotillaBin: '/repo/bin/flotilla.js', ingressHttpPort: 18080, serverArgs: [], env: {}, searchPath: '/usr/bin:/bin', ...overrides,
  });
  const ports = (count: number): number[] => Array.from({ length: count }, (_, index) => 20_000 + index);

  it('plans every replica link through a relay and each node on its own address', () => {
    const state = planCluster(input(), ports(portsNeeded({ serverCount: 3, natsCount: 1 })));
    expect(state.components.map((component) => component.name)).toEqual(['nats-1', 'relays', 'n1', 'n2', 'n3', 'api-balancer', 'node-1', 'node-2']);
    // Each agent runs its node's proxy (`agent --proxy`), listening on the node's own address.
    const agent = state.components.find((component) => component.name === 'node-2');
    expect(agent?.args.join(' ')).toContain('--node-ip 127.0.0.12 --proxy --listen-mode ports --listen-address 127.0.0.12 --http-port 18080');
    expect(agent?.listens).toEqual(['127.0.0.12:18080']);
    expect(state.relays.links).toHaveLength(6);
    const n1 = state.components.find((component) => component.name === 'n1');
    const initialCluster = n1?.args[n1.args.indexOf('--initial-cluster') + 1] ?? '';
    // n1 reaches itself directly and n2, n3 only through the relays n1→n2, n1→n3.
    const toN2 = state.relays.links.find((link) => link.from === 'n1' && link.to === 'n2');
    expect(initialCluster).toContain(`n1=${state.servers[0]?.peerEndpoint}`);
    expect(initialCluster).toContain(`n2=127.0.0.1:${toN2?.listenPort}`);
    expect(toN2?.targetPort).toBe(Number(state.servers[1]?.peerEndpoint.split(':')[1]));
    expect(state.nodes.map((node) => node.address)).toEqual(['127.0.0.11', '127.0.0.12']);
    const listens = state.components.flatMap((component) => component.listens);
    expect(new Set(listens).size).toBe(listens.length);
    expect(state.components.find((component) => component.name === 'node-1')?.env['PATH']).toBe('/usr/bin:/usr/bin:/bin');
  });

  it('can run each node proxy as its own process, watching the API through the stable address', () => {
    const state = planCluster(input({ proxyPlacement: 'separate' }), ports(portsNeeded({ serverCount: 3, natsCount: 1 })));
    expect(state.components.map((component) => component.name)).toEqual(['nats-1', 'relays', 'n1', 'n2', 'n3', 'api-balancer', 'node-1', 'proxy-node-1', 'node-2', 'proxy-node-2']);
    expect(state.nodes[0]?.proxy).toBe('proxy-node-1');
    const proxy = state.components.find((component) => component.name === 'proxy-node-1');
    expect(proxy?.args).toContain(state.kubeconfigPath);
    expect(state.components.find((component) => component.name === 'node-1')?.args).not.toContain('--proxy');
  });

  it('plans a 5-replica cluster on a 3-server NATS cluster with routes', () => {
    const state = planCluster(input({ serverCount: 5, natsCount: 3, agentCount: 1 }), ports(portsNeeded({ serverCount: 5, natsCount: 3 })));
    expect(state.servers).toHaveLength(5);
    expect(state.relays.links).toHaveLength(20);
    expect(state.natsUrls).toHaveLength(3);
    const nats2 = state.components.find((component) => component.name === 'nats-2');
    expect(nats2?.args.join(' ')).toMatch(/--routes nats:\/\/127\.0\.0\.1:\d+,nats:\/\/127\.0\.0\.1:\d+/);
    expect(() => planCluster(input({ serverCount: 5 }), ports(10))).toThrow(/needs \d+ ports/);
  });

  it('writes the state atomically and reads back the same object', async () => {
    const state = planCluster(input(), ports(portsNeeded({ serverCount: 3, natsCount: 1 })));
    expect(await readClusterState(directory)).toBeNull();
    await writeClusterState(state);
    expect(await readClusterState(directory)).toEqual(state);
    expect(JSON.parse(await readFile(stateFilePath(directory), 'utf8')).version).toBe(clusterStateVersion);
  });

  it('refuses a foreign, torn or newer state file with its path and what is wrong', async () => {
    expect(() => parseClusterState('{"version":1', '/x/state.json')).toThrow(/\/x\/state\.json is not JSON/);
    expect(() => parseClusterState('{"version":99}', '/x/state.json')).toThrow(/version 99; this flotilla reads version 1/);
    expect(() => parseClusterState('{"version":1,"directory":"/x"}', '/x/state.json')).toThrow(ClusterStateError);
    await writeFile(stateFilePath(directory), '[]');
    await expect(readClusterState(directory)).rejects.toThrow(/not a cluster state object/);
  });

  it('records a live process by pid and start time; a reused pid or a torn file names nothing', async () => {
    const stat = await readProcessStat(process.pid);
    await writeIdentity(directory, 'n1', { pid: process.pid, startTicks: stat?.startTicks ?? '' });
    const identity = await readIdentity(directory, 'n1');
    expect(identity?.pid).toBe(process.pid);
    expect(await processState(identity)).toBe('running');
    expect(await processState({ pid: process.pid, startTicks: '1' })).toBe('stopped');
    await writeFile(join(directory, 'run', 'n2.json'), '{"pid":');
    expect(await readIdentity(directory, 'n2')).toBeNull();
    await removeIdentity(directory, 'n1');
    expect(await readIdentity(directory, 'n1')).toBeNull();
    expect(await processState(null)).toBe('stopped');
  });
});
