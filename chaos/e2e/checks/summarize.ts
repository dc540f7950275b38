import { isPodReady, nameOf } from '../../../control-plane/index.ts';
import { workloadNames } from '../plan.ts';
import { endpointsReadyKeys } from './endpoint-checks.ts';
import type { ObservedCluster } from './observed-cluster.ts';
import { activePodsLabelled } from './pod-readers.ts';
import type { ReplicaHash } from './store-checks.ts';

/**
 * One line of what a converged reading held, so a passing seed shows it checked something:
 * ready pods per Deployment, ready endpoints per Service, container processes per node, and the
 * replicas' common revision and hash.
 */
export function summarizeConverged(state: ObservedCluster, hashes: readonly ReplicaHash[]): string {
  const workloads = workloadNames.flatMap((name, slot) => {
    const declared = state.declared.deployments[slot];
    const ready = activePodsLabelled(state, name).filter(isPodReady).length;
    const deployment = declared === undefined ? [] : [`${name} ${ready}/${declared.replicas} ready`];
    const endpoints = state.endpoints.find((candidate) => nameOf(candidate) === name);
    const service = state.declared.services[slot] === true ? [`service ${name} ${endpoints === undefined ? 0 : endpointsReadyKeys(endpoints).length} endpoints`] : [];
    return [...deployment, ...service];
  });
  const processes = [...state.liveNodes].sort().map((node) => {
    const here = state.processes.filter((process) => process.node === node);
    const pods = (seenBy?: string) => new Set(here.filter((process) => seenBy === undefined || process.seenBy === seenBy).map((process) => process.podUid)).size;
    return `${node} runs ${pods()} pods (${pods('state-file')} by state file, ${pods('process-table')} in the process table)`;
  });
  const first = hashes.find((reading): reading is Extract<ReplicaHash, { hash: number }> => 'hash' in reading);
  const store = first === undefined ? 'store not read' : `${hashes.length} replicas at revision ${first.revision} hash ${first.hash.toString(16)}`;
  return [workloads.join(', ') || 'no workloads declared', processes.join(', '), store].join('; ');
}
