import { asObject, asString, getPath, type JsonObject } from '../../json.ts';
import { objectSchemaFor } from '../../schema/meta-schemas.ts';
import { s } from '../../schema/schema.ts';
import { ageColumn, column, stringAt } from '../../table/columns.ts';
import { fieldError } from '../../validation/field-error.ts';
import { defineResource } from '../resource.ts';

/** kubectl's PARAMETERS cell: "Kind/name" of the parameters reference, or <none>. */
function parameters(object: JsonObject): string {
  const reference = asObject(getPath(object, ['spec', 'parameters']));
  if (reference === undefined) return '<none>';
  const group = asString(reference['apiGroup']) ?? '';
  return `${asString(reference['kind']) ?? ''}${group === '' ? '' : `.${group}`}/${asString(reference['name']) ?? ''}`;
}

export const ingressClassResource = defineResource({
  group: 'networking.k8s.io',
  version: 'v1',
  kind: 'IngressClass',
  plural: 'ingressclasses',
  namespaced: false,
  schema: objectSchemaFor('io.k8s.api.networking.v1.IngressClass', 'IngressClass represents the class of the Ingress, referenced by the Ingress Spec.', {
    spec: s.object('io.k8s.api.networking.v1.IngressClassSpec', 'IngressClassSpec provides information about the class of an Ingress.', {
      controller: s.string('controller refers to the name of the controller that should handle this class.'),
      parameters: s.object('io.k8s.api.networking.v1.IngressClassParametersReference', 'parameters is a link to a custom resource containing additional configuration.', {
        apiGroup: s.string(), kind: s.string(), name: s.string(), namespace: s.string(), scope: s.string(),
      }, ['kind', 'name']),
    }),
  }),
  validate: (object, old) => {
    const controller = stringAt(object, ['spec', 'controller']);
    if (controller !== '' && !/^[a-z0-9.-]+\/[A-Za-z0-9._/-]+$/.test(controller)) return [fieldError.invalid('spec.controller', controller, 'must be a domain-prefixed path (such as "acme.io/foo")')];
    if (old !== null && controller !== stringAt(old, ['spec', 'controller'])) return [fieldError.invalid('spec.controller', controller, 'field is immutable')];
    return [];
  },
  columns: [
    column('Controller', 'The controller that implements this class.', (object) => stringAt(object, ['spec', 'controller'])),
    column('Parameters', 'The parameters of this class.', parameters),
    ageColumn,
  ],
});
