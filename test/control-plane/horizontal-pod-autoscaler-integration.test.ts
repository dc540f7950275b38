import { afterEach, describe, expect, it } from 'vitest';
import { createPrng, realTimers, type Env } from '../../common/index.ts';
import type { JsonObject } from '../../control-plane/api/json.ts';
import { deploymentResource } from '../../control-plane/api/registry/kinds/deployment.ts';
import { eventResource } from '../../control-plane/api/registry/kinds/event.ts';
import { horizontalPodAutoscalerResource } from '../../control-plane/api/registry/kinds/horizontal-pod-autoscaler.ts';
import { podMetricsResource } from '../../control-plane/api/registry/kinds/pod-metrics.ts';
import { podResource } from '../../control-plane/api/registry/kinds/pod.ts';
import { conditionStatus, isApiStatus, isBeingDeleted, isoSeconds, isPodReady, labelsOfObject, nameOf, uidOf } from '../../control-plane/controller-runtime/index.ts';
import { ControlPlaneHarness, eventually } from './controllers-harness.ts';

/** Cluster time runs this many times faster than real time (timers too): the HPA's 15 s period passes in 1.5 s. */
const speed = 10;

function acceleratedEnv(): Env {
  const realStartMs = Date.now();
  return {
    clock: { nowMs: () => realStartMs + (Date.now() - realStartMs) * speed },
    timers: {
      setTimeout: (callback, delayMs) => realTimers.setTimeout(callback, delayMs / speed),
      setInterval: (callback, periodMs) => realTimers.setInterval(callback, periodMs / speed),
    },
    prng: createPrng(11),
  };
}

let harness: ControlPlaneHarness | undefined;
let stopAgentMetrics: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stopAgentMetrics?.();
  stopAgentMetrics = undefined;
  await harness?.stop();
  harness = undefined;
});

/**
 * What node agents do for the autoscaler: report each running pod's start time and write its
 * PodMetrics (owned by the pod, so they go with it). The app serves a fixed total load, shared by
 * its ready pods: `totalMilliCpu()` divided among them.
 */
function reportMetrics(h: ControlPlaneHarness, app: string, totalMilliCpu: () => number): () => Promise<void> {
  let running = true;
  const loop = (async () => {
    while (running) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      try {
        await reportOnce(h, app, totalMilliCpu());
      } catch (error) {
        // A lost race (409) with a controller or the fake kubelet: the next pass writes again.
        if (!isApiStatus(error, 409) && !isApiStatus(error, 404)) throw error;
      }
    }
  })();
  return async () => {
    running = false;
    await loop;
  };
}

async function reportOnce(h: ControlPlaneHarness, app: string, totalMilliCpu: number): Promise<void> {
  const nowMs = h.env.clock.nowMs();
  const pods = (await h.client.list(podResource, 'default')).items.filter((pod) => labelsOfObject(pod)['app'] === app && isPodReady(pod) && !isBeingDeleted(pod));
  const cpu = `${Math.round(totalMilliCpu / Math.max(1, pods.length))}m`;
  for (const pod of pods) {
    const status = (pod['status'] ?? {}) as JsonObject;
    // Long enough ago that the HPA's cpu start-up rules do not apply.
    if (status['startTime'] === undefined) await h.client.updateStatus(podResource, { ...pod, status: { ...status, startTime: isoSeconds(nowMs - 600_000) } });
    const metrics: JsonObject = {
      metadata: { name: nameOf(pod), namespace: 'default', labels: labelsOfObject(pod), ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: nameOf(pod), uid: uidOf(pod) }] },
      timestamp: new Date(nowMs).toISOString(), window: '15s',
      containers: [{ name: 'main', usage: { cpu, memory: '20Mi' } }],
    };
    const existing = await h.client.get(podMetricsResource, 'default', nameOf(pod));
    if (existing === null) await h.client.create(podMetricsResource, metrics);
    else await h.client.update(podMetricsResource, { ...metrics, metadata: { ...(metrics['metadata'] as JsonObject), resourceVersion: (existing['metadata'] as JsonObject)['resourceVersion'] ?? '' } });
  }
}

function deployment(name: string): JsonObject {
  return {
    metadata: { name, namespace: 'default' },
    spec: {
      replicas: 1, selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image: 'nginx:1', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] } },
    },
  };
}

async function specReplicas(h: ControlPlaneHarness, name: string): Promise<number> {
  const current = await h.client.get(deploymentResource, 'default', name);
  return Number((current?.['spec'] as JsonObject | undefined)?.['replicas'] ?? -1);
}

async function rescaleMessages(h: ControlPlaneHarness): Promise<string[]> {
  const { items } = await h.client.list(eventResource, 'default');
  return items.filter((event) => event['reason'] === 'SuccessfulRescale').map((event) => String(event['message']));
}

describe('HorizontalPodAutoscaler against the real object layer', () => {
  it('scales a Deployment up when its pods run hot, and back down once the stabilization window has passed', async () => {
    // Generous node timings in cluster time: the fake kubelets renew every 100 ms of real time (1 s here).
    const h = (harness = await ControlPlaneHarness.start({ env: acceleratedEnv(), nodeTimings: { nodeMonitorPeriodMs: 1_000, nodeMonitorGracePeriodMs: 60_000, defaultTolerationSeconds: 300 } }));
    await h.addNode({ name: 'node-1' });
    await h.addNode({ name: 'node-2' });
    await h.client.create(deploymentResource, deployment('web'));
    let load = 200;
    stopAgentMetrics = reportMetrics(h, 'web', () => load);
    await eventually(async () => (await h.client.list(podMetricsResource, 'default')).items.length === 1 || undefined);
    await h.client.create(horizontalPodAutoscalerResource, {
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 5,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
        behavior: { scaleDown: { stabilizationWindowSeconds: 60 } },
      },
    });
    // 200m of a 100m request = 200% against 50%: ceil(4 × 1) = 4 replicas; at 4 the pods are at 50%, on target.
    await eventually(async () => (await specReplicas(h, 'web')) === 4 || undefined, 20_000, async () => `replicas ${await specReplicas(h, 'web')}`);
    // Events are written asynchronously.
    await eventually(async () => (await rescaleMessages(h)).includes('New size: 4; reason: cpu resource utilization (percentage of request) above target') || undefined);
    const status = await eventually(async () => {
      const current = await h.client.get(horizontalPodAutoscalerResource, 'default', 'web');
      const value = (current?.['status'] ?? {}) as JsonObject;
      return value['desiredReplicas'] === 4 && value['lastScaleTime'] !== undefined ? value : undefined;
    });
    expect(conditionStatus(status['conditions'], 'AbleToScale')).toBe('True');
    expect(conditionStatus(status['conditions'], 'ScalingActive')).toBe('True');

    // The load drops to 20m in all. The scale-down waits for the 60 s window (6 s here), then goes to ceil(20 / 50) = 1.
    const quietSinceMs = h.env.clock.nowMs();
    load = 20;
    await eventually(async () => (await specReplicas(h, 'web')) === 1 || undefined, 30_000, async () => `replicas ${await specReplicas(h, 'web')}`);
    // The last high recommendation came at most one 15 s period before the load dropped.
    expect(h.env.clock.nowMs() - quietSinceMs).toBeGreaterThanOrEqual(45_000);
    // Events are written asynchronously.
    await eventually(async () => (await rescaleMessages(h)).includes('New size: 1; reason: All metrics below target') || undefined);
    await eventually(async () => (await h.client.list(podResource, 'default')).items.filter((pod) => !isBeingDeleted(pod)).length === 1 || undefined);
  });
});
