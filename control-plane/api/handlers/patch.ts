import type { ApiContext } from '../context.ts';
import { cloneJson, ensureObject, isJsonObject, type JsonObject, type JsonValue } from '../json.ts';
import { checkObjectFields, checkTypeMeta, parseFieldValidation } from '../objects/decode-body.ts';
import { createObject, updateObject } from '../objects/object-operations.ts';
import { applyJsonPatch } from '../patch/json-patch.ts';
import { applyMergePatch } from '../patch/merge-patch.ts';
import { PatchError } from '../patch/patch-error.ts';
import { applyStrategicMergePatch } from '../patch/strategic-merge-patch.ts';
import type { ResourceDefinition } from '../registry/resource.ts';
import { ApiError, errors, StatusReason } from '../status.ts';
import { readPatchBody, type PatchType } from './body.ts';
import { isDryRun, requireName, type HandlerResult, type ResourceRequest } from './request.ts';
import { applyScale, scaleOf, scaleResource } from './scale.ts';

/** Applies one patch document to `base` with the kind's schema (for strategic merge keys). */
export function applyPatchOfType(type: PatchType, base: JsonObject, patch: JsonValue, definition: ResourceDefinition): JsonObject {
  try {
    const result = type === 'json' ? applyJsonPatch(base, patch) : type === 'merge' ? applyMergePatch(base, patch) : applyStrategicMergePatch(base, patch, definition.schema);
    if (!isJsonObject(result)) throw new PatchError('the patched document is not an object', false);
    return result;
  } catch (error) {
    if (!(error instanceof PatchError)) throw error;
    if (error.malformed) throw errors.badRequest(error.message);
    throw new ApiError(422, StatusReason.invalid, error.message);
  }
}

/** The current object without its resourceVersion: a version in the result then came from the patch (a precondition). */
function patchBase(current: JsonObject): JsonObject {
  const base = cloneJson(current);
  delete ensureObject(base, 'metadata')['resourceVersion'];
  return base;
}

export async function handlePatch(context: ApiContext, request: ResourceRequest): Promise<HandlerResult> {
  const { definition, namespace, subresource } = request.target;
  const name = requireName(request.target);
  const { type, patch } = await readPatchBody(request);
  const validation = parseFieldValidation(request.query.get('fieldValidation'));
  const dryRun = isDryRun(request.query);
  if (type === 'apply') return applyServerSide(context, request, patch, dryRun);
  let warnings: readonly string[] = [];
  if (subresource === 'scale') {
    const updated = await updateObject(context, definition, namespace, name, (current) => {
      const scale = applyPatchOfType(type, patchBase(scaleOf(definition, current)), patch, scaleResource);
      warnings = checkObjectFields(scale, scaleResource, validation);
      return applyScale(definition, current, scale);
    }, { dryRun });
    return { kind: 'plain', status: 200, body: scaleOf(definition, updated), warnings };
  }
  const options = subresource === 'status' ? { subresource: 'status' as const, dryRun } : { dryRun };
  const object = await updateObject(context, definition, namespace, name, (current) => {
    const patched = checkTypeMeta(applyPatchOfType(type, patchBase(current), patch, definition), definition);
    warnings = checkObjectFields(patched, definition, validation);
    return patched;
  }, options);
  return { kind: 'object', status: 200, object, warnings };
}

/**
 * Server-side apply, simplified: the applied configuration is created, or merged into the live
 * object with strategic-merge semantics. Field ownership (managedFields, conflicts between
 * managers, removal of fields a manager stopped applying) is not tracked yet.
 */
async function applyServerSide(context: ApiContext, request: ResourceRequest, patch: JsonValue, dryRun: boolean): Promise<HandlerResult> {
  const { definition, namespace, subresource } = request.target;
  const name = requireName(request.target);
  if ((request.query.get('fieldManager') ?? '') === '') {
    throw new ApiError(422, StatusReason.invalid, 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
  }
  const validation = parseFieldValidation(request.query.get('fieldValidation') ?? 'Strict');
  const applied = checkTypeMeta(patch, definition);
  const warnings = checkObjectFields(applied, definition, validation);
  try {
    const options = subresource === 'status' ? { subresource: 'status' as const, dryRun } : { dryRun };
    const object = await updateObject(context, definition, namespace, name, (current) => applyStrategicMergePatch(patchBase(current), applied, definition.schema), options);
    return { kind: 'object', status: 200, object, warnings };
  } catch (error) {
    if (!(error instanceof ApiError) || error.code !== 404 || subresource !== undefined) throw error;
  }
  const body = cloneJson(applied);
  ensureObject(body, 'metadata')['name'] = name;
  const object = await createObject(context, definition, namespace, body, dryRun);
  return { kind: 'object', status: 201, object, warnings };
}
