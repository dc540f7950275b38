import { asNumber, asObject, asString, getPath, isJsonObject, type JsonObject } from '../../control-plane/api/json.ts';
import type { ConfigKind } from '../../control-plane/nats/protocol/index.ts';
import type { Pod, PodStatus } from '../pod-types.ts';

/** Readers of pods as the API sends them (JSON objects), for the agent's typed world. All pure. */

/** The agent's typed view of an API pod; undefined when it lacks what a pod must have. */
export function toAgentPod(object: JsonObject): Pod | undefined {
  const metadata = asObject(object['metadata']);
  const spec = asObject(object['spec']);
  if (metadata === undefined || spec === undefined) return undefined;
  if (typeof metadata['name'] !== 'string' || typeof metadata['uid'] !== 'string' || !Array.isArray(spec['containers'])) return undefined;
  // The API validated the pod; the agent's types are a subset of its fields.
  return object as unknown as Pod;
}

export function uidOfPod(object: JsonObject): string {
  return asString(getPath(object, ['metadata', 'uid'])) ?? '';
}

export function describePod(object: JsonObject): string {
  return `${asString(getPath(object, ['metadata', 'namespace'])) ?? ''}/${asString(getPath(object, ['metadata', 'name'])) ?? ''}`;
}

export function resourceVersionNumber(object: JsonObject): number {
  return Number(asString(getPath(object, ['metadata', 'resourceVersion'])) ?? '0') || 0;
}

export function isTerminating(object: JsonObject): boolean {
  return getPath(object, ['metadata', 'deletionTimestamp']) !== undefined;
}

/** The grace period a deletion asked for (deletionGracePeriodSeconds), else the pod's own. */
export function deletionGraceSeconds(object: JsonObject): number | undefined {
  return asNumber(getPath(object, ['metadata', 'deletionGracePeriodSeconds'])) ?? asNumber(getPath(object, ['spec', 'terminationGracePeriodSeconds']));
}

export function apiPhase(object: JsonObject): string {
  return asString(getPath(object, ['status', 'phase'])) ?? '';
}

export function isTerminalPhase(phase: string): boolean {
  return phase === 'Succeeded' || phase === 'Failed';
}

/** A status as plain JSON (no undefined fields), for the wire. */
export function statusToJson(status: PodStatus): JsonObject {
  const json: unknown = JSON.parse(JSON.stringify(status));
  return isJsonObject(json) ? json : {};
}

export interface ConfigReference {
  readonly kind: ConfigKind;
  readonly namespace: string;
  readonly name: string;
}

export function configReferenceKey(reference: ConfigReference): string {
  return `${reference.kind}/${reference.namespace}/${reference.name}`;
}

/** Every ConfigMap and Secret the pod reads: env valueFrom, envFrom, and volumes. */
export function configReferences(pod: Pod): ConfigReference[] {
  const namespace = pod.metadata.namespace ?? 'default';
  const found = new Map<string, ConfigReference>();
  const add = (kind: ConfigKind, name: string | undefined): void => {
    if (name === undefined || name === '') return;
    const reference = { kind, namespace, name };
    found.set(configReferenceKey(reference), reference);
  };
  for (const container of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
    for (const source of container.envFrom ?? []) {
      add('ConfigMap', source.configMapRef?.name);
      add('Secret', source.secretRef?.name);
    }
    for (const variable of container.env ?? []) {
      add('ConfigMap', variable.valueFrom?.configMapKeyRef?.name);
      add('Secret', variable.valueFrom?.secretKeyRef?.name);
    }
  }
  for (const volume of pod.spec.volumes ?? []) {
    add('ConfigMap', volume.configMap?.name);
    add('Secret', volume.secret?.secretName);
  }
  return [...found.values()];
}
