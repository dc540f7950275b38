import { posix } from 'node:path';
import { asString, getPath, type JsonObject } from '../api/json.ts';
import { annotationsOf, isBeingDeleted, labelsOfObject, nameOf, namespaceOf, uidOf } from '../controller-runtime/index.ts';
import { VolumeAnnotations } from '../scheduler/index.ts';
import { claimReference } from './persistent-volume-binding.ts';

/** The provisioner name of the default `local-path` class (k3s' is rancher.io/local-path). */
export const localPathProvisionerName = 'flotilla.io/local-path';

/**
 * Where volumes live on a node: `<volumes directory>/<volume name>`. The node's agent may announce
 * its own directory with this annotation on its Node (e.g. one machine running several agents);
 * otherwise the provisioner's configured default is used.
 */
export const volumesDirectoryAnnotation = 'flotilla.io/volumes-directory';
export const defaultVolumesDirectory = '/var/lib/flotilla/volumes';

export const hostnameLabel = 'kubernetes.io/hostname';

export type ProvisionDecision =
  | { readonly type: 'none' }
  | { readonly type: 'create'; readonly volume: JsonObject }
  /** The selected node does not exist: drop the annotation so the scheduler picks again (as external provisioners do). */
  | { readonly type: 'reschedule'; readonly message: string }
  | { readonly type: 'fail'; readonly message: string };

export interface ProvisionInput {
  readonly claim: JsonObject;
  readonly storageClass: JsonObject | undefined;
  readonly className: string;
  /** The Node named by the claim's selected-node annotation (undefined: no such node). */
  readonly node: JsonObject | undefined;
  /** A volume already named for this claim (`pvc-<claim uid>`), if one exists. */
  readonly existing: JsonObject | undefined;
  readonly defaultVolumesDirectory: string;
}

/** The volume name Kubernetes' provisioners use: `pvc-<claim uid>`. */
export function provisionedVolumeName(claim: JsonObject): string {
  return `pvc-${uidOf(claim)}`;
}

/** The claim asks this provisioner for a volume and is not bound yet. */
export function wantsLocalPathVolume(claim: JsonObject): boolean {
  return annotationsOf(claim)[VolumeAnnotations.storageProvisioner] === localPathProvisionerName && (asString(getPath(claim, ['spec', 'volumeName'])) ?? '') === '' && !isBeingDeleted(claim);
}

export function volumesDirectoryOf(node: JsonObject, fallback: string): string {
  const announced = annotationsOf(node)[volumesDirectoryAnnotation];
  return announced !== undefined && posix.isAbsolute(announced) ? announced : fallback;
}

/** Whether and what to provision for one claim. Pure. */
export function planProvisioning(input: ProvisionInput): ProvisionDecision {
  const { claim, storageClass } = input;
  if (!wantsLocalPathVolume(claim) || storageClass === undefined || storageClass['provisioner'] !== localPathProvisionerName) return { type: 'none' };
  if (input.existing !== undefined) return { type: 'none' };
  const nodeName = annotationsOf(claim)[VolumeAnnotations.selectedNode] ?? '';
  if (nodeName === '') return { type: 'fail', message: `${localPathProvisionerName} makes volumes on the node of the claim's first pod only: use volumeBindingMode WaitForFirstConsumer` };
  if (input.node === undefined) return { type: 'reschedule', message: `failed to get target node: node "${nodeName}" not found` };
  return { type: 'create', volume: localPathVolume(input, input.node) };
}

/** The PersistentVolume for a claim on a node: a hostPath directory there, usable only there, pre-bound to the claim. */
function localPathVolume(input: ProvisionInput, node: JsonObject): JsonObject {
  const { claim, storageClass } = input;
  const name = provisionedVolumeName(claim);
  const hostname = labelsOfObject(node)[hostnameLabel];
  const nodeTerm = hostname === undefined
    ? { matchFields: [{ key: 'metadata.name', operator: 'In', values: [nameOf(node)] }] }
    : { matchExpressions: [{ key: hostnameLabel, operator: 'In', values: [hostname] }] };
  const spec: JsonObject = {
    capacity: { storage: getPath(claim, ['spec', 'resources', 'requests', 'storage']) ?? '0' },
    accessModes: getPath(claim, ['spec', 'accessModes']) ?? [],
    persistentVolumeReclaimPolicy: asString(storageClass?.['reclaimPolicy']) ?? 'Delete',
    storageClassName: input.className,
    volumeMode: getPath(claim, ['spec', 'volumeMode']) ?? 'Filesystem',
    hostPath: { path: posix.join(volumesDirectoryOf(node, input.defaultVolumesDirectory), name), type: 'DirectoryOrCreate' },
    nodeAffinity: { required: { nodeSelectorTerms: [nodeTerm] } },
    claimRef: claimReference(claim),
  };
  const mountOptions = storageClass?.['mountOptions'];
  if (mountOptions !== undefined) spec['mountOptions'] = mountOptions;
  return {
    apiVersion: 'v1', kind: 'PersistentVolume',
    metadata: { name, annotations: { [VolumeAnnotations.provisionedBy]: localPathProvisionerName } },
    spec,
  };
}

/** A volume this provisioner made whose claim is gone and whose policy is Delete: its object is to be deleted. */
export function isLocalPathVolumeToDelete(volume: JsonObject): boolean {
  return annotationsOf(volume)[VolumeAnnotations.provisionedBy] === localPathProvisionerName &&
    getPath(volume, ['status', 'phase']) === 'Released' &&
    getPath(volume, ['spec', 'persistentVolumeReclaimPolicy']) === 'Delete' &&
    !isBeingDeleted(volume);
}

/** For events: "namespace/name". */
export function claimDisplayName(claim: JsonObject): string {
  return `${namespaceOf(claim)}/${nameOf(claim)}`;
}
