import { describe, expect, it } from 'vitest';
import {
  AgentConfigError, buildNodeObject, nanocores, parseHostCpu, parseMemoryUsed, parseProcessStat, computeNodeConditions, configReferences, EventReporter, PressureThresholds, resolveAgentConfig, statusDigest,
  type HostFacts, type NodeCondition, type Pod,
} from '../../agent/index.ts';
import type { AgentEvent } from '../../control-plane/nats/index.ts';
import { mergeNodeStatus, mergePodStatus, routePodChange } from '../../control-plane/nats/index.ts';
import { ManualEnv } from './manual-env.ts';

const facts: HostFacts = {
  hostname: 'box', cpuCount: 4, memoryTotalBytes: 8 * 1024 ** 3, memoryAvailableBytes: 4 * 1024 ** 3, diskTotalBytes: 100, diskAvailableBytes: 50,
  processCount: 100, processMax: 32_768, kernelVersion: '6.1.0', osImage: 'Debian GNU/Linux 12', architecture: 'amd64', machineId: 'm', bootId: 'b',
};

describe('node conditions', () => {
  it('reports the four conditions, pressure from kubelet\'s thresholds, Ready unless the runtime is broken', () => {
    const healthy = computeNodeConditions(facts, null, [], 't1');
    expect(healthy.map((condition) => `${condition.type}=${condition.status}`)).toEqual(['MemoryPressure=False', 'DiskPressure=False', 'PIDPressure=False', 'Ready=True']);
    const starved = computeNodeConditions({ ...facts, memoryAvailableBytes: PressureThresholds.memoryAvailableBytesMin - 1, diskAvailableBytes: 5, processCount: 32_000 }, 'runtime is gone', healthy, 't2');
    expect(starved.map((condition) => `${condition.type}=${condition.status}:${condition.reason}`)).toEqual([
      'MemoryPressure=True:KubeletHasInsufficientMemory', 'DiskPressure=True:KubeletHasDiskPressure', 'PIDPressure=True:KubeletHasInsufficientPID', 'Ready=False:KubeletNotReady',
    ]);
    expect(starved.find((condition) => condition.type === 'Ready')?.message).toBe('runtime is gone');
  });

  it('keeps lastTransitionTime while a status stays, and moves lastHeartbeatTime on every report', () => {
    const first = computeNodeConditions(facts, null, [], 't1');
    const second = computeNodeConditions(facts, null, first, 't2');
    const ready = (conditions: NodeCondition[]) => conditions.find((condition) => condition.type === 'Ready');
    expect(ready(second)).toMatchObject({ lastTransitionTime: 't1', lastHeartbeatTime: 't2' });
    expect(ready(computeNodeConditions(facts, 'broken', second, 't3'))).toMatchObject({ lastTransitionTime: 't3' });
  });

  it('builds the Node kubelet registers: labels, taints, capacity, addresses, node info', () => {
    const node = buildNodeObject({ nodeName: 'w1', nodeIp: '10.0.0.5', labels: { zone: 'attic' }, annotations: { 'flotilla.io/volumes-directory': '/data/volumes' }, taints: [{ key: 'gpu', value: 'yes', effect: 'NoSchedule' }], runtimeVersion: 'process://0.1.0', agentVersion: 'v1.32.0-flotilla', podsMax: 110 }, facts, []);
    expect(node).toMatchObject({
      metadata: { name: 'w1', labels: { 'kubernetes.io/hostname': 'w1', 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', zone: 'attic' }, annotations: { 'flotilla.io/volumes-directory': '/data/volumes' } },
      spec: { taints: [{ key: 'gpu', value: 'yes', effect: 'NoSchedule' }] },
      status: { capacity: { cpu: '4', memory: '8388608Ki', pods: '110' }, addresses: [{ type: 'InternalIP', address: '10.0.0.5' }, { type: 'Hostname', address: 'box' }], nodeInfo: { kubeletVersion: 'v1.32.0-flotilla', architecture: 'amd64' } },
    });
  });
});

describe('status merges and routing (bridge side, pure)', () => {
  it('merges the agent\'s pod status: its fields and conditions win, the scheduler\'s PodScheduled stays, terminal phases stay terminal', () => {
    const current = { phase: 'Pending', qosClass: 'BestEffort', reason: 'Old', conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: 'scheduled' }, { type: 'Ready', status: 'False' }] };
    const reported = { phase: 'Running', podIP: '10.0.0.5', conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: 'agent' }, { type: 'Ready', status: 'True' }] };
    expect(mergePodStatus(current, reported)).toEqual({
      phase: 'Running', qosClass: 'BestEffort', podIP: '10.0.0.5',
      conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: 'scheduled' }, { type: 'Ready', status: 'True' }],
    });
    expect(mergePodStatus({ phase: 'Succeeded' }, { phase: 'Running' })).toEqual({ phase: 'Succeeded' });
    expect(mergePodStatus({ phase: 'Running' }, { phase: 'Failed' })['phase']).toBe('Failed');
  });

  it('merges the agent\'s node status: its conditions replace those of the same type only', () => {
    const merged = mergeNodeStatus({ capacity: { cpu: '1' }, conditions: [{ type: 'Ready', status: 'Unknown' }, { type: 'NetworkUnavailable', status: 'False' }] }, { capacity: { cpu: '4' }, conditions: [{ type: 'Ready', status: 'True' }] });
    expect(merged).toEqual({ capacity: { cpu: '4' }, conditions: [{ type: 'Ready', status: 'True' }, { type: 'NetworkUnavailable', status: 'False' }] });
  });

  it('routes pod changes to the nodes they concern', () => {
    const on = (nodeName: string) => ({ spec: { nodeName } });
    expect(routePodChange('created', on(''), null)).toEqual([]);
    expect(routePodChange('updated', on('a'), on(''))).toEqual([{ nodeName: 'a', type: 'added' }]);
    expect(routePodChange('updated', on('a'), on('a'))).toEqual([{ nodeName: 'a', type: 'updated' }]);
    expect(routePodChange('updated', on('b'), on('a'))).toEqual([{ nodeName: 'a', type: 'deleted' }, { nodeName: 'b', type: 'added' }]);
    expect(routePodChange('deleted', on('a'), on('a'))).toEqual([{ nodeName: 'a', type: 'deleted' }]);
  });

  it('digests what the agent vouches for, ignoring times and messages', () => {
    const base = { phase: 'Running', podIP: '1.2.3.4', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: 'a' }, { type: 'PodScheduled', status: 'True' }], containerStatuses: [{ name: 'web', ready: true, restartCount: 0, state: { running: { startedAt: 'x' } } }] };
    expect(statusDigest({ ...base, conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: 'b', message: 'm' }] })).toBe(statusDigest(base));
    expect(statusDigest({ ...base, conditions: [{ type: 'Ready', status: 'False' }] })).not.toBe(statusDigest(base));
    expect(statusDigest({ ...base, containerStatuses: [{ name: 'web', ready: true, restartCount: 1, state: { running: {} } }] })).not.toBe(statusDigest(base));
  });
});

describe('agent configuration', () => {
  it('reads flags into a config', () => {
    const config = resolveAgentConfig({ nodeName: 'worker-1.lan', nats: 'nats://10.0.0.1:4222', labels: 'zone=attic,example.com/role=db', taints: 'gpu=yes:NoSchedule,spot:NoExecute', nodeIp: '10.0.0.9', dataDir: '/tmp/a' });
    expect(config).toEqual({
      nodeName: 'worker-1.lan', nats: { servers: ['nats://10.0.0.1:4222'], clusterName: 'flotilla' }, labels: { zone: 'attic', 'example.com/role': 'db' },
      taints: [{ key: 'gpu', value: 'yes', effect: 'NoSchedule' }, { key: 'spot', effect: 'NoExecute' }], dataDir: '/tmp/a', nodeIp: '10.0.0.9', runtime: 'process',
      usageReportIntervalMs: 15_000, serviceListenMode: 'auto',
    });
  });

  it('lists every bad flag with what to do', () => {
    let problems: readonly string[] = [];
    try {
      resolveAgentConfig({ nats: 'x', taints: 'gpu:Sometimes', nodeIp: 'nope', runtime: 'docker' });
    } catch (error) {
      if (error instanceof AgentConfigError) problems = error.problems;
    }
    expect(problems).toEqual([
      '--node-name is required (the name this machine registers as, e.g. worker-1)',
      '--nats: expected HOST:PORT or nats://HOST:PORT (comma-separated for a NATS cluster), got "x"',
      '--taints: expected KEY[=VALUE]:EFFECT with EFFECT one of NoSchedule, PreferNoSchedule, NoExecute, got "gpu:Sometimes"',
      '--runtime: expected "process" (commands on the host) or "oci" (images, through crun/runc and podman), got "docker"',
      '--node-ip: "nope" is not an IP address',
    ]);
  });
});

describe('what a pod reads', () => {
  it('finds every ConfigMap and Secret a pod uses, once each', () => {
    const pod = {
      metadata: { name: 'p', namespace: 'shop', uid: 'u' },
      spec: {
        initContainers: [{ name: 'init', envFrom: [{ secretRef: { name: 'creds' } }] }],
        containers: [{ name: 'web', envFrom: [{ configMapRef: { name: 'settings' } }], env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'settings', key: 'a' } } }, { name: 'B', valueFrom: { secretKeyRef: { name: 'token', key: 't' } } }] }],
        volumes: [{ name: 'v', configMap: { name: 'files' } }, { name: 's', secret: { secretName: 'creds' } }],
      },
    } as unknown as Pod;
    expect(configReferences(pod).map((reference) => `${reference.kind}/${reference.namespace}/${reference.name}`).sort()).toEqual(['ConfigMap/shop/files', 'ConfigMap/shop/settings', 'Secret/shop/creds', 'Secret/shop/token']);
  });
});

describe('EventReporter', () => {
  const pod = { metadata: { name: 'web-1', namespace: 'default', uid: 'u1' }, spec: { containers: [] } } as unknown as Pod;

  it('aggregates repeats into one Event with a count, and sends in batches', async () => {
    const env = new ManualEnv();
    const sent: AgentEvent[][] = [];
    const reporter = new EventReporter(async (events) => void sent.push([...events]), env);
    reporter.start();
    reporter.record(pod, 'Warning', 'BackOff', 'Back-off restarting failed container web', 'spec.containers{web}');
    reporter.record(pod, 'Warning', 'BackOff', 'Back-off restarting failed container web', 'spec.containers{web}');
    reporter.record(pod, 'Normal', 'Started', 'Started container web', 'spec.containers{web}');
    await env.advance(1_500);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.map((event) => `${event.reason}:${event.count}`)).toEqual(['BackOff:2', 'Started:1']);
    reporter.record(pod, 'Warning', 'BackOff', 'Back-off restarting failed container web', 'spec.containers{web}');
    await env.advance(1_500);
    expect(sent[1]?.[0]).toMatchObject({ reason: 'BackOff', count: 3, name: sent[0]?.[0]?.name, involvedObject: { kind: 'Pod', name: 'web-1', uid: 'u1', fieldPath: 'spec.containers{web}' } });
  });
});

describe('usage from /proc (pure parsers)', () => {
  it('reads a process\'s group, cpu ticks and resident pages, even with a command name holding spaces and parentheses', () => {
    const stat = '4242 (my (odd) cmd) S 1 4200 4200 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 1 0 123456 1000000 300 18446744073709551615';
    expect(parseProcessStat(stat)).toEqual({ pgrp: 4200, cpuTicks: 300, rssPages: 300 });
    expect(parseProcessStat('garbage')).toBeUndefined();
  });

  it('reads busy host cpu and memory in use', () => {
    expect(parseHostCpu('cpu  100 5 50 1000 20 3 2 0 0 0\ncpu0 1 2 3\n')).toBe(160);
    expect(parseMemoryUsed('MemTotal:       8000000 kB\nMemFree:  100 kB\nMemAvailable:   6000000 kB\n')).toBe(2_000_000 * 1024);
  });

  it('turns tick deltas into nanocores (Kubernetes\' cpu unit)', () => {
    expect(nanocores(0, 150, 15_000)).toBe(100_000_000);
    expect(nanocores(10, 5, 1_000)).toBe(0);
    expect(nanocores(0, 100, 0)).toBe(0);
  });
});
