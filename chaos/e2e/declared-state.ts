import { workloadNames, type TemplateChoice, type WorkloadAction } from './plan.ts';

/** What the operator has asked for, per slot: the truth the final checks hold the cluster to. */
export interface DeclaredDeployment {
  readonly replicas: number;
  readonly template: TemplateChoice;
}

export interface DeclaredState {
  /** By slot; undefined: absent (never applied, or deleted). */
  readonly deployments: readonly (DeclaredDeployment | undefined)[];
  readonly services: readonly boolean[];
}

export function emptyDeclaredState(): DeclaredState {
  return { deployments: workloadNames.map(() => undefined), services: workloadNames.map(() => false) };
}

/**
 * Whether a change means anything in this state. Scaling, rolling or deleting what is absent is
 * skipped, not sent: kubectl would answer NotFound and nothing would change, and skipping keeps
 * the run's commands a pure function of the plan.
 */
export function isApplicable(state: DeclaredState, action: WorkloadAction): boolean {
  switch (action.kind) {
    case 'apply-deployment':
    case 'apply-service':
      return true;
    case 'scale-deployment':
    case 'roll-deployment':
    case 'delete-deployment':
      return state.deployments[action.slot] !== undefined;
    case 'delete-service':
      return state.services[action.slot] === true;
  }
}

/** The state after a change that succeeded (pure). */
export function applyToDeclared(state: DeclaredState, action: WorkloadAction): DeclaredState {
  if (!isApplicable(state, action)) return state;
  const deployments = [...state.deployments];
  const services = [...state.services];
  const current = deployments[action.slot];
  switch (action.kind) {
    case 'apply-deployment':
      deployments[action.slot] = { replicas: action.replicas, template: action.template };
      break;
    case 'scale-deployment':
      if (current !== undefined) deployments[action.slot] = { ...current, replicas: action.replicas };
      break;
    case 'roll-deployment':
      if (current !== undefined) deployments[action.slot] = { ...current, template: { ...current.template, [action.field]: action.value } };
      break;
    case 'delete-deployment':
      deployments[action.slot] = undefined;
      break;
    case 'apply-service':
      services[action.slot] = true;
      break;
    case 'delete-service':
      services[action.slot] = false;
      break;
  }
  return { deployments, services };
}
