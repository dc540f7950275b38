import { assert, type TimerHandle } from '../common/index.ts';
import type { RecordState, TerminatedState } from './container-record.ts';
import type { Container } from './pod-types.ts';
import type { ContainerProbes } from './probes/container-probes.ts';
import type { ProbeLoop } from './probes/probe-loop.ts';
import type { RuntimeContainer } from './runtime.ts';

/** A pod worker's mutable view of one of its containers (see pod-worker.ts). */
export interface WorkerContainer {
  readonly spec: Container;
  readonly isInit: boolean;
  restartCount: number;
  state: RecordState;
  lastTerminated: TerminatedState | undefined;
  /** The latest instance, running or exited. */
  current: RuntimeContainer | undefined;
  probes: ContainerProbes | undefined;
  probeLoop: ProbeLoop | undefined;
  killing: boolean;
  wakeTimer: TimerHandle | undefined;
}

export function newContainer(spec: Container, isInit: boolean, reason: string): WorkerContainer {
  return { spec, isInit, restartCount: 0, state: { kind: 'waiting', reason }, lastTerminated: undefined, current: undefined, probes: undefined, probeLoop: undefined, killing: false, wakeTimer: undefined };
}

/** The run a restart decision is about: the current terminated state, or the one being backed off from. */
export function lastRun(record: WorkerContainer): TerminatedState | undefined {
  return record.state.kind === 'terminated' ? record.state : record.lastTerminated;
}

export function terminatedState(instance: RuntimeContainer): TerminatedState {
  const exit = instance.exit;
  assert(exit !== undefined, () => `terminatedState of running container ${instance.id}`);
  return {
    kind: 'terminated',
    exitCode: exit.exitCode,
    reason: exit.reason,
    ...(exit.signal === undefined ? {} : { signal: exit.signal }),
    startedAtMs: instance.startedAtMs,
    finishedAtMs: exit.finishedAtMs,
  };
}

export function backoffKey(record: WorkerContainer): string {
  return `${record.isInit ? 'init' : 'app'}/${record.spec.name}`;
}

/** Go's time.Duration formatting for the back-off message kubectl users know ("back-off 2m40s"). */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const totalSeconds = ms / 1000;
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = totalSeconds - minutes * 60;
  return minutes > 0 ? `${minutes}m${seconds}s` : `${seconds}s`;
}
