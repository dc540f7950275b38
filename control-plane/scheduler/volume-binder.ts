import { sleep, type Logger } from '../../common/index.ts';
import { asString, getPath, type JsonObject } from '../api/json.ts';
import { persistentVolumeClaimResource } from '../api/registry/kinds/persistent-volume-claim.ts';
import { persistentVolumeResource } from '../api/registry/kinds/persistent-volume.ts';
import { storageClassResource } from '../api/registry/kinds/storage-class.ts';
import {
  annotationsOf, isApiStatus, keyOf, namespaceOf, nameOf, objectKeyFor, uidOf,
  type ControllerContext, type Informer,
} from '../controller-runtime/index.ts';
import { preFilterVolumes, type VolumeLookup } from './volume-filter.ts';
import { claimReferenceOf, defaultClassName, volumeAdmitsNode, VolumeAnnotations, type NodeIdentity } from './volume-matching.ts';

export const VolumeBindingLimits = {
  /** How long a binding waits for its pod's claims to be bound on the chosen node (Kubernetes' bindTimeoutSeconds is 600). */
  bindTimeoutMs: 120_000,
  /** How often the wait looks at the claim cache (the informers keep it current; this only paces the check). */
  pollIntervalMs: 100,
  /** Compare-and-swap attempts of one selected-node annotation that lost races with other writers. */
  annotateRetriesMax: 5,
} as const;

export type VolumeBindingOutcome = { readonly ok: true } | { readonly ok: false; readonly message: string };

type ClaimBinding = { readonly state: 'bound' | 'pending' } | { readonly state: 'failed'; readonly message: string };
const bound: ClaimBinding = { state: 'bound' };
const pending: ClaimBinding = { state: 'pending' };

/**
 * The scheduler's side of WaitForFirstConsumer (Kubernetes' VolumeBinding PreBind): informer caches
 * of claims, volumes and classes for the filter, and before a pod is bound, the chosen node written
 * on each of its unbound delayed claims (`volume.kubernetes.io/selected-node`), then a wait until the
 * PersistentVolume controller (an existing volume) or the provisioner (a new one) has bound them to a
 * volume that node can use. Only then is the pod bound, so it never lands where its data cannot be.
 */
export class VolumeBinder implements VolumeLookup {
  private readonly claims: Informer;
  private readonly persistentVolumes: Informer;
  private readonly classes: Informer;
  private readonly logger: Logger;

  constructor(private readonly context: ControllerContext, onChange: () => void) {
    this.logger = context.logger.child({ component: 'volume-binder' });
    this.claims = context.informers.informerFor(persistentVolumeClaimResource);
    this.persistentVolumes = context.informers.informerFor(persistentVolumeResource);
    this.classes = context.informers.informerFor(storageClassResource);
    // Kubernetes moves unschedulable pods back to the active queue on claim, volume and class events.
    for (const informer of [this.claims, this.persistentVolumes, this.classes]) informer.addHandler(() => onChange());
  }

  claim(namespace: string, name: string): JsonObject | undefined {
    return this.claims.cache.get(objectKeyFor(namespace, name));
  }

  volume(name: string): JsonObject | undefined {
    return this.persistentVolumes.cache.get(name);
  }

  storageClass(name: string): JsonObject | undefined {
    return this.classes.cache.get(name);
  }

  defaultClassName(): string | undefined {
    return defaultClassName(this.classes.cache.list());
  }

  volumes(): readonly JsonObject[] {
    return this.persistentVolumes.cache.list();
  }

  /** Selects `node` for the pod's unbound delayed claims and waits until they are bound there. */
  async bindPodVolumes(pod: JsonObject, node: NodeIdentity, signal: AbortSignal): Promise<VolumeBindingOutcome> {
    const prepared = preFilterVolumes(pod, this);
    if (!prepared.ok) return prepared;
    const toBind = prepared.volumes?.toBind ?? [];
    if (toBind.length === 0) return { ok: true };
    for (const { claim } of toBind) {
      const written = await this.selectNode(namespaceOf(claim), nameOf(claim), node.name);
      if (!written.ok) return written;
    }
    const deadlineMs = this.context.env.clock.nowMs() + VolumeBindingLimits.bindTimeoutMs;
    for (;;) {
      const waiting = toBind.map(({ claim }) => this.bindingState(claim, node)).find((binding) => binding.state !== 'bound');
      if (waiting === undefined) return { ok: true };
      if (waiting.state === 'failed') return { ok: false, message: waiting.message };
      if (this.context.env.clock.nowMs() > deadlineMs) return { ok: false, message: 'binding volumes: timed out waiting for the condition' };
      if (!(await sleep(this.context.env.timers, VolumeBindingLimits.pollIntervalMs, signal))) return { ok: false, message: 'binding volumes: scheduler stopping' };
    }
  }

  /** Whether the claim is bound to a volume the node can use, still on its way, or cannot be. */
  private bindingState(original: JsonObject, node: NodeIdentity): ClaimBinding {
    const claim = this.claims.cache.get(keyOf(original));
    if (claim === undefined || uidOf(claim) !== uidOf(original)) return { state: 'failed', message: `persistentvolumeclaim "${nameOf(original)}" was deleted` };
    const volumeName = asString(getPath(claim, ['spec', 'volumeName'])) ?? '';
    if (volumeName === '' || annotationsOf(claim)[VolumeAnnotations.bindCompleted] === undefined) return pending;
    const volume = this.persistentVolumes.cache.get(volumeName);
    if (volume === undefined || claimReferenceOf(volume)?.uid !== uidOf(claim)) return pending;
    if (volumeAdmitsNode(volume, node)) return bound;
    return { state: 'failed', message: `persistentvolumeclaim "${nameOf(claim)}" was bound to volume "${volumeName}", which node "${node.name}" cannot use` };
  }

  /** Writes the selected-node annotation by compare-and-swap (re-reading on conflict). */
  private async selectNode(namespace: string, name: string, nodeName: string): Promise<VolumeBindingOutcome> {
    for (let attempt = 0; attempt < VolumeBindingLimits.annotateRetriesMax; attempt++) {
      const claim = await this.context.client.get(persistentVolumeClaimResource, namespace, name);
      if (claim === null) return { ok: false, message: `persistentvolumeclaim "${name}" not found` };
      if ((asString(getPath(claim, ['spec', 'volumeName'])) ?? '') !== '') return { ok: true };
      const annotations = annotationsOf(claim);
      if (annotations[VolumeAnnotations.selectedNode] === nodeName) return { ok: true };
      const metadata = { ...((claim['metadata'] ?? {}) as JsonObject), annotations: { ...annotations, [VolumeAnnotations.selectedNode]: nodeName } };
      try {
        this.claims.observe(await this.context.client.update(persistentVolumeClaimResource, { ...claim, metadata }));
        return { ok: true };
      } catch (error) {
        if (!isApiStatus(error, 409)) throw error;
        this.logger.debug({ claim: `${namespace}/${name}` }, 'selected-node annotation lost a race; retrying');
      }
    }
    return { ok: false, message: `persistentvolumeclaim "${name}": too many concurrent writers` };
  }
}
