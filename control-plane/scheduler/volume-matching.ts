import { asArray, asObject, asString, getPath, objectsIn, type JsonObject } from '../api/json.ts';
import { isDefaultStorageClass } from '../api/registry/kinds/storage-class.ts';
import { fromLabelSelectorObject, matchesLabels } from '../api/selectors/label-selector.ts';
import { annotationsOf, creationMs, isBeingDeleted, labelsOfObject, nameOf, namespaceOf, uidOf } from '../controller-runtime/index.ts';
import { matchesNodeSelectorTerm } from './node-affinity.ts';
import { bytes } from './quantity.ts';

/**
 * How PersistentVolumeClaims and PersistentVolumes match, as Kubernetes' volume binding decides it.
 * Shared by the scheduler's volume filter and the PersistentVolume controller so that they cannot
 * disagree. Pure.
 */

export const VolumeAnnotations = {
  /** On a claim: the controller finished binding it (Kubernetes' AnnBindCompleted). */
  bindCompleted: 'pv.kubernetes.io/bind-completed',
  /** On a claim or volume: the binding was made by the controller, not asked for by the user. */
  boundByController: 'pv.kubernetes.io/bound-by-controller',
  /** On a volume: the provisioner that made it (it alone deletes it). */
  provisionedBy: 'pv.kubernetes.io/provisioned-by',
  /** On a claim: the node the scheduler chose for its first consumer (WaitForFirstConsumer). */
  selectedNode: 'volume.kubernetes.io/selected-node',
  /** On a claim: the provisioner asked to make its volume. */
  storageProvisioner: 'volume.kubernetes.io/storage-provisioner',
  betaStorageProvisioner: 'volume.beta.kubernetes.io/storage-provisioner',
  /** The class annotation that predates spec.storageClassName (still read first by Kubernetes). */
  betaStorageClass: 'volume.beta.kubernetes.io/storage-class',
} as const;

/** The provisioner of classes whose volumes are made by hand (local volumes); nothing provisions them. */
export const noProvisioner = 'kubernetes.io/no-provisioner';

export interface NodeIdentity {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

export function claimRequestBytes(claim: JsonObject): number {
  return bytes(getPath(claim, ['spec', 'resources', 'requests', 'storage']));
}

export function volumeCapacityBytes(volume: JsonObject): number {
  return bytes(getPath(volume, ['spec', 'capacity', 'storage']));
}

/**
 * The class a claim asks for: the beta annotation, else spec.storageClassName; a claim that names
 * none (the field absent, not "") gets the default class, as Kubernetes' admission would give it.
 */
export function claimClassName(claim: JsonObject, defaultClassName: string | undefined): string {
  const annotated = annotationsOf(claim)[VolumeAnnotations.betaStorageClass];
  if (annotated !== undefined) return annotated;
  const named = getPath(claim, ['spec', 'storageClassName']);
  if (typeof named === 'string') return named;
  return defaultClassName ?? '';
}

export function volumeClassName(volume: JsonObject): string {
  return annotationsOf(volume)[VolumeAnnotations.betaStorageClass] ?? asString(getPath(volume, ['spec', 'storageClassName'])) ?? '';
}

/** The default StorageClass: among several marked default, the newest (then the first name), as Kubernetes picks. */
export function defaultClassName(classes: Iterable<JsonObject>): string | undefined {
  let best: JsonObject | undefined;
  for (const candidate of classes) {
    if (!isDefaultStorageClass(candidate)) continue;
    if (best === undefined || creationMs(candidate) > creationMs(best) || (creationMs(candidate) === creationMs(best) && nameOf(candidate) < nameOf(best))) best = candidate;
  }
  return best === undefined ? undefined : nameOf(best);
}

export function isWaitForFirstConsumer(storageClass: JsonObject | undefined): boolean {
  return storageClass?.['volumeBindingMode'] === 'WaitForFirstConsumer';
}

export interface ClaimReference {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

export function claimReferenceOf(volume: JsonObject): ClaimReference | undefined {
  const reference = asObject(getPath(volume, ['spec', 'claimRef']));
  if (reference === undefined) return undefined;
  return { namespace: asString(reference['namespace']) ?? '', name: asString(reference['name']) ?? '', uid: asString(reference['uid']) ?? '' };
}

/** The volume's claimRef names this claim (a reference without uid is a user's pre-binding by name). */
export function isVolumeBoundToClaim(volume: JsonObject, claim: JsonObject): boolean {
  const reference = claimReferenceOf(volume);
  if (reference === undefined || reference.namespace !== namespaceOf(claim) || reference.name !== nameOf(claim)) return false;
  return reference.uid === '' || reference.uid === uidOf(claim);
}

/** The volume's required node affinity admits the node (no affinity: every node). */
export function volumeAdmitsNode(volume: JsonObject, node: NodeIdentity): boolean {
  const required = asObject(getPath(volume, ['spec', 'nodeAffinity', 'required']));
  if (required === undefined) return true;
  return objectsIn(required['nodeSelectorTerms']).some((term) => matchesNodeSelectorTerm(term, node.name, node.labels));
}

/** Whether the volume can only be used on some nodes (a local volume). */
export function hasNodeAffinity(volume: JsonObject): boolean {
  return objectsIn(getPath(volume, ['spec', 'nodeAffinity', 'required', 'nodeSelectorTerms'])).length > 0;
}

function stringsAt(object: JsonObject, path: readonly string[]): string[] {
  return asArray(getPath(object, path)).flatMap((item) => (typeof item === 'string' ? [item] : []));
}

function volumeModeOf(object: JsonObject): string {
  return asString(getPath(object, ['spec', 'volumeMode'])) ?? 'Filesystem';
}

/** Every access mode the claim asks for is offered by the volume. */
export function accessModesSatisfied(claim: JsonObject, volume: JsonObject): boolean {
  const offered = new Set(stringsAt(volume, ['spec', 'accessModes']));
  return stringsAt(claim, ['spec', 'accessModes']).every((mode) => offered.has(mode));
}

/**
 * Why a volume the claim names (spec.volumeName) cannot serve it, or null when it can: Kubernetes'
 * checkVolumeSatisfyClaim (capacity, class, volume mode, access modes).
 */
export function volumeMismatch(volume: JsonObject, claim: JsonObject, className: string): string | null {
  if (volumeCapacityBytes(volume) < claimRequestBytes(claim)) return 'requested PV is too small';
  if (volumeClassName(volume) !== className) return 'storageClassName does not match';
  if (volumeModeOf(volume) !== volumeModeOf(claim)) return 'incompatible volumeMode';
  if (!accessModesSatisfied(claim, volume)) return 'incompatible accessMode';
  return null;
}

export interface MatchOptions {
  readonly className: string;
  /** The node the claim's consumer will run on (scheduler, or a claim with a selected node). */
  readonly node?: NodeIdentity;
  /** The claim's class waits for the first consumer: without a node only pre-bound volumes match. */
  readonly delayBinding: boolean;
  /** Volumes already promised to other claims of the same pod. */
  readonly excluded?: ReadonlySet<string>;
}

/**
 * The volume a claim should bind to (Kubernetes' FindMatchingVolume): a volume pre-bound to the
 * claim wins; otherwise the smallest Available, unclaimed volume of the claim's class that is large
 * enough, offers its access modes and volume mode, matches its selector and admits the node.
 */
export function findMatchingVolume(claim: JsonObject, volumes: Iterable<JsonObject>, options: MatchOptions): JsonObject | undefined {
  const requested = claimRequestBytes(claim);
  const selector = getPath(claim, ['spec', 'selector']);
  const requirements = selector === undefined || selector === null ? [] : fromLabelSelectorObject(selector);
  let smallest: JsonObject | undefined;
  const sorted = [...volumes].sort((left, right) => (nameOf(left) < nameOf(right) ? -1 : nameOf(left) > nameOf(right) ? 1 : 0));
  for (const volume of sorted) {
    if (options.excluded?.has(nameOf(volume)) === true) continue;
    const capacity = volumeCapacityBytes(volume);
    if (capacity < requested || volumeModeOf(volume) !== volumeModeOf(claim) || isBeingDeleted(volume)) continue;
    const admitsNode = options.node === undefined || volumeAdmitsNode(volume, options.node);
    if (isVolumeBoundToClaim(volume, claim)) return admitsNode ? volume : undefined;
    if (options.node === undefined && options.delayBinding) continue;
    if (getPath(volume, ['status', 'phase']) !== 'Available' || claimReferenceOf(volume) !== undefined) continue;
    if (!matchesLabels(requirements, labelsOfObject(volume)) || volumeClassName(volume) !== options.className || !admitsNode) continue;
    if (!accessModesSatisfied(claim, volume)) continue;
    if (smallest === undefined || volumeCapacityBytes(smallest) > capacity) smallest = volume;
  }
  return smallest;
}

/** A StorageClass's allowedTopologies admit the node (none listed: every node). */
export function classAdmitsNode(storageClass: JsonObject, node: NodeIdentity): boolean {
  const terms = objectsIn(storageClass['allowedTopologies']);
  if (terms.length === 0) return true;
  return terms.some((term) => objectsIn(term['matchLabelExpressions']).every((expression) => {
    const value = node.labels[asString(expression['key']) ?? ''];
    return value !== undefined && stringsAt(expression, ['values']).includes(value);
  }));
}
