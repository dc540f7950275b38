import type { ApiContext } from '../context.ts';
import { checkObjectFields, checkTypeMeta, parseFieldValidation } from '../objects/decode-body.ts';
import { createObject } from '../objects/object-operations.ts';
import { errors } from '../status.ts';
import { readObjectBody } from './body.ts';
import { isDryRun, type HandlerResult, type ResourceRequest } from './request.ts';

export async function handleCreate(context: ApiContext, request: ResourceRequest): Promise<HandlerResult> {
  const { definition, namespace } = request.target;
  if (definition.namespaced && namespace === undefined) {
    throw errors.badRequest(`${definition.plural} are namespaced: POST to /…/namespaces/<namespace>/${definition.plural}`);
  }
  const validation = parseFieldValidation(request.query.get('fieldValidation'));
  const dryRun = isDryRun(request.query);
  const body = checkTypeMeta(await readObjectBody(request), definition);
  const warnings = checkObjectFields(body, definition, validation);
  const object = await createObject(context, definition, namespace, body, dryRun);
  return { kind: 'object', status: 201, object, warnings };
}
