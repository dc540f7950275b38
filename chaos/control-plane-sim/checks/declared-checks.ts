import { isBeingDeleted, nameOf, namespaceOf, type JsonObject } from '../../../control-plane/index.ts';
import type { DeclaredObject } from '../declared-state.ts';
import { numberAt } from '../object-fields.ts';
import type { ObservedState } from './observed-state.ts';
import { templateImage } from './pod-facts.ts';
import type { Violation } from './violation.ts';

function objectsOfKind(state: ObservedState, kind: string): readonly JsonObject[] {
  switch (kind) {
    case 'Deployment': return state.deployments;
    case 'StatefulSet': return state.statefulSets;
    case 'DaemonSet': return state.daemonSets;
    case 'Service': return state.services;
    case 'Job': return state.jobs;
    default: return [];
  }
}

/**
 * The operator's changes stand: what it declared is there with the replicas and image it asked
 * for (no controller, leader or late write reverted them), and what it deleted is gone or going.
 */
export function checkDeclaredStateKept(state: ObservedState, declared: readonly DeclaredObject[]): Violation[] {
  const violations: Violation[] = [];
  for (const intent of declared) {
    const object = objectsOfKind(state, intent.kind).find((item) => namespaceOf(item) === intent.namespace && nameOf(item) === intent.name);
    const label = `${intent.kind} ${intent.namespace}/${intent.name}`;
    if (intent.deleted) {
      if (object !== undefined && !isBeingDeleted(object)) violations.push({ property: 'declared-state-kept', message: `${label} was deleted by the operator but is back` });
      continue;
    }
    if (object === undefined || isBeingDeleted(object)) {
      violations.push({ property: 'declared-state-kept', message: `${label} was declared but is ${object === undefined ? 'gone' : 'being deleted'}` });
      continue;
    }
    const replicas = numberAt(object, ['spec', 'replicas']);
    if (intent.replicas !== undefined && replicas !== intent.replicas) violations.push({ property: 'declared-state-kept', message: `${label} has spec.replicas ${String(replicas)}, the operator declared ${intent.replicas}` });
    if (intent.image !== undefined && templateImage(object) !== intent.image) violations.push({ property: 'declared-state-kept', message: `${label} runs template image ${templateImage(object)}, the operator declared ${intent.image}` });
  }
  return violations;
}
