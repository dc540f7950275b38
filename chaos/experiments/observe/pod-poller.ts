import type { Env } from '../../../common/index.ts';
import type { PodSelection } from '../experiment.ts';
import type { ObservationLog } from '../timeline/observations.ts';
import type { KubernetesReader } from './kubernetes-reader.ts';
import { PollLoop } from './poll-loop.ts';

/** A pod list costs the API more than a status read: five a second is plenty for pod counts. */
export const podPollIntervalMs = 200;
export const podPollTimeoutMs = 1_000;

interface PodList {
  readonly items?: ReadonlyArray<{
    readonly metadata?: { readonly deletionTimestamp?: string };
    readonly status?: { readonly conditions?: ReadonlyArray<{ readonly type?: string; readonly status?: string }> };
  }>;
}

/** Counts the selected pods (total: not being deleted; ready: condition Ready=True) through the API. */
export function podPoller(reader: KubernetesReader, selection: PodSelection, log: ObservationLog, env: Env): PollLoop {
  const query = selection.labelSelector === '' ? '' : `?labelSelector=${encodeURIComponent(selection.labelSelector)}`;
  const path = `/api/v1/namespaces/${encodeURIComponent(selection.namespace)}/pods${query}`;
  return new PollLoop(podPollIntervalMs, podPollTimeoutMs, env, async (signal) => {
    // An unanswered list is no reading: the timeline keeps the last counts, the probes show the outage.
    const list = (await reader.getJson(path, signal).catch(() => null)) as PodList | null;
    if (list === null) return;
    const pods = (list.items ?? []).filter((pod) => pod.metadata?.deletionTimestamp === undefined);
    const ready = pods.filter((pod) => pod.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') === true).length;
    log.addPods({ atMs: env.clock.nowMs(), ready, total: pods.length });
  });
}
