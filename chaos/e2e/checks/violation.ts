/** The properties an end-to-end run checks once everything is healed; a failure names one. */
export const E2ePropertyNames = [
  'declared-state-kept',
  'deployment-converged',
  'deployment-status',
  'deleted-workload-gone',
  'endpoints-match',
  'endpoint-slices-match',
  'deleted-service-endpoints-gone',
  'nodes-ready',
  'no-orphan-process',
  'pods-run-where-bound',
  'deletions-confirmed',
  'replicas-identical',
  'action-failed',
  'run-error',
] as const;

export type E2ePropertyName = (typeof E2ePropertyNames)[number];

export interface E2eViolation {
  readonly property: E2ePropertyName;
  readonly message: string;
}

/** Violations kept in a report (the first ones tell the story; the rest are counted). */
export const violationsReportedMax = 20;
