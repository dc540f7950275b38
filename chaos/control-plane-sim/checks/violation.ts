/** The properties a run checks; a failure names one. */
export const PropertyNames = [
  'declared-state-kept',
  'deployment-converged',
  'stateful-set-converged',
  'daemon-set-converged',
  'job-finished',
  'endpoints-match',
  'endpoint-slices-match',
  'no-active-pod-on-dead-node',
  'no-orphans',
  'nodes-run-what-the-api-says',
  'stateful-set-at-most-one',
  'simulation-error',
] as const;

export type PropertyName = (typeof PropertyNames)[number];

export interface Violation {
  readonly property: PropertyName;
  readonly message: string;
}

/** Violations kept per run (the first ones tell the story; the rest are counted). */
export const violationsKeptMax = 20;
