import { isBeingDeleted, isPodActive, isPodReady, labelsOfObject, nameOf, namespaceOf, nodeNameOf, podPhase, uidOf, type JsonObject } from '../../../control-plane/index.ts';
import { recordsAt, stringAt, valueAt } from '../../control-plane-sim/object-fields.ts';
import { colorVariable, containerPort, containerName } from '../manifests.ts';
import type { ContainerProcess, ObservedCluster } from './observed-cluster.ts';

/** Small pure readers the checks share. */

export function describePod(pod: JsonObject): string {
  return `pod ${namespaceOf(pod)}/${nameOf(pod)} (uid ${uidOf(pod)})`;
}

/** The run namespace's pods that carry `app=<name>`: what a Deployment and its Service select. */
export function podsLabelled(state: ObservedCluster, name: string): JsonObject[] {
  return state.pods.filter((pod) => namespaceOf(pod) === state.namespace && labelsOfObject(pod)['app'] === name);
}

export function activePodsLabelled(state: ObservedCluster, name: string): JsonObject[] {
  return podsLabelled(state, name).filter(isPodActive);
}

/** The template fields a rollout changes, as a pod (or a Deployment's template) carries them. */
export interface TemplateFields {
  readonly image: string;
  readonly color: string;
  readonly args: string;
}

export function templateFieldsOfPodSpec(spec: JsonObject | undefined): TemplateFields {
  const container = spec === undefined ? undefined : recordsAt(spec, ['containers']).find((candidate) => stringAt(candidate, ['name']) === containerName);
  if (container === undefined) return { image: '', color: '', args: '' };
  const color = recordsAt(container, ['env']).find((variable) => stringAt(variable, ['name']) === colorVariable);
  const args = valueAt(container, ['args']);
  return { image: stringAt(container, ['image']), color: color === undefined ? '' : stringAt(color, ['value']), args: JSON.stringify(Array.isArray(args) ? args : []) };
}

export function podSpecOf(object: JsonObject, path: readonly string[]): JsonObject | undefined {
  const spec = valueAt(object, path);
  return typeof spec === 'object' && spec !== null && !Array.isArray(spec) ? spec : undefined;
}

export function processesOfPod(state: ObservedCluster, pod: JsonObject): ContainerProcess[] {
  return state.processes.filter((process) => process.podUid === uidOf(pod));
}

/** Why a pod that should serve its Deployment does not (empty: it does). */
export function servingProblems(state: ObservedCluster, pod: JsonObject): string[] {
  const problems: string[] = [];
  const node = nodeNameOf(pod);
  if (podPhase(pod) !== 'Running') problems.push(`is ${podPhase(pod) || 'without a phase'}`);
  if (!isPodReady(pod)) problems.push('is not Ready');
  if (node === '') problems.push('is not scheduled');
  else if (!state.liveNodes.has(node)) problems.push(`is on ${node}, whose agent is not running`);
  else if (!processesOfPod(state, pod).some((process) => process.node === node)) problems.push(`runs no process on ${node}`);
  return problems;
}

/** The pods a Service must list as ready endpoints, each as `uid:hostPort`. */
export function readyEndpointKeys(pods: readonly JsonObject[]): string[] {
  return pods
    .filter((pod) => isPodActive(pod) && isPodReady(pod) && !isBeingDeleted(pod) && stringAt(pod, ['status', 'podIP']) !== '')
    .map((pod) => `${uidOf(pod)}:${hostPortOfPod(pod)}`)
    .sort();
}

/** The host port the agent gave the container port (the process runtime's `flotilla.io/host-ports`). */
export function hostPortOfPod(pod: JsonObject): number {
  const raw = stringAt(pod, ['metadata', 'annotations', 'flotilla.io/host-ports']);
  try {
    const ports = JSON.parse(raw || '{}') as Record<string, unknown>;
    const port = ports[String(containerPort)];
    return typeof port === 'number' ? port : containerPort;
  } catch {
    return containerPort;
  }
}
