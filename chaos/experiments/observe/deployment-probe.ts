import type { KubernetesReader } from './kubernetes-reader.ts';
import type { ProbeAttemptFunction } from './probe-loop.ts';

/** "deployment web has 3 ready replicas", read through the Kubernetes API. */
export function deploymentProbe(reader: KubernetesReader, namespace: string, deployment: string, readyReplicas: number): ProbeAttemptFunction {
  const path = `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/deployments/${encodeURIComponent(deployment)}`;
  return async (signal) => {
    const body = await reader.getJson(path, signal);
    const ready = readyReplicasOf(body);
    if (ready < readyReplicas) throw new Error(`${ready} of ${readyReplicas} replicas ready`);
  };
}

function readyReplicasOf(body: unknown): number {
  if (typeof body !== 'object' || body === null) return 0;
  const status = (body as { status?: unknown }).status;
  if (typeof status !== 'object' || status === null) return 0;
  const ready = (status as { readyReplicas?: unknown }).readyReplicas;
  return typeof ready === 'number' ? ready : 0;
}
