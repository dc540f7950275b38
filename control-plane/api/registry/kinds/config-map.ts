import { asObject, type JsonObject } from '../../json.ts';
import { objectSchemaFor } from '../../schema/meta-schemas.ts';
import { s } from '../../schema/schema.ts';
import { ageColumn, column } from '../../table/columns.ts';
import { fieldError, type FieldError } from '../../validation/field-error.ts';
import { checkConfigMapKey } from '../../validation/names.ts';
import { defineResource } from '../resource.ts';

/** Kubernetes' limit on the data of one ConfigMap or Secret (MaxSecretSize). */
export const dataBytesMax = 1024 * 1024;

export function validateDataKeys(object: JsonObject, fields: readonly string[]): FieldError[] {
  const problems: FieldError[] = [];
  const seen = new Set<string>();
  let totalBytes = 0;
  for (const field of fields) {
    for (const [key, value] of Object.entries(asObject(object[field]) ?? {})) {
      for (const problem of checkConfigMapKey(key)) problems.push(fieldError.invalid(`${field}[${key}]`, key, problem));
      if (seen.has(key)) problems.push(fieldError.invalid(`${field}[${key}]`, key, 'duplicate of key present in another data field'));
      seen.add(key);
      totalBytes += typeof value === 'string' ? Buffer.byteLength(value) : 0;
    }
  }
  if (totalBytes > dataBytesMax) problems.push(fieldError.tooLong('data', dataBytesMax));
  return problems;
}

export const configMapResource = defineResource({
  group: '',
  version: 'v1',
  kind: 'ConfigMap',
  plural: 'configmaps',
  shortNames: ['cm'],
  namespaced: true,
  schema: objectSchemaFor('io.k8s.api.core.v1.ConfigMap', 'ConfigMap holds configuration data for pods to consume.', {
    data: s.stringMap('Data contains the configuration data. Each key must consist of alphanumeric characters, \'-\', \'_\' or \'.\'.'),
    binaryData: s.map(s.bytes(), 'BinaryData contains the binary data (base64).'),
    immutable: s.boolean('Immutable, if set to true, ensures that data stored in the ConfigMap cannot be updated.'),
  }),
  validate: (object, old) => {
    const problems = validateDataKeys(object, ['data', 'binaryData']);
    if (old !== null && old['immutable'] === true && JSON.stringify([object['data'], object['binaryData'], object['immutable']]) !== JSON.stringify([old['data'], old['binaryData'], old['immutable']])) {
      problems.push(fieldError.forbidden('data', 'field is immutable when `immutable` is set'));
    }
    return problems;
  },
  columns: [
    column('Data', 'Number of keys in data and binaryData', (object) => Object.keys(asObject(object['data']) ?? {}).length + Object.keys(asObject(object['binaryData']) ?? {}).length, { type: 'integer' }),
    ageColumn,
  ],
});
