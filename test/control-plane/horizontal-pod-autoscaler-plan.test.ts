import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  behaviorOf, emptyHistory, limitRate, planAutoscaler, podUsageOf, resourceReplicas, stabilize, withScaleEvent,
  type AutoscalerInput, type MetricSample, type PodFacts, type PodUsage,
} from '../../control-plane/controllers/index.ts';
import type { JsonObject } from '../../control-plane/api/json.ts';

const nowMs = 10_000_000;
/** A pod running (and ready) for an hour, requesting `requestMilli` of cpu. */
function pod(name: string, requestMilli: number | { missingIn: string } = 100, extra: Partial<PodFacts> = {}): PodFacts {
  return { name, phase: 'Running', beingDeleted: false, ready: { status: 'True', lastTransitionMs: nowMs - 3_500_000 }, startMs: nowMs - 3_600_000, requestMilli, ...extra };
}

function samples(values: Record<string, number>): Map<string, MetricSample> {
  return new Map(Object.entries(values).map(([name, valueMilli]) => [name, { valueMilli, timestampMs: nowMs - 1_000, windowMs: 15_000 }]));
}

const utilization = (averageUtilization: number) => ({ type: 'Utilization' as const, averageUtilization });

describe('HPA replica calculation (Kubernetes ReplicaCalculator)', () => {
  it('scales by the ratio of utilization to target, rounding up', () => {
    const proposal = resourceReplicas({ resource: 'cpu', target: utilization(50), currentReplicas: 2, pods: [pod('a'), pod('b')], metrics: samples({ a: 200, b: 100 }), nowMs, tolerance: 0.1 });
    // 300m of 200m requested = 150%; 150/50 = 3 → ceil(3 × 2 ready pods) = 6.
    expect(proposal).toEqual({ ok: true, replicas: 6, utilization: 150, averageMilli: 150 });
  });

  it('keeps the count while the ratio is within the 10% tolerance', () => {
    const inside = resourceReplicas({ resource: 'cpu', target: utilization(50), currentReplicas: 3, pods: [pod('a'), pod('b')], metrics: samples({ a: 54, b: 54 }), nowMs, tolerance: 0.1 });
    expect(inside).toMatchObject({ ok: true, replicas: 3, utilization: 54 });
    const outside = resourceReplicas({ resource: 'cpu', target: utilization(50), currentReplicas: 2, pods: [pod('a'), pod('b')], metrics: samples({ a: 56, b: 56 }), nowMs, tolerance: 0.1 });
    expect(outside).toMatchObject({ ok: true, replicas: 3, utilization: 56 });
  });

  it('on a scale-down, takes pods without metrics as using their whole request', () => {
    const pods = [pod('a'), pod('b'), pod('c')];
    // Without c: 10% → 1 replica; with c at 100%: (10 + 10 + 100) / 300 = 40% → ratio 0.8 → ceil(2.4) = 3: no scale-down.
    const proposal = resourceReplicas({ resource: 'cpu', target: utilization(50), currentReplicas: 3, pods, metrics: samples({ a: 10, b: 10 }), nowMs, tolerance: 0.1 });
    expect(proposal).toMatchObject({ ok: true, replicas: 3, utilization: 10 });
  });

  it('on a scale-up, takes not-ready pods as using nothing', () => {
    const pods = [pod('a'), pod('b'), pod('c', 100, { phase: 'Pending' }), pod('d', 100, { phase: 'Pending' })];
    // a and b at 100% of request, target 50%: ratio 2; with c and d at 0: 200/400 = 50% → ratio 1 → unchanged.
    expect(resourceReplicas({ resource: 'cpu', target: utilization(50), currentReplicas: 4, pods, metrics: samples({ a: 100, b: 100 }), nowMs, tolerance: 0.1 })).toMatchObject({ ok: true, replicas: 4 });
    const hotter = resourceReplicas({ resource: 'cpu', target: utilization(50), currentReplicas: 4, pods, metrics: samples({ a: 300, b: 300 }), nowMs, tolerance: 0.1 });
    // 600/400 = 150% → ratio 3 → ceil(3 × 4) = 12.
    expect(hotter).toMatchObject({ ok: true, replicas: 12, utilization: 300 });
  });

  it('ignores the cpu of a starting pod until a whole window was measured after it became ready', () => {
    const starting = pod('a', 100, { startMs: nowMs - 60_000, ready: { status: 'True', lastTransitionMs: nowMs - 5_000 } });
    const proposal = resourceReplicas({ resource: 'cpu', target: utilization(50), currentReplicas: 2, pods: [starting, pod('b')], metrics: samples({ a: 500, b: 50 }), nowMs, tolerance: 0.1 });
    // a's sample (window 15 s, ready 5 s ago) is not trusted: b alone is at 50% → unchanged.
    expect(proposal).toMatchObject({ ok: true, replicas: 2, utilization: 50 });
  });

  it('ignores deleted and failed pods and reports Kubernetes\' errors', () => {
    const gone = [pod('a', 100, { beingDeleted: true }), pod('b', 100, { phase: 'Failed' })];
    expect(resourceReplicas({ resource: 'cpu', target: utilization(50), currentReplicas: 2, pods: gone, metrics: samples({ a: 100, b: 100 }), nowMs, tolerance: 0.1 }))
      .toEqual({ ok: false, error: 'did not receive metrics for targeted pods (pods might be unready)' });
    expect(resourceReplicas({ resource: 'cpu', target: utilization(50), currentReplicas: 1, pods: [pod('a', { missingIn: 'main' })], metrics: samples({ a: 100 }), nowMs, tolerance: 0.1 }))
      .toEqual({ ok: false, error: 'missing request for cpu in container main of Pod a' });
    expect(resourceReplicas({ resource: 'cpu', target: utilization(50), currentReplicas: 1, pods: [pod('a')], metrics: new Map(), nowMs, tolerance: 0.1 }))
      .toEqual({ ok: false, error: 'unable to get metrics for resource cpu: no metrics returned from resource metrics API' });
  });

  it('scales AverageValue targets on the plain average per pod', () => {
    const proposal = resourceReplicas({ resource: 'cpu', target: { type: 'AverageValue', averageValueMilli: 100 }, currentReplicas: 2, pods: [pod('a'), pod('b')], metrics: samples({ a: 300, b: 300 }), nowMs, tolerance: 0.1 });
    expect(proposal).toEqual({ ok: true, replicas: 6, utilization: undefined, averageMilli: 300 });
  });
});

describe('HPA behavior: stabilization window and scaling policies', () => {
  const behavior = behaviorOf(undefined);

  it('holds a scale-down at the highest recommendation of the last 300 s', () => {
    const history = [{ replicas: 5, timestampMs: nowMs - 100_000 }, { replicas: 4, timestampMs: nowMs - 50_000 }];
    const held = stabilize(5, 2, behavior, history, nowMs);
    expect(held).toMatchObject({ replicas: 5, reason: 'ScaleDownStabilized' });
    expect(held.recommendations).toHaveLength(3);
    const shortWindow = behaviorOf({ scaleDown: { stabilizationWindowSeconds: 60 } });
    expect(stabilize(5, 2, shortWindow, history, nowMs).replicas).toBe(4);
    // Outside both windows, an old recommendation is replaced rather than kept.
    const replaced = stabilize(5, 2, shortWindow, [{ replicas: 9, timestampMs: nowMs - 500_000 }], nowMs);
    expect(replaced.recommendations).toEqual([{ replicas: 2, timestampMs: nowMs }]);
    expect(replaced.replicas).toBe(2);
  });

  it('scales up at once (window 0) but at most 4 pods or 100% per 15 s', () => {
    expect(stabilize(2, 10, behavior, [{ replicas: 2, timestampMs: nowMs - 1_000 }], nowMs).replicas).toBe(10);
    const input = { current: 2, desired: 10, minReplicas: 1, maxReplicas: 20, behavior, upEvents: [], downEvents: [], nowMs };
    expect(limitRate(input)).toMatchObject({ replicas: 6, reason: 'ScaleUpLimit' });
    expect(limitRate({ ...input, current: 10, desired: 30 })).toMatchObject({ replicas: 20, reason: 'TooManyReplicas' });
    // A scale-up of 4 a few seconds ago counts against the period: it started from 6, so 6 + 4 = 10 at most.
    const upEvents = withScaleEvent([], 4, behavior.scaleUp, nowMs - 5_000);
    expect(limitRate({ ...input, current: 10, desired: 30, upEvents })).toMatchObject({ replicas: 12, reason: 'ScaleUpLimit' });
    expect(limitRate({ ...input, current: 5, desired: 0 })).toMatchObject({ replicas: 1, reason: 'TooFewReplicas' });
    expect(limitRate({ ...input, current: 5, desired: 4 })).toMatchObject({ replicas: 4, reason: 'DesiredWithinRange' });
  });

  it('honours Disabled and Min select policies', () => {
    const disabled = behaviorOf({ scaleDown: { selectPolicy: 'Disabled' } });
    expect(limitRate({ current: 5, desired: 1, minReplicas: 1, maxReplicas: 10, behavior: disabled, upEvents: [], downEvents: [], nowMs }).replicas).toBe(5);
    const gentle = behaviorOf({ scaleDown: { selectPolicy: 'Min', policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }, { type: 'Percent', value: 50, periodSeconds: 60 }] } });
    expect(limitRate({ current: 10, desired: 1, minReplicas: 1, maxReplicas: 10, behavior: gentle, upEvents: [], downEvents: [], nowMs }).replicas).toBe(9);
  });
});

function decisionInput(overrides: Partial<AutoscalerInput> & { cpu?: Record<string, number> } = {}): AutoscalerInput {
  const cpu = overrides.cpu ?? { a: 100, b: 100 };
  const usage = new Map<string, PodUsage>(Object.entries(cpu).map(([name, milli]) => [name, { timestampMs: nowMs - 1_000, windowMs: 15_000, usageMilli: { cpu: milli, memory: 0 } }]));
  const pods = Object.keys(cpu).map((name) => ({ ...pod(name), requestsMilli: { cpu: 100, memory: 1000 } }));
  return {
    spec: { minReplicas: 1, maxReplicas: 10, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }] },
    specReplicas: 2, statusReplicas: 2, pods, usage, history: emptyHistory, nowMs, tolerance: 0.1, ...overrides,
  };
}

describe('HPA decision', () => {
  it('scales up with the reason and conditions Kubernetes writes', () => {
    const decision = planAutoscaler(decisionInput());
    expect(decision).toMatchObject({ desiredReplicas: 4, rescale: true, rescaleReason: 'cpu resource utilization (percentage of request) above target' });
    expect(decision.currentMetrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 100, averageValue: '100m' } } }]);
    expect(decision.conditions.map((condition) => [condition.type, condition.status, condition.reason])).toEqual([
      ['AbleToScale', 'True', 'ReadyForNewScale'], ['ScalingActive', 'True', 'ValidMetricFound'], ['ScalingLimited', 'False', 'DesiredWithinRange'],
    ]);
  });

  it('waits out the default 300 s window before scaling down, then scales down', () => {
    const first = planAutoscaler(decisionInput({ specReplicas: 4, cpu: { a: 10, b: 10, c: 10, d: 10 } }));
    // The first decision seeds the window with the current count: no immediate scale-down.
    expect(first).toMatchObject({ desiredReplicas: 4, rescale: false });
    expect(first.conditions[0]).toMatchObject({ type: 'AbleToScale', reason: 'ScaleDownStabilized' });
    const later = planAutoscaler(decisionInput({ specReplicas: 4, cpu: { a: 10, b: 10, c: 10, d: 10 }, history: first.history, nowMs: nowMs + 301_000 }));
    expect(later).toMatchObject({ desiredReplicas: 1, rescale: true, rescaleReason: 'All metrics below target' });
  });

  it('reports unusable metrics as ScalingActive=False and does not scale', () => {
    const decision = planAutoscaler(decisionInput({ usage: new Map() }));
    expect(decision).toMatchObject({ desiredReplicas: 2, rescale: false });
    expect(decision.conditions[0]).toMatchObject({ type: 'ScalingActive', status: 'False', reason: 'FailedGetResourceMetric' });
    expect(decision.events.map((event) => event.reason)).toEqual(['FailedGetResourceMetric', 'FailedComputeMetricsReplicas']);
    const external = planAutoscaler(decisionInput({ spec: { minReplicas: 1, maxReplicas: 5, metrics: [{ type: 'External', external: {} }] } }));
    expect(external.conditions[0]).toMatchObject({ type: 'ScalingActive', status: 'False', reason: 'FailedGetExternalMetric' });
  });

  it('brings a count outside [min, max] back inside, and leaves a target scaled to zero alone', () => {
    expect(planAutoscaler(decisionInput({ specReplicas: 15 }))).toMatchObject({ desiredReplicas: 10, rescale: true, rescaleReason: 'Current number of replicas above Spec.MaxReplicas' });
    expect(planAutoscaler(decisionInput({ spec: { minReplicas: 3, maxReplicas: 10, metrics: [] } }))).toMatchObject({ desiredReplicas: 3, rescale: true });
    const disabled = planAutoscaler(decisionInput({ specReplicas: 0 }));
    expect(disabled).toMatchObject({ desiredReplicas: 0, rescale: false });
    expect(disabled.conditions[0]).toMatchObject({ type: 'ScalingActive', status: 'False', reason: 'ScalingDisabled' });
  });

  it('always wants a count within [minReplicas, maxReplicas] for a running target (property)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 30 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 200 }),
      fc.array(fc.integer({ min: 0, max: 5_000 }), { minLength: 0, maxLength: 12 }),
      fc.array(fc.record({ replicas: fc.integer({ min: 0, max: 60 }), ageMs: fc.integer({ min: 0, max: 600_000 }) }), { maxLength: 10 }),
      (minReplicas, extra, current, target, usages, recommendations) => {
        const maxReplicas = minReplicas + extra;
        const cpu = Object.fromEntries(usages.map((milli, index) => [`p${index}`, milli]));
        const input = decisionInput({
          cpu, specReplicas: current, statusReplicas: current,
          spec: { minReplicas, maxReplicas, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: target } } }] },
          history: { ...emptyHistory, recommendations: recommendations.map((item) => ({ replicas: item.replicas, timestampMs: nowMs - item.ageMs })) },
        });
        const decision = planAutoscaler(input);
        expect(decision.desiredReplicas).toBeGreaterThanOrEqual(minReplicas);
        expect(decision.desiredReplicas).toBeLessThanOrEqual(maxReplicas);
        expect(decision.rescale).toBe(decision.desiredReplicas !== current);
      },
    ));
  });
});

describe('PodMetrics as the autoscaler reads them', () => {
  it('sums containers, parses the window, and ignores stale or empty objects', () => {
    const metrics: JsonObject = {
      metadata: { name: 'a', namespace: 'default' }, timestamp: new Date(nowMs - 5_000).toISOString(), window: '15.5s',
      containers: [{ name: 'main', usage: { cpu: '250m', memory: '64Mi' } }, { name: 'side', usage: { cpu: '50000000n', memory: '1Mi' } }],
    };
    expect(podUsageOf(metrics, nowMs)).toEqual({ timestampMs: nowMs - 5_000, windowMs: 15_500, usageMilli: { cpu: 300, memory: 65 * 1024 * 1024 * 1000 } });
    expect(podUsageOf(metrics, nowMs + 600_000)).toBeUndefined();
    expect(podUsageOf({ ...metrics, containers: [] }, nowMs)).toBeUndefined();
  });
});
