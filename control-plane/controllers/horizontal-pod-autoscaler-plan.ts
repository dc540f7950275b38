import { asNumber, asObject, asString, objectsIn, type JsonObject, type JsonValue } from '../api/json.ts';
import type { ConditionUpdate, EventType } from '../controller-runtime/index.ts';
import { behaviorOf, limitRate, stabilize, withScaleEvent, type ScaleEvent, type TimestampedRecommendation } from './horizontal-pod-autoscaler-behavior.ts';
import { resourceReplicas, type MetricSample, type MetricTarget, type PodFacts, type ResourceName } from './horizontal-pod-autoscaler-replicas.ts';
import { quantityMilli } from './horizontal-pod-autoscaler-samples.ts';

/**
 * One HorizontalPodAutoscaler decision (Kubernetes' reconcileAutoscaler after reading the scale),
 * pure: the desired replicas, whether to rescale, the status metrics and conditions, the events,
 * and the autoscaler's history (recommendations, scale events) to keep for the next decision.
 */

/** An Event the decision asks the controller to record on the autoscaler. */
export interface AutoscalerEvent {
  readonly type: EventType;
  readonly reason: string;
  readonly message: string;
}

export interface AutoscalerHistory {
  readonly recommendations: readonly TimestampedRecommendation[];
  readonly scaleUpEvents: readonly ScaleEvent[];
  readonly scaleDownEvents: readonly ScaleEvent[];
}

export const emptyHistory: AutoscalerHistory = { recommendations: [], scaleUpEvents: [], scaleDownEvents: [] };

/** A pod's measured usage of each resource (its PodMetrics, summed over containers), in milli-units. */
export interface PodUsage {
  readonly timestampMs: number;
  readonly windowMs: number;
  readonly usageMilli: Readonly<Record<ResourceName, number>>;
}

export interface AutoscalerInput {
  readonly spec: JsonObject;
  /** The target's scale: spec.replicas (what we change) and status.replicas (what runs). */
  readonly specReplicas: number;
  readonly statusReplicas: number;
  /** The target's pods (its selector's) with their requests of each resource. */
  readonly pods: readonly (Omit<PodFacts, 'requestMilli'> & { readonly requestsMilli: Readonly<Record<ResourceName, number | { readonly missingIn: string }>> })[];
  readonly usage: ReadonlyMap<string, PodUsage>;
  readonly history: AutoscalerHistory;
  readonly nowMs: number;
  readonly tolerance: number;
}

export interface AutoscalerDecision {
  readonly desiredReplicas: number;
  readonly rescale: boolean;
  readonly rescaleReason: string;
  readonly currentMetrics: JsonObject[];
  readonly conditions: readonly ConditionUpdate[];
  readonly events: readonly AutoscalerEvent[];
  readonly history: AutoscalerHistory;
}

interface ResourceMetric {
  readonly resource: ResourceName;
  readonly target: MetricTarget;
}

type ParsedMetric = { readonly ok: true; readonly metric: ResourceMetric } | { readonly ok: false; readonly reason: string; readonly error: string };

/** A metric spec this controller can compute (Resource cpu/memory with a Utilization or AverageValue target). */
export function parseMetric(spec: JsonObject): ParsedMetric {
  const type = asString(spec['type']) ?? '';
  if (type !== 'Resource') return { ok: false, reason: `FailedGet${type}Metric`, error: `${type} metrics are not served by this cluster (only Resource cpu and memory)` };
  const source = asObject(spec['resource']) ?? {};
  const resource = asString(source['name']);
  if (resource !== 'cpu' && resource !== 'memory') return { ok: false, reason: 'FailedGetResourceMetric', error: `unable to get metrics for resource ${resource ?? ''}: only cpu and memory are measured` };
  const target = asObject(source['target']) ?? {};
  const utilization = asNumber(target['averageUtilization']);
  if (target['type'] === 'Utilization' && utilization !== undefined && utilization > 0) return { ok: true, metric: { resource, target: { type: 'Utilization', averageUtilization: utilization } } };
  const average = target['type'] === 'AverageValue' ? quantityMilli(resource, target['averageValue']) : undefined;
  if (average !== undefined && average > 0) return { ok: true, metric: { resource, target: { type: 'AverageValue', averageValueMilli: average } } };
  return { ok: false, reason: 'FailedGetResourceMetric', error: `invalid metrics target for resource ${resource}: needs a positive averageUtilization or averageValue` };
}

/** A milli-unit amount as Kubernetes prints a quantity: "250m", or whole units when exact. */
export function formatMilli(milli: number): string {
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

function metricName(metric: ResourceMetric): string {
  return metric.target.type === 'Utilization' ? `${metric.resource} resource utilization (percentage of request)` : `${metric.resource} resource`;
}

interface MetricsOutcome {
  /** -1 when no metric could be computed (or an invalid one would let us scale down). */
  readonly replicas: number;
  readonly metricName: string;
  readonly statuses: JsonObject[];
  readonly condition: ConditionUpdate;
  readonly events: AutoscalerEvent[];
}

/** Kubernetes' computeReplicasForMetrics: the largest proposal of the valid metrics. */
function replicasForMetrics(input: AutoscalerInput): MetricsOutcome {
  const specs = objectsIn(input.spec['metrics']);
  const statuses: JsonObject[] = [];
  const events: AutoscalerEvent[] = [];
  let replicas = 0;
  let chosen = '';
  let invalid: { reason: string; error: string } | undefined;
  let invalidCount = 0;
  const fail = (reason: string, error: string) => {
    invalid ??= { reason, error };
    invalidCount++;
    // Kubernetes keeps an empty status in the failed metric's place (kubectl shows <unknown>).
    statuses.push({ type: '' });
    events.push({ type: 'Warning', reason, message: error });
  };
  for (const spec of specs) {
    const parsed = parseMetric(spec);
    if (!parsed.ok) {
      fail(parsed.reason, parsed.error);
      continue;
    }
    const proposal = proposeFor(parsed.metric, input);
    if (!proposal.ok) {
      fail('FailedGetResourceMetric', `failed to get ${parsed.metric.resource} utilization: ${proposal.error}`);
      continue;
    }
    statuses.push(metricStatus(parsed.metric, proposal.utilization, proposal.averageMilli));
    if (proposal.replicas > replicas) {
      replicas = proposal.replicas;
      chosen = metricName(parsed.metric);
    }
  }
  if (invalid !== undefined && (invalidCount >= specs.length || replicas < input.specReplicas)) {
    events.push({ type: 'Warning', reason: 'FailedComputeMetricsReplicas', message: `invalid metrics (${invalidCount} invalid out of ${specs.length}), first error is: ${invalid.error}` });
    return { replicas: -1, metricName: '', statuses, events, condition: { type: 'ScalingActive', status: 'False', reason: invalid.reason, message: `the HPA was unable to compute the replica count: ${invalid.error}` } };
  }
  return { replicas, metricName: chosen, statuses, events, condition: { type: 'ScalingActive', status: 'True', reason: 'ValidMetricFound', message: `the HPA was able to successfully calculate a replica count from ${chosen}` } };
}

function proposeFor(metric: ResourceMetric, input: AutoscalerInput): ReturnType<typeof resourceReplicas> {
  const metrics = new Map<string, MetricSample>();
  for (const [name, usage] of input.usage) metrics.set(name, { valueMilli: usage.usageMilli[metric.resource], timestampMs: usage.timestampMs, windowMs: usage.windowMs });
  const pods = input.pods.map((pod) => ({ ...pod, requestMilli: pod.requestsMilli[metric.resource] }));
  return resourceReplicas({ resource: metric.resource, target: metric.target, currentReplicas: input.specReplicas, pods, metrics, nowMs: input.nowMs, tolerance: input.tolerance });
}

function metricStatus(metric: ResourceMetric, utilization: number | undefined, averageMilli: number): JsonObject {
  const current: JsonObject = { averageValue: formatMilli(averageMilli) };
  if (utilization !== undefined) current['averageUtilization'] = utilization;
  return { type: 'Resource', resource: { name: metric.resource, current } };
}

/** The whole decision. */
export function planAutoscaler(input: AutoscalerInput): AutoscalerDecision {
  const minReplicas = asNumber(input.spec['minReplicas']) ?? 1;
  const maxReplicas = asNumber(input.spec['maxReplicas']) ?? minReplicas;
  const current = input.specReplicas;
  // As Kubernetes: the history starts with the current count, so a restarted controller does not scale down at once.
  const history = input.history.recommendations.length === 0 ? { ...input.history, recommendations: [{ replicas: current, timestampMs: input.nowMs }] } : input.history;
  const unchanged = { currentMetrics: [], events: [], history };
  if (current === 0 && minReplicas !== 0) {
    return { ...unchanged, desiredReplicas: 0, rescale: false, rescaleReason: '', conditions: [{ type: 'ScalingActive', status: 'False', reason: 'ScalingDisabled', message: 'scaling is disabled since the replica count of the target is zero' }] };
  }
  if (current > maxReplicas) return { ...unchanged, desiredReplicas: maxReplicas, rescale: true, rescaleReason: 'Current number of replicas above Spec.MaxReplicas', conditions: [] };
  if (current < minReplicas) return { ...unchanged, desiredReplicas: minReplicas, rescale: true, rescaleReason: 'Current number of replicas below Spec.MinReplicas', conditions: [] };
  const metrics = replicasForMetrics(input);
  if (metrics.replicas < 0) return { desiredReplicas: current, rescale: false, rescaleReason: '', currentMetrics: metrics.statuses, conditions: [metrics.condition], events: metrics.events, history };
  const reason = metrics.replicas > current ? `${metrics.metricName} above target` : metrics.replicas < current ? 'All metrics below target' : '';
  const behavior = behaviorOf(input.spec['behavior']);
  const stabilized = stabilize(current, metrics.replicas, behavior, history.recommendations, input.nowMs);
  const ableToScale: ConditionUpdate = stabilized.replicas !== metrics.replicas
    ? { type: 'AbleToScale', status: 'True', reason: stabilized.reason, message: stabilized.message }
    : { type: 'AbleToScale', status: 'True', reason: 'ReadyForNewScale', message: 'recommended size matches current size' };
  const limited = limitRate({ current, desired: stabilized.replicas, minReplicas, maxReplicas, behavior, upEvents: history.scaleUpEvents, downEvents: history.scaleDownEvents, nowMs: input.nowMs });
  const scalingLimited: ConditionUpdate = { type: 'ScalingLimited', status: limited.replicas === stabilized.replicas ? 'False' : 'True', reason: limited.reason, message: limited.message };
  return {
    desiredReplicas: limited.replicas, rescale: limited.replicas !== current, rescaleReason: reason,
    currentMetrics: metrics.statuses, conditions: [ableToScale, metrics.condition, scalingLimited], events: metrics.events,
    history: { ...history, recommendations: stabilized.recommendations },
  };
}

/** The history after a successful rescale from `from` to `to` replicas (the policies' rates count it). */
export function historyAfterRescale(history: AutoscalerHistory, behaviorSpec: JsonValue | undefined, from: number, to: number, nowMs: number): AutoscalerHistory {
  const behavior = behaviorOf(behaviorSpec);
  if (to > from) return { ...history, scaleUpEvents: withScaleEvent(history.scaleUpEvents, to - from, behavior.scaleUp, nowMs) };
  if (to < from) return { ...history, scaleDownEvents: withScaleEvent(history.scaleDownEvents, from - to, behavior.scaleDown, nowMs) };
  return history;
}
