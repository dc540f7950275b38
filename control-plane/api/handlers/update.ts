import type { ApiContext } from '../context.ts';
import { asObject, asString, getPath, type JsonObject } from '../json.ts';
import { checkObjectFields, checkTypeMeta, parseFieldValidation } from '../objects/decode-body.ts';
import { updateObject } from '../objects/object-operations.ts';
import { errors } from '../status.ts';
import { readObjectBody } from './body.ts';
import { isDryRun, requireName, type HandlerResult, type ResourceRequest } from './request.ts';
import { applyScale, scaleOf, scaleResource } from './scale.ts';

/** PUT of an object, its status, or its scale. */
export async function handleUpdate(context: ApiContext, request: ResourceRequest): Promise<HandlerResult> {
  const { definition, namespace, subresource } = request.target;
  const name = requireName(request.target);
  const validation = parseFieldValidation(request.query.get('fieldValidation'));
  const dryRun = isDryRun(request.query);
  const raw = await readObjectBody(request);
  if (subresource === 'scale') {
    const scale = checkTypeMeta(raw, scaleResource, 'Scale', 'autoscaling/v1');
    const warnings = checkObjectFields(scale, scaleResource, validation);
    const updated = await updateObject(context, definition, namespace, name, (current) => applyScale(definition, current, scale), { dryRun });
    return { kind: 'plain', status: 200, body: scaleOf(definition, updated), warnings };
  }
  const body = checkTypeMeta(raw, definition);
  const warnings = checkObjectFields(body, definition, validation);
  checkNameMatches(body, name);
  const options = subresource === 'status' ? { subresource: 'status' as const, dryRun } : { dryRun };
  const object = await updateObject(context, definition, namespace, name, () => body, options);
  return { kind: 'object', status: 200, object, warnings };
}

function checkNameMatches(body: JsonObject, name: string): void {
  const bodyName = asString(getPath(asObject(body) ?? {}, ['metadata', 'name'])) ?? '';
  if (bodyName !== '' && bodyName !== name) throw errors.badRequest(`the name of the object (${bodyName}) does not match the name on the URL (${name})`);
}
