import { asArray } from '../../json.ts';
import { localObjectReferenceSchema, objectReferenceSchema, objectSchemaFor } from '../../schema/meta-schemas.ts';
import { s } from '../../schema/schema.ts';
import { ageColumn, column } from '../../table/columns.ts';
import { defineResource } from '../resource.ts';

export const serviceAccountResource = defineResource({
  group: '',
  version: 'v1',
  kind: 'ServiceAccount',
  plural: 'serviceaccounts',
  shortNames: ['sa'],
  namespaced: true,
  schema: objectSchemaFor('io.k8s.api.core.v1.ServiceAccount', 'ServiceAccount binds together: a name, understood by users, and perhaps by peripheral systems, for an identity; a principal that can be authenticated and authorized; a set of secrets.', {
    secrets: s.keyedList(objectReferenceSchema, 'name', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.'),
    imagePullSecrets: s.array(localObjectReferenceSchema, 'ImagePullSecrets is a list of references to secrets in the same namespace to use for pulling any images in pods that reference this ServiceAccount.'),
    automountServiceAccountToken: s.boolean('Whether pods running as this service account should have an API token automatically mounted.'),
  }),
  columns: [column('Secrets', 'Number of secrets', (object) => asArray(object['secrets']).length, { type: 'integer' }), ageColumn],
});
