import { unreachable } from '../../common/index.ts';
import type { JsonObject } from '../../control-plane/index.ts';
import type { SimulatedCluster } from './cluster.ts';
import { recordAt, recordsAt } from './object-fields.ts';
import { describeAction, type SimAction } from './scenario.ts';
import { Kinds } from './kinds.ts';
import {
  daemonSet, daemonSetName, deployment, deploymentNames, imageFor, job, jobNames, service, serviceNames, serviceTargets, statefulSet, statefulSetNames, workloadNamespace,
} from './workloads.ts';

/** Nodes kept alive whatever the schedule says: a kill of the last one is skipped. */
export const liveNodesMin = 1;

function nameAt(names: readonly string[], slot: number): string {
  return names[slot % names.length] ?? names[0] ?? '';
}

/**
 * Starts one action. Operator commands run asynchronously (tracked) while virtual time goes on;
 * faults take effect at once.
 */
export function performAction(cluster: SimulatedCluster, action: SimAction): void {
  cluster.trace.add(`action: ${describeAction(action)}`);
  if (performFault(cluster, action)) return;
  cluster.work.track(`action ${describeAction(action)}`, performOperatorCommand(cluster, action));
}

function performFault(cluster: SimulatedCluster, action: SimAction): boolean {
  switch (action.kind) {
    case 'kill-node': {
      const node = cluster.nodes[action.node % cluster.nodes.length];
      if (node === undefined || !node.isAlive) return true;
      if (cluster.liveNodeNames().size <= liveNodesMin) cluster.trace.add(`skipped: ${node.name} is among the last ${liveNodesMin} live nodes`);
      else node.kill();
      return true;
    }
    case 'revive-node':
      cluster.nodes[action.node % cluster.nodes.length]?.revive();
      return true;
    case 'change-leader':
      cluster.leadership.changeLeader(action.gapMs);
      return true;
    case 'overlap-leaders':
      cluster.leadership.overlap(action.overlapMs, action.lateWriteMs);
      return true;
    case 'store-fault':
      cluster.faults.open({ mode: action.mode, percent: action.percent, latencyMs: action.latencyMs, untilElapsedMs: cluster.time.elapsedMs() + action.durationMs });
      return true;
    case 'cut-watches':
      cluster.trace.add(`store: ${cluster.faultyStore.cutWatches()} watch streams cut`);
      return true;
    case 'compact-store':
      cluster.work.track('compaction', compactNow(cluster));
      return true;
    default:
      return false;
  }
}

async function compactNow(cluster: SimulatedCluster): Promise<void> {
  const revision = cluster.memory.store.revision;
  // Nothing was written since the last compaction: the store refuses a compaction at a compacted revision.
  if (revision <= cluster.memory.store.compactRevision) return cluster.trace.add(`store: already compacted at revision ${revision}`);
  await cluster.memory.objects.compact(revision);
  cluster.trace.add(`store: compacted at revision ${revision}`);
}

async function performOperatorCommand(cluster: SimulatedCluster, action: SimAction): Promise<void> {
  const { operator } = cluster;
  const namespace = workloadNamespace;
  switch (action.kind) {
    case 'apply-deployment': {
      const name = nameAt(deploymentNames, action.slot);
      return operator.apply(Kinds.deployment, deployment(name, action.replicas, imageFor(name, action.image)));
    }
    case 'scale-deployment':
      return operator.change(Kinds.deployment, namespace, nameAt(deploymentNames, action.slot), 'scale', (spec) => ({ ...spec, replicas: action.replicas }));
    case 'roll-deployment': {
      const name = nameAt(deploymentNames, action.slot);
      return operator.change(Kinds.deployment, namespace, name, 'set image', (spec) => withImage(spec, imageFor(name, action.image)));
    }
    case 'delete-deployment':
      return operator.delete(Kinds.deployment, namespace, nameAt(deploymentNames, action.slot), action.propagation);
    case 'apply-stateful-set': {
      const name = nameAt(statefulSetNames, action.slot);
      return operator.apply(Kinds.statefulSet, statefulSet(name, action.replicas, imageFor(name, action.image)));
    }
    case 'scale-stateful-set':
      return operator.change(Kinds.statefulSet, namespace, nameAt(statefulSetNames, action.slot), 'scale', (spec) => ({ ...spec, replicas: action.replicas }));
    case 'delete-stateful-set':
      return operator.delete(Kinds.statefulSet, namespace, nameAt(statefulSetNames, action.slot), 'Background');
    case 'apply-daemon-set':
      return operator.apply(Kinds.daemonSet, daemonSet(daemonSetName, imageFor(daemonSetName, action.image)));
    case 'delete-daemon-set':
      return operator.delete(Kinds.daemonSet, namespace, daemonSetName, 'Background');
    case 'apply-service':
      return operator.apply(Kinds.service, service(nameAt(serviceNames, action.slot), nameAt(serviceTargets, action.target)));
    case 'delete-service':
      return operator.delete(Kinds.service, namespace, nameAt(serviceNames, action.slot), 'Background');
    case 'run-job': {
      // A Job's template cannot change: an existing one is left to finish.
      const name = nameAt(jobNames, action.slot);
      return operator.createIfAbsent(Kinds.job, job(name, action.completions, action.parallelism, imageFor(name, 0)));
    }
    case 'delete-job':
      return operator.delete(Kinds.job, namespace, nameAt(jobNames, action.slot), 'Background');
    case 'kill-node': case 'revive-node': case 'change-leader': case 'overlap-leaders': case 'store-fault': case 'cut-watches': case 'compact-store':
      return;
    default:
      return unreachable(action);
  }
}

/** The spec with the pod template's first container running `image` (`kubectl set image`). */
function withImage(spec: JsonObject, image: string): JsonObject {
  const template = recordAt(spec, ['template']) ?? {};
  const podSpec = recordAt(template, ['spec']) ?? {};
  const containers = recordsAt(podSpec, ['containers']).map((container, index) => (index === 0 ? { ...container, image } : container));
  return { ...spec, template: { ...template, spec: { ...podSpec, containers } } };
}
