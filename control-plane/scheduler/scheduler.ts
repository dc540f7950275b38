import type { Logger } from '../../common/index.ts';
import { getPath, jsonEqual, type JsonObject } from '../api/json.ts';
import { nodeResource } from '../api/registry/kinds/node.ts';
import { podResource } from '../api/registry/kinds/pod.ts';
import {
  conditionDiffers, isBeingDeleted, isoSeconds, keyOf, nodeNameOf, withCondition,
  type CacheChange, type Controller, type ControllerContext, type ControllerFactory, type Informer,
} from '../controller-runtime/index.ts';
import { NodeInfo, podInfoOf } from './node-info.ts';
import { bindPodToNode } from '../api/objects/pod-binding.ts';
import { schedule, type ScheduleConfig } from './schedule.ts';
import { SchedulerCache } from './scheduler-cache.ts';
import { defaultSchedulingQueueOptions, SchedulingQueue, type SchedulingQueueOptions } from './scheduling-queue.ts';
import { VolumeBinder } from './volume-binder.ts';

export interface SchedulerOptions extends ScheduleConfig {
  /** Pods naming another spec.schedulerName are left alone. */
  readonly schedulerName: string;
  /** Bindings in flight; the scheduling loop waits for a slot (binding is the slow, I/O part). */
  readonly bindsInFlightMax: number;
  /** Unschedulable pods are retried at least this often even if no change was seen (Kubernetes: 5 min). */
  readonly unschedulableFlushMs: number;
  readonly queue: SchedulingQueueOptions;
}

export const defaultSchedulerOptions: SchedulerOptions = {
  schedulerName: 'default-scheduler',
  scoring: 'LeastAllocated',
  bindsInFlightMax: 64,
  unschedulableFlushMs: 30_000,
  queue: defaultSchedulingQueueOptions,
};

export const schedulerComponent = 'default-scheduler';

export function schedulerFactory(options: Partial<SchedulerOptions> = {}): ControllerFactory {
  return (context) => new Scheduler(context, { ...defaultSchedulerOptions, ...options });
}

/**
 * Places pending pods: pops one pod at a time (priority, then FIFO), runs the pure `schedule` on
 * the cache, assumes the result (so the next decision counts it) and binds asynchronously. A pod
 * that fits nowhere gets PodScheduled=False and a FailedScheduling event, and waits for a change.
 * No preemption: a pod that does not fit stays Pending whatever its priority.
 */
export class Scheduler implements Controller {
  readonly name = 'scheduler';
  readonly cache = new SchedulerCache();
  readonly queue: SchedulingQueue;
  private readonly pods: Informer;
  private readonly volumes: VolumeBinder;
  private readonly logger: Logger;
  /** The run's signal: volume binding waits end with it. */
  private runSignal: AbortSignal = new AbortController().signal;
  private bindsInFlight = 0;
  private slotWaiters: Array<() => void> = [];
  bound = 0;

  constructor(private readonly context: ControllerContext, private readonly options: SchedulerOptions) {
    this.logger = context.logger.child({ controller: this.name });
    this.queue = new SchedulingQueue(context.env.timers, () => context.env.clock.nowMs(), options.queue);
    this.pods = context.informers.informerFor(podResource);
    this.pods.addHandler((change) => this.onPodChange(change));
    context.informers.informerFor(nodeResource).addHandler((change) => this.onNodeChange(change));
    this.volumes = new VolumeBinder(context, () => this.queue.moveAllToActive());
  }

  async run(signal: AbortSignal): Promise<void> {
    this.runSignal = signal;
    const onAbort = () => this.queue.close();
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) this.queue.close();
    const flush = this.context.env.timers.setInterval(() => this.queue.moveAllToActive(), this.options.unschedulableFlushMs);
    try {
      for (;;) {
        await this.bindSlot();
        const key = await this.queue.pop();
        if (key === null) break;
        this.scheduleOne(key);
      }
      while (this.bindsInFlight > 0) await this.bindSlot(1);
    } finally {
      flush.cancel();
      signal.removeEventListener('abort', onAbort);
    }
  }

  private isOurs(pod: JsonObject): boolean {
    return (getPath(pod, ['spec', 'schedulerName']) ?? this.options.schedulerName) === this.options.schedulerName;
  }

  private onPodChange(change: CacheChange): void {
    const key = keyOf(change.object);
    const nodeName = nodeNameOf(change.object);
    if (change.type === 'deleted') {
      const wasPlaced = nodeName !== '' || this.cache.isAssumed(key);
      this.cache.removePod(key);
      this.queue.remove(key);
      if (wasPlaced) this.queue.moveAllToActive();
      return;
    }
    if (nodeName !== '') {
      this.cache.addPod(podInfoOf(change.object), nodeName);
      this.queue.remove(key);
      return;
    }
    if (isBeingDeleted(change.object) || !this.isOurs(change.object) || this.cache.isAssumed(key)) return;
    // Our own status writes (PodScheduled=False) must not re-queue the pod; a spec or label change does.
    const previous = change.previous;
    if (previous !== undefined && jsonEqual(previous['spec'], change.object['spec']) && jsonEqual(getPath(previous, ['metadata', 'labels']), getPath(change.object, ['metadata', 'labels']))) return;
    this.queue.add(key, podInfoOf(change.object).priority);
  }

  private onNodeChange(change: CacheChange): void {
    if (change.type === 'deleted') {
      this.cache.removeNode(keyOf(change.object));
      return;
    }
    if (this.cache.upsertNode(new NodeInfo(change.object))) this.queue.moveAllToActive();
  }

  private scheduleOne(key: string): void {
    const pod = this.pods.cache.get(key);
    if (pod === undefined || nodeNameOf(pod) !== '' || isBeingDeleted(pod) || !this.isOurs(pod) || this.cache.isAssumed(key)) return;
    const info = podInfoOf(pod);
    const snapshot = { nodes: this.cache.nodes, podsWithAntiAffinity: this.cache.podsWithAntiAffinity, volumes: this.volumes };
    const result = schedule(info, snapshot, this.options, () => this.context.env.prng.next());
    if (!result.ok) {
      this.queue.markUnschedulable(key, info.priority);
      this.onUnschedulable(pod, result.message);
      return;
    }
    this.cache.assume(info, result.node);
    this.bindsInFlight++;
    void this.bind(pod, info.priority, result.node).finally(() => {
      this.bindsInFlight--;
      this.slotWaiters.shift()?.();
    });
  }

  private async bind(pod: JsonObject, priority: number, nodeName: string): Promise<void> {
    const key = keyOf(pod);
    const metadata = { namespace: String(getPath(pod, ['metadata', 'namespace']) ?? ''), name: String(getPath(pod, ['metadata', 'name']) ?? ''), uid: String(getPath(pod, ['metadata', 'uid']) ?? '') };
    try {
      if (!(await this.bindVolumes(pod, priority, nodeName))) return;
      const outcome = await bindPodToNode(this.context.client.context, metadata.namespace, metadata.name, nodeName, { uid: metadata.uid, dryRun: false, nowIso: this.nowIso() });
      if (outcome.type === 'bound') {
        this.bound++;
        this.pods.observe(outcome.pod);
        this.context.events.record(schedulerComponent, outcome.pod, 'Normal', 'Scheduled', `Successfully assigned ${metadata.namespace}/${metadata.name} to ${nodeName}`);
        return;
      }
      this.cache.removePod(key);
      if (outcome.type === 'conflict') this.queue.backOff(key, priority);
    } catch (error) {
      this.logger.warn({ err: error, pod: key }, 'binding failed');
      this.cache.removePod(key);
      this.queue.backOff(key, priority);
    }
  }

  /** WaitForFirstConsumer claims are bound on the chosen node first; false (pod forgotten and backing off) when they cannot be. */
  private async bindVolumes(pod: JsonObject, priority: number, nodeName: string): Promise<boolean> {
    const node = this.cache.nodeInfo(nodeName) ?? { name: nodeName, labels: {} };
    const outcome = await this.volumes.bindPodVolumes(pod, node, this.runSignal);
    if (outcome.ok) return true;
    this.cache.removePod(keyOf(pod));
    this.queue.backOff(keyOf(pod), priority);
    this.context.events.record(schedulerComponent, pod, 'Warning', 'FailedScheduling', `running PreBind plugin "VolumeBinding": ${outcome.message}`);
    return false;
  }

  private onUnschedulable(pod: JsonObject, message: string): void {
    this.context.events.record(schedulerComponent, pod, 'Warning', 'FailedScheduling', message);
    const conditions = getPath(pod, ['status', 'conditions']);
    const update = { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message } as const;
    if (!conditionDiffers(conditions, update)) return;
    const status = { ...((pod['status'] as JsonObject | undefined) ?? {}), conditions: withCondition(conditions, update, this.nowIso(), ['lastProbeTime']) };
    this.context.client.updateStatus(podResource, { ...pod, status })
      .then((updated) => this.pods.observe(updated))
      .catch((error: unknown) => this.logger.debug({ err: error, pod: keyOf(pod) }, 'PodScheduled condition not written'));
  }

  private nowIso(): string {
    return isoSeconds(this.context.env.clock.nowMs());
  }

  /** Waits until fewer than `limit` bindings are in flight. */
  private async bindSlot(limit = this.options.bindsInFlightMax): Promise<void> {
    while (this.bindsInFlight >= limit) await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
  }
}
