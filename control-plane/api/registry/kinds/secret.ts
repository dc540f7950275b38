import { asObject, ensureObject } from '../../json.ts';
import { objectSchemaFor } from '../../schema/meta-schemas.ts';
import { s } from '../../schema/schema.ts';
import { ageColumn, column, stringAt } from '../../table/columns.ts';
import { fieldError } from '../../validation/field-error.ts';
import { defineResource } from '../resource.ts';
import { validateDataKeys } from './config-map.ts';

const base64Pattern = /^[A-Za-z0-9+/]*={0,2}$/;

export const secretResource = defineResource({
  group: '',
  version: 'v1',
  kind: 'Secret',
  plural: 'secrets',
  namespaced: true,
  schema: objectSchemaFor('io.k8s.api.core.v1.Secret', 'Secret holds secret data of a certain type. The total bytes of the values in the Data field must be less than MaxSecretSize bytes.', {
    data: s.map(s.bytes(), 'Data contains the secret data, base64 encoded.'),
    stringData: s.stringMap('stringData allows specifying non-binary secret data in string form. It is merged into data on write (write-only).'),
    type: s.string('Used to facilitate programmatic handling of secret data.'),
    immutable: s.boolean('Immutable, if set to true, ensures that data stored in the Secret cannot be updated.'),
  }),
  defaults: (object) => {
    if (object['type'] === undefined || object['type'] === '' || object['type'] === null) object['type'] = 'Opaque';
    // stringData is write-only: Kubernetes folds it into data (base64) and never stores it.
    const stringData = asObject(object['stringData']);
    if (stringData !== undefined) {
      const data = ensureObject(object, 'data');
      for (const [key, value] of Object.entries(stringData)) data[key] = Buffer.from(typeof value === 'string' ? value : '').toString('base64');
      delete object['stringData'];
    }
  },
  validate: (object, old) => {
    const problems = validateDataKeys(object, ['data']);
    for (const [key, value] of Object.entries(asObject(object['data']) ?? {})) {
      if (typeof value !== 'string' || value.length % 4 !== 0 || !base64Pattern.test(value)) problems.push(fieldError.invalid(`data[${key}]`, '<value>', 'must be base64 encoded'));
    }
    if (old !== null && old['type'] !== object['type']) problems.push(fieldError.invalid('type', object['type'], 'field is immutable'));
    return problems;
  },
  columns: [
    column('Type', 'The type of the secret', (object) => stringAt(object, ['type'])),
    column('Data', 'Number of keys in data', (object) => Object.keys(asObject(object['data']) ?? {}).length, { type: 'integer' }),
    ageColumn,
  ],
  fieldSelectors: { type: (object) => stringAt(object, ['type']) },
});
