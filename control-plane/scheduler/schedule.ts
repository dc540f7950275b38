import { filterNode, type FilterState } from './filters.ts';
import { failureMessage, preFilterFailureMessage } from './failure-message.ts';
import type { NodeInfo, PodInfo, Snapshot } from './node-info.ts';
import { computePodAffinityState } from './pod-affinity.ts';
import { scoreNodes, type ResourceScoring } from './scores.ts';
import { tolerationsOf } from './taints.ts';
import { computeSpreadState } from './topology-spread.ts';
import { preFilterVolumes } from './volume-filter.ts';

export interface ScheduleConfig {
  readonly scoring: ResourceScoring;
}

export type ScheduleResult =
  | { readonly ok: true; readonly node: string; readonly feasibleNodes: number }
  | { readonly ok: false; readonly message: string; readonly reasons: ReadonlyMap<string, number> };

/**
 * One scheduling decision, pure: filter every node, score the feasible ones, take the best (ties
 * broken by `random`, a [0,1) source from the Env's PRNG, as Kubernetes samples among equals).
 */
export function schedule(pod: PodInfo, snapshot: Snapshot, config: ScheduleConfig, random: () => number): ScheduleResult {
  const volumes = preFilterVolumes(pod.pod, snapshot.volumes);
  if (!volumes.ok) return { ok: false, message: preFilterFailureMessage(snapshot.nodes.length, volumes.message), reasons: new Map([[volumes.message, snapshot.nodes.length]]) };
  const state: FilterState = {
    volumes: volumes.volumes,
    tolerations: tolerationsOf(pod.pod),
    affinity: computePodAffinityState(pod, snapshot),
    spread: computeSpreadState(pod, snapshot),
  };
  const feasible: NodeInfo[] = [];
  const reasons = new Map<string, number>();
  for (const node of snapshot.nodes) {
    const refused = filterNode(pod, node, state);
    if (refused.length === 0) feasible.push(node);
    for (const reason of refused) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }
  if (feasible.length === 0) return { ok: false, message: failureMessage(snapshot.nodes.length, reasons), reasons };
  const only = feasible[0];
  if (feasible.length === 1 && only !== undefined) return { ok: true, node: only.name, feasibleNodes: 1 };
  const scores = scoreNodes(pod, feasible, state, config.scoring);
  return { ok: true, node: pickBest(feasible, scores, random), feasibleNodes: feasible.length };
}

/** The highest score; among equals each is equally likely (reservoir sampling). */
function pickBest(nodes: readonly NodeInfo[], scores: readonly number[], random: () => number): string {
  let best = '';
  let bestScore = -Infinity;
  let ties = 0;
  for (const [index, node] of nodes.entries()) {
    const score = scores[index] ?? 0;
    if (score > bestScore) {
      best = node.name;
      bestScore = score;
      ties = 1;
    } else if (score === bestScore) {
      ties++;
      if (random() * ties < 1) best = node.name;
    }
  }
  return best;
}
