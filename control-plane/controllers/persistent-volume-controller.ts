import type { Logger } from '../../common/index.ts';
import { getPath, type JsonObject } from '../api/json.ts';
import { nodeResource } from '../api/registry/kinds/node.ts';
import { persistentVolumeClaimResource } from '../api/registry/kinds/persistent-volume-claim.ts';
import { persistentVolumeResource } from '../api/registry/kinds/persistent-volume.ts';
import { storageClassResource } from '../api/registry/kinds/storage-class.ts';
import type { ResourceDefinition } from '../api/registry/resource.ts';
import {
  annotationsOf, defaultControllerWorkers, defaultResyncPeriodMs, isApiStatus, isoSeconds, keyOf, labelsOfObject, nameOf, newWorkQueue, objectKeyFor,
  runReconcileLoop, uidOf,
  type Controller, type ControllerContext, type ControllerFactory, type Informer, type ReconcileResult, type WorkQueue,
} from '../controller-runtime/index.ts';
import { claimClassName, claimReferenceOf, defaultClassName, VolumeAnnotations, type NodeIdentity } from '../scheduler/index.ts';
import {
  claimAskingProvisioner, claimBoundStatus, claimBoundToVolume, claimWithClass, claimWithPhase, volumeBoundToClaim, volumeUnbound, volumeWithPhase,
} from './persistent-volume-binding.ts';
import { externalProvisioningEvent, planClaim, planVolume, type ControllerEvent } from './persistent-volume-plan.ts';

export const persistentVolumeComponent = 'persistentvolume-controller';

/** Queue keys: `claim|<namespace>/<name>` and `volume|<name>` (one queue, one worker per object). */
const claimPrefix = 'claim|';
const volumePrefix = 'volume|';
/** Volumes by the claim their claimRef names (`namespace/name`), to find a deleted claim's volume. */
const claimRefIndex = 'claimRef';

export const persistentVolumeControllerFactory: ControllerFactory = (context) => new PersistentVolumeController(context);

/**
 * Binds PersistentVolumeClaims to PersistentVolumes as Kubernetes' PV controller does: a claim gets
 * the default class when it names none, then the smallest matching Available volume (or the one it
 * or its volume pre-binds); a WaitForFirstConsumer claim waits for the scheduler's selected node,
 * then binds to a matching volume that node can use, or asks the class's provisioner for one. A
 * volume whose claim is gone is Released and reclaimed by its policy (a provisioner deletes its own).
 */
export class PersistentVolumeController implements Controller {
  readonly name = 'persistentvolume';
  private readonly queue: WorkQueue;
  private readonly claims: Informer;
  private readonly volumes: Informer;
  private readonly classes: Informer;
  private readonly nodes: Informer;
  private readonly logger: Logger;

  constructor(private readonly context: ControllerContext) {
    this.logger = context.logger.child({ controller: this.name });
    this.queue = newWorkQueue(context.env);
    this.claims = context.informers.informerFor(persistentVolumeClaimResource);
    this.volumes = context.informers.informerFor(persistentVolumeResource);
    this.classes = context.informers.informerFor(storageClassResource);
    this.nodes = context.informers.informerFor(nodeResource);
    this.volumes.addIndex(claimRefIndex, (volume) => {
      const reference = claimReferenceOf(volume);
      return reference === undefined ? [] : [objectKeyFor(reference.namespace, reference.name)];
    });
    this.claims.addHandler((change) => {
      this.queue.add(claimPrefix + keyOf(change.object));
      for (const volume of this.volumes.cache.byIndex(claimRefIndex, keyOf(change.object))) this.queue.add(volumePrefix + nameOf(volume));
    });
    this.volumes.addHandler((change) => {
      this.queue.add(volumePrefix + nameOf(change.object));
      const reference = claimReferenceOf(change.object);
      if (reference !== undefined) this.queue.add(claimPrefix + objectKeyFor(reference.namespace, reference.name));
      // A volume that became Available may be what a pending claim waits for.
      if (change.type !== 'deleted' && getPath(change.object, ['status', 'phase']) === 'Available') this.addPendingClaims();
    });
    this.classes.addHandler(() => this.addPendingClaims());
  }

  run(signal: AbortSignal): Promise<void> {
    return runReconcileLoop({
      name: this.name, workers: defaultControllerWorkers, queue: this.queue, reconcile: (key) => this.reconcile(key),
      resyncKeys: () => [...this.claims.cache.keys().map((key) => claimPrefix + key), ...this.volumes.cache.keys().map((key) => volumePrefix + key)],
      resyncPeriodMs: defaultResyncPeriodMs, env: this.context.env, logger: this.logger,
    }, signal);
  }

  private addPendingClaims(): void {
    for (const claim of this.claims.cache.list()) if (getPath(claim, ['spec', 'volumeName']) === undefined) this.queue.add(claimPrefix + keyOf(claim));
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    if (key.startsWith(claimPrefix)) await this.syncClaim(key.slice(claimPrefix.length));
    else if (key.startsWith(volumePrefix)) await this.syncVolume(key.slice(volumePrefix.length));
    return undefined;
  }

  private selectedNode(claim: JsonObject): NodeIdentity | undefined {
    const name = annotationsOf(claim)[VolumeAnnotations.selectedNode];
    if (name === undefined || name === '') return undefined;
    const node = this.nodes.cache.get(name);
    return { name, labels: node === undefined ? {} : labelsOfObject(node) };
  }

  private async syncClaim(key: string): Promise<void> {
    const claim = this.claims.cache.get(key);
    if (claim === undefined) return;
    const fallbackClass = defaultClassName(this.classes.cache.list());
    const className = claimClassName(claim, fallbackClass);
    const action = planClaim({
      claim, defaultClassName: fallbackClass, volumes: this.volumes.cache.list(), selectedNode: this.selectedNode(claim),
      storageClass: className === '' ? undefined : this.classes.cache.get(className),
    });
    switch (action.type) {
      case 'none':
        return;
      case 'assignDefaultClass':
        await this.write(this.claims, persistentVolumeClaimResource, claimWithClass(claim, action.className), 'spec');
        return;
      case 'bind':
        await this.bind(claim, action.volume);
        return;
      case 'provision':
        await this.write(this.claims, persistentVolumeClaimResource, claimAskingProvisioner(claim, action.provisioner), 'spec');
        await this.write(this.claims, persistentVolumeClaimResource, claimWithPhase(this.latest(this.claims, claim), 'Pending'), 'status');
        this.record(claim, externalProvisioningEvent(action.provisioner));
        return;
      case 'pending':
      case 'lost':
        await this.write(this.claims, persistentVolumeClaimResource, claimWithPhase(claim, action.type === 'lost' ? 'Lost' : 'Pending'), 'status');
        if (action.event !== undefined) this.record(claim, action.event);
        return;
    }
  }

  /** Kubernetes' bind(): each step a compare-and-swap on what the cache holds, skipped when already done. */
  private async bind(claim: JsonObject, volume: JsonObject): Promise<void> {
    const nowIso = isoSeconds(this.context.env.clock.nowMs());
    await this.write(this.volumes, persistentVolumeResource, volumeBoundToClaim(volume, claim), 'spec');
    await this.write(this.volumes, persistentVolumeResource, volumeWithPhase(this.latest(this.volumes, volume), 'Bound', undefined, nowIso), 'status');
    await this.write(this.claims, persistentVolumeClaimResource, claimBoundToVolume(claim, volume), 'spec');
    await this.write(this.claims, persistentVolumeClaimResource, claimBoundStatus(this.latest(this.claims, claim), volume), 'status');
  }

  private async syncVolume(name: string): Promise<void> {
    const volume = this.volumes.cache.get(name);
    if (volume === undefined) return;
    const reference = claimReferenceOf(volume);
    let claim = reference === undefined ? undefined : this.claims.cache.get(objectKeyFor(reference.namespace, reference.name));
    // Releasing a volume on a stale cache would hand its data to another claim: confirm a miss with a live read.
    if (reference !== undefined && reference.uid !== '' && (claim === undefined || uidOf(claim) !== reference.uid)) {
      claim = (await this.context.client.get(persistentVolumeClaimResource, reference.namespace, reference.name)) ?? undefined;
    }
    const action = planVolume({ volume, claim });
    const nowIso = isoSeconds(this.context.env.clock.nowMs());
    switch (action.type) {
      case 'none':
        return;
      case 'phase':
        await this.write(this.volumes, persistentVolumeResource, volumeWithPhase(volume, action.phase, undefined, nowIso), 'status');
        return;
      case 'failed':
        await this.write(this.volumes, persistentVolumeResource, volumeWithPhase(volume, 'Failed', action.event.message, nowIso), 'status');
        this.record(volume, action.event);
        return;
      case 'syncClaim':
        if (claim !== undefined) this.queue.add(claimPrefix + keyOf(claim));
        return;
      case 'unbind':
        await this.write(this.volumes, persistentVolumeResource, volumeUnbound(volume, action.keepName), 'spec');
        await this.write(this.volumes, persistentVolumeResource, volumeWithPhase(this.latest(this.volumes, volume), 'Available', undefined, nowIso), 'status');
        return;
    }
  }

  /** The cache's copy after our own writes (they are observed at once). */
  private latest(informer: Informer, object: JsonObject): JsonObject {
    return informer.cache.get(keyOf(object)) ?? object;
  }

  /** One compare-and-swap (null: nothing to write). A 409 throws, so the key is retried on fresh state. */
  private async write(informer: Informer, definition: ResourceDefinition, next: JsonObject | null, part: 'spec' | 'status'): Promise<void> {
    if (next === null) return;
    try {
      const written = part === 'status' ? await this.context.client.updateStatus(definition, next) : await this.context.client.update(definition, next);
      informer.observe(written);
    } catch (error) {
      if (isApiStatus(error, 404)) return;
      throw error;
    }
  }

  private record(object: JsonObject, event: ControllerEvent): void {
    this.context.events.record(persistentVolumeComponent, object, event.type, event.reason, event.message);
  }
}
