import { asObject, ensureObject, getPath, type JsonObject } from '../../json.ts';
import { objectReferenceSchema, objectSchemaFor } from '../../schema/meta-schemas.ts';
import { s } from '../../schema/schema.ts';
import { ageColumn, column, stringAt, wide } from '../../table/columns.ts';
import { fieldError, type FieldError } from '../../validation/field-error.ts';
import { defineResource } from '../resource.ts';
import { accessModesSchema, formatAccessModes, validateAccessModes, volumeModes } from './storage-kinds-shared.ts';

const reclaimPolicies = ['Retain', 'Delete', 'Recycle'];

function claimOf(object: JsonObject): string {
  const claim = asObject(getPath(object, ['spec', 'claimRef']));
  if (claim === undefined) return '';
  return `${stringAt(claim, ['namespace'])}/${stringAt(claim, ['name'])}`;
}

function validatePersistentVolume(object: JsonObject): FieldError[] {
  const problems = validateAccessModes(object, ['spec', 'accessModes']);
  if (getPath(object, ['spec', 'capacity', 'storage']) === undefined) problems.push(fieldError.required('spec.capacity.storage'));
  const policy = getPath(object, ['spec', 'persistentVolumeReclaimPolicy']);
  if (typeof policy === 'string' && !reclaimPolicies.includes(policy)) problems.push(fieldError.notSupported('spec.persistentVolumeReclaimPolicy', policy, reclaimPolicies));
  return problems;
}

export const persistentVolumeResource = defineResource({
  group: '',
  version: 'v1',
  kind: 'PersistentVolume',
  plural: 'persistentvolumes',
  shortNames: ['pv'],
  namespaced: false,
  subresources: { status: true },
  schema: objectSchemaFor('io.k8s.api.core.v1.PersistentVolume', 'PersistentVolume (PV) is a storage resource provisioned by an administrator.', {
    spec: s.object('io.k8s.api.core.v1.PersistentVolumeSpec', 'PersistentVolumeSpec is the specification of a persistent volume.', {
      capacity: s.map(s.quantity(), 'capacity is the description of the persistent volume\'s resources and capacity.'),
      accessModes: accessModesSchema,
      claimRef: objectReferenceSchema,
      persistentVolumeReclaimPolicy: s.string('What happens to a persistent volume when released from its claim. Valid options are Retain (default), Delete and Recycle.', { enum: reclaimPolicies }),
      storageClassName: s.string('storageClassName is the name of StorageClass to which this persistent volume belongs.'),
      volumeMode: s.string('volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.', { enum: volumeModes }),
      volumeAttributesClassName: s.string(),
      mountOptions: s.array(s.string()),
      nodeAffinity: s.any('nodeAffinity defines constraints that limit what nodes this volume can be accessed from.'),
      hostPath: s.object('io.k8s.api.core.v1.HostPathVolumeSource', 'hostPath represents a directory on the host.', { path: s.string(), type: s.string() }, ['path']),
      local: s.object('io.k8s.api.core.v1.LocalVolumeSource', 'local represents directly-attached storage with node affinity.', { path: s.string(), fsType: s.string() }, ['path']),
      nfs: s.object('io.k8s.api.core.v1.NFSVolumeSource', 'nfs represents an NFS mount on the host.', { server: s.string(), path: s.string(), readOnly: s.boolean() }, ['server', 'path']),
      csi: s.any('csi represents storage that is handled by an external CSI driver.'),
      iscsi: s.any(), fc: s.any(), cephfs: s.any(), rbd: s.any(), awsElasticBlockStore: s.any(), gcePersistentDisk: s.any(), azureDisk: s.any(), azureFile: s.any(),
    }),
    status: s.object('io.k8s.api.core.v1.PersistentVolumeStatus', 'PersistentVolumeStatus is the current status of a persistent volume.', {
      phase: s.string('phase indicates if a volume is available, bound to a claim, or released by a claim.'), message: s.string(), reason: s.string(), lastPhaseTransitionTime: s.time(),
    }),
  }),
  defaults: (object) => {
    const spec = ensureObject(object, 'spec');
    spec['persistentVolumeReclaimPolicy'] ??= 'Retain';
    spec['volumeMode'] ??= 'Filesystem';
    ensureObject(object, 'status')['phase'] ??= 'Pending';
  },
  validate: validatePersistentVolume,
  columns: [
    column('Capacity', 'The amount of capacity', (object) => stringAt(object, ['spec', 'capacity', 'storage']) || String(getPath(object, ['spec', 'capacity', 'storage']) ?? '')),
    column('Access Modes', 'The access modes of the volume', (object) => formatAccessModes(object, ['spec', 'accessModes'])),
    column('Reclaim Policy', 'What happens to the volume when released from its claim', (object) => stringAt(object, ['spec', 'persistentVolumeReclaimPolicy'])),
    column('Status', 'The phase of the volume', (object) => stringAt(object, ['status', 'phase'])),
    column('Claim', 'The claim bound to the volume', claimOf),
    column('StorageClass', 'The storage class of the volume', (object) => stringAt(object, ['spec', 'storageClassName'])),
    column('VolumeAttributesClass', 'The volume attributes class', (object) => stringAt(object, ['spec', 'volumeAttributesClassName']) || '<unset>'),
    column('Reason', 'Why the volume is in its phase', (object) => stringAt(object, ['status', 'reason'])),
    ageColumn,
    wide('VolumeMode', 'Filesystem or Block', (object) => stringAt(object, ['spec', 'volumeMode'])),
  ],
});
