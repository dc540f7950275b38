import { projectPath } from '../../common/index.ts';
import type { JsonObject } from '../../control-plane/index.ts';
import { templateOf, workloadName, type TemplateChoice } from './plan.ts';

/**
 * The program every replica runs: the HTTP server the agent tests use (GET /healthz answers 200).
 * The process runtime runs `command` on the host, so the "image" is only a label a rollout changes.
 */
export const workloadProgram = projectPath('test/fixtures/http-server.mjs');

export const containerName = 'web';
export const containerPortName = 'http';
export const containerPort = 8080;
export const colorVariable = 'COLOR';

/** The container's args for a flavour: changing it is a rolling update through `args`. */
export function flavourArgs(flavour: string): string[] {
  return [`--flavour=${flavour}`];
}

/** The Deployment `kubectl apply` sends for a slot (JSON, which kubectl reads as well as YAML). */
export function deploymentManifest(namespace: string, slot: number, replicas: number, choice: TemplateChoice): JsonObject {
  const name = workloadName(slot);
  const template = templateOf(choice);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          // Short, so deletions and rollouts finish within the run's deadline.
          terminationGracePeriodSeconds: 1,
          containers: [{
            name: containerName,
            image: template.image,
            command: [process.execPath, workloadProgram],
            args: flavourArgs(template.flavour),
            env: [{ name: colorVariable, value: template.color }],
            ports: [{ name: containerPortName, containerPort }],
            readinessProbe: { httpGet: { path: '/healthz', port: containerPortName }, periodSeconds: 1 },
          }],
        },
      },
    },
  };
}

export function serviceManifest(namespace: string, slot: number): JsonObject {
  const name = workloadName(slot);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace },
    spec: { selector: { app: name }, ports: [{ name: containerPortName, port: 80, targetPort: containerPortName }] },
  };
}
