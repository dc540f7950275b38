import { isJsonObject, type JsonValue } from '../json.ts';
import type { FieldSchema } from '../schema/schema.ts';

/** What decoding a body against a kind's schema found, worded as Kubernetes' strict decoder words it. */
export interface FieldCheckResult {
  /** Paths of fields the schema does not know (`spec.replica`), reported per fieldValidation. */
  readonly unknownFields: string[];
  /** Values of the wrong JSON type: always a 400, the object cannot be decoded. */
  readonly typeErrors: string[];
}

/** Named limit: a body nested deeper than this is refused instead of walked (no stack exhaustion). */
export const fieldCheckDepthMax = 100;

/** With `prune`, unknown fields are also removed from `value` (Kubernetes never stores them). */
export function checkFields(value: JsonValue, schema: FieldSchema, prune = false): FieldCheckResult {
  const result: FieldCheckResult = { unknownFields: [], typeErrors: [] };
  walk(value, schema, '', 0, result, prune);
  return result;
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function walk(value: JsonValue, schema: FieldSchema, path: string, depth: number, result: FieldCheckResult, prune: boolean): void {
  if (depth > fieldCheckDepthMax) {
    result.typeErrors.push(`${path}: nested more than ${fieldCheckDepthMax} levels`);
    return;
  }
  // Go's decoder reads null as the zero value of any field type.
  if (value === null) return;
  const problem = typeProblem(value, schema);
  if (problem !== null) {
    result.typeErrors.push(`${path === '' ? 'object' : path}: ${problem}`);
    return;
  }
  if (schema.type === 'object' && isJsonObject(value)) {
    for (const [key, child] of Object.entries(value)) {
      const childSchema = schema.properties[key];
      if (childSchema === undefined) {
        result.unknownFields.push(join(path, key));
        if (prune) delete value[key];
      } else walk(child, childSchema, join(path, key), depth + 1, result, prune);
    }
  } else if (schema.type === 'map' && isJsonObject(value)) {
    for (const [key, child] of Object.entries(value)) walk(child, schema.values, join(path, key), depth + 1, result, prune);
  } else if (schema.type === 'array' && Array.isArray(value)) {
    value.forEach((child, index) => walk(child, schema.items, `${path}[${index}]`, depth + 1, result, prune));
  }
}

function describe(value: JsonValue): string {
  if (Array.isArray(value)) return 'array';
  return typeof value === 'object' ? 'object' : typeof value;
}

/** The Go-decoder-like complaint for a value of the wrong type, or null. */
function typeProblem(value: JsonValue, schema: FieldSchema): string | null {
  const actual = describe(value);
  const expect = (wanted: string): string => `cannot unmarshal ${actual} into a field of type ${wanted}`;
  switch (schema.type) {
    case 'string':
    case 'time':
    case 'bytes':
      return typeof value === 'string' ? null : expect('string');
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) ? null : expect(schema.format);
    case 'number':
      return typeof value === 'number' ? null : expect('number');
    case 'boolean':
      return typeof value === 'boolean' ? null : expect('bool');
    case 'intOrString':
    case 'quantity':
      return typeof value === 'string' || typeof value === 'number' ? null : expect('int or string');
    case 'any':
      return null;
    case 'object':
    case 'map':
      return isJsonObject(value) ? null : expect('object');
    case 'array':
      return Array.isArray(value) ? null : expect('array');
  }
}
