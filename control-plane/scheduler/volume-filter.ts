import { asString, getPath, objectsIn, type JsonObject } from '../api/json.ts';
import { isBeingDeleted, nameOf, namespaceOf } from '../controller-runtime/index.ts';
import type { NodeInfo } from './node-info.ts';
import {
  classAdmitsNode, claimClassName, findMatchingVolume, hasNodeAffinity, isWaitForFirstConsumer, noProvisioner, volumeAdmitsNode,
} from './volume-matching.ts';

/** What the volume filter reads of the cluster's claims, volumes and classes (the scheduler's informer caches). */
export interface VolumeLookup {
  claim(namespace: string, name: string): JsonObject | undefined;
  volume(name: string): JsonObject | undefined;
  storageClass(name: string): JsonObject | undefined;
  defaultClassName(): string | undefined;
  volumes(): readonly JsonObject[];
}

/** Kubernetes' VolumeBinding wording (kubectl describe shows them in FailedScheduling). */
export const VolumeReasons = {
  nodeConflict: 'node(s) had volume node affinity conflict',
  bindConflict: "node(s) didn't find available persistent volumes to bind",
  volumeMissing: 'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)',
  unboundImmediate: 'pod has unbound immediate PersistentVolumeClaims',
} as const;

export function claimNotFoundMessage(name: string): string {
  return `persistentvolumeclaim "${name}" not found`;
}

export interface BoundClaim {
  readonly claim: JsonObject;
  /** Undefined when the claim names a volume that does not exist. */
  readonly volume: JsonObject | undefined;
}

export interface ClaimToBind {
  readonly claim: JsonObject;
  readonly className: string;
  readonly storageClass: JsonObject | undefined;
}

/** A pod's claims, sorted once per scheduling decision (Kubernetes' VolumeBinding PreFilter). */
export interface PodVolumes {
  readonly bound: readonly BoundClaim[];
  /** Unbound claims whose class waits for the first consumer: they are bound once the pod has a node. */
  readonly toBind: readonly ClaimToBind[];
  readonly lookup: VolumeLookup;
}

export type VolumePreFilter = { readonly ok: true; readonly volumes: PodVolumes | null } | { readonly ok: false; readonly message: string };

/** The claim names of a pod's persistentVolumeClaim volumes. */
export function podClaimNames(pod: JsonObject): string[] {
  return objectsIn(getPath(pod, ['spec', 'volumes'])).flatMap((volume) => {
    const name = asString(getPath(volume, ['persistentVolumeClaim', 'claimName'])) ?? '';
    return name === '' ? [] : [name];
  });
}

/**
 * Sorts the pod's claims into bound ones and ones to bind on the chosen node; a missing or deleted
 * claim, or an unbound claim whose class binds immediately, makes the pod unschedulable everywhere.
 */
export function preFilterVolumes(pod: JsonObject, lookup: VolumeLookup | undefined): VolumePreFilter {
  const names = podClaimNames(pod);
  if (names.length === 0) return { ok: true, volumes: null };
  if (lookup === undefined) return { ok: false, message: claimNotFoundMessage(names[0] ?? '') };
  const bound: BoundClaim[] = [];
  const toBind: ClaimToBind[] = [];
  let unboundImmediate = false;
  for (const name of names) {
    const claim = lookup.claim(namespaceOf(pod), name);
    if (claim === undefined) return { ok: false, message: claimNotFoundMessage(name) };
    if (isBeingDeleted(claim)) return { ok: false, message: `persistentvolumeclaim "${name}" is being deleted` };
    const volumeName = asString(getPath(claim, ['spec', 'volumeName'])) ?? '';
    if (volumeName !== '') {
      bound.push({ claim, volume: lookup.volume(volumeName) });
      continue;
    }
    const className = claimClassName(claim, lookup.defaultClassName());
    const storageClass = className === '' ? undefined : lookup.storageClass(className);
    if (isWaitForFirstConsumer(storageClass)) toBind.push({ claim, className, storageClass });
    else unboundImmediate = true;
  }
  if (unboundImmediate) return { ok: false, message: VolumeReasons.unboundImmediate };
  return { ok: true, volumes: { bound, toBind, lookup } };
}

/** Why the node cannot serve the pod's volumes, or null (Kubernetes' VolumeBinding Filter). */
export function volumeReason(node: NodeInfo, volumes: PodVolumes | null | undefined): string | null {
  if (volumes === null || volumes === undefined) return null;
  for (const { volume } of volumes.bound) {
    if (volume === undefined) return VolumeReasons.volumeMissing;
    if (!volumeAdmitsNode(volume, node)) return VolumeReasons.nodeConflict;
  }
  const promised = new Set<string>();
  for (const { claim, className, storageClass } of volumes.toBind) {
    const match = findMatchingVolume(claim, volumes.lookup.volumes(), { className, node, delayBinding: true, excluded: promised });
    if (match !== undefined) {
      promised.add(nameOf(match));
      continue;
    }
    if (!canProvisionOn(storageClass, node)) return VolumeReasons.bindConflict;
  }
  return null;
}

/** A class with a real provisioner whose topology admits the node can make a volume there. */
function canProvisionOn(storageClass: JsonObject | undefined, node: NodeInfo): boolean {
  if (storageClass === undefined) return false;
  const provisioner = asString(storageClass['provisioner']) ?? '';
  return provisioner !== '' && provisioner !== noProvisioner && classAdmitsNode(storageClass, node);
}

/**
 * How many of the pod's volumes are local to the node: bound volumes whose node affinity names it,
 * and existing volumes waiting there for the pod's unbound claims. The score prefers the node that
 * holds the pod's local volumes (higher is better; normalized by the caller).
 */
export function localVolumeCount(node: NodeInfo, volumes: PodVolumes | null | undefined): number {
  if (volumes === null || volumes === undefined) return 0;
  let count = 0;
  for (const { volume } of volumes.bound) if (volume !== undefined && hasNodeAffinity(volume) && volumeAdmitsNode(volume, node)) count++;
  const promised = new Set<string>();
  for (const { claim, className } of volumes.toBind) {
    const match = findMatchingVolume(claim, volumes.lookup.volumes(), { className, node, delayBinding: true, excluded: promised });
    if (match === undefined) continue;
    promised.add(nameOf(match));
    if (hasNodeAffinity(match)) count++;
  }
  return count;
}
