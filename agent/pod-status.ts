import type { ContainerRecord, RecordState } from './container-record.ts';
import type { ContainerState, ContainerStatus, PodCondition, PodConditionType, PodPhase, PodSpec, PodStatus } from './pod-types.ts';

export interface PodStatusInput {
  readonly spec: PodSpec;
  readonly initContainers: readonly ContainerRecord[];
  readonly containers: readonly ContainerRecord[];
  readonly hostIP: string;
  readonly startTimeMs: number;
  readonly nowMs: number;
  /** Set when the worker has finished the pod (e.g. it was stopped): the phase it ended in. */
  readonly terminal?: { readonly phase: 'Succeeded' | 'Failed'; readonly reason?: string; readonly message?: string };
  /** The last status emitted: conditions keep their lastTransitionTime while unchanged. */
  readonly previous?: PodStatus;
}

/** A pure function of what the worker knows: phase, conditions and container statuses as kubelet computes them. */
export function computePodStatus(input: PodStatusInput): PodStatus {
  const phase = input.terminal?.phase ?? podPhase(input.spec, input.initContainers, input.containers);
  const initialized = isInitialized(input.initContainers, input.containers);
  const unready = input.containers.filter((container) => !container.ready).map((container) => container.name);
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  const readyReason = terminal ? 'PodCompleted' : 'ContainersNotReady';
  const readyMessage = `containers with unready status: [${unready.join(' ')}]`;
  const pending = input.initContainers.filter((container) => !succeeded(container.state)).map((container) => container.name);
  const conditions: PodCondition[] = [
    condition('Initialized', initialized, input, initialized ? undefined : { reason: 'ContainersNotInitialized', message: `containers with incomplete status: [${pending.join(' ')}]` }),
    condition('Ready', unready.length === 0 && !terminal, input, unready.length === 0 && !terminal ? undefined : { reason: readyReason, message: readyMessage }),
    condition('ContainersReady', unready.length === 0 && !terminal, input, unready.length === 0 && !terminal ? undefined : { reason: readyReason, message: readyMessage }),
    condition('PodScheduled', true, input, undefined),
  ];
  return {
    phase,
    conditions,
    hostIP: input.hostIP,
    podIP: input.hostIP,
    hostIPs: [{ ip: input.hostIP }],
    podIPs: [{ ip: input.hostIP }],
    startTime: timestamp(input.startTimeMs),
    ...(input.terminal?.reason === undefined ? {} : { reason: input.terminal.reason }),
    ...(input.terminal?.message === undefined ? {} : { message: input.terminal.message }),
    initContainerStatuses: input.initContainers.map(containerStatus),
    containerStatuses: input.containers.map(containerStatus),
  };
}

/**
 * kubelet's getPhase: a failed init container fails the pod only under restartPolicy Never; a
 * container waiting to be restarted counts as stopped, not waiting; all stopped means Running
 * under Always (they will be restarted), Succeeded if all exited 0, Failed under Never, Running
 * under OnFailure (the failed ones will be restarted).
 */
export function podPhase(spec: PodSpec, initContainers: readonly ContainerRecord[], containers: readonly ContainerRecord[]): PodPhase {
  const policy = spec.restartPolicy ?? 'Always';
  const initFailed = initContainers.some((container) => lastExitCode(container) !== undefined && lastExitCode(container) !== 0 && container.state.kind !== 'running');
  if (initFailed && policy === 'Never') return 'Failed';
  if (!isInitialized(initContainers, containers)) return 'Pending';
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeededCount = 0;
  for (const container of containers) {
    if (container.state.kind === 'running') running++;
    else if (container.state.kind === 'terminated') {
      stopped++;
      if (container.state.exitCode === 0) succeededCount++;
    } else if (container.lastTerminated !== undefined) stopped++;
    else waiting++;
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (policy === 'Always') return 'Running';
    if (stopped === succeededCount) return 'Succeeded';
    return policy === 'Never' ? 'Failed' : 'Running';
  }
  return 'Pending';
}

/** Every init container exited 0 (or the app containers already ran: they are past init). */
function isInitialized(initContainers: readonly ContainerRecord[], containers: readonly ContainerRecord[]): boolean {
  if (initContainers.every((container) => succeeded(container.state))) return true;
  return containers.some((container) => container.state.kind !== 'waiting' || container.lastTerminated !== undefined);
}

function succeeded(state: RecordState): boolean {
  return state.kind === 'terminated' && state.exitCode === 0;
}

function lastExitCode(container: ContainerRecord): number | undefined {
  if (container.state.kind === 'terminated') return container.state.exitCode;
  return container.lastTerminated?.exitCode;
}

function condition(type: PodConditionType, value: boolean, input: PodStatusInput, why: { reason: string; message: string } | undefined): PodCondition {
  const status = value ? 'True' : 'False';
  const before = input.previous?.conditions.find((existing) => existing.type === type);
  const lastTransitionTime = before !== undefined && before.status === status ? before.lastTransitionTime : timestamp(input.nowMs);
  return { type, status, lastTransitionTime, ...(why === undefined ? {} : why) };
}

export function containerStatus(record: ContainerRecord): ContainerStatus {
  return {
    name: record.name,
    state: toState(record.state),
    lastState: record.lastTerminated === undefined ? {} : toState(record.lastTerminated),
    ready: record.ready,
    started: record.started,
    restartCount: record.restartCount,
    image: record.image,
    imageID: record.imageID ?? '',
    ...(record.containerId === undefined ? {} : { containerID: `${record.runtimeName ?? 'process'}://${record.containerId}` }),
    ...(record.resources === undefined || Object.keys(record.resources).length === 0 ? {} : { resources: record.resources }),
  };
}

function toState(state: RecordState): ContainerState {
  switch (state.kind) {
    case 'waiting':
      return { waiting: { reason: state.reason, ...(state.message === undefined ? {} : { message: state.message }) } };
    case 'running':
      return { running: { startedAt: timestamp(state.startedAtMs) } };
    case 'terminated':
      return {
        terminated: {
          exitCode: state.exitCode,
          reason: state.reason,
          ...(state.startedAtMs === undefined ? {} : { startedAt: timestamp(state.startedAtMs) }),
          finishedAt: timestamp(state.finishedAtMs),
          ...(state.message === undefined ? {} : { message: state.message }),
        },
      };
  }
}

/** RFC 3339 with second precision, as Kubernetes serialises metav1.Time. */
export function timestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
