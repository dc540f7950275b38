import type { Env, Logger } from '../../common/index.ts';
import { asObject, getPath, type JsonObject } from '../../control-plane/api/json.ts';
import type { EnvLookups } from '../env.ts';
import { PodWorker, type PodWorkerOptions } from '../pod-worker.ts';
import type { Pod, PodStatus } from '../pod-types.ts';
import type { Runtime } from '../runtime.ts';
import { sleep, withTimeout } from '../wait.ts';
import {
  apiPhase, configReferenceKey, configReferences, deletionGraceSeconds, describePod, isTerminalPhase, isTerminating, resourceVersionNumber, statusToJson,
  toAgentPod, uidOfPod, type ConfigReference,
} from './api-pod.ts';
import { claimReferences, type ClaimCache } from './claim-cache.ts';
import type { ConfigCache } from './config-cache.ts';
import type { ControlPlaneClient } from './control-plane-client.ts';
import type { EventReporter } from './event-reporter.ts';
import type { PodSourceHandler } from './pod-source.ts';
import type { StatusBatcher } from './status-batcher.ts';
import { statusDigest } from './status-digest.ts';

export const PodManagerLimits = {
  /** Pods one agent runs (kubelet's default max-pods is 110; the node advertises `podsMax`). */
  managedPodsMax: 500,
  /** Attempts to confirm a finished graceful deletion before waiting for the next sync. */
  confirmAttemptsMax: 10,
  confirmRetryMs: 1_000,
  /** A pod's ConfigMaps/Secrets that could not be read are tried again after this long. */
  configRetryMs: 2_000,
  /** Grace given to containers of a pod the cluster no longer knows (no spec, so no preStop). */
  orphanGracePeriodMs: 10_000,
  /** On agent shutdown, how long work in progress (a pod being stopped) may finish before the workers are detached. */
  detachWaitMs: 5_000,
} as const;

interface ManagedPod {
  readonly uid: string;
  latest: JsonObject;
  revision: number;
  worker: PodWorker | undefined;
  stopped: boolean;
  removed: boolean;
}

export interface PodManagerOptions {
  readonly runtime: Runtime;
  readonly client: ControlPlaneClient;
  readonly configs: ConfigCache;
  readonly claims: ClaimCache;
  readonly statuses: StatusBatcher;
  readonly events: EventReporter;
  readonly env: Env;
  readonly logger: Logger;
  readonly nodeIp: string;
  readonly nodeAllocatable: Readonly<Record<string, string>>;
  /** The containers' Service variables (ServiceCache, with the node proxy's addressing); absent: none. */
  readonly serviceVariables?: EnvLookups['serviceVariables'];
  /** Passed to every pod worker (back-off, periods). */
  readonly workerOptions?: Partial<Pick<PodWorkerOptions, 'backoff' | 'volumeSyncPeriodMs' | 'configRetryMs'>>;
}

/**
 * kubelet's pod lifecycle on this node: one PodWorker per pod uid (so never two copies of a pod),
 * started once the pod's ConfigMaps and Secrets are read; a pod marked for deletion is stopped
 * (preStop, SIGTERM, its grace period, SIGKILL) and its deletion confirmed to the control plane; a
 * pod deleted outright is stopped and its files removed; containers the cluster no longer knows
 * (after a complete list) are stopped. Work on one pod is serialized; different pods proceed in
 * parallel.
 */
export class PodManager implements PodSourceHandler {
  private readonly pods = new Map<string, ManagedPod>();
  private readonly chains = new Map<string, Promise<void>>();
  private readonly queued = new Set<string>();
  private readonly abort = new AbortController();
  private readonly unsubscribeConfigs: () => void;

  constructor(private readonly options: PodManagerOptions) {
    this.unsubscribeConfigs = options.configs.onChange((reference) => this.onConfigChange(reference));
  }

  /** The pod this agent runs with that uid (for logs, exec, metrics). */
  pod(uid: string): Pod | undefined {
    const managed = this.pods.get(uid);
    return managed === undefined || managed.removed ? undefined : toAgentPod(managed.latest);
  }

  /** Pods with a worker that has not been stopped. */
  runningPods(): Pod[] {
    return [...this.pods.values()].flatMap((managed) => {
      const pod = managed.worker !== undefined && !managed.stopped ? toAgentPod(managed.latest) : undefined;
      return pod === undefined ? [] : [pod];
    });
  }

  synced(pods: readonly JsonObject[], revision: number): void {
    const listed = new Set(pods.map(uidOfPod));
    for (const pod of pods) this.upsert(pod, revision);
    for (const managed of this.pods.values()) if (!listed.has(managed.uid) && !managed.removed) this.remove(managed.latest, revision);
    this.stopOrphans(listed);
    const known = [...this.pods.values()].flatMap((managed) => {
      const pod = toAgentPod(managed.latest);
      return pod === undefined ? [] : [pod];
    });
    this.options.configs.retainOnly(known.flatMap(configReferences));
    this.options.claims.retainOnly(known.flatMap(claimReferences));
  }

  upsert(object: JsonObject, revision: number): void {
    const uid = uidOfPod(object);
    if (uid === '') return;
    const existing = this.pods.get(uid);
    if (existing !== undefined && (existing.removed || resourceVersionNumber(object) < existing.revision)) return;
    if (existing === undefined && this.pods.size >= PodManagerLimits.managedPodsMax) {
      this.options.logger.error({ pod: describePod(object), max: PodManagerLimits.managedPodsMax }, 'this agent runs as many pods as it may; not starting another');
      return;
    }
    const managed = existing ?? { uid, latest: object, revision, worker: undefined, stopped: false, removed: false };
    managed.latest = object;
    managed.revision = Math.max(managed.revision, resourceVersionNumber(object));
    this.pods.set(uid, managed);
    this.schedule(uid);
  }

  remove(object: JsonObject, _revision: number): void {
    const managed = this.pods.get(uidOfPod(object));
    if (managed === undefined) return;
    managed.removed = true;
    this.schedule(managed.uid);
  }

  /** Agent shutdown: stop watching every pod, leaving its containers running for the next agent. */
  async detachAll(): Promise<void> {
    this.abort.abort();
    this.unsubscribeConfigs();
    await withTimeout(this.options.env.timers, Promise.all([...this.chains.values()]), PodManagerLimits.detachWaitMs);
    for (const managed of this.pods.values()) managed.worker?.detach();
  }

  /** Resolves when no pod has work queued or running (tests). */
  async idle(): Promise<void> {
    while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
  }

  private schedule(uid: string): void {
    if (this.queued.has(uid) || this.abort.signal.aborted) return;
    this.queued.add(uid);
    const previous = this.chains.get(uid) ?? Promise.resolve();
    const next = previous.then(async () => {
      this.queued.delete(uid);
      const managed = this.pods.get(uid);
      if (managed !== undefined && !this.abort.signal.aborted) await this.sync(managed);
    }).catch((error: unknown) => this.options.logger.error({ err: error, uid }, 'pod sync failed'));
    this.chains.set(uid, next);
    void next.finally(() => {
      if (this.chains.get(uid) === next) this.chains.delete(uid);
    });
  }

  private async sync(managed: ManagedPod): Promise<void> {
    const object = managed.latest;
    if (managed.removed) return await this.forget(managed);
    if (isTerminating(object)) {
      await this.stop(managed, deletionGraceSeconds(object));
      return await this.confirmDeletion(managed);
    }
    if (managed.worker === undefined) {
      const finished = isTerminalPhase(apiPhase(object)) && !this.options.runtime.list(managed.uid).some((container) => container.exit === undefined);
      if (!finished) await this.startWorker(managed);
      return;
    }
    if (!managed.stopped) this.reassertStatus(managed, managed.worker);
  }

  private async startWorker(managed: ManagedPod): Promise<void> {
    const pod = toAgentPod(managed.latest);
    if (pod === undefined) return this.options.logger.warn({ pod: describePod(managed.latest) }, 'not a runnable pod (no uid, name or containers)');
    try {
      await this.options.configs.ensure(configReferences(pod), this.abort.signal);
      await this.options.claims.ensure(claimReferences(pod), this.abort.signal);
    } catch (error) {
      this.options.logger.warn({ err: error, pod: describePod(managed.latest) }, 'the pod\'s ConfigMaps, Secrets or volume claims are not ready; retrying');
      void sleep(this.options.env.timers, PodManagerLimits.configRetryMs, this.abort.signal).then(() => this.schedule(managed.uid), () => undefined);
      return;
    }
    const previous = asObject(managed.latest['status']);
    const startTime = Date.parse(String(getPath(managed.latest, ['status', 'startTime']) ?? ''));
    const worker = new PodWorker({
      pod, runtime: this.options.runtime, env: this.options.env, lookups: this.lookups(), logger: this.options.logger,
      onStatus: (status) => this.onWorkerStatus(managed, status),
      onEvent: (event) => this.options.events.record(pod, event.type, event.reason, event.message, event.fieldPath),
      ...(Number.isNaN(startTime) ? {} : { startTimeMs: startTime }),
      ...(previous?.['conditions'] === undefined ? {} : { previousStatus: previous as unknown as PodStatus }),
      ...this.options.workerOptions,
    });
    managed.worker = worker;
    const adopted = this.options.runtime.list(managed.uid).filter((container) => container.exit === undefined).length;
    this.options.logger.info({ pod: describePod(managed.latest), uid: managed.uid, adoptedContainers: adopted }, adopted > 0 ? 'pod re-adopted' : 'pod starting');
    worker.start();
  }

  /** Stops the pod's containers (once); a pod with running containers but no worker yet gets one to stop them properly. */
  private async stop(managed: ManagedPod, graceSeconds: number | undefined): Promise<void> {
    if (managed.stopped) return;
    let worker = managed.worker;
    if (worker === undefined && this.options.runtime.list(managed.uid).some((container) => container.exit === undefined)) {
      const pod = toAgentPod(managed.latest);
      if (pod !== undefined) {
        worker = new PodWorker({ pod, runtime: this.options.runtime, env: this.options.env, lookups: this.lookups(), logger: this.options.logger, onStatus: () => undefined });
        worker.start();
      }
    }
    managed.stopped = true;
    if (worker === undefined) return;
    this.options.logger.info({ pod: describePod(managed.latest), graceSeconds }, 'stopping pod');
    await worker.stop(graceSeconds);
  }

  private async confirmDeletion(managed: ManagedPod): Promise<void> {
    const pod = toAgentPod(managed.latest);
    if (pod === undefined) return;
    for (let attempt = 1; attempt <= PodManagerLimits.confirmAttemptsMax && !this.abort.signal.aborted; attempt++) {
      try {
        const result = await this.options.client.confirmDeletion(pod.metadata.namespace ?? 'default', pod.metadata.name, pod.metadata.uid, this.abort.signal);
        this.options.logger.info({ pod: describePod(managed.latest), outcome: result.outcome }, 'pod deletion confirmed');
        return;
      } catch (error) {
        this.options.logger.debug({ err: error, attempt }, 'pod deletion not confirmed yet');
        await sleep(this.options.env.timers, PodManagerLimits.confirmRetryMs, this.abort.signal).catch(() => undefined);
      }
    }
  }

  /** The pod is gone from the cluster: stop what runs, remove its files, forget it. */
  private async forget(managed: ManagedPod): Promise<void> {
    await this.stop(managed, toAgentPod(managed.latest)?.spec.terminationGracePeriodSeconds);
    this.options.statuses.forget(managed.uid);
    await this.options.runtime.removePod(managed.uid).catch((error: unknown) => this.options.logger.warn({ err: error, uid: managed.uid }, 'pod files not removed'));
    this.pods.delete(managed.uid);
    this.options.logger.info({ pod: describePod(managed.latest) }, 'pod removed from this node');
  }

  private stopOrphans(listed: ReadonlySet<string>): void {
    const orphans = new Set(this.options.runtime.list().map((container) => container.podUid).filter((uid) => !listed.has(uid) && !this.pods.has(uid)));
    for (const uid of orphans) {
      const task = async (): Promise<void> => {
        for (const container of this.options.runtime.list(uid)) {
          if (container.exit === undefined) await this.options.runtime.stop(container.id, PodManagerLimits.orphanGracePeriodMs);
        }
        await this.options.runtime.removePod(uid);
        this.options.logger.info({ uid }, 'stopped the containers of a pod the cluster no longer has');
      };
      const next = (this.chains.get(uid) ?? Promise.resolve()).then(task).catch((error: unknown) => this.options.logger.warn({ err: error, uid }, 'orphan cleanup failed'));
      this.chains.set(uid, next);
      void next.finally(() => {
        if (this.chains.get(uid) === next) this.chains.delete(uid);
      });
    }
  }

  private onWorkerStatus(managed: ManagedPod, status: PodStatus): void {
    if (managed.removed) return;
    const pod = toAgentPod(managed.latest);
    if (pod === undefined) return;
    this.options.statuses.offer({ namespace: pod.metadata.namespace ?? 'default', name: pod.metadata.name, uid: managed.uid, status: statusToJson(status), hostPorts: this.hostPorts(managed.uid) });
  }

  /** Writes the worker's status again when the API's copy says something else (see statusDigest). */
  private reassertStatus(managed: ManagedPod, worker: PodWorker): void {
    const current = worker.status();
    if (statusDigest(asObject(managed.latest['status'])) !== statusDigest(statusToJson(current))) this.onWorkerStatus(managed, current);
  }

  private hostPorts(uid: string): Record<string, number> {
    const ports: Record<string, number> = {};
    for (const container of this.options.runtime.list(uid)) for (const port of container.ports) ports[String(port.containerPort)] = port.hostPort;
    return ports;
  }

  private onConfigChange(reference: ConfigReference): void {
    const key = configReferenceKey(reference);
    for (const managed of this.pods.values()) {
      const pod = toAgentPod(managed.latest);
      if (pod === undefined || managed.worker === undefined || managed.stopped) continue;
      if (configReferences(pod).some((candidate) => configReferenceKey(candidate) === key)) void managed.worker.refreshVolumes();
    }
  }

  private lookups(): EnvLookups {
    const configs = this.options.configs;
    return {
      configMap: (namespace, name) => configs.configMap(namespace, name),
      secret: (namespace, name) => configs.secret(namespace, name),
      claim: (namespace, claimName) => this.options.claims.claim(namespace, claimName),
      hostIP: this.options.nodeIp,
      podIP: this.options.nodeIp,
      nodeAllocatable: this.options.nodeAllocatable,
      ...(this.options.serviceVariables === undefined ? {} : { serviceVariables: this.options.serviceVariables }),
    };
  }
}
