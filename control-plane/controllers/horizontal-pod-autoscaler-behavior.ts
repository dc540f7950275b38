import { asNumber, asObject, asString, objectsIn, type JsonValue } from '../api/json.ts';

/**
 * The HPA's scaling behavior (autoscaling/v2 `spec.behavior`), pure: the stabilization window over
 * recent recommendations and the rate limits of the scaling policies, as Kubernetes'
 * normalizeDesiredReplicasWithBehaviors applies them.
 */

export interface ScalingPolicy {
  readonly type: 'Pods' | 'Percent';
  readonly value: number;
  readonly periodSeconds: number;
}

export interface ScalingRules {
  readonly stabilizationWindowSeconds: number;
  readonly selectPolicy: 'Max' | 'Min' | 'Disabled';
  readonly policies: readonly ScalingPolicy[];
}

export interface Behavior {
  readonly scaleUp: ScalingRules;
  readonly scaleDown: ScalingRules;
}

/** Kubernetes' defaults: scale up at once by up to 4 pods or 100% per 15 s; scale down after 300 s of lower recommendations, by up to 100% per 15 s. */
export const defaultScaleUpRules: ScalingRules = {
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max',
  policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }],
};
export const defaultScaleDownRules: ScalingRules = {
  stabilizationWindowSeconds: 300,
  selectPolicy: 'Max',
  policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
};

export const BehaviorLimits = {
  /** Recommendations kept per autoscaler: a 3600 s window (the API's maximum) at one per 15 s needs 240. */
  recommendationsMax: 512,
  /** Scale events kept per autoscaler and direction (only those within the longest policy period matter). */
  scaleEventsMax: 128,
} as const;

function rulesOf(value: JsonValue | undefined, defaults: ScalingRules): ScalingRules {
  const rules = asObject(value);
  if (rules === undefined) return defaults;
  const policies = objectsIn(rules['policies']).flatMap((policy): ScalingPolicy[] => {
    const type = asString(policy['type']);
    const amount = asNumber(policy['value']);
    const period = asNumber(policy['periodSeconds']);
    return (type === 'Pods' || type === 'Percent') && amount !== undefined && period !== undefined ? [{ type, value: amount, periodSeconds: period }] : [];
  });
  const select = asString(rules['selectPolicy']);
  return {
    stabilizationWindowSeconds: asNumber(rules['stabilizationWindowSeconds']) ?? defaults.stabilizationWindowSeconds,
    selectPolicy: select === 'Min' || select === 'Disabled' ? select : 'Max',
    policies: policies.length > 0 ? policies : defaults.policies,
  };
}

/** spec.behavior with Kubernetes' defaults for whatever it leaves out (no behavior at all: the defaults). */
export function behaviorOf(behavior: JsonValue | undefined): Behavior {
  const object = asObject(behavior) ?? {};
  return { scaleUp: rulesOf(object['scaleUp'], defaultScaleUpRules), scaleDown: rulesOf(object['scaleDown'], defaultScaleDownRules) };
}

export interface TimestampedRecommendation {
  readonly replicas: number;
  readonly timestampMs: number;
}

export interface ScaleEvent {
  readonly replicaChange: number;
  readonly timestampMs: number;
}

export interface Stabilized {
  readonly replicas: number;
  readonly reason: 'ScaleUpStabilized' | 'ScaleDownStabilized';
  readonly message: string;
  readonly recommendations: readonly TimestampedRecommendation[];
}

/**
 * Kubernetes' stabilizeRecommendationWithBehaviors: a scale-up goes no higher than the lowest
 * recommendation of its window, a scale-down no lower than the highest of its window; the new
 * (unstabilized) recommendation joins the history, replacing one older than both windows.
 */
export function stabilize(current: number, desired: number, behavior: Behavior, history: readonly TimestampedRecommendation[], nowMs: number): Stabilized {
  const upCutoff = nowMs - behavior.scaleUp.stabilizationWindowSeconds * 1000;
  const downCutoff = nowMs - behavior.scaleDown.stabilizationWindowSeconds * 1000;
  let upRecommendation = desired;
  let downRecommendation = desired;
  let oldIndex = -1;
  history.forEach((recommendation, index) => {
    if (recommendation.timestampMs > upCutoff) upRecommendation = Math.min(upRecommendation, recommendation.replicas);
    if (recommendation.timestampMs > downCutoff) downRecommendation = Math.max(downRecommendation, recommendation.replicas);
    if (recommendation.timestampMs < upCutoff && recommendation.timestampMs < downCutoff) oldIndex = index;
  });
  const replicas = Math.min(Math.max(current, upRecommendation), downRecommendation);
  const entry = { replicas: desired, timestampMs: nowMs };
  let recommendations = oldIndex >= 0 ? history.map((item, index) => (index === oldIndex ? entry : item)) : [...history, entry];
  if (recommendations.length > BehaviorLimits.recommendationsMax) recommendations = recommendations.slice(recommendations.length - BehaviorLimits.recommendationsMax);
  return desired >= current
    ? { replicas, reason: 'ScaleUpStabilized', message: 'recent recommendations were lower than current one, applying the lowest recent recommendation', recommendations }
    : { replicas, reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation', recommendations };
}

function changeInPeriod(events: readonly ScaleEvent[], periodSeconds: number, nowMs: number): number {
  const cutoff = nowMs - periodSeconds * 1000;
  return events.reduce((sum, event) => (event.timestampMs > cutoff ? sum + event.replicaChange : sum), 0);
}

/** The most replicas the scale-up policies allow now (Kubernetes' calculateScaleUpLimitWithScalingRules). */
export function scaleUpLimit(current: number, upEvents: readonly ScaleEvent[], downEvents: readonly ScaleEvent[], rules: ScalingRules, nowMs: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const proposals = rules.policies.map((policy) => {
    const periodStart = current - changeInPeriod(upEvents, policy.periodSeconds, nowMs) + changeInPeriod(downEvents, policy.periodSeconds, nowMs);
    return policy.type === 'Pods' ? periodStart + policy.value : Math.ceil(periodStart * (1 + policy.value / 100));
  });
  return rules.selectPolicy === 'Min' ? Math.min(...proposals) : Math.max(...proposals);
}

/** The fewest replicas the scale-down policies allow now (Kubernetes' calculateScaleDownLimitWithBehaviors). */
export function scaleDownLimit(current: number, upEvents: readonly ScaleEvent[], downEvents: readonly ScaleEvent[], rules: ScalingRules, nowMs: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const proposals = rules.policies.map((policy) => {
    const periodStart = current - changeInPeriod(upEvents, policy.periodSeconds, nowMs) + changeInPeriod(downEvents, policy.periodSeconds, nowMs);
    return policy.type === 'Pods' ? periodStart - policy.value : Math.trunc(periodStart * (1 - policy.value / 100));
  });
  return rules.selectPolicy === 'Min' ? Math.max(...proposals) : Math.min(...proposals);
}

export interface RateLimited {
  readonly replicas: number;
  readonly reason: 'ScaleUpLimit' | 'TooManyReplicas' | 'ScaleDownLimit' | 'TooFewReplicas' | 'DesiredWithinRange';
  readonly message: string;
}

export interface RateInput {
  readonly current: number;
  readonly desired: number;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly behavior: Behavior;
  readonly upEvents: readonly ScaleEvent[];
  readonly downEvents: readonly ScaleEvent[];
  readonly nowMs: number;
}

/** The desired count within [min, max] and the policies' rates (Kubernetes' convertDesiredReplicasWithBehaviorRate). */
export function limitRate(input: RateInput): RateLimited {
  const { current, desired } = input;
  if (desired > current) {
    const limit = Math.max(current, scaleUpLimit(current, input.upEvents, input.downEvents, input.behavior.scaleUp, input.nowMs));
    const byRate = input.maxReplicas > limit;
    const allowed = byRate ? limit : input.maxReplicas;
    if (desired > allowed) {
      return byRate
        ? { replicas: allowed, reason: 'ScaleUpLimit', message: 'the desired replica count is increasing faster than the maximum scale rate' }
        : { replicas: allowed, reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' };
    }
  } else if (desired < current) {
    const limit = Math.min(current, scaleDownLimit(current, input.upEvents, input.downEvents, input.behavior.scaleDown, input.nowMs));
    const byRate = input.minReplicas < limit;
    const allowed = byRate ? limit : input.minReplicas;
    if (desired < allowed) {
      return byRate
        ? { replicas: allowed, reason: 'ScaleDownLimit', message: 'the desired replica count is decreasing faster than the maximum scale rate' }
        : { replicas: allowed, reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' };
    }
  }
  return { replicas: desired, reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' };
}

/** The events after a rescale: the new one added, those older than the longest policy period dropped. */
export function withScaleEvent(events: readonly ScaleEvent[], change: number, rules: ScalingRules, nowMs: number): ScaleEvent[] {
  const longestMs = Math.max(0, ...rules.policies.map((policy) => policy.periodSeconds)) * 1000;
  const kept = events.filter((event) => event.timestampMs >= nowMs - longestMs);
  kept.push({ replicaChange: change, timestampMs: nowMs });
  return kept.slice(Math.max(0, kept.length - BehaviorLimits.scaleEventsMax));
}
