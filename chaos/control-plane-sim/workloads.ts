import type { JsonObject } from '../../control-plane/index.ts';

/** The objects a simulated operator applies (pure builders). Every workload runs in `default`. */

export const workloadNamespace = 'default';
/** Workload names by slot: fixed, so that a shrunk action list still names the same objects. */
export const deploymentNames = ['web', 'api'] as const;
export const statefulSetNames = ['db', 'queue'] as const;
export const daemonSetName = 'log-agent';
export const serviceNames = ['front', 'back'] as const;
export const jobNames = ['batch', 'report'] as const;
/** What a Service may select: any workload's `app` label. */
export const serviceTargets = [...deploymentNames, ...statefulSetNames, daemonSetName] as const;
export const imageTags = ['v1', 'v2', 'v3', 'v4'] as const;

export function imageFor(workload: string, tag: number): string {
  return `registry.local/${workload}:${imageTags[tag % imageTags.length] ?? 'v1'}`;
}

function podTemplate(app: string, image: string): JsonObject {
  return {
    metadata: { labels: { app } },
    spec: { containers: [{ name: 'main', image, ports: [{ name: 'http', containerPort: 8080 }] }] },
  };
}

export function deployment(name: string, replicas: number, image: string): JsonObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name, namespace: workloadNamespace, labels: { app: name } },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: podTemplate(name, image) },
  };
}

export function statefulSet(name: string, replicas: number, image: string): JsonObject {
  return {
    apiVersion: 'apps/v1', kind: 'StatefulSet',
    metadata: { name, namespace: workloadNamespace, labels: { app: name } },
    spec: { replicas, serviceName: name, selector: { matchLabels: { app: name } }, template: podTemplate(name, image) },
  };
}

export function daemonSet(name: string, image: string): JsonObject {
  return {
    apiVersion: 'apps/v1', kind: 'DaemonSet',
    metadata: { name, namespace: workloadNamespace, labels: { app: name } },
    spec: { selector: { matchLabels: { app: name } }, template: podTemplate(name, image) },
  };
}

export function service(name: string, targetApp: string): JsonObject {
  return {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name, namespace: workloadNamespace },
    spec: { selector: { app: targetApp }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
  };
}

/** A Job whose pods succeed or fail by the kubelet's seeded rule; backoffLimit 1 keeps its end within the quiescence period. */
export function job(name: string, completions: number, parallelism: number, image: string): JsonObject {
  return {
    apiVersion: 'batch/v1', kind: 'Job',
    metadata: { name, namespace: workloadNamespace, labels: { app: name } },
    spec: {
      completions, parallelism, backoffLimit: 1,
      template: { metadata: { labels: { app: name } }, spec: { restartPolicy: 'Never', containers: [{ name: 'main', image }] } },
    },
  };
}
