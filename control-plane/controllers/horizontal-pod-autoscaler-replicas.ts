/**
 * Kubernetes' HPA ReplicaCalculator for Resource metrics, pure: how many replicas bring the pods'
 * average usage to the target, with its treatment of pods that are not ready or have no metrics.
 */

/** Kubernetes' default: a usage within 10% of the target changes nothing. */
export const defaultTolerance = 0.1;
/** CPU of a pod started less than this ago counts only once a full metrics window followed its readiness. */
export const cpuInitializationPeriodMs = 300_000;
/** A pod that turned unready within this of its start is taken as never ready yet (its CPU is ignored). */
export const delayOfInitialReadinessStatusMs = 30_000;

export type ResourceName = 'cpu' | 'memory';

/** What the calculator needs of a pod. */
export interface PodFacts {
  readonly name: string;
  readonly phase: string;
  readonly beingDeleted: boolean;
  /** The Ready condition (undefined when the pod has none). */
  readonly ready: { readonly status: string; readonly lastTransitionMs: number } | undefined;
  readonly startMs: number | undefined;
  /** Sum of the containers' requests of the resource in milli-units; a string names the first container without one. */
  readonly requestMilli: number | { readonly missingIn: string };
}

/** One pod's measurement (its PodMetrics), in milli-units. */
export interface MetricSample {
  readonly valueMilli: number;
  readonly timestampMs: number;
  readonly windowMs: number;
}

export type MetricTarget = { readonly type: 'Utilization'; readonly averageUtilization: number } | { readonly type: 'AverageValue'; readonly averageValueMilli: number };

export interface ReplicaInput {
  readonly resource: ResourceName;
  readonly target: MetricTarget;
  readonly currentReplicas: number;
  readonly pods: readonly PodFacts[];
  readonly metrics: ReadonlyMap<string, MetricSample>;
  readonly nowMs: number;
  readonly tolerance: number;
}

export type ReplicaProposal =
  | {
    readonly ok: true;
    readonly replicas: number;
    /** Percent of requests (Utilization targets only). */
    readonly utilization: number | undefined;
    /** The average per pod, in milli-units. */
    readonly averageMilli: number;
  }
  | { readonly ok: false; readonly error: string };

interface PodGroups {
  readyCount: number;
  readonly unready: Set<string>;
  readonly missing: Set<string>;
}

/** Kubernetes' groupPods: ignored (deleted, failed), unready (pending; for cpu also still starting), missing a metric, or ready. */
export function groupPods(pods: readonly PodFacts[], metrics: ReadonlyMap<string, MetricSample>, resource: ResourceName, nowMs: number): PodGroups & { readonly ignored: Set<string> } {
  const groups = { readyCount: 0, unready: new Set<string>(), missing: new Set<string>(), ignored: new Set<string>() };
  for (const pod of pods) {
    if (pod.beingDeleted || pod.phase === 'Failed') groups.ignored.add(pod.name);
    else if (pod.phase === 'Pending') groups.unready.add(pod.name);
    else if (!metrics.has(pod.name)) groups.missing.add(pod.name);
    else if (resource === 'cpu' && isUnreadyForCpu(pod, metrics.get(pod.name), nowMs)) groups.unready.add(pod.name);
    else groups.readyCount++;
  }
  return groups;
}

function isUnreadyForCpu(pod: PodFacts, metric: MetricSample | undefined, nowMs: number): boolean {
  if (pod.ready === undefined || pod.startMs === undefined || metric === undefined) return true;
  if (pod.startMs + cpuInitializationPeriodMs > nowMs) {
    // Still starting: the sample counts only if the pod is ready and a whole window was measured since.
    return pod.ready.status === 'False' || metric.timestampMs < pod.ready.lastTransitionMs + metric.windowMs;
  }
  // Started long ago: ignored only if it is unready and has never been ready.
  return pod.ready.status === 'False' && pod.startMs + delayOfInitialReadinessStatusMs > pod.ready.lastTransitionMs;
}

type Ratio = { readonly ratio: number; readonly utilization: number | undefined; readonly averageMilli: number } | { readonly error: string };

/** Usage over target for the pods in `values` (Kubernetes' GetResourceUtilizationRatio / GetMetricUsageRatio). */
function usageRatio(values: ReadonlyMap<string, number>, requests: ReadonlyMap<string, number>, target: MetricTarget): Ratio {
  if (target.type === 'AverageValue') {
    let total = 0;
    for (const value of values.values()) total += value;
    const average = Math.trunc(total / values.size);
    return { ratio: average / target.averageValueMilli, utilization: undefined, averageMilli: average };
  }
  let usage = 0;
  let requested = 0;
  let counted = 0;
  for (const [name, value] of values) {
    const request = requests.get(name);
    if (request === undefined) continue;
    usage += value;
    requested += request;
    counted++;
  }
  if (requested === 0) return { error: 'no metrics returned matched known pods' };
  const utilization = Math.trunc((usage * 100) / requested);
  return { ratio: utilization / target.averageUtilization, utilization, averageMilli: Math.trunc(usage / counted) };
}

function requestsOf(pods: readonly PodFacts[], resource: ResourceName): Map<string, number> | { readonly error: string } {
  const requests = new Map<string, number>();
  for (const pod of pods) {
    if (typeof pod.requestMilli !== 'number') return { error: `missing request for ${resource} in container ${pod.requestMilli.missingIn} of Pod ${pod.name}` };
    requests.set(pod.name, pod.requestMilli);
  }
  return requests;
}

function within(ratio: number, tolerance: number): boolean {
  return Math.abs(1 - ratio) <= tolerance;
}

/** The replica count the resource metric asks for (Kubernetes' GetResourceReplicas / GetRawResourceReplicas). */
export function resourceReplicas(input: ReplicaInput): ReplicaProposal {
  const { target, currentReplicas, tolerance } = input;
  if (input.metrics.size === 0) return { ok: false, error: `unable to get metrics for resource ${input.resource}: no metrics returned from resource metrics API` };
  if (input.pods.length === 0) return { ok: false, error: 'no pods returned by selector while calculating replica count' };
  const groups = groupPods(input.pods, input.metrics, input.resource, input.nowMs);
  const requests = target.type === 'Utilization' ? requestsOf(input.pods, input.resource) : new Map<string, number>();
  if (!(requests instanceof Map)) return { ok: false, error: requests.error };
  const values = new Map<string, number>();
  for (const pod of input.pods) {
    const metric = input.metrics.get(pod.name);
    if (metric !== undefined && !groups.ignored.has(pod.name) && !groups.unready.has(pod.name)) values.set(pod.name, metric.valueMilli);
  }
  if (values.size === 0) return { ok: false, error: 'did not receive metrics for targeted pods (pods might be unready)' };
  const first = usageRatio(values, requests, target);
  if ('error' in first) return { ok: false, error: first.error };
  const measured = { utilization: first.utilization, averageMilli: first.averageMilli };
  const scaleUpWithUnready = groups.unready.size > 0 && first.ratio > 1;
  if (!scaleUpWithUnready && groups.missing.size === 0) {
    const replicas = within(first.ratio, tolerance) ? currentReplicas : Math.ceil(first.ratio * groups.readyCount);
    return { ok: true, replicas, ...measured };
  }
  // Pods without a sample are assumed to use what would least favour the move: the target on a scale-down, nothing on a scale-up.
  for (const name of groups.missing) {
    if (first.ratio < 1) values.set(name, fallbackValue(target, requests.get(name) ?? 0));
    else if (first.ratio > 1 || target.type === 'AverageValue') values.set(name, 0);
  }
  if (scaleUpWithUnready) for (const name of groups.unready) values.set(name, 0);
  const second = usageRatio(values, requests, target);
  if ('error' in second) return { ok: false, error: second.error };
  const flipped = (first.ratio < 1 && second.ratio > 1) || (first.ratio > 1 && second.ratio < 1);
  if (within(second.ratio, tolerance) || flipped) return { ok: true, replicas: currentReplicas, ...measured };
  const replicas = Math.ceil(second.ratio * values.size);
  const againstDirection = (second.ratio < 1 && replicas > currentReplicas) || (second.ratio > 1 && replicas < currentReplicas);
  return { ok: true, replicas: againstDirection ? currentReplicas : replicas, ...measured };
}

function fallbackValue(target: MetricTarget, requestMilli: number): number {
  if (target.type === 'AverageValue') return target.averageValueMilli;
  return Math.trunc((requestMilli * Math.max(100, target.averageUtilization)) / 100);
}
