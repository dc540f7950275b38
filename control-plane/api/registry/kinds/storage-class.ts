import { asObject, asString, getPath, jsonEqual, type JsonObject } from '../../json.ts';
import { objectSchemaFor } from '../../schema/meta-schemas.ts';
import { s } from '../../schema/schema.ts';
import { ageColumn, column, stringAt } from '../../table/columns.ts';
import { fieldError, type FieldError } from '../../validation/field-error.ts';
import { defineResource } from '../resource.ts';

/** The annotation that makes a class the cluster's default (the beta one is still honoured by Kubernetes). */
export const defaultStorageClassAnnotation = 'storageclass.kubernetes.io/is-default-class';
export const betaDefaultStorageClassAnnotation = 'storageclass.beta.kubernetes.io/is-default-class';

export const storageClassReclaimPolicies = ['Delete', 'Retain'] as const;
export const volumeBindingModes = ['Immediate', 'WaitForFirstConsumer'] as const;

/** Kubernetes' limit on a class's parameters (ValidateStorageClass). */
const parametersMax = 512;
const provisionerPattern = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

export function isDefaultStorageClass(storageClass: JsonObject): boolean {
  const annotations = asObject(getPath(storageClass, ['metadata', 'annotations'])) ?? {};
  return annotations[defaultStorageClassAnnotation] === 'true' || annotations[betaDefaultStorageClassAnnotation] === 'true';
}

function validateStorageClass(object: JsonObject, old: JsonObject | null): FieldError[] {
  const problems: FieldError[] = [];
  const provisioner = asString(object['provisioner']) ?? '';
  if (provisioner === '') problems.push(fieldError.required('provisioner'));
  else if (provisioner.length > 253 || !provisionerPattern.test(provisioner)) problems.push(fieldError.invalid('provisioner', provisioner, 'must be a qualified name (an optional DNS subdomain prefix and "/", then a name)'));
  if (Object.keys(asObject(object['parameters']) ?? {}).length > parametersMax) problems.push(fieldError.tooLong('parameters', parametersMax));
  const policy = object['reclaimPolicy'];
  if (typeof policy === 'string' && !(storageClassReclaimPolicies as readonly string[]).includes(policy)) problems.push(fieldError.notSupported('reclaimPolicy', policy, storageClassReclaimPolicies));
  const mode = object['volumeBindingMode'];
  if (typeof mode === 'string' && !(volumeBindingModes as readonly string[]).includes(mode)) problems.push(fieldError.notSupported('volumeBindingMode', mode, volumeBindingModes));
  if (old !== null) {
    // As in Kubernetes: a class's meaning cannot change under the volumes already made from it.
    if (!jsonEqual(object['parameters'], old['parameters'])) problems.push(fieldError.forbidden('parameters', 'updates to parameters are forbidden.'));
    if (object['provisioner'] !== old['provisioner']) problems.push(fieldError.forbidden('provisioner', 'updates to provisioner are forbidden.'));
    if (object['reclaimPolicy'] !== old['reclaimPolicy']) problems.push(fieldError.forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
    if (object['volumeBindingMode'] !== old['volumeBindingMode']) problems.push(fieldError.invalid('volumeBindingMode', mode ?? null, 'field is immutable'));
  }
  return problems;
}

/** kubectl's NAME cell: the name, with " (default)" for the default class. */
function nameCell(object: JsonObject): string {
  const name = stringAt(object, ['metadata', 'name']);
  return isDefaultStorageClass(object) ? `${name} (default)` : name;
}

export const storageClassResource = defineResource({
  group: 'storage.k8s.io',
  version: 'v1',
  kind: 'StorageClass',
  plural: 'storageclasses',
  shortNames: ['sc'],
  namespaced: false,
  schema: objectSchemaFor('io.k8s.api.storage.v1.StorageClass', 'StorageClass describes the parameters for a class of storage for which PersistentVolumes can be dynamically provisioned.', {
    provisioner: s.string('provisioner indicates the type of the provisioner.'),
    parameters: s.stringMap('parameters holds the parameters for the provisioner that should create volumes of this storage class.'),
    reclaimPolicy: s.string('reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class. Defaults to Delete.', { enum: storageClassReclaimPolicies }),
    mountOptions: s.array(s.string(), 'mountOptions controls the mountOptions for dynamically provisioned PersistentVolumes of this storage class.'),
    allowVolumeExpansion: s.boolean('allowVolumeExpansion shows whether the storage class allow volume expand.'),
    volumeBindingMode: s.string('volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound. When unset, VolumeBindingImmediate is used.', { enum: volumeBindingModes }),
    allowedTopologies: s.any('allowedTopologies restrict the node topologies where volumes can be dynamically provisioned.'),
  }),
  defaults: (object) => {
    object['reclaimPolicy'] ??= 'Delete';
    object['volumeBindingMode'] ??= 'Immediate';
  },
  validate: validateStorageClass,
  omitNameColumn: true,
  columns: [
    { ...column('Name', 'Name is the name of the StorageClass, with (default) for the default class.', nameCell), format: 'name' },
    column('Provisioner', 'Indicates the type of the provisioner.', (object) => stringAt(object, ['provisioner'])),
    column('ReclaimPolicy', 'Dynamically provisioned PersistentVolumes of this storage class are created with this reclaimPolicy.', (object) => stringAt(object, ['reclaimPolicy']) || 'Delete'),
    column('VolumeBindingMode', 'VolumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.', (object) => stringAt(object, ['volumeBindingMode']) || 'Immediate'),
    column('AllowVolumeExpansion', 'AllowVolumeExpansion shows whether the storage class allows volume expansion.', (object) => String(object['allowVolumeExpansion'] === true)),
    ageColumn,
  ],
});
