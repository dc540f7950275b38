import type { Logger } from '../../common/index.ts';
import { cloneJson, ensureObject, type JsonObject } from '../api/json.ts';
import { nodeResource } from '../api/registry/kinds/node.ts';
import { persistentVolumeClaimResource } from '../api/registry/kinds/persistent-volume-claim.ts';
import { persistentVolumeResource } from '../api/registry/kinds/persistent-volume.ts';
import { storageClassResource } from '../api/registry/kinds/storage-class.ts';
import {
  annotationsOf, defaultControllerWorkers, defaultResyncPeriodMs, isApiStatus, keyOf, nameOf, newWorkQueue, runReconcileLoop, uidOf,
  type Controller, type ControllerContext, type ControllerFactory, type Informer, type ReconcileResult, type WorkQueue,
} from '../controller-runtime/index.ts';
import { claimClassName, defaultClassName, VolumeAnnotations } from '../scheduler/index.ts';
import {
  claimDisplayName, defaultVolumesDirectory, isLocalPathVolumeToDelete, planProvisioning, provisionedVolumeName, wantsLocalPathVolume,
} from './local-path-provisioner-plan.ts';
import { observeDeletion } from './observe-deletion.ts';

export const localPathProvisionerComponent = 'flotilla.io/local-path';

export interface LocalPathProvisionerOptions {
  /** Where volumes go on nodes whose agent announces no directory of its own. */
  readonly volumesDirectory: string;
}

export const defaultLocalPathProvisionerOptions: LocalPathProvisionerOptions = { volumesDirectory: defaultVolumesDirectory };

const claimPrefix = 'claim|';
const volumePrefix = 'volume|';

export function localPathProvisionerFactory(options: Partial<LocalPathProvisionerOptions> = {}): ControllerFactory {
  return (context) => new LocalPathProvisioner(context, { ...defaultLocalPathProvisionerOptions, ...options });
}

/**
 * The provisioner of the default `local-path` class (k3s' local-path-provisioner, in process): for a
 * claim the PersistentVolume controller hands to it (storage-provisioner annotation) on the node the
 * scheduler selected, it creates a hostPath volume `<volumes directory>/<volume name>` with node
 * affinity to that node, pre-bound to the claim; the PV controller completes the binding. Its
 * Released volumes with reclaimPolicy Delete have their objects deleted; the node's agent removes the
 * directory (see the README's contract).
 */
export class LocalPathProvisioner implements Controller {
  readonly name = 'local-path-provisioner';
  private readonly queue: WorkQueue;
  private readonly claims: Informer;
  private readonly volumes: Informer;
  private readonly classes: Informer;
  private readonly nodes: Informer;
  private readonly logger: Logger;

  constructor(private readonly context: ControllerContext, private readonly options: LocalPathProvisionerOptions) {
    this.logger = context.logger.child({ controller: this.name });
    this.queue = newWorkQueue(context.env);
    this.claims = context.informers.informerFor(persistentVolumeClaimResource);
    this.volumes = context.informers.informerFor(persistentVolumeResource);
    this.classes = context.informers.informerFor(storageClassResource);
    this.nodes = context.informers.informerFor(nodeResource);
    this.claims.addHandler((change) => {
      if (change.type !== 'deleted' && wantsLocalPathVolume(change.object)) this.queue.add(claimPrefix + keyOf(change.object));
    });
    this.volumes.addHandler((change) => {
      if (change.type !== 'deleted' && isLocalPathVolumeToDelete(change.object)) this.queue.add(volumePrefix + nameOf(change.object));
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return runReconcileLoop({
      name: this.name, workers: defaultControllerWorkers, queue: this.queue, reconcile: (key) => this.reconcile(key),
      resyncKeys: () => [
        ...this.claims.cache.list().filter(wantsLocalPathVolume).map((claim) => claimPrefix + keyOf(claim)),
        ...this.volumes.cache.list().filter(isLocalPathVolumeToDelete).map((volume) => volumePrefix + nameOf(volume)),
      ],
      resyncPeriodMs: defaultResyncPeriodMs, env: this.context.env, logger: this.logger,
    }, signal);
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    if (key.startsWith(claimPrefix)) await this.provision(key.slice(claimPrefix.length));
    else if (key.startsWith(volumePrefix)) await this.deleteReleased(key.slice(volumePrefix.length));
    return undefined;
  }

  private async provision(key: string): Promise<void> {
    const claim = this.claims.cache.get(key);
    if (claim === undefined) return;
    const className = claimClassName(claim, defaultClassName(this.classes.cache.list()));
    const nodeName = annotationsOf(claim)[VolumeAnnotations.selectedNode] ?? '';
    const decision = planProvisioning({
      claim, className, storageClass: this.classes.cache.get(className), node: nodeName === '' ? undefined : this.nodes.cache.get(nodeName),
      existing: this.volumes.cache.get(provisionedVolumeName(claim)), defaultVolumesDirectory: this.options.volumesDirectory,
    });
    switch (decision.type) {
      case 'none':
        return;
      case 'fail':
        this.context.events.record(localPathProvisionerComponent, claim, 'Warning', 'ProvisioningFailed', decision.message);
        return;
      case 'reschedule':
        this.context.events.record(localPathProvisionerComponent, claim, 'Warning', 'ProvisioningFailed', decision.message);
        await this.dropSelectedNode(claim);
        return;
      case 'create':
        await this.create(claim, decision.volume);
        return;
    }
  }

  private async create(claim: JsonObject, volume: JsonObject): Promise<void> {
    this.context.events.record(localPathProvisionerComponent, claim, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${claimDisplayName(claim)}"`);
    try {
      this.volumes.observe(await this.context.client.create(persistentVolumeResource, volume));
    } catch (error) {
      // Another replica's provisioner (a previous leader) made it first: same name, same claim.
      if (!isApiStatus(error, 409)) throw error;
      return;
    }
    this.context.events.record(localPathProvisionerComponent, claim, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${nameOf(volume)}`);
  }

  private async dropSelectedNode(claim: JsonObject): Promise<void> {
    const next = cloneJson(claim);
    const annotations = annotationsOf(next);
    delete annotations[VolumeAnnotations.selectedNode];
    ensureObject(next, 'metadata')['annotations'] = annotations;
    try {
      this.claims.observe(await this.context.client.update(persistentVolumeClaimResource, next));
    } catch (error) {
      if (!isApiStatus(error, 404)) throw error;
    }
  }

  /** Deletes the object of a Released Delete-policy volume (uid precondition: never a newer volume of the same name). */
  private async deleteReleased(name: string): Promise<void> {
    const volume = this.volumes.cache.get(name);
    if (volume === undefined || !isLocalPathVolumeToDelete(volume)) return;
    const deleted = await this.context.client.delete(persistentVolumeResource, undefined, name, { uid: uidOf(volume) });
    observeDeletion(this.volumes, deleted);
  }
}
