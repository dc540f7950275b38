/**
 * What one end-to-end chaos run does, as data: a list of steps, each an operator's change (what
 * `kubectl apply/scale/set/patch/delete` does) or a fault on a real process. Workloads are named
 * by slot and agents by index, so a shrunk list still reads as a story. The list is the whole
 * plan: a seed stands for one list (plan-arbitrary.ts), and a list replays the same commands in
 * the same order; how the real processes interleave around them is not replayed (timing is real).
 */

/** Deployment (and Service) names, by slot: Service `s` selects the pods of Deployment `s`. */
export const workloadNames = ['alpha', 'beta'] as const;

/** The template fields a rolling update may change, each from a small pool so changes repeat. */
export const imageTags = ['fixture:1', 'fixture:2', 'fixture:3'] as const;
export const colors = ['red', 'green', 'blue'] as const;
export const flavours = ['plain', 'spicy', 'sour'] as const;

/** Indexes into the pools above. */
export interface TemplateChoice {
  readonly image: number;
  readonly color: number;
  readonly flavour: number;
}

export type TemplateField = keyof TemplateChoice;

export type WorkloadAction =
  | { readonly kind: 'apply-deployment'; readonly slot: number; readonly replicas: number; readonly template: TemplateChoice }
  | { readonly kind: 'scale-deployment'; readonly slot: number; readonly replicas: number }
  | { readonly kind: 'roll-deployment'; readonly slot: number; readonly field: TemplateField; readonly value: number }
  | { readonly kind: 'delete-deployment'; readonly slot: number }
  | { readonly kind: 'apply-service'; readonly slot: number }
  | { readonly kind: 'delete-service'; readonly slot: number };

/**
 * Faults on real processes. Each lasts `holdSteps` more steps (0: undone right after its own
 * settle pause), then is undone: a killed process restarts on its data, a partition heals.
 */
export type FaultAction =
  | { readonly kind: 'kill-leader-server'; readonly holdSteps: number }
  | { readonly kind: 'isolate-server'; readonly target: ServerTarget; readonly holdSteps: number }
  | { readonly kind: 'kill-agent'; readonly agent: number; readonly holdSteps: number }
  | { readonly kind: 'restart-nats'; readonly holdSteps: number };

/** The Raft leader at the moment the fault starts, or a server by position. */
export type ServerTarget = 'leader' | number;

export type E2eAction = WorkloadAction | FaultAction;

export interface PlanStep {
  readonly action: E2eAction;
  /** Real time to let the cluster react before the next step (a dead node is noticed after 4 s). */
  readonly settleMs: number;
}

/** Bounds of a generated plan; the command and the test pick their own within these. */
export interface PlanLimits {
  readonly stepsMin: number;
  readonly stepsMax: number;
  readonly replicasMax: number;
  readonly holdStepsMax: number;
  readonly settleMsMax: number;
  /** How many agents the cluster runs (kill-agent picks one of them). */
  readonly agents: number;
  /** How many servers the cluster runs (isolate-server picks one of them). */
  readonly servers: number;
}

export const defaultPlanLimits: PlanLimits = {
  stepsMin: 2,
  stepsMax: 10,
  replicasMax: 3,
  holdStepsMax: 2,
  settleMsMax: 3_000,
  agents: 2,
  servers: 3,
};

/** Faults on servers: at most one is active at a time, so the Raft group keeps a quorum. */
export function isServerFault(action: E2eAction): action is Extract<FaultAction, { kind: 'kill-leader-server' | 'isolate-server' }> {
  return action.kind === 'kill-leader-server' || action.kind === 'isolate-server';
}

export function isFault(action: E2eAction): action is FaultAction {
  return action.kind === 'kill-leader-server' || action.kind === 'isolate-server' || action.kind === 'kill-agent' || action.kind === 'restart-nats';
}

export function templateOf(choice: TemplateChoice): { readonly image: string; readonly color: string; readonly flavour: string } {
  return { image: imageTags[choice.image] ?? imageTags[0], color: colors[choice.color] ?? colors[0], flavour: flavours[choice.flavour] ?? flavours[0] };
}

export function workloadName(slot: number): string {
  return workloadNames[slot] ?? workloadNames[0];
}

/** One line per step, for failure reports and replays. */
export function describeStep(step: PlanStep): string {
  const { action } = step;
  const settle = step.settleMs > 0 ? `, settle ${step.settleMs} ms` : '';
  const hold = 'holdSteps' in action ? ` (held ${action.holdSteps} steps)` : '';
  switch (action.kind) {
    case 'apply-deployment': {
      const template = templateOf(action.template);
      return `apply deployment ${workloadName(action.slot)} replicas=${action.replicas} image=${template.image} COLOR=${template.color} --flavour=${template.flavour}${settle}`;
    }
    case 'scale-deployment': return `scale deployment ${workloadName(action.slot)} --replicas=${action.replicas}${settle}`;
    case 'roll-deployment': return `roll deployment ${workloadName(action.slot)} ${action.field}=${describeTemplateValue(action.field, action.value)}${settle}`;
    case 'delete-deployment': return `delete deployment ${workloadName(action.slot)}${settle}`;
    case 'apply-service': return `apply service ${workloadName(action.slot)}${settle}`;
    case 'delete-service': return `delete service ${workloadName(action.slot)}${settle}`;
    case 'kill-leader-server': return `kill -9 the leader server${hold}${settle}`;
    case 'isolate-server': return `isolate server ${action.target === 'leader' ? 'the leader' : `#${action.target}`}${hold}${settle}`;
    case 'kill-agent': return `kill -9 agent #${action.agent}${hold}${settle}`;
    case 'restart-nats': return `kill -9 nats-server${hold}${settle}`;
  }
}

function describeTemplateValue(field: TemplateField, value: number): string {
  return templateOf({ image: 0, color: 0, flavour: 0, [field]: value })[field];
}
