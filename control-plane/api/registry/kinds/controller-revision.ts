import { asString, getPath, objectsIn, type JsonObject } from '../../json.ts';
import { objectSchemaFor } from '../../schema/meta-schemas.ts';
import { s } from '../../schema/schema.ts';
import { ageColumn, column, numberAt } from '../../table/columns.ts';
import { fieldError } from '../../validation/field-error.ts';
import { defineResource } from '../resource.ts';

/** kubectl's CONTROLLER cell: "<kind>.<group>/<name>" of the controlling owner. */
function controllerOf(object: JsonObject): string {
  const owner = objectsIn(getPath(object, ['metadata', 'ownerReferences'])).find((reference) => reference['controller'] === true);
  if (owner === undefined) return '<none>';
  const group = (asString(owner['apiVersion']) ?? '').split('/');
  const groupName = group.length > 1 ? `.${group[0] ?? ''}` : '';
  return `${(asString(owner['kind']) ?? '').toLowerCase()}${groupName}/${asString(owner['name']) ?? ''}`;
}

export const controllerRevisionResource = defineResource({
  group: 'apps',
  version: 'v1',
  kind: 'ControllerRevision',
  plural: 'controllerrevisions',
  namespaced: true,
  schema: objectSchemaFor('io.k8s.api.apps.v1.ControllerRevision', 'ControllerRevision implements an immutable snapshot of state data.', {
    data: s.any('Data is the serialized representation of the state.'),
    revision: s.int64('Revision indicates the revision of the state represented by Data.'),
  }),
  validate: (object, old) => {
    const problems = typeof object['revision'] === 'number' ? [] : [fieldError.required('revision')];
    if (old !== null && JSON.stringify(object['data'] ?? null) !== JSON.stringify(old['data'] ?? null)) problems.push(fieldError.invalid('data', '', 'field is immutable'));
    return problems;
  },
  columns: [
    column('Controller', 'The controller that owns this revision.', controllerOf),
    column('Revision', 'The revision number.', (object) => numberAt(object, ['revision']), { type: 'integer' }),
    ageColumn,
  ],
});
