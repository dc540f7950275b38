import type { Env, TimerHandle } from '../../common/index.ts';
import {
  controllerOf, findCondition, isApiStatus, isBeingDeleted, isoSeconds, nameOf, namespaceOf, nodeNameOf, parseTimeMs, podPhase, uidOf, type ApiClient, type JsonObject,
} from '../../control-plane/index.ts';
import type { ContainerLedger } from './container-ledger.ts';
import { Kinds } from './kinds.ts';
import { finishedPodStatus, imageOf, readyNodeStatus, reportsRunning, runningPodStatus } from './kubelet-status.ts';
import { recordAt, valueAt } from './object-fields.ts';
import type { Trace } from './trace.ts';

/** A simulated kubelet's timings (virtual milliseconds) and seeded ranges. */
export const KubeletTimings = {
  leaseRenewMs: 1_000,
  podSyncMs: 500,
  statusCheckMs: 2_000,
  /** A posted Ready heartbeat older than this is refreshed even when nothing changed. */
  statusRefreshMs: 10_000,
  startDelayMinMs: 200,
  startDelayMaxMs: 2_000,
  stopDelayMinMs: 100,
  stopDelayMaxMs: 1_500,
  jobRunMinMs: 1_000,
  jobRunMaxMs: 6_000,
  jobSuccessPercent: 75,
} as const;

/** Pods a node tracks at once (its local progress per pod); more are ignored until some go. */
export const podsPerNodeMax = 500;

/**
 * How a kubelet treats a pod marked for deletion. `stops-then-confirms` is Kubernetes': stop the
 * containers, then confirm (delete with grace 0 and the pod's uid). `confirms-but-keeps-running`
 * is a deliberately broken kubelet (to show the checks bite): it confirms and leaves the container.
 */
export type DeletionHandling = 'stops-then-confirms' | 'confirms-but-keeps-running';

interface PodProgress {
  startAtMs?: number;
  stopAtMs?: number;
  finishAtMs?: number;
  exitCode?: number;
  podIp?: string;
}

export interface SimulatedNodeOptions {
  readonly name: string;
  readonly index: number;
  /** The node agent's API client (through the faulty store, like every client of the control plane). */
  readonly client: ApiClient;
  readonly env: Env;
  readonly ledger: ContainerLedger;
  readonly trace: Trace;
  readonly deletionHandling: DeletionHandling;
}

/**
 * An in-process fake kubelet on the virtual clock: registers its Node, renews its Lease every
 * second, starts the pods bound to it after a seeded delay (Running, Ready, container statuses,
 * a pod IP), finishes Job pods by a seeded rule, and stops then confirms pods marked for deletion.
 * Killed, it does nothing at all (its containers keep running, as on an unreachable machine);
 * revived, it resumes and stops what was deleted meanwhile.
 */
export class SimulatedNode {
  private timers: TimerHandle[] = [];
  private readonly progress = new Map<string, PodProgress>();
  private readonly busy = new Set<'lease' | 'sync' | 'status'>();
  private podsStarted = 0;
  private alive = false;
  errors = 0;

  constructor(private readonly options: SimulatedNodeOptions) {}

  get name(): string {
    return this.options.name;
  }

  get isAlive(): boolean {
    return this.alive;
  }

  /** Creates the Node and its Lease, then starts the kubelet's loops. */
  async register(): Promise<void> {
    const { client, name, index } = this.options;
    const now = isoSeconds(this.options.env.clock.nowMs());
    const allocatable = { cpu: '4', memory: '8Gi', pods: '110' };
    await client.create(Kinds.node, {
      metadata: { name, labels: { 'kubernetes.io/hostname': name } },
      spec: {},
      status: {
        capacity: allocatable, allocatable, addresses: [{ type: 'InternalIP', address: this.hostIp() }, { type: 'Hostname', address: name }],
        conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now, lastTransitionTime: now }],
      },
    });
    await client.create(Kinds.lease, { metadata: { name, namespace: 'kube-node-lease' }, spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: this.microTime() } });
    this.options.trace.add(`node ${name}: registered (index ${index})`);
    this.resume();
  }

  kill(): void {
    if (!this.alive) return;
    this.alive = false;
    for (const timer of this.timers) timer.cancel();
    this.timers = [];
    this.options.trace.add(`node ${this.name}: dies (its ${this.options.ledger.onNode(this.name).length} containers keep running, unreachable)`);
  }

  revive(): void {
    if (this.alive) return;
    this.options.trace.add(`node ${this.name}: comes back`);
    this.resume();
    this.runOnce('status', () => this.postStatus(true));
    this.runOnce('lease', () => this.renewLease());
  }

  private resume(): void {
    this.alive = true;
    const timers = this.options.env.timers;
    this.timers = [
      timers.setInterval(() => this.runOnce('lease', () => this.renewLease()), KubeletTimings.leaseRenewMs),
      timers.setInterval(() => this.runOnce('sync', () => this.syncPods()), KubeletTimings.podSyncMs),
      timers.setInterval(() => this.runOnce('status', () => this.postStatus(false)), KubeletTimings.statusCheckMs),
    ];
  }

  /** One loop iteration at a time per kind of work; failures (faults, lost races) are retried next time. */
  private runOnce(work: 'lease' | 'sync' | 'status', run: () => Promise<void>): void {
    if (!this.alive || this.busy.has(work)) return;
    this.busy.add(work);
    run().catch(() => {
      this.errors++;
    }).finally(() => this.busy.delete(work));
  }

  private async renewLease(): Promise<void> {
    const { client, name } = this.options;
    const lease = await client.get(Kinds.lease, 'kube-node-lease', name);
    if (!this.alive) return;
    if (lease === null) {
      await client.create(Kinds.lease, { metadata: { name, namespace: 'kube-node-lease' }, spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: this.microTime() } });
      return;
    }
    await client.update(Kinds.lease, { ...lease, spec: { ...recordAt(lease, ['spec']), renewTime: this.microTime() } });
  }

  /** Posts Ready=True when the node shows anything else (e.g. the controller's Unknown) or the heartbeat is old. */
  private async postStatus(force: boolean): Promise<void> {
    const node = await this.options.client.get(Kinds.node, undefined, this.name);
    if (node === null || !this.alive) return;
    const ready = findCondition(valueAt(node, ['status', 'conditions']), 'Ready');
    const heartbeatMs = parseTimeMs(ready?.['lastHeartbeatTime']) ?? 0;
    const stale = this.options.env.clock.nowMs() - heartbeatMs >= KubeletTimings.statusRefreshMs;
    if (!force && ready?.['status'] === 'True' && !stale) return;
    await this.options.client.updateStatus(Kinds.node, { ...node, status: readyNodeStatus(node, isoSeconds(this.options.env.clock.nowMs())) });
  }

  private async syncPods(): Promise<void> {
    const { items } = await this.options.client.list(Kinds.pod);
    if (!this.alive) return;
    const mine = items.filter((pod) => nodeNameOf(pod) === this.name);
    const present = new Set(mine.map(uidOf));
    for (const pod of mine) {
      if (!this.alive) return;
      await this.syncPod(pod).catch((error: unknown) => {
        if (!isApiStatus(error, 409) && !isApiStatus(error, 404)) this.errors++;
      });
    }
    // A container whose pod is gone from the API (deleted, force-deleted) is stopped.
    for (const container of this.options.ledger.onNode(this.name)) if (!present.has(container.uid)) this.stopContainer(container.uid, 'its pod is gone');
    for (const uid of [...this.progress.keys()]) if (!present.has(uid)) this.progress.delete(uid);
  }

  private async syncPod(pod: JsonObject): Promise<void> {
    const uid = uidOf(pod);
    let progress = this.progress.get(uid);
    if (progress === undefined) {
      if (this.progress.size >= podsPerNodeMax) return;
      progress = {};
      this.progress.set(uid, progress);
    }
    if (isBeingDeleted(pod)) return this.syncDeleted(pod, progress);
    const phase = podPhase(pod);
    if (phase === 'Succeeded' || phase === 'Failed') {
      this.stopContainer(uid, `it ${phase === 'Succeeded' ? 'succeeded' : 'failed'}`);
      return;
    }
    if (this.options.ledger.get(uid) !== undefined) return this.syncRunning(pod, progress);
    const nowMs = this.options.env.clock.nowMs();
    if (progress.startAtMs === undefined) progress.startAtMs = nowMs + this.options.env.prng.nextInt(KubeletTimings.startDelayMinMs, KubeletTimings.startDelayMaxMs + 1);
    if (progress.startAtMs > nowMs) return;
    this.startContainer(pod, progress);
    await this.syncRunning(pod, progress);
  }

  private startContainer(pod: JsonObject, progress: PodProgress): void {
    const owner = controllerOf(pod);
    const counter = this.podsStarted++;
    progress.podIp = `10.${100 + this.options.index}.${(counter >> 8) & 255}.${counter & 255}`;
    if (owner?.kind === 'Job') {
      progress.finishAtMs = this.options.env.clock.nowMs() + this.options.env.prng.nextInt(KubeletTimings.jobRunMinMs, KubeletTimings.jobRunMaxMs + 1);
      progress.exitCode = this.options.env.prng.chance(KubeletTimings.jobSuccessPercent / 100) ? 0 : 1;
    }
    this.options.ledger.start({
      uid: uidOf(pod), namespace: namespaceOf(pod), name: nameOf(pod), node: this.name, image: imageOf(pod),
      statefulSet: owner?.kind === 'StatefulSet' ? owner.name : '', startedElapsedMs: this.options.env.clock.nowMs(),
    });
    this.options.trace.add(`node ${this.name}: starts ${namespaceOf(pod)}/${nameOf(pod)} (${imageOf(pod)}) at ${progress.podIp}`);
  }

  private async syncRunning(pod: JsonObject, progress: PodProgress): Promise<void> {
    const nowIso = isoSeconds(this.options.env.clock.nowMs());
    if (progress.finishAtMs !== undefined && progress.finishAtMs <= this.options.env.clock.nowMs()) {
      const exitCode = progress.exitCode ?? 0;
      await this.options.client.updateStatus(Kinds.pod, { ...pod, status: finishedPodStatus(pod, exitCode, nowIso) });
      this.stopContainer(uidOf(pod), `it exited with code ${exitCode}`);
      return;
    }
    const podIp = progress.podIp ?? '';
    if (reportsRunning(pod, podIp)) return;
    await this.options.client.updateStatus(Kinds.pod, { ...pod, status: runningPodStatus(pod, { podIp, hostIp: this.hostIp(), nowIso }) });
  }

  private async syncDeleted(pod: JsonObject, progress: PodProgress): Promise<void> {
    const nowMs = this.options.env.clock.nowMs();
    if (progress.stopAtMs === undefined) progress.stopAtMs = nowMs + this.options.env.prng.nextInt(KubeletTimings.stopDelayMinMs, KubeletTimings.stopDelayMaxMs + 1);
    if (progress.stopAtMs > nowMs) return;
    if (this.options.deletionHandling === 'stops-then-confirms') this.stopContainer(uidOf(pod), 'it was marked for deletion');
    const confirmed = await this.options.client.delete(Kinds.pod, namespaceOf(pod), nameOf(pod), { uid: uidOf(pod), gracePeriodSeconds: 0 });
    if (confirmed !== null) this.options.trace.add(`node ${this.name}: confirms the deletion of ${namespaceOf(pod)}/${nameOf(pod)}`);
  }

  private stopContainer(uid: string, why: string): void {
    if (this.options.deletionHandling === 'confirms-but-keeps-running' && why === 'its pod is gone') return;
    const stopped = this.options.ledger.stop(uid);
    if (stopped !== undefined) this.options.trace.add(`node ${this.name}: stops ${stopped.namespace}/${stopped.name} (${why})`);
  }

  private hostIp(): string {
    return `192.0.2.${10 + this.options.index}`;
  }

  /** A Lease's renewTime is a MicroTime (microseconds). */
  private microTime(): string {
    return new Date(this.options.env.clock.nowMs()).toISOString().replace('Z', '000Z');
  }
}
