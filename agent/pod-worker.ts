import { silentLogger, type Env, type Logger, type TimerHandle } from '../common/index.ts';
import { killContainer } from './container-kill.ts';
import type { ContainerRecord, TerminatedState } from './container-record.ts';
import { buildStartRequest } from './container-request.ts';
import type { EnvLookups } from './env.ts';
import { isAgentError, AgentErrorCode } from './errors.ts';
import { computePodStatus, podPhase } from './pod-status.ts';
import type { Pod, PodStatus } from './pod-types.ts';
import { ContainerProbes, type ProbeVerdict } from './probes/container-probes.ts';
import { ProbeLoop } from './probes/probe-loop.ts';
import type { ProbeAttempt, ProbeTarget } from './probes/prober.ts';
import type { ProbeKind } from './probes/probe-spec.ts';
import { RestartBackoff, type BackoffSettings } from './restart-backoff.ts';
import { shouldRestart } from './restart-policy.ts';
import type { Runtime, RuntimeContainer } from './runtime.ts';
import { StatusEmitter, type StatusCallback } from './status-emitter.ts';
import { backoffKey, goDuration, lastRun, newContainer, terminatedState, type WorkerContainer } from './worker-container.ts';
import { setUpVolumes } from './volumes.ts';

export const PodWorkerDefaults = {
  /** Kubernetes' default terminationGracePeriodSeconds. */
  terminationGracePeriodSeconds: 30,
  /** How often configMap/secret volumes are re-projected (kubelet: its sync period plus cache TTL). */
  volumeSyncPeriodMs: 60_000,
  /** How soon a container that could not be configured (missing ConfigMap, volume) is retried. */
  configRetryMs: 10_000,
} as const;

const probeNames: Readonly<Record<ProbeKind, string>> = { liveness: 'Liveness', readiness: 'Readiness', startup: 'Startup' };

export interface PodWorkerOptions {
  readonly pod: Pod;
  readonly runtime: Runtime;
  readonly env: Env;
  /** ConfigMaps, Secrets, host IP: read live at each use, so updates are seen. */
  readonly lookups: EnvLookups;
  readonly onStatus: StatusCallback;
  readonly logger?: Logger;
  readonly backoff?: Partial<BackoffSettings>;
  readonly volumeSyncPeriodMs?: number;
  readonly configRetryMs?: number;
  /** Kubernetes Events about the pod (Created, Started, Killing, Unhealthy, BackOff, Failed), as kubelet records them. */
  readonly onEvent?: PodEventCallback;
  /** When the pod started on this node (a re-adopted pod keeps the start time it had). */
  readonly startTimeMs?: number;
  /** The status the pod had before (a re-adopted pod keeps its conditions' transition times). */
  readonly previousStatus?: PodStatus;
}

export interface PodEvent {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
  /** `spec.containers{name}`, as kubelet names the container an event is about. */
  readonly fieldPath: string;
}

export type PodEventCallback = (event: PodEvent) => void;

/**
 * Runs one pod on a runtime, end to end, the way kubelet's pod worker and SyncPod do: volumes,
 * init containers one at a time in order, then the app containers; probes; restarts by policy with
 * back-off; graceful stop; and the pod status, delivered through a coalescing callback. All state
 * changes happen in a single serialized sync loop, so a container is never started twice.
 */
export class PodWorker {
  private readonly pod: Pod;
  private readonly logger: Logger;
  private readonly initContainers: WorkerContainer[];
  private readonly containers: WorkerContainer[];
  private readonly backoff: RestartBackoff;
  private readonly emitter: StatusEmitter;
  private readonly startTimeMs: number;
  private volumePaths: ReadonlyMap<string, string> | undefined;
  private volumeTimer: TimerHandle | undefined;
  private unsubscribe: (() => void) | undefined;
  private syncQueued = false;
  private syncing: Promise<void> | undefined;
  private stopping = false;
  private finished = false;
  private terminal: { phase: 'Succeeded' | 'Failed'; reason?: string; message?: string } | undefined;
  private lastStatus: PodStatus | undefined;

  constructor(private readonly options: PodWorkerOptions) {
    this.pod = options.pod;
    this.logger = (options.logger ?? silentLogger).child({ pod: `${options.pod.metadata.namespace ?? 'default'}/${options.pod.metadata.name}` });
    const hasInit = (options.pod.spec.initContainers ?? []).length > 0;
    this.initContainers = (options.pod.spec.initContainers ?? []).map((spec) => newContainer(spec, true, 'PodInitializing'));
    this.containers = options.pod.spec.containers.map((spec) => newContainer(spec, false, hasInit ? 'PodInitializing' : 'ContainerCreating'));
    this.backoff = new RestartBackoff(options.env.clock, options.backoff);
    this.emitter = new StatusEmitter(options.onStatus, this.logger);
    this.startTimeMs = options.startTimeMs ?? options.env.clock.nowMs();
    this.lastStatus = options.previousStatus;
  }

  private event(record: WorkerContainer, type: PodEvent['type'], reason: string, message: string): void {
    const fieldPath = `spec.${record.isInit ? 'initContainers' : 'containers'}{${record.spec.name}}`;
    try {
      this.options.onEvent?.({ type, reason, message, fieldPath });
    } catch (error) {
      this.logger.warn({ err: error }, 'event callback failed');
    }
  }

  /** Picks up containers the runtime already has for this pod (agent restart), then syncs. */
  start(): void {
    this.unsubscribe = this.options.runtime.onExit((container) => {
      if (container.podUid === this.pod.metadata.uid) this.onRuntimeExit(container);
    });
    this.adoptExisting();
    const period = this.options.volumeSyncPeriodMs ?? PodWorkerDefaults.volumeSyncPeriodMs;
    this.volumeTimer = this.options.env.timers.setInterval(() => void this.refreshVolumes(), period);
    this.requestSync();
  }

  status(): PodStatus {
    return this.lastStatus ?? this.computeStatus();
  }

  /** Resolves when no sync is running or queued and every status has been delivered. */
  async idle(): Promise<void> {
    while (this.syncing !== undefined) await this.syncing;
    await this.emitter.flush();
  }

  /** Re-projects configMap/secret volumes now (call when one of them changed). */
  async refreshVolumes(): Promise<void> {
    if (this.volumePaths === undefined || this.finished) return;
    const setup = await setUpVolumes(this.pod, this.options.runtime.podDirectory(this.pod.metadata.uid), this.options.lookups);
    if (!setup.ok) this.logger.warn({ message: setup.message }, 'volume refresh failed; keeping the previous content');
    else if (setup.changed.length > 0) this.logger.info({ volumes: setup.changed }, 'volumes updated');
  }

  private adoptExisting(): void {
    for (const instance of this.options.runtime.list(this.pod.metadata.uid)) {
      const record = [...this.initContainers, ...this.containers].find((candidate) => candidate.spec.name === instance.containerName);
      if (record === undefined) continue;
      record.current = instance;
      record.restartCount = instance.instance;
      if (instance.exit === undefined) {
        record.state = { kind: 'running', startedAtMs: instance.startedAtMs };
        this.startProbes(record, instance);
      } else {
        record.state = terminatedState(instance);
      }
    }
  }

  private requestSync(): void {
    this.syncQueued = true;
    this.syncing ??= this.runSyncs();
  }

  private async runSyncs(): Promise<void> {
    // Yield before the loop so `syncing` is assigned before the finally below can clear it.
    await Promise.resolve();
    try {
      while (this.syncQueued) {
        this.syncQueued = false;
        await this.syncOnce().catch((error: unknown) => this.logger.error({ err: error }, 'pod sync failed'));
      }
    } finally {
      this.syncing = undefined;
    }
  }

  private async syncOnce(): Promise<void> {
    if (this.stopping || this.finished) return;
    if (this.volumePaths === undefined && !(await this.setUpVolumesFirstTime())) return this.publish();
    if (!this.initialized()) await this.syncInitContainers();
    if (this.initialized()) for (const record of this.containers) await this.syncAppContainer(record);
    this.checkFinished();
    this.publish();
  }

  private async setUpVolumesFirstTime(): Promise<boolean> {
    const setup = await setUpVolumes(this.pod, this.options.runtime.podDirectory(this.pod.metadata.uid), this.options.lookups);
    if (setup.ok) {
      this.volumePaths = setup.paths;
      return true;
    }
    for (const record of [...this.initContainers, ...this.containers]) {
      if (record.state.kind === 'waiting') record.state = { kind: 'waiting', reason: 'ContainerCreating', message: setup.message };
    }
    this.wakeAt(this.containers[0], this.nowMs() + (this.options.configRetryMs ?? PodWorkerDefaults.configRetryMs));
    return false;
  }

  /** kubelet: run the first init container that has not succeeded; later ones wait for it. */
  private async syncInitContainers(): Promise<void> {
    for (const record of this.initContainers) {
      if (record.state.kind === 'terminated' && record.state.exitCode === 0) continue;
      if (record.state.kind === 'running' || record.killing) return;
      const last = lastRun(record);
      if (last === undefined) return await this.startContainer(record);
      if (shouldRestart(this.restartPolicy(), last.exitCode, true)) await this.restartOrWait(record, last);
      return;
    }
  }

  private async syncAppContainer(record: WorkerContainer): Promise<void> {
    if (record.state.kind === 'running' || record.killing) return;
    const last = lastRun(record);
    if (last === undefined) return await this.startContainer(record);
    if (shouldRestart(this.restartPolicy(), last.exitCode, false)) await this.restartOrWait(record, last);
  }

  /** Restarts now, or waits in CrashLoopBackOff until the back-off window has passed. */
  private async restartOrWait(record: WorkerContainer, last: TerminatedState): Promise<void> {
    const key = backoffKey(record);
    const decision = this.backoff.decide(key, last.finishedAtMs);
    record.lastTerminated = last;
    if (decision.kind === 'wait') {
      const { name, namespace = 'default', uid } = this.pod.metadata;
      const message = `back-off ${goDuration(decision.backoffMs)} restarting failed container=${record.spec.name} pod=${name}_${namespace}(${uid})`;
      if (record.state.kind !== 'waiting' || record.state.reason !== 'CrashLoopBackOff') {
        this.event(record, 'Warning', 'BackOff', `Back-off restarting failed container ${record.spec.name} in pod ${name}_${namespace}(${uid})`);
      }
      record.state = { kind: 'waiting', reason: 'CrashLoopBackOff', message };
      this.wakeAt(record, decision.untilMs);
      return;
    }
    this.backoff.recordRestart(key, last.finishedAtMs);
    await this.startContainer(record);
  }

  private async startContainer(record: WorkerContainer): Promise<void> {
    const instance = record.current === undefined ? 0 : record.current.instance + 1;
    const build = buildStartRequest(this.pod, record.spec, instance, this.options.lookups, this.volumePaths ?? new Map());
    if (!build.ok) {
      if (record.state.kind !== 'waiting' || record.state.message !== build.message) this.event(record, 'Warning', 'Failed', `Error: ${build.message}`);
      record.state = { kind: 'waiting', reason: build.reason, message: build.message };
      this.wakeAt(record, this.nowMs() + (this.options.configRetryMs ?? PodWorkerDefaults.configRetryMs));
      return;
    }
    let started: RuntimeContainer;
    try {
      started = await this.options.runtime.start(build.request);
    } catch (error) {
      if (isAgentError(error, AgentErrorCode.containerAlreadyRunning)) throw error;
      const now = this.nowMs();
      const message = error instanceof Error ? error.message : String(error);
      const waitingReason = startWaitingReason(error, record.spec.imagePullPolicy);
      if (waitingReason !== undefined) {
        // Not a run that failed but one that could not begin (kubelet's waiting reasons): retried.
        if (record.state.kind !== 'waiting' || record.state.message !== message) this.event(record, 'Warning', 'Failed', `Error: ${message}`);
        record.state = { kind: 'waiting', reason: waitingReason, message };
        this.wakeAt(record, now + (this.options.configRetryMs ?? PodWorkerDefaults.configRetryMs));
        return;
      }
      this.event(record, 'Warning', 'Failed', `Error: ${message}`);
      record.state = { kind: 'terminated', exitCode: 128, reason: 'StartError', message, finishedAtMs: now };
      this.requestSync();
      return;
    }
    record.current = started;
    record.restartCount = started.instance;
    record.state = { kind: 'running', startedAtMs: started.startedAtMs };
    this.event(record, 'Normal', 'Created', `Created container: ${record.spec.name}`);
    this.event(record, 'Normal', 'Started', `Started container ${record.spec.name}`);
    this.startProbes(record, started);
    // It may have exited before we recorded it (the exit event then found no match).
    const latest = this.options.runtime.status(started.id);
    if (latest?.exit !== undefined) this.onRuntimeExit(latest);
  }

  private startProbes(record: WorkerContainer, instance: RuntimeContainer): void {
    const probes = ContainerProbes.create(record.spec, instance.startedAtMs);
    if ('invalid' in probes) return;
    record.probes = probes;
    record.probeLoop = new ProbeLoop({
      probes,
      target: this.probeTarget(record, instance),
      timers: this.options.env.timers,
      nowMs: () => this.nowMs(),
      onResult: (kind, attempt) => this.onProbeResult(record, instance.id, kind, attempt),
    });
    record.probeLoop.start();
  }

  private probeTarget(record: WorkerContainer, instance: RuntimeContainer): ProbeTarget {
    return {
      host: this.options.lookups.hostIP,
      container: record.spec,
      ports: instance.ports,
      timers: this.options.env.timers,
      exec: (command, timeoutMs) => this.options.runtime.exec(instance.id, command, { timeoutMs }),
    };
  }

  private onProbeResult(record: WorkerContainer, instanceId: string, kind: ProbeKind, attempt: ProbeAttempt): void {
    if (record.current?.id !== instanceId || record.probes === undefined || this.stopping) return;
    if (attempt.outcome === 'failure') this.event(record, 'Warning', 'Unhealthy', `${probeNames[kind]} probe failed: ${attempt.message}`);
    const verdict = record.probes.verdict();
    if (verdict.kind === 'restart') void this.killForProbe(record, verdict);
    this.publish();
  }

  /** A failed liveness or startup probe: kill (preStop, grace, SIGKILL); the exit then follows restartPolicy. */
  private async killForProbe(record: WorkerContainer, verdict: Extract<ProbeVerdict, { kind: 'restart' }>): Promise<void> {
    const instance = record.current;
    if (record.killing || instance === undefined || instance.exit !== undefined) return;
    record.killing = true;
    record.probeLoop?.cancel();
    this.logger.info({ container: record.spec.name, probe: verdict.probe }, `container failed ${verdict.probe} probe, will be restarted`);
    this.event(record, 'Normal', 'Killing', `Container ${record.spec.name} failed ${verdict.probe} probe, will be restarted`);
    const graceSeconds = verdict.gracePeriodSeconds ?? this.pod.spec.terminationGracePeriodSeconds ?? PodWorkerDefaults.terminationGracePeriodSeconds;
    try {
      await this.kill(record, instance, graceSeconds * 1000);
    } finally {
      record.killing = false;
      this.requestSync();
    }
  }

  private async kill(record: WorkerContainer, instance: RuntimeContainer, gracePeriodMs: number): Promise<void> {
    const result = await killContainer({
      runtime: this.options.runtime, containerId: instance.id, container: record.spec, gracePeriodMs,
      target: this.probeTarget(record, instance), timers: this.options.env.timers, nowMs: () => this.nowMs(),
    });
    if (result.hookMessage !== undefined) this.logger.warn({ container: record.spec.name }, result.hookMessage);
    const latest = this.options.runtime.status(instance.id);
    if (latest !== undefined) this.onRuntimeExit(latest);
  }

  private onRuntimeExit(instance: RuntimeContainer): void {
    const record = [...this.initContainers, ...this.containers].find((candidate) => candidate.current?.id === instance.id);
    if (record === undefined || instance.exit === undefined || record.state.kind !== 'running') return;
    record.probeLoop?.cancel();
    record.probeLoop = undefined;
    record.probes = undefined;
    record.current = instance;
    record.state = terminatedState(instance);
    this.requestSync();
  }

  /**
   * Graceful stop (pod deleted): every running container gets its preStop hook, SIGTERM, the grace
   * period, then SIGKILL, all in parallel. The pod ends Succeeded if every container exited 0.
   */
  async stop(gracePeriodSeconds?: number): Promise<PodStatus> {
    this.stopping = true;
    this.cancelTimers();
    while (this.syncing !== undefined) await this.syncing;
    const graceMs = (gracePeriodSeconds ?? this.pod.spec.terminationGracePeriodSeconds ?? PodWorkerDefaults.terminationGracePeriodSeconds) * 1000;
    const running = [...this.initContainers, ...this.containers].filter((record) => record.state.kind === 'running' && record.current !== undefined);
    await Promise.all(running.map(async (record) => {
      record.probeLoop?.cancel();
      this.event(record, 'Normal', 'Killing', `Stopping container ${record.spec.name}`);
      if (record.current !== undefined) await this.kill(record, record.current, graceMs);
    }));
    const allSucceeded = this.containers.every((record) => record.state.kind === 'terminated' && record.state.exitCode === 0);
    this.terminal ??= { phase: allSucceeded ? 'Succeeded' : 'Failed' };
    this.finished = true;
    this.unsubscribe?.();
    this.publish();
    await this.emitter.flush();
    return this.status();
  }

  /** Stops watching without touching the containers (agent shutdown: the next agent re-adopts them). */
  detach(): void {
    this.finished = true;
    this.cancelTimers();
    for (const record of [...this.initContainers, ...this.containers]) record.probeLoop?.cancel();
    this.unsubscribe?.();
  }

  private checkFinished(): void {
    const phase = podPhase(this.pod.spec, this.records(this.initContainers), this.records(this.containers));
    const anyRunning = [...this.initContainers, ...this.containers].some((record) => record.state.kind === 'running');
    if ((phase === 'Succeeded' || phase === 'Failed') && !anyRunning) {
      this.finished = true;
      this.cancelTimers();
    }
  }

  private cancelTimers(): void {
    this.volumeTimer?.cancel();
    for (const record of [...this.initContainers, ...this.containers]) {
      record.wakeTimer?.cancel();
      record.wakeTimer = undefined;
    }
  }

  private wakeAt(record: WorkerContainer | undefined, atMs: number): void {
    if (record === undefined) return;
    record.wakeTimer?.cancel();
    record.wakeTimer = this.options.env.timers.setTimeout(() => {
      record.wakeTimer = undefined;
      this.requestSync();
    }, Math.max(0, atMs - this.nowMs()));
  }

  private initialized(): boolean {
    if (this.initContainers.every((record) => record.state.kind === 'terminated' && record.state.exitCode === 0)) return true;
    // Adopted app containers mean init already completed before an agent restart.
    return this.containers.some((record) => record.current !== undefined);
  }

  private publish(): void {
    this.lastStatus = this.computeStatus();
    this.emitter.offer(this.lastStatus);
  }

  private computeStatus(): PodStatus {
    return computePodStatus({
      spec: this.pod.spec,
      initContainers: this.records(this.initContainers),
      containers: this.records(this.containers),
      hostIP: this.options.lookups.hostIP,
      startTimeMs: this.startTimeMs,
      nowMs: this.nowMs(),
      ...(this.terminal === undefined ? {} : { terminal: this.terminal }),
      ...(this.lastStatus === undefined ? {} : { previous: this.lastStatus }),
    });
  }

  private records(list: readonly WorkerContainer[]): ContainerRecord[] {
    return list.map((record) => {
      const running = record.state.kind === 'running';
      return {
        name: record.spec.name,
        isInit: record.isInit,
        image: record.spec.image ?? '',
        restartCount: record.restartCount,
        state: record.state,
        ...(record.lastTerminated === undefined ? {} : { lastTerminated: record.lastTerminated }),
        ready: running && !record.isInit && (record.probes?.ready ?? true),
        started: running && (record.probes?.started ?? true),
        ...(record.current === undefined ? {} : { containerId: record.current.id }),
        ...(record.current?.runtimeName === undefined ? {} : { runtimeName: record.current.runtimeName }),
        ...(record.current?.imageID === undefined ? {} : { imageID: record.current.imageID }),
        ...(running && record.current?.resources !== undefined ? { resources: record.current.resources } : {}),
      };
    });
  }

  private restartPolicy(): 'Always' | 'OnFailure' | 'Never' {
    return this.pod.spec.restartPolicy ?? 'Always';
  }

  private nowMs(): number {
    return this.options.env.clock.nowMs();
  }
}

/** kubelet's waiting reasons for a container that could not be started, by the runtime's error code. */
function startWaitingReason(error: unknown, pullPolicy: string | undefined): string | undefined {
  if (isAgentError(error, AgentErrorCode.containerConfig)) return 'CreateContainerConfigError';
  if (isAgentError(error, AgentErrorCode.imageNotPresent)) return pullPolicy === 'Never' ? 'ErrImageNeverPull' : 'ErrImagePull';
  if (isAgentError(error, AgentErrorCode.runtimeUnavailable)) return 'CreateContainerError';
  return undefined;
}
