import { getPath } from '../../json.ts';
import { objectSchemaFor } from '../../schema/meta-schemas.ts';
import { s } from '../../schema/schema.ts';
import { ageColumn, column, stringAt } from '../../table/columns.ts';
import { fieldError } from '../../validation/field-error.ts';
import { defineResource } from '../resource.ts';

export const leaseResource = defineResource({
  group: 'coordination.k8s.io',
  version: 'v1',
  kind: 'Lease',
  plural: 'leases',
  namespaced: true,
  schema: objectSchemaFor('io.k8s.api.coordination.v1.Lease', 'Lease defines a lease concept.', {
    spec: s.object('io.k8s.api.coordination.v1.LeaseSpec', 'LeaseSpec is a specification of a Lease.', {
      holderIdentity: s.string('holderIdentity contains the identity of the holder of a current lease.'),
      leaseDurationSeconds: s.int32('leaseDurationSeconds is a duration that candidates for a lease need to wait to force acquire it.'),
      acquireTime: s.time('acquireTime is a time when the current lease was acquired.'),
      renewTime: s.time('renewTime is a time when the current holder of a lease has last updated the lease.'),
      leaseTransitions: s.int32('leaseTransitions is the number of transitions of a lease between holders.'),
      strategy: s.string(), preferredHolder: s.string(),
    }),
  }),
  validate: (object) => {
    const duration = getPath(object, ['spec', 'leaseDurationSeconds']);
    return typeof duration === 'number' && duration <= 0 ? [fieldError.invalid('spec.leaseDurationSeconds', duration, 'must be greater than 0')] : [];
  },
  columns: [column('Holder', 'The holder of the lease', (object) => stringAt(object, ['spec', 'holderIdentity'])), ageColumn],
});
