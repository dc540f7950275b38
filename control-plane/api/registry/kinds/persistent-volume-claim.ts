import { ensureObject, getPath, jsonEqual, type JsonObject } from '../../json.ts';
import { conditionsSchema, labelSelectorSchema, objectSchemaFor, localObjectReferenceSchema } from '../../schema/meta-schemas.ts';
import { s } from '../../schema/schema.ts';
import { ageColumn, column, stringAt, wide } from '../../table/columns.ts';
import { fieldError, type FieldError } from '../../validation/field-error.ts';
import { defineResource } from '../resource.ts';
import { accessModesSchema, formatAccessModes, validateAccessModes, volumeModes } from './storage-kinds-shared.ts';

/** Spec fields that may change after creation (the rest is immutable, as in Kubernetes). */
const mutableSpecFields = ['resources', 'volumeName', 'volumeAttributesClassName'];

function validateClaim(object: JsonObject, old: JsonObject | null): FieldError[] {
  const problems = validateAccessModes(object, ['spec', 'accessModes']);
  if (getPath(object, ['spec', 'resources', 'requests', 'storage']) === undefined) problems.push(fieldError.required('spec.resources.requests.storage'));
  if (old !== null) {
    // A claim made without a class may be given one later (Kubernetes' retroactive default StorageClass assignment).
    const classMayBeSet = getPath(old, ['spec', 'storageClassName']) === undefined;
    const mutable = classMayBeSet ? [...mutableSpecFields, 'storageClassName'] : mutableSpecFields;
    const strip = (value: JsonObject) => Object.fromEntries(Object.entries((getPath(value, ['spec']) ?? {}) as JsonObject).filter(([key]) => !mutable.includes(key)));
    if (!jsonEqual(strip(object), strip(old))) problems.push(fieldError.forbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims'));
  }
  return problems;
}

export const persistentVolumeClaimResource = defineResource({
  group: '',
  version: 'v1',
  kind: 'PersistentVolumeClaim',
  plural: 'persistentvolumeclaims',
  shortNames: ['pvc'],
  namespaced: true,
  subresources: { status: true },
  schema: objectSchemaFor('io.k8s.api.core.v1.PersistentVolumeClaim', "PersistentVolumeClaim is a user's request for and claim to a persistent volume.", {
    spec: s.object('io.k8s.api.core.v1.PersistentVolumeClaimSpec', 'PersistentVolumeClaimSpec describes the common attributes of storage devices.', {
      accessModes: accessModesSchema,
      selector: labelSelectorSchema,
      resources: s.object('io.k8s.api.core.v1.VolumeResourceRequirements', 'resources represents the minimum resources the volume should have.', {
        limits: s.map(s.quantity()), requests: s.map(s.quantity()),
      }),
      volumeName: s.string('volumeName is the binding reference to the PersistentVolume backing this claim.'),
      storageClassName: s.string('storageClassName is the name of the StorageClass required by the claim.'),
      volumeMode: s.string('volumeMode defines what type of volume is required by the claim.', { enum: volumeModes }),
      dataSource: localObjectReferenceSchema, dataSourceRef: s.any(), volumeAttributesClassName: s.string(),
    }),
    status: s.object('io.k8s.api.core.v1.PersistentVolumeClaimStatus', 'PersistentVolumeClaimStatus is the current status of a persistent volume claim.', {
      phase: s.string(), accessModes: accessModesSchema, capacity: s.map(s.quantity()), conditions: conditionsSchema,
      allocatedResources: s.map(s.quantity()), allocatedResourceStatuses: s.stringMap(), currentVolumeAttributesClassName: s.string(), modifyVolumeStatus: s.any(),
    }),
  }),
  defaults: (object) => {
    ensureObject(object, 'spec')['volumeMode'] ??= 'Filesystem';
    ensureObject(object, 'status')['phase'] ??= 'Pending';
  },
  validate: validateClaim,
  columns: [
    column('Status', 'The phase of the claim', (object) => stringAt(object, ['status', 'phase'])),
    column('Volume', 'The volume bound to the claim', (object) => stringAt(object, ['spec', 'volumeName'])),
    column('Capacity', 'The capacity of the bound volume', (object) => stringAt(object, ['status', 'capacity', 'storage'])),
    column('Access Modes', 'The access modes of the bound volume', (object) => formatAccessModes(object, ['status', 'accessModes'])),
    column('StorageClass', 'The storage class of the claim', (object) => stringAt(object, ['spec', 'storageClassName'])),
    column('VolumeAttributesClass', 'The volume attributes class', (object) => stringAt(object, ['spec', 'volumeAttributesClassName']) || '<unset>'),
    ageColumn,
    wide('VolumeMode', 'Filesystem or Block', (object) => stringAt(object, ['spec', 'volumeMode'])),
  ],
});
