import { controllerOf, isBeingDeleted, nameOf, namespaceOf, uidOf, type JsonObject } from '../../../control-plane/index.ts';
import type { ObservedState } from './observed-state.ts';
import type { Violation } from './violation.ts';

/**
 * No orphans once the garbage collector has run: every pod, ReplicaSet, ControllerRevision and Job
 * that names a controller owner (of a kind the simulation makes) has that owner, same uid. A
 * dependent already marked for deletion is on its way out (a pod may wait for its dead node).
 */
export function checkNoOrphans(state: ObservedState): Violation[] {
  const owners = new Map<string, readonly JsonObject[]>([
    ['Deployment', state.deployments], ['ReplicaSet', state.replicaSets], ['StatefulSet', state.statefulSets], ['DaemonSet', state.daemonSets], ['Job', state.jobs],
  ]);
  const violations: Violation[] = [];
  for (const [kind, dependents] of [['Pod', state.pods], ['ReplicaSet', state.replicaSets], ['ControllerRevision', state.controllerRevisions], ['Job', state.jobs]] as const) {
    for (const dependent of dependents) {
      const owner = controllerOf(dependent);
      const candidates = owner === undefined ? undefined : owners.get(owner.kind);
      if (owner === undefined || candidates === undefined || isBeingDeleted(dependent)) continue;
      const alive = candidates.some((candidate) => uidOf(candidate) === owner.uid && nameOf(candidate) === owner.name && namespaceOf(candidate) === namespaceOf(dependent));
      if (!alive) violations.push({ property: 'no-orphans', message: `${kind} ${namespaceOf(dependent)}/${nameOf(dependent)}: its controller ${owner.kind} ${owner.name} (uid ${owner.uid}) is gone` });
    }
  }
  return violations;
}
