import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../control-plane/index.ts';
import { checkConvergedCluster } from '../../chaos/e2e/checks/final-checks.ts';
import type { ContainerProcess, ObservedCluster } from '../../chaos/e2e/checks/observed-cluster.ts';
import { checkReplicasIdentical, type ReplicaHash } from '../../chaos/e2e/checks/store-checks.ts';
import type { E2ePropertyName } from '../../chaos/e2e/checks/violation.ts';
import { applyToDeclared, emptyDeclaredState } from '../../chaos/e2e/declared-state.ts';
import { deploymentManifest, serviceManifest } from '../../chaos/e2e/manifests.ts';

/**
 * The final checks on hand-made states: a converged cluster passes, and each kind of damage a
 * real run could leave (an orphan process, a missing endpoint, a replica with another hash, a
 * Deployment short of ready pods, …) is named by the property it breaks.
 */

const namespace = 'e2e-seed-1';
const template = { image: 0, color: 0, flavour: 0 };
const declared = applyToDeclared(applyToDeclared(emptyDeclaredState(), { kind: 'apply-deployment', slot: 0, replicas: 2, template }), { kind: 'apply-service', slot: 0 });

interface PodSketch {
  readonly uid: string;
  readonly node: string;
  readonly hostPort: number;
  readonly ready?: boolean;
  readonly image?: string;
  readonly deleting?: boolean;
  readonly app?: string;
}

function pod(sketch: PodSketch): JsonObject {
  const spec = deploymentManifest(namespace, 0, 1, template)['spec'] as { template: { spec: JsonObject } };
  const podSpec = structuredClone(spec.template.spec) as { containers: JsonObject[] } & JsonObject;
  if (sketch.image !== undefined && podSpec.containers[0] !== undefined) podSpec.containers[0]['image'] = sketch.image;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${sketch.app ?? 'alpha'}-${sketch.uid}`, namespace, uid: sketch.uid, labels: { app: sketch.app ?? 'alpha' },
      annotations: { 'flotilla.io/host-ports': JSON.stringify({ 8080: sketch.hostPort }) },
      ...(sketch.deleting === true ? { deletionTimestamp: '2025-01-01T00:00:00Z' } : {}),
    },
    spec: { ...podSpec, nodeName: sketch.node },
    status: { phase: 'Running', podIP: '127.0.0.11', conditions: [{ type: 'Ready', status: sketch.ready === false ? 'False' : 'True' }] },
  };
}

function deployment(replicas: number, readyReplicas = replicas): JsonObject {
  const manifest = deploymentManifest(namespace, 0, replicas, template);
  return {
    ...manifest,
    metadata: { ...(manifest['metadata'] as JsonObject), uid: 'deployment-alpha', generation: 4 },
    status: { observedGeneration: 4, replicas, updatedReplicas: replicas, readyReplicas, availableReplicas: readyReplicas },
  };
}

function endpointsFor(keys: readonly [string, number][]): JsonObject {
  return {
    kind: 'Endpoints', metadata: { name: 'alpha', namespace },
    subsets: keys.map(([uid, port]) => ({ ports: [{ name: 'http', port, protocol: 'TCP' }], addresses: [{ ip: '127.0.0.11', targetRef: { kind: 'Pod', uid } }] })),
  };
}

function sliceFor(keys: readonly [string, number][]): JsonObject[] {
  return keys.map(([uid, port], index) => ({
    kind: 'EndpointSlice', metadata: { name: `alpha-${index}`, namespace, labels: { 'kubernetes.io/service-name': 'alpha' } },
    ports: [{ name: 'http', port, protocol: 'TCP' }],
    endpoints: [{ addresses: ['127.0.0.11'], conditions: { ready: true }, targetRef: { kind: 'Pod', uid } }],
  }));
}

function node(name: string, ready = 'True'): JsonObject {
  return { kind: 'Node', metadata: { name }, status: { conditions: [{ type: 'Ready', status: ready }] } };
}

function containerProcess(podUid: string, nodeName: string, pid: number): ContainerProcess {
  return { node: nodeName, podUid, container: 'web', pid, seenBy: 'state-file' };
}

/** Two ready replicas of alpha, one per node, listed by its Service: everything converged. */
function convergedState(overrides: Partial<ObservedCluster> = {}): ObservedCluster {
  const keys: [string, number][] = [['u1', 30_001], ['u2', 30_002]];
  return {
    namespace,
    declared,
    clusterNodes: ['node-1', 'node-2'],
    liveNodes: new Set(['node-1', 'node-2']),
    nodes: [node('node-1'), node('node-2')],
    pods: [pod({ uid: 'u1', node: 'node-1', hostPort: 30_001 }), pod({ uid: 'u2', node: 'node-2', hostPort: 30_002 })],
    deployments: [deployment(2)],
    services: [serviceManifest(namespace, 0)],
    endpoints: [endpointsFor(keys)],
    endpointSlices: sliceFor(keys),
    processes: [containerProcess('u1', 'node-1', 101), { ...containerProcess('u1', 'node-1', 102), seenBy: 'process-table' }, containerProcess('u2', 'node-2', 201)],
    ...overrides,
  };
}

function properties(state: ObservedCluster): E2ePropertyName[] {
  return [...new Set(checkConvergedCluster(state).map((violation) => violation.property))].sort();
}

describe('e2e chaos final checks', () => {
  it('pass a converged cluster', () => {
    expect(checkConvergedCluster(convergedState())).toEqual([]);
  });

  it('catch an orphan process: a pod gone from the API, or bound to another node', () => {
    const gone = checkConvergedCluster(convergedState({ processes: [...convergedState().processes, { ...containerProcess('u9', 'node-1', 901), seenBy: 'process-table' }] }));
    expect(gone.map((violation) => violation.property)).toEqual(['no-orphan-process']);
    expect(gone[0]?.message).toContain('pid 901 of pod uid u9');
    expect(gone[0]?.message).toContain('its pod is gone from the API');
    const elsewhere = checkConvergedCluster(convergedState({ processes: [...convergedState().processes, containerProcess('u1', 'node-2', 301)] }));
    expect(elsewhere.map((violation) => violation.message)).toEqual([expect.stringContaining('its pod is bound to node-1')]);
  });

  it('catch a container still running for a pod marked for deletion, and the deletion never confirmed', () => {
    const state = convergedState({ pods: [...convergedState().pods, pod({ uid: 'u3', node: 'node-1', hostPort: 30_003, deleting: true })], processes: [...convergedState().processes, containerProcess('u3', 'node-1', 303)] });
    expect(properties(state)).toEqual(['deletions-confirmed', 'no-orphan-process']);
  });

  it('catch a missing endpoint, in the Endpoints and in the slices', () => {
    const state = convergedState({ endpoints: [endpointsFor([['u1', 30_001]])], endpointSlices: sliceFor([['u1', 30_001]]) });
    const violations = checkConvergedCluster(state);
    expect(violations.map((violation) => violation.property)).toEqual(['endpoints-match', 'endpoint-slices-match']);
    expect(violations[0]?.message).toContain('missing ready pods u2:30002');
  });

  it('catch an endpoint at the wrong port, a not-ready pod listed, and a duplicate', () => {
    const wrongPort = convergedState({ endpoints: [endpointsFor([['u1', 30_001], ['u2', 39_999]])] });
    expect(checkConvergedCluster(wrongPort).map((violation) => violation.message)).toEqual([expect.stringMatching(/missing ready pods u2:30002; lists u2:39999/)]);
    const doubled = convergedState({ endpointSlices: sliceFor([['u1', 30_001], ['u2', 30_002], ['u2', 30_002]]) });
    expect(checkConvergedCluster(doubled).map((violation) => violation.message)).toEqual([expect.stringContaining('an endpoint listed twice')]);
  });

  it('catch a Deployment short of ready pods: one not Ready, one missing, the status behind', () => {
    const notReady = convergedState({ pods: [pod({ uid: 'u1', node: 'node-1', hostPort: 30_001 }), pod({ uid: 'u2', node: 'node-2', hostPort: 30_002, ready: false })], endpoints: [endpointsFor([['u1', 30_001]])], endpointSlices: sliceFor([['u1', 30_001]]) });
    const violations = checkConvergedCluster(notReady);
    expect(violations.map((violation) => violation.property)).toEqual(['deployment-converged']);
    expect(violations[0]?.message).toContain('alpha-u2 (uid u2) is not Ready');
    const missing = convergedState({ pods: [pod({ uid: 'u1', node: 'node-1', hostPort: 30_001 })], deployments: [deployment(2, 1)], endpoints: [endpointsFor([['u1', 30_001]])], endpointSlices: sliceFor([['u1', 30_001]]), processes: [containerProcess('u1', 'node-1', 101)] });
    expect(properties(missing)).toEqual(['deployment-converged', 'deployment-status']);
    expect(checkConvergedCluster(missing)[0]?.message).toContain('1 active pods, 2 declared');
  });

  it('catch a pod of an old template, on a node whose agent is down, or without its process', () => {
    const stale = convergedState({ pods: [pod({ uid: 'u1', node: 'node-1', hostPort: 30_001 }), pod({ uid: 'u2', node: 'node-2', hostPort: 30_002, image: 'fixture:3' })] });
    expect(checkConvergedCluster(stale).map((violation) => violation.message)).toEqual([expect.stringContaining('runs an old template (image fixture:3 instead of fixture:1)')]);
    const agentDown = convergedState({ liveNodes: new Set(['node-1']) });
    expect(checkConvergedCluster(agentDown).map((violation) => violation.message)).toEqual([
      'the agent of node node-2 is not running after the heal',
      expect.stringContaining('is on node-2, whose agent is not running'),
    ]);
    const noProcess = convergedState({ processes: [containerProcess('u1', 'node-1', 101)] });
    expect(properties(noProcess)).toEqual(['deployment-converged', 'pods-run-where-bound']);
  });

  it('catch a reverted operator change and a deleted Deployment whose pods remain', () => {
    expect(properties(convergedState({ deployments: [deployment(3)] }))).toContain('declared-state-kept');
    const deleted = applyToDeclared(declared, { kind: 'delete-deployment', slot: 0 });
    expect(properties(convergedState({ declared: deleted, deployments: [] }))).toEqual(['deleted-workload-gone']);
    expect(properties(convergedState({ declared: deleted }))).toEqual(['declared-state-kept', 'deleted-workload-gone']);
  });

  it('catch a deleted Service whose Endpoints or slices remain, and a node that is not Ready', () => {
    const withoutService = applyToDeclared(declared, { kind: 'delete-service', slot: 0 });
    expect(properties(convergedState({ declared: withoutService, services: [] }))).toEqual(['deleted-service-endpoints-gone']);
    expect(properties(convergedState({ declared: withoutService, services: [], endpoints: [], endpointSlices: [] }))).toEqual([]);
    expect(properties(convergedState({ nodes: [node('node-1'), node('node-2', 'Unknown')] }))).toEqual(['nodes-ready']);
  });
});

describe('e2e chaos store check', () => {
  const answer = (name: string, hash: number, overrides: Partial<{ revision: number; compactRevision: number }> = {}): ReplicaHash => ({ name, revision: 120, hash, compactRevision: 0, ...overrides });
  const members = ['n1', 'n2', 'n3'];

  it('passes identical replicas', () => {
    expect(checkReplicasIdentical([answer('n1', 7), answer('n2', 7), answer('n3', 7)], members)).toEqual([]);
  });

  it('catches a replica with a different hash', () => {
    const violations = checkReplicasIdentical([answer('n1', 7), answer('n2', 8), answer('n3', 7)], members);
    expect(violations).toEqual([{ property: 'replicas-identical', message: expect.stringContaining('replica stores differ at revision 120') }]);
    expect(violations[0]?.message).toContain('n2: revision 120 compacted 0 hash 8');
  });

  it('does not compare hashes of different revisions or compactions, and names a silent replica', () => {
    expect(checkReplicasIdentical([answer('n1', 7), answer('n2', 7, { revision: 121 }), answer('n3', 7)], members)[0]?.message).toContain('hashed different revisions');
    expect(checkReplicasIdentical([answer('n1', 7), answer('n2', 9, { compactRevision: 100 }), answer('n3', 7)], members)[0]?.message).toContain('compacted differently');
    expect(checkReplicasIdentical([answer('n1', 7), { name: 'n2', error: 'deadline exceeded' }], members).map((violation) => violation.message)).toEqual([
      'replica n2 did not answer HashKV: deadline exceeded',
      'replica n3 was not read',
    ]);
  });
});
