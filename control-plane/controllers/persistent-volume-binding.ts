import { asString, cloneJson, ensureObject, getPath, jsonEqual, type JsonObject } from '../api/json.ts';
import { annotationsOf, metaString, nameOf, namespaceOf, uidOf } from '../controller-runtime/index.ts';
import { claimReferenceOf, isVolumeBoundToClaim, VolumeAnnotations } from '../scheduler/index.ts';

/**
 * The objects a binding step writes, pure: each returns the next object, or null when that step is
 * already done (so a repeated reconcile writes nothing). Kubernetes' bind(): volume → claim ref,
 * volume phase Bound, claim → volume name + bind-completed, claim phase Bound with capacity.
 */

/** A claimRef naming the claim, as the controller writes it. */
export function claimReference(claim: JsonObject): JsonObject {
  return { kind: 'PersistentVolumeClaim', namespace: namespaceOf(claim), name: nameOf(claim), uid: uidOf(claim), apiVersion: 'v1', resourceVersion: metaString(claim, 'resourceVersion') };
}

function withAnnotation(object: JsonObject, key: string, value: string): void {
  const metadata = ensureObject(object, 'metadata');
  metadata['annotations'] = { ...annotationsOf(object), [key]: value };
}

/** The volume with its claimRef on the claim (bound-by-controller when the user had not pre-bound it). */
export function volumeBoundToClaim(volume: JsonObject, claim: JsonObject): JsonObject | null {
  const reference = claimReferenceOf(volume);
  if (reference !== undefined && reference.uid === uidOf(claim) && isVolumeBoundToClaim(volume, claim)) return null;
  const next = cloneJson(volume);
  ensureObject(next, 'spec')['claimRef'] = claimReference(claim);
  if (reference === undefined) withAnnotation(next, VolumeAnnotations.boundByController, 'yes');
  return next;
}

export function volumeWithPhase(volume: JsonObject, phase: string, message: string | undefined, nowIso: string): JsonObject | null {
  const previous = (volume['status'] ?? {}) as JsonObject;
  if (previous['phase'] === phase && (message === undefined || previous['message'] === message)) return null;
  const status: JsonObject = { ...previous, phase, lastPhaseTransitionTime: nowIso };
  if (message === undefined) delete status['message'];
  else status['message'] = message;
  return { ...volume, status };
}

/** The claim naming the volume, marked bind-completed (bound-by-controller when the user had not named it). */
export function claimBoundToVolume(claim: JsonObject, volume: JsonObject): JsonObject | null {
  const current = asString(getPath(claim, ['spec', 'volumeName'])) ?? '';
  if (current === nameOf(volume) && annotationsOf(claim)[VolumeAnnotations.bindCompleted] !== undefined) return null;
  const next = cloneJson(claim);
  ensureObject(next, 'spec')['volumeName'] = nameOf(volume);
  if (current === '') withAnnotation(next, VolumeAnnotations.boundByController, 'yes');
  withAnnotation(next, VolumeAnnotations.bindCompleted, 'yes');
  return next;
}

/** The claim's status: Bound, with the volume's access modes and capacity. */
export function claimBoundStatus(claim: JsonObject, volume: JsonObject): JsonObject | null {
  const previous = (claim['status'] ?? {}) as JsonObject;
  const status: JsonObject = { ...previous, phase: 'Bound' };
  const accessModes = getPath(volume, ['spec', 'accessModes']);
  const capacity = getPath(volume, ['spec', 'capacity']);
  if (accessModes !== undefined) status['accessModes'] = accessModes;
  if (capacity !== undefined) status['capacity'] = capacity;
  return jsonEqual(status, previous) ? null : { ...claim, status };
}

export function claimWithPhase(claim: JsonObject, phase: 'Pending' | 'Lost'): JsonObject | null {
  const previous = (claim['status'] ?? {}) as JsonObject;
  if (previous['phase'] === phase) return null;
  return { ...claim, status: { ...previous, phase } };
}

/** The volume freed from a claim that went elsewhere: a controller binding is dropped, a user's pre-binding keeps the name. */
export function volumeUnbound(volume: JsonObject, keepName: boolean): JsonObject {
  const next = cloneJson(volume);
  const spec = ensureObject(next, 'spec');
  if (keepName) {
    const reference = { ...((spec['claimRef'] ?? {}) as JsonObject) };
    delete reference['uid'];
    delete reference['resourceVersion'];
    spec['claimRef'] = reference;
  } else {
    delete spec['claimRef'];
    const annotations = annotationsOf(next);
    delete annotations[VolumeAnnotations.boundByController];
    ensureObject(next, 'metadata')['annotations'] = annotations;
  }
  return next;
}

/** The claim with the default class filled in. */
export function claimWithClass(claim: JsonObject, className: string): JsonObject {
  const next = cloneJson(claim);
  ensureObject(next, 'spec')['storageClassName'] = className;
  return next;
}

/** The claim asking `provisioner` for a volume (both annotations, as Kubernetes writes them); null when it already does. */
export function claimAskingProvisioner(claim: JsonObject, provisioner: string): JsonObject | null {
  const annotations = annotationsOf(claim);
  if (annotations[VolumeAnnotations.storageProvisioner] === provisioner && annotations[VolumeAnnotations.betaStorageProvisioner] === provisioner) return null;
  const next = cloneJson(claim);
  withAnnotation(next, VolumeAnnotations.storageProvisioner, provisioner);
  withAnnotation(next, VolumeAnnotations.betaStorageProvisioner, provisioner);
  return next;
}
