import { asString, getPath, type JsonObject } from '../api/json.ts';
import { annotationsOf, isBeingDeleted, nameOf, uidOf } from '../controller-runtime/index.ts';
import {
  claimClassName, claimReferenceOf, findMatchingVolume, isVolumeBoundToClaim, isWaitForFirstConsumer, VolumeAnnotations, volumeMismatch,
  type NodeIdentity,
} from '../scheduler/index.ts';

/**
 * The PersistentVolume controller's decisions (Kubernetes' syncClaim and syncVolume), pure: what
 * one claim or one volume needs next, given what the caches hold.
 */

export interface ControllerEvent {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
}

export type ClaimAction =
  | { readonly type: 'none' }
  /** The claim names no class and a default exists: give it the default (retroactive assignment). */
  | { readonly type: 'assignDefaultClass'; readonly className: string }
  /** Bind claim and volume to each other (every step is skipped when already done). */
  | { readonly type: 'bind'; readonly volume: JsonObject }
  /** No volume matches: ask the class's provisioner to make one. */
  | { readonly type: 'provision'; readonly provisioner: string }
  | { readonly type: 'pending'; readonly event?: ControllerEvent }
  | { readonly type: 'lost'; readonly event: ControllerEvent };

export interface ClaimInput {
  readonly claim: JsonObject;
  readonly defaultClassName: string | undefined;
  /** The class the claim asks for (undefined: none, or it does not exist). */
  readonly storageClass: JsonObject | undefined;
  readonly volumes: readonly JsonObject[];
  /** The node named by the claim's selected-node annotation, when there is one. */
  readonly selectedNode: NodeIdentity | undefined;
}

export const waitForFirstConsumerEvent: ControllerEvent = { type: 'Normal', reason: 'WaitForFirstConsumer', message: 'waiting for first consumer to be created before binding' };

export function externalProvisioningEvent(provisioner: string): ControllerEvent {
  return {
    type: 'Normal', reason: 'ExternalProvisioning',
    message: `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`,
  };
}

function volumeNameOf(claim: JsonObject): string {
  return asString(getPath(claim, ['spec', 'volumeName'])) ?? '';
}

function namesNoClass(claim: JsonObject): boolean {
  return getPath(claim, ['spec', 'storageClassName']) === undefined && annotationsOf(claim)[VolumeAnnotations.betaStorageClass] === undefined;
}

export function isClaimBindCompleted(claim: JsonObject): boolean {
  return annotationsOf(claim)[VolumeAnnotations.bindCompleted] !== undefined;
}

/** What one claim needs next. */
export function planClaim(input: ClaimInput): ClaimAction {
  const { claim } = input;
  if (isBeingDeleted(claim)) return { type: 'none' };
  if (isClaimBindCompleted(claim)) return planBoundClaim(claim, input.volumes);
  if (namesNoClass(claim) && input.defaultClassName !== undefined) return { type: 'assignDefaultClass', className: input.defaultClassName };
  const className = claimClassName(claim, undefined);
  if (volumeNameOf(claim) !== '') return planPreBoundClaim(claim, className, input.volumes);
  // A volume pre-bound to the claim (a provisioner's, or an operator's) is taken whatever the node, as Kubernetes does.
  const preBound = findMatchingVolume(claim, input.volumes, { className, delayBinding: true });
  if (preBound !== undefined) return { type: 'bind', volume: preBound };
  const delayed = isWaitForFirstConsumer(input.storageClass);
  if (delayed && input.selectedNode === undefined) return { type: 'pending', event: waitForFirstConsumerEvent };
  const volume = findMatchingVolume(claim, input.volumes, { className, delayBinding: delayed, ...(delayed && input.selectedNode !== undefined ? { node: input.selectedNode } : {}) });
  if (volume !== undefined) return { type: 'bind', volume };
  if (className === '') return { type: 'pending', event: { type: 'Normal', reason: 'FailedBinding', message: 'no persistent volumes available for this claim and no storage class is set' } };
  if (input.storageClass === undefined) return { type: 'pending', event: { type: 'Warning', reason: 'ProvisioningFailed', message: `storageclass.storage.k8s.io "${className}" not found` } };
  return { type: 'provision', provisioner: asString(input.storageClass['provisioner']) ?? '' };
}

/** The user named a volume (spec.volumeName) before the controller bound the claim. */
function planPreBoundClaim(claim: JsonObject, className: string, volumes: readonly JsonObject[]): ClaimAction {
  const volume = volumes.find((candidate) => nameOf(candidate) === volumeNameOf(claim));
  if (volume === undefined) return { type: 'pending' };
  if (claimReferenceOf(volume) === undefined) {
    const mismatch = volumeMismatch(volume, claim, className);
    if (mismatch !== null) return { type: 'pending', event: { type: 'Warning', reason: 'VolumeMismatch', message: `Cannot bind to requested volume "${nameOf(volume)}": ${mismatch}` } };
    return { type: 'bind', volume };
  }
  if (isVolumeBoundToClaim(volume, claim)) return { type: 'bind', volume };
  return { type: 'pending', event: { type: 'Warning', reason: 'FailedBinding', message: `volume "${nameOf(volume)}" already bound to a different claim.` } };
}

/** A claim the controller bound: keep it bound, or say it lost its volume. */
function planBoundClaim(claim: JsonObject, volumes: readonly JsonObject[]): ClaimAction {
  if (volumeNameOf(claim) === '') return { type: 'lost', event: { type: 'Warning', reason: 'ClaimLost', message: 'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!' } };
  const volume = volumes.find((candidate) => nameOf(candidate) === volumeNameOf(claim));
  if (volume === undefined) return { type: 'lost', event: { type: 'Warning', reason: 'ClaimLost', message: 'Bound claim has lost its PersistentVolume. Data on the volume is lost!' } };
  const reference = claimReferenceOf(volume);
  if (reference === undefined || isVolumeBoundToClaim(volume, claim)) return { type: 'bind', volume };
  return { type: 'lost', event: { type: 'Warning', reason: 'ClaimMisbound', message: 'Two claims are bound to the same volume, this one is bound incorrectly' } };
}

export type VolumeAction =
  | { readonly type: 'none' }
  | { readonly type: 'phase'; readonly phase: 'Available' | 'Bound' | 'Released' }
  /** The reclaim policy cannot be carried out: the volume is Failed, with an event saying why. */
  | { readonly type: 'failed'; readonly event: ControllerEvent }
  /** The binding is in progress on the claim's side: look at the claim. */
  | { readonly type: 'syncClaim' }
  /** The claim went to another volume: forget it (controller bindings) or only its uid (the user's pre-binding). */
  | { readonly type: 'unbind'; readonly keepName: boolean };

export interface VolumeInput {
  readonly volume: JsonObject;
  /** The claim the volume's claimRef names, confirmed by a live read when the cache has none. */
  readonly claim: JsonObject | undefined;
}

function phaseOf(volume: JsonObject): string {
  return asString(getPath(volume, ['status', 'phase'])) ?? 'Pending';
}

function phaseUnless(volume: JsonObject, phase: 'Available' | 'Bound'): VolumeAction {
  return phaseOf(volume) === phase ? { type: 'none' } : { type: 'phase', phase };
}

/** What one volume needs next. */
export function planVolume(input: VolumeInput): VolumeAction {
  const { volume, claim } = input;
  const reference = claimReferenceOf(volume);
  if (reference === undefined || reference.uid === '') return phaseUnless(volume, 'Available');
  if (claim === undefined || reference.uid !== uidOf(claim)) return planReleased(volume);
  const claimVolume = volumeNameOf(claim);
  if (claimVolume === '') return { type: 'syncClaim' };
  if (claimVolume === nameOf(volume)) return phaseUnless(volume, 'Bound');
  return { type: 'unbind', keepName: annotationsOf(volume)[VolumeAnnotations.boundByController] === undefined };
}

/** The claim is gone: the volume is Released, then reclaimed by its policy. */
function planReleased(volume: JsonObject): VolumeAction {
  const phase = phaseOf(volume);
  if (phase === 'Failed') return { type: 'none' };
  const policy = asString(getPath(volume, ['spec', 'persistentVolumeReclaimPolicy'])) ?? 'Retain';
  const provisioner = annotationsOf(volume)[VolumeAnnotations.provisionedBy];
  if (policy === 'Recycle') return { type: 'failed', event: { type: 'Warning', reason: 'VolumeFailedRecycle', message: 'Recycle is not supported; use a dynamic provisioner' } };
  if (policy === 'Delete' && provisioner === undefined) {
    return { type: 'failed', event: { type: 'Warning', reason: 'VolumeFailedDelete', message: `error getting deleter volume plugin for volume "${nameOf(volume)}": no deletable volume plugin matched` } };
  }
  // Retain keeps the volume (and its data) Released; a provisioner's Delete is that provisioner's to do.
  return phase === 'Released' ? { type: 'none' } : { type: 'phase', phase: 'Released' };
}
