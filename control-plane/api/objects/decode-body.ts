import { parse as parseYaml } from 'yaml';
import { isJsonObject, type JsonObject, type JsonValue } from '../json.ts';
import { apiVersionOf, type ResourceDefinition } from '../registry/resource.ts';
import { ApiError, errors } from '../status.ts';
import { checkFields } from '../validation/field-check.ts';

/** Named limit: YAML aliases expanded in one body (stops "billion laughs" bodies). */
export const yamlAliasesMax = 100;

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export function parseFieldValidation(value: string | null): FieldValidation {
  if (value === null || value === '' || value === 'Warn') return 'Warn';
  if (value === 'Strict' || value === 'Ignore') return value;
  throw errors.badRequest(`fieldValidation must be one of Strict, Warn or Ignore, not "${value}"`);
}

/** Parses a body as JSON or YAML (YAML is a superset; `yaml` decides by the content type). */
export function parseBody(body: Buffer, yaml: boolean): JsonValue {
  const text = body.toString('utf8');
  if (text.trim() === '') throw errors.badRequest('the request body is empty: send the object as JSON (Content-Type: application/json) or YAML (application/yaml)');
  try {
    if (!yaml) return JSON.parse(text) as JsonValue;
    const parsed: unknown = parseYaml(text, { maxAliasCount: yamlAliasesMax, uniqueKeys: false });
    return JSON.parse(JSON.stringify(parsed ?? null)) as JsonValue;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw errors.badRequest(`the request body is not valid ${yaml ? 'YAML' : 'JSON'}: ${reason}`);
  }
}

/** The body must be an object of this kind (apiVersion and kind may be omitted, as Kubernetes allows). */
export function checkTypeMeta(body: JsonValue, definition: ResourceDefinition, kind = definition.kind, apiVersion = apiVersionOf(definition)): JsonObject {
  if (!isJsonObject(body)) throw errors.badRequest(`the request body must be a JSON object (a ${kind}), not ${Array.isArray(body) ? 'an array' : typeof body}`);
  const bodyVersion = body['apiVersion'];
  const bodyKind = body['kind'];
  if (bodyVersion !== undefined && bodyVersion !== apiVersion) {
    throw errors.badRequest(`the API version in the data (${String(bodyVersion)}) does not match the expected API version (${apiVersion}); send a ${kind} of ${apiVersion}`);
  }
  if (bodyKind !== undefined && bodyKind !== kind) {
    throw errors.badRequest(`the kind in the data (${String(bodyKind)}) does not match the expected kind (${kind}); this endpoint serves ${kind} objects of ${apiVersion}`);
  }
  if (body['metadata'] !== undefined && !isJsonObject(body['metadata'])) throw errors.badRequest('metadata must be an object');
  return body;
}

/**
 * Checks field types (always a 400) and unknown fields per fieldValidation: Strict refuses them,
 * Warn returns them as warnings, Ignore drops them silently. Unknown fields are never stored.
 */
export function checkObjectFields(object: JsonObject, definition: ResourceDefinition, validation: FieldValidation): string[] {
  const result = checkFields(object, definition.schema, true);
  const prefix = `${definition.kind} in version "${definition.version}" cannot be handled as a ${definition.kind}`;
  if (result.typeErrors.length > 0) throw errors.badRequest(`${prefix}: ${result.typeErrors.join('; ')}`);
  const unknown = result.unknownFields.map((field) => `unknown field "${field}"`);
  if (unknown.length === 0 || validation === 'Ignore') return [];
  if (validation === 'Strict') throw new ApiError(400, 'BadRequest', `${prefix}: strict decoding error: ${unknown.join(', ')}`);
  return unknown;
}
