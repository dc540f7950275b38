import { isBeingDeleted, nameOf, type JsonObject } from '../../../control-plane/index.ts';
import { numberAt } from '../../control-plane-sim/object-fields.ts';
import type { DeclaredDeployment } from '../declared-state.ts';
import { flavourArgs } from '../manifests.ts';
import { templateOf, workloadNames } from '../plan.ts';
import type { ObservedCluster } from './observed-cluster.ts';
import { activePodsLabelled, describePod, podSpecOf, servingProblems, templateFieldsOfPodSpec, type TemplateFields } from './pod-readers.ts';
import type { E2eViolation } from './violation.ts';

function wantedFields(declared: DeclaredDeployment): TemplateFields {
  const template = templateOf(declared.template);
  return { image: template.image, color: template.color, args: JSON.stringify(flavourArgs(template.flavour)) };
}

function fieldDifferences(found: TemplateFields, wanted: TemplateFields): string[] {
  return (Object.keys(wanted) as (keyof TemplateFields)[]).filter((field) => found[field] !== wanted[field]).map((field) => `${field} ${found[field] || '(none)'} instead of ${wanted[field]}`);
}

/**
 * Every Deployment the operator declared is in the API as declared (replicas and template: no
 * controller, failover or late write reverted a change), and exactly `replicas` active pods
 * carry its label, each Running, Ready, on a node whose agent runs, with a live process there,
 * from the latest template. Old-template or surplus pods count as failures: after a rollout
 * settles, none may remain.
 */
export function checkDeployments(state: ObservedCluster): E2eViolation[] {
  const violations: E2eViolation[] = [];
  workloadNames.forEach((name, slot) => {
    const declared = state.declared.deployments[slot];
    if (declared === undefined) return;
    const label = `Deployment ${state.namespace}/${name}`;
    const object = state.deployments.find((candidate) => nameOf(candidate) === name);
    if (object === undefined || isBeingDeleted(object)) {
      violations.push({ property: 'declared-state-kept', message: `${label} was applied but is ${object === undefined ? 'gone' : 'being deleted'}` });
      return;
    }
    const wanted = wantedFields(declared);
    const specProblems = fieldDifferences(templateFieldsOfPodSpec(podSpecOf(object, ['spec', 'template', 'spec'])), wanted);
    const replicas = numberAt(object, ['spec', 'replicas']);
    if (replicas !== declared.replicas) specProblems.unshift(`spec.replicas ${String(replicas)} instead of ${declared.replicas}`);
    if (specProblems.length > 0) violations.push({ property: 'declared-state-kept', message: `${label}: ${specProblems.join('; ')}` });
    const podProblems = podsProblems(state, activePodsLabelled(state, name), declared.replicas, wanted);
    if (podProblems.length > 0) violations.push({ property: 'deployment-converged', message: `${label}: ${podProblems.join('; ')}` });
    const statusProblems = rolloutStatusProblems(object, declared.replicas);
    if (statusProblems.length > 0) violations.push({ property: 'deployment-status', message: `${label} status: ${statusProblems.join('; ')}` });
  });
  return violations;
}

function podsProblems(state: ObservedCluster, active: readonly JsonObject[], replicas: number, wanted: TemplateFields): string[] {
  const problems: string[] = [];
  if (active.length !== replicas) problems.push(`${active.length} active pods, ${replicas} declared`);
  for (const pod of active) {
    const stale = fieldDifferences(templateFieldsOfPodSpec(podSpecOf(pod, ['spec'])), wanted);
    for (const problem of [...servingProblems(state, pod), ...(stale.length > 0 ? [`runs an old template (${stale.join(', ')})`] : [])]) problems.push(`${describePod(pod)} ${problem}`);
  }
  return problems;
}

/** What `kubectl rollout status` waits for: the latest generation observed, every replica updated, ready and available. */
function rolloutStatusProblems(deployment: JsonObject, replicas: number): string[] {
  const problems: string[] = [];
  const generation = numberAt(deployment, ['metadata', 'generation']) ?? 0;
  const observed = numberAt(deployment, ['status', 'observedGeneration']) ?? 0;
  if (observed < generation) problems.push(`observedGeneration ${observed} < generation ${generation}`);
  for (const field of ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas'] as const) {
    // Kubernetes leaves zero counts out of the status.
    const value = numberAt(deployment, ['status', field]) ?? 0;
    if (value !== replicas) problems.push(`${field} ${value}, ${replicas} declared`);
  }
  return problems;
}

/** A Deployment the operator deleted (or never applied) is gone or going, and no active pod carries its label. */
export function checkDeletedDeployments(state: ObservedCluster): E2eViolation[] {
  const violations: E2eViolation[] = [];
  workloadNames.forEach((name, slot) => {
    if (state.declared.deployments[slot] !== undefined) return;
    const label = `Deployment ${state.namespace}/${name}`;
    const object = state.deployments.find((candidate) => nameOf(candidate) === name);
    if (object !== undefined && !isBeingDeleted(object)) violations.push({ property: 'declared-state-kept', message: `${label} is not declared (deleted, or never applied) but is there` });
    const left = activePodsLabelled(state, name);
    if (left.length > 0) violations.push({ property: 'deleted-workload-gone', message: `${label} is not declared but ${left.map(describePod).join(', ')} remain active` });
  });
  return violations;
}
