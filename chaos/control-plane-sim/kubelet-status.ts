import { findCondition, withCondition, type JsonObject } from '../../control-plane/index.ts';
import { recordAt, recordsAt } from './object-fields.ts';

/** What a simulated kubelet writes into statuses (pure builders). */

export interface RunningFacts {
  readonly podIp: string;
  readonly hostIp: string;
  readonly nowIso: string;
}

function containersOf(pod: JsonObject): JsonObject[] {
  return recordsAt(pod, ['spec', 'containers']);
}

/** Kubernetes' view of a started pod: Running, every container started and ready, an IP. */
export function runningPodStatus(pod: JsonObject, facts: RunningFacts): JsonObject {
  const previous = recordAt(pod, ['status']) ?? {};
  let conditions = withCondition(previous['conditions'], { type: 'Initialized', status: 'True', reason: '', message: '' }, facts.nowIso);
  conditions = withCondition(conditions, { type: 'ContainersReady', status: 'True', reason: '', message: '' }, facts.nowIso);
  conditions = withCondition(conditions, { type: 'Ready', status: 'True', reason: '', message: '' }, facts.nowIso);
  const containerStatuses = containersOf(pod).map((container) => ({
    name: container['name'] ?? 'main', image: container['image'] ?? '', imageID: '', ready: true, restartCount: 0, started: true,
    state: { running: { startedAt: facts.nowIso } },
  }));
  return { ...previous, phase: 'Running', podIP: facts.podIp, podIPs: [{ ip: facts.podIp }], hostIP: facts.hostIp, startTime: facts.nowIso, conditions, containerStatuses };
}

/** What a kubelet reports when a pod's containers exit: Succeeded (exit 0) or Failed, not ready, terminated states. */
export function finishedPodStatus(pod: JsonObject, exitCode: number, nowIso: string): JsonObject {
  const previous = recordAt(pod, ['status']) ?? {};
  let conditions = withCondition(previous['conditions'], { type: 'Ready', status: 'False', reason: 'PodCompleted', message: '' }, nowIso);
  conditions = withCondition(conditions, { type: 'ContainersReady', status: 'False', reason: 'PodCompleted', message: '' }, nowIso);
  const containerStatuses = containersOf(pod).map((container) => ({
    name: container['name'] ?? 'main', image: container['image'] ?? '', imageID: '', ready: false, restartCount: 0, started: false,
    state: { terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt: nowIso, finishedAt: nowIso } },
  }));
  return { ...previous, phase: exitCode === 0 ? 'Succeeded' : 'Failed', conditions, containerStatuses };
}

/** Whether the API already shows what `runningPodStatus` would write (so the kubelet need not write again). */
export function reportsRunning(pod: JsonObject, podIp: string): boolean {
  const status = recordAt(pod, ['status']) ?? {};
  return status['phase'] === 'Running' && status['podIP'] === podIp && findCondition(status['conditions'], 'Ready')?.['status'] === 'True';
}

/** A node's status as its kubelet posts it: Ready=True with a fresh heartbeat. */
export function readyNodeStatus(node: JsonObject, nowIso: string): JsonObject {
  const previous = recordAt(node, ['status']) ?? {};
  const conditions = withCondition(previous['conditions'], { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }, nowIso, ['lastHeartbeatTime']);
  return { ...previous, conditions };
}

/** The first container's image: what the checks compare with a workload's template. */
export function imageOf(pod: JsonObject): string {
  const image = containersOf(pod)[0]?.['image'];
  return typeof image === 'string' ? image : '';
}
