import { asObject, getPath, objectsIn, type JsonObject } from '../api/json.ts';
import { conditionStatus } from '../controller-runtime/index.ts';
import { TaintKeys, toleratesTaint, tolerationsOf, type Taint } from '../scheduler/index.ts';

/**
 * Node lifecycle timings chosen for a homelab: a lost node's pods run elsewhere within 10 s.
 * Agents renew their Lease every 1 s; after `nodeMonitorGracePeriodMs` without a renewal the node
 * is Unknown and tainted unreachable (Kubernetes: 40-50 s), and pods that do not say otherwise are
 * evicted `defaultTolerationSeconds` later (Kubernetes' DefaultTolerationSeconds: 300 s).
 * Worst case: 4 s + 0.5 s monitor period + 2 s = 6.5 s to eviction, leaving ~3.5 s to replace.
 */
export interface NodeLifecycleTimings {
  readonly nodeMonitorPeriodMs: number;
  readonly nodeMonitorGracePeriodMs: number;
  readonly defaultTolerationSeconds: number;
}

export const homelabNodeTimings: NodeLifecycleTimings = { nodeMonitorPeriodMs: 500, nodeMonitorGracePeriodMs: 4_000, defaultTolerationSeconds: 2 };

export type NodeHealth = 'ready' | 'notReady' | 'unreachable';

/** Pure: a node is unreachable when its heartbeat is older than the grace period, else what its agent reports. */
export function nodeHealth(node: JsonObject, lastHeartbeatMs: number, nowMs: number, gracePeriodMs: number): NodeHealth {
  if (nowMs - lastHeartbeatMs > gracePeriodMs) return 'unreachable';
  return conditionStatus(getPath(node, ['status', 'conditions']), 'Ready') === 'True' ? 'ready' : 'notReady';
}

/** The node's taints with the lifecycle taints matching its health (others untouched). Pure. */
export function lifecycleTaints(node: JsonObject, health: NodeHealth, nowIso: string): JsonObject[] {
  const wantKey = health === 'unreachable' ? TaintKeys.unreachable : health === 'notReady' ? TaintKeys.notReady : undefined;
  const existing = objectsIn(getPath(node, ['spec', 'taints']));
  const kept = existing.filter((taint) => (taint['key'] !== TaintKeys.unreachable && taint['key'] !== TaintKeys.notReady) || taint['key'] === wantKey);
  if (wantKey === undefined) return kept;
  for (const effect of ['NoSchedule', 'NoExecute']) {
    if (!kept.some((taint) => taint['key'] === wantKey && taint['effect'] === effect)) kept.push({ key: wantKey, effect, timeAdded: nowIso });
  }
  return kept;
}

/**
 * When the pod must be evicted from a node with these NoExecute taints (Kubernetes' taint manager):
 * now if it does not tolerate one, at the earliest tolerationSeconds expiry, never if it tolerates
 * them all forever. The lifecycle taints count as tolerated for `defaultTolerationSeconds` when the
 * pod says nothing (the tolerations Kubernetes' admission adds). Undefined: keep it.
 */
export function evictionTimeMs(pod: JsonObject, taints: readonly Taint[], defaultTolerationSeconds: number): number | undefined {
  const tolerations = tolerationsOf(pod);
  let deadline: number | undefined;
  for (const taint of taints) {
    if (taint.effect !== 'NoExecute') continue;
    const added = Date.parse(taint.timeAdded ?? '') || 0;
    const matching = tolerations.filter((toleration) => toleratesTaint(toleration, taint));
    let seconds: number | undefined;
    if (matching.length === 0) {
      if (taint.key !== TaintKeys.unreachable && taint.key !== TaintKeys.notReady) return 0;
      seconds = defaultTolerationSeconds;
    } else if (matching.every((toleration) => toleration.tolerationSeconds !== undefined)) {
      seconds = Math.min(...matching.map((toleration) => toleration.tolerationSeconds ?? 0));
    }
    if (seconds !== undefined) deadline = Math.min(deadline ?? Infinity, added + Math.max(0, seconds) * 1000);
  }
  return deadline;
}

export function leaseRenewTime(lease: JsonObject): string {
  const spec = asObject(lease['spec']) ?? {};
  return typeof spec['renewTime'] === 'string' ? spec['renewTime'] : '';
}
