import type { ResourceRequirements } from './pod-types.ts';

/**
 * What a pod worker knows about one container of its pod, in its own terms (milliseconds, tagged
 * unions); pod-status.ts turns it into Kubernetes' ContainerStatus.
 */
export type RecordState =
  | { readonly kind: 'waiting'; readonly reason: string; readonly message?: string }
  | { readonly kind: 'running'; readonly startedAtMs: number }
  | { readonly kind: 'terminated'; readonly exitCode: number; readonly reason: string; readonly signal?: string; readonly startedAtMs?: number; readonly finishedAtMs: number; readonly message?: string };

export type TerminatedState = Extract<RecordState, { kind: 'terminated' }>;

export interface ContainerRecord {
  readonly name: string;
  readonly isInit: boolean;
  readonly image: string;
  readonly restartCount: number;
  readonly state: RecordState;
  readonly lastTerminated?: TerminatedState;
  readonly ready: boolean;
  readonly started: boolean;
  /** The runtime's id of the current (or last) instance. */
  readonly containerId?: string;
  /** Which runtime runs it (the containerID's scheme); process when unset. */
  readonly runtimeName?: string;
  readonly imageID?: string;
  /** What the runtime enforces on it (cgroups), while it runs. */
  readonly resources?: ResourceRequirements;
}

/** Kubernetes' terminated reasons for an exit code the runtime reported. */
export function terminatedReason(exitCode: number): 'Completed' | 'Error' {
  return exitCode === 0 ? 'Completed' : 'Error';
}
