import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../control-plane/index.ts';
import {
  checkDaemonSets, checkDeclaredStateKept, checkDeployments, checkEndpoints, checkEndpointSlices, checkNoActivePodOnDeadNode, checkNodesRunWhatTheApiSays,
  checkJobs, checkNoOrphans, checkStatefulSets, ContainerLedger, emptyObservedState, type ObservedState, type RunningContainer,
} from '../../chaos/control-plane-sim/index.ts';

/** Hand-made cluster states: each check must pass on a converged state and name what is wrong otherwise. */

const image = 'registry.local/web:v2';
const everyController = new Set(['endpoints', 'endpointslice', 'statefulset', 'daemonset', 'job']);

function owner(kind: string, name: string, uid: string): JsonObject {
  return { apiVersion: 'apps/v1', kind, name, uid, controller: true };
}

function pod(name: string, options: { uid?: string; node?: string; ready?: boolean; image?: string; owner?: JsonObject; deleting?: boolean; ip?: string; labels?: Record<string, string>; tolerations?: JsonObject[] } = {}): JsonObject {
  return {
    metadata: {
      name, namespace: 'default', uid: options.uid ?? `uid-${name}`, labels: options.labels ?? { app: 'web' },
      ...(options.owner === undefined ? {} : { ownerReferences: [options.owner] }),
      ...(options.deleting === true ? { deletionTimestamp: '2025-01-01T00:00:10Z' } : {}),
    },
    spec: { nodeName: options.node ?? 'node-0', containers: [{ name: 'main', image: options.image ?? image }], ...(options.tolerations === undefined ? {} : { tolerations: options.tolerations }) },
    status: { phase: 'Running', podIP: options.ip ?? `10.0.0.${name.length}`, conditions: [{ type: 'Ready', status: options.ready === false ? 'False' : 'True' }] },
  };
}

function container(of: JsonObject, node = 'node-0'): RunningContainer {
  const metadata = of['metadata'] as JsonObject;
  return { uid: String(metadata['uid']), namespace: 'default', name: String(metadata['name']), node, statefulSet: '', image, startedElapsedMs: 0 };
}

function workload(kind: string, name: string, uid: string, replicas?: number, deleting = false): JsonObject {
  return {
    kind, metadata: { name, namespace: 'default', uid, ...(deleting ? { deletionTimestamp: '2025-01-01T00:00:10Z' } : {}) },
    spec: { ...(replicas === undefined ? {} : { replicas }), selector: { matchLabels: { app: name } }, template: { spec: { containers: [{ name: 'main', image }] } } },
  };
}

function deploymentState(pods: JsonObject[], containers: RunningContainer[], overrides: Partial<ObservedState> = {}): ObservedState {
  return emptyObservedState({
    liveNodes: new Set(['node-0', 'node-1']), controllers: everyController,
    deployments: [workload('Deployment', 'web', 'd1', 2)],
    replicaSets: [{ kind: 'ReplicaSet', metadata: { name: 'web-abc', namespace: 'default', uid: 'rs1', ownerReferences: [owner('Deployment', 'web', 'd1')] } }],
    pods, containers, ...overrides,
  });
}

describe('deployment check', () => {
  const rs = owner('ReplicaSet', 'web-abc', 'rs1');
  const a = pod('web-abc-1', { owner: rs });
  const b = pod('web-abc-2', { owner: rs, node: 'node-1' });

  it('passes when spec.replicas ready pods of the latest template run on live nodes', () => {
    expect(checkDeployments(deploymentState([a, b], [container(a), container(b, 'node-1')]))).toEqual([]);
  });

  it('names a missing replica, a stale image, a pod on a dead node and a pod that does not really run', () => {
    expect(checkDeployments(deploymentState([a], [container(a)]))[0]?.message).toContain('1 active pods, 2 declared');
    const stale = pod('web-abc-2', { owner: rs, node: 'node-1', image: 'registry.local/web:v1' });
    expect(checkDeployments(deploymentState([a, stale], [container(a), container(stale, 'node-1')]))[0]?.message).toContain('runs registry.local/web:v1, not registry.local/web:v2');
    const lost = pod('web-abc-2', { owner: rs, node: 'node-9' });
    expect(checkDeployments(deploymentState([a, lost], [container(a)]))[0]?.message).toContain('on dead node node-9');
    expect(checkDeployments(deploymentState([a, b], [container(a)]))[0]?.message).toContain('not actually running on node-1');
  });

  it('ignores terminating pods and deployments being deleted', () => {
    const leaving = pod('web-abc-3', { owner: rs, deleting: true });
    expect(checkDeployments(deploymentState([a, b, leaving], [container(a), container(b, 'node-1')]))).toEqual([]);
    expect(checkDeployments(deploymentState([], [], { deployments: [workload('Deployment', 'web', 'd1', 2, true)] }))).toEqual([]);
  });
});

describe('stateful set check', () => {
  const set = workload('StatefulSet', 'db', 's1', 2);
  const db0 = pod('db-0', { owner: owner('StatefulSet', 'db', 's1') });
  const db1 = pod('db-1', { owner: owner('StatefulSet', 'db', 's1'), node: 'node-1' });
  const base = { liveNodes: new Set(['node-0', 'node-1']), controllers: everyController, statefulSets: [set] };

  it('passes with every ordinal ready and names a missing ordinal', () => {
    expect(checkStatefulSets(emptyObservedState({ ...base, pods: [db0, db1], containers: [container(db0), container(db1, 'node-1')] }))).toEqual([]);
    const wrongName = pod('db-7', { owner: owner('StatefulSet', 'db', 's1'), node: 'node-1' });
    const violations = checkStatefulSets(emptyObservedState({ ...base, pods: [db0, wrongName], containers: [container(db0), container(wrongName, 'node-1')] }));
    expect(violations[0]?.message).toContain('ordinal 1 has no active pod');
  });

  it('skips a set whose pod waits for a dead node to confirm its deletion (Kubernetes never runs two of one ordinal)', () => {
    const stuck = pod('db-1', { owner: owner('StatefulSet', 'db', 's1'), node: 'node-9', deleting: true });
    expect(checkStatefulSets(emptyObservedState({ ...base, pods: [db0, stuck], containers: [container(db0)] }))).toEqual([]);
  });

  it('is skipped when no StatefulSet controller runs', () => {
    expect(checkStatefulSets(emptyObservedState({ ...base, controllers: new Set() }))).toEqual([]);
  });
});

describe('daemon set check', () => {
  const set = workload('DaemonSet', 'log-agent', 'ds1');
  const ref = owner('DaemonSet', 'log-agent', 'ds1');
  const base = { liveNodes: new Set(['node-0', 'node-1']), controllers: everyController, daemonSets: [set] };

  it('wants one ready pod of the latest template on each live node', () => {
    const p0 = pod('log-agent-a', { owner: ref });
    const p1 = pod('log-agent-b', { owner: ref, node: 'node-1' });
    expect(checkDaemonSets(emptyObservedState({ ...base, pods: [p0, p1], containers: [container(p0), container(p1, 'node-1')] }))).toEqual([]);
    expect(checkDaemonSets(emptyObservedState({ ...base, pods: [p0], containers: [container(p0)] }))[0]?.message).toContain('0 active pods on live node node-1');
  });

  it('accepts an old template while a dead node holds one of its pods (the rollout budget may be spent there)', () => {
    const old = pod('log-agent-a', { owner: ref, image: 'registry.local/web:v1' });
    const p1 = pod('log-agent-b', { owner: ref, node: 'node-1' });
    const lost = pod('log-agent-c', { owner: ref, node: 'node-9' });
    expect(checkDaemonSets(emptyObservedState({ ...base, pods: [old, p1, lost], containers: [container(old), container(p1, 'node-1')] }))).toEqual([]);
    expect(checkDaemonSets(emptyObservedState({ ...base, pods: [old, p1], containers: [container(old), container(p1, 'node-1')] }))).toHaveLength(1);
  });
});

describe('service checks', () => {
  const service: JsonObject = { kind: 'Service', metadata: { name: 'front', namespace: 'default' }, spec: { selector: { app: 'web' } } };
  const ready = pod('web-1', { ip: '10.0.0.1' });
  const notReady = pod('web-2', { ip: '10.0.0.2', ready: false });
  const terminating = pod('web-3', { ip: '10.0.0.3', deleting: true });
  const other = pod('api-1', { ip: '10.0.0.4', labels: { app: 'api' } });
  const pods = [ready, notReady, terminating, other];
  const endpoints = (ips: string[]): JsonObject => ({ metadata: { name: 'front', namespace: 'default' }, subsets: [{ addresses: ips.map((ip) => ({ ip })), notReadyAddresses: [{ ip: '10.0.0.2' }] }] });
  const slice = (ips: string[]): JsonObject => ({
    metadata: { name: 'front-x', namespace: 'default', labels: { 'kubernetes.io/service-name': 'front' } },
    endpoints: [...ips.map((ip) => ({ addresses: [ip], conditions: { ready: true } })), { addresses: ['10.0.0.3'], conditions: { ready: false, terminating: true } }],
  });
  const state = (overrides: Partial<ObservedState>) => emptyObservedState({ controllers: everyController, services: [service], pods, ...overrides });

  it('Endpoints list exactly the ready, non-terminating pods of the selector', () => {
    expect(checkEndpoints(state({ endpoints: [endpoints(['10.0.0.1'])] }))).toEqual([]);
    expect(checkEndpoints(state({ endpoints: [endpoints(['10.0.0.1', '10.0.0.3'])] }))[0]?.message).toContain('lists 10.0.0.3 which are not ready pods');
    expect(checkEndpoints(state({ endpoints: [endpoints([])] }))[0]?.message).toContain('missing ready 10.0.0.1');
    expect(checkEndpoints(state({}))[0]?.message).toContain('no Endpoints object');
  });

  it('EndpointSlices mark exactly those pods ready', () => {
    expect(checkEndpointSlices(state({ endpointSlices: [slice(['10.0.0.1'])] }))).toEqual([]);
    expect(checkEndpointSlices(state({ endpointSlices: [slice(['10.0.0.1', '10.0.0.4'])] }))[0]?.property).toBe('endpoint-slices-match');
    expect(checkEndpointSlices(state({ endpointSlices: [slice(['10.0.0.1']), slice(['10.0.0.1'])] }))[0]?.message).toContain('listed twice');
    expect(checkEndpointSlices(state({ controllers: new Set(['endpoints']) }))).toEqual([]);
  });
});

describe('placement checks', () => {
  const nodes: JsonObject[] = [{ metadata: { name: 'node-0' } }, { metadata: { name: 'node-9' } }];

  it('no active pod on a dead node, unless it tolerates unreachable nodes forever', () => {
    const lost = pod('web-1', { node: 'node-9' });
    const daemon = pod('agent-1', { node: 'node-9', tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' }] });
    const leaving = pod('web-2', { node: 'node-9', deleting: true });
    const violations = checkNoActivePodOnDeadNode(emptyObservedState({ nodes, liveNodes: new Set(['node-0']), pods: [lost, daemon, leaving] }));
    expect(violations.map((violation) => violation.message)).toEqual(['default/web-1 is active on dead node node-9']);
  });

  it('live nodes run exactly what the API says', () => {
    const running = pod('web-1');
    const gone = pod('web-2');
    const unconfirmed = pod('web-3', { deleting: true });
    const notStarted = pod('web-4');
    const state = emptyObservedState({ nodes, liveNodes: new Set(['node-0']), pods: [running, unconfirmed, notStarted], containers: [container(running), container(gone), container(unconfirmed)] });
    const messages = checkNodesRunWhatTheApiSays(state).map((violation) => violation.message);
    expect(messages).toHaveLength(4);
    expect(messages.join('\n')).toContain('web-2 (uid uid-web-2): its pod is gone from the API');
    expect(messages.join('\n')).toContain('web-3 (uid uid-web-3): its pod is marked for deletion');
    expect(messages.join('\n')).toContain('default/web-3 on live node node-0 was never confirmed deleted');
    expect(messages.join('\n')).toContain('default/web-4 is bound to live node node-0 but does not run there');
  });
});

describe('orphan check', () => {
  it('finds a dependent whose controller owner is gone or was replaced (same name, new uid)', () => {
    const state = emptyObservedState({
      deployments: [workload('Deployment', 'web', 'd2')],
      replicaSets: [{ metadata: { name: 'web-abc', namespace: 'default', uid: 'rs1', ownerReferences: [owner('Deployment', 'web', 'd1')] } }],
      pods: [pod('web-abc-1', { owner: owner('ReplicaSet', 'web-abc', 'rs1') }), pod('web-old', { owner: owner('ReplicaSet', 'web-gone', 'rs0') }), pod('web-leaving', { owner: owner('ReplicaSet', 'web-gone', 'rs0'), deleting: true })],
    });
    expect(checkNoOrphans(state).map((violation) => violation.message)).toEqual([
      'Pod default/web-old: its controller ReplicaSet web-gone (uid rs0) is gone',
      'ReplicaSet default/web-abc: its controller Deployment web (uid d1) is gone',
    ]);
  });
});

describe('job check', () => {
  const job = (conditions: Array<[string, string]>, succeeded = 0): JsonObject => ({
    kind: 'Job', metadata: { name: 'batch', namespace: 'default', uid: 'j1' }, spec: { completions: 2 },
    status: { succeeded, conditions: conditions.map(([type, status]) => ({ type, status })) },
  });
  const ref = owner('Job', 'batch', 'j1');
  const base = { liveNodes: new Set(['node-0']), controllers: everyController };

  it('wants every Job Complete (with its completions) or Failed, with no active pod left', () => {
    expect(checkJobs(emptyObservedState({ ...base, jobs: [job([['Complete', 'True']], 2)] }))).toEqual([]);
    expect(checkJobs(emptyObservedState({ ...base, jobs: [job([['Failed', 'True']])] }))).toEqual([]);
    expect(checkJobs(emptyObservedState({ ...base, jobs: [job([])] }))[0]?.message).toBe('Job default/batch: neither Complete nor Failed');
    expect(checkJobs(emptyObservedState({ ...base, jobs: [job([['Complete', 'True']], 1)] }))[0]?.message).toContain('Complete with 1 of 2 completions');
    const leftover = pod('batch-x', { owner: ref });
    expect(checkJobs(emptyObservedState({ ...base, jobs: [job([['Failed', 'True']])], pods: [leftover] }))[0]?.message).toContain('finished but default/batch-x is still active');
  });

  it('accepts SuccessCriteriaMet while a pod of the Job waits for a dead node (the terminal condition waits, as Kubernetes 1.31)', () => {
    const stuck = pod('batch-y', { owner: ref, node: 'node-9', deleting: true });
    expect(checkJobs(emptyObservedState({ ...base, jobs: [job([['SuccessCriteriaMet', 'True']], 2)], pods: [stuck] }))).toEqual([]);
    expect(checkJobs(emptyObservedState({ ...base, jobs: [job([['SuccessCriteriaMet', 'True']], 2)] }))).toHaveLength(1);
  });
});

describe('declared state check', () => {
  it('the operator\'s last change stands and what it deleted stays deleted', () => {
    const state = emptyObservedState({ deployments: [workload('Deployment', 'web', 'd1', 2)], services: [{ metadata: { name: 'front', namespace: 'default' } }] });
    expect(checkDeclaredStateKept(state, [{ kind: 'Deployment', namespace: 'default', name: 'web', deleted: false, replicas: 2, image }])).toEqual([]);
    expect(checkDeclaredStateKept(state, [{ kind: 'Deployment', namespace: 'default', name: 'web', deleted: false, replicas: 3, image }])[0]?.message).toContain('spec.replicas 2, the operator declared 3');
    expect(checkDeclaredStateKept(state, [{ kind: 'Deployment', namespace: 'default', name: 'web', deleted: false, image: 'registry.local/web:v3' }])[0]?.message).toContain('the operator declared registry.local/web:v3');
    expect(checkDeclaredStateKept(state, [{ kind: 'Service', namespace: 'default', name: 'front', deleted: true }])[0]?.message).toContain('is back');
    expect(checkDeclaredStateKept(state, [{ kind: 'Service', namespace: 'default', name: 'back', deleted: false }])[0]?.message).toContain('is gone');
  });
});

describe('continuous stateful set check (container ledger)', () => {
  it('flags a second incarnation of one ordinal starting while the first still runs anywhere', () => {
    const ledger = new ContainerLedger(() => 1500);
    const first: RunningContainer = { uid: 'a', namespace: 'default', name: 'db-0', node: 'node-0', statefulSet: 'db', image, startedElapsedMs: 0 };
    ledger.start(first);
    ledger.start({ ...first, uid: 'b', node: 'node-1' });
    expect(ledger.violations[0]?.message).toContain('pod default/db-0 (uid b) started on node-1 while another incarnation (uid a) still runs on node-0');
    ledger.stop('a');
    ledger.stop('b');
    ledger.start({ ...first, uid: 'c' });
    expect(ledger.violations).toHaveLength(1);
  });

  it('ignores pods that are not StatefulSet ordinals', () => {
    const ledger = new ContainerLedger(() => 0);
    const web: RunningContainer = { uid: 'a', namespace: 'default', name: 'web-1', node: 'node-0', statefulSet: '', image, startedElapsedMs: 0 };
    ledger.start(web);
    ledger.start({ ...web, uid: 'b' });
    expect(ledger.violations).toEqual([]);
  });
});
