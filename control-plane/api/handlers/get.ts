import type { ApiContext } from '../context.ts';
import { getObject } from '../objects/object-operations.ts';
import { errors } from '../status.ts';
import { requireName, type HandlerResult, type ResourceRequest } from './request.ts';
import { scaleOf } from './scale.ts';

export async function handleGet(context: ApiContext, request: ResourceRequest): Promise<HandlerResult> {
  const { definition, namespace, subresource } = request.target;
  const { object } = await getObject(context, definition, namespace, requireName(request.target));
  if (subresource === 'scale') return { kind: 'plain', status: 200, body: scaleOf(definition, object), warnings: [] };
  if (subresource !== undefined && subresource !== 'status') throw errors.pathNotFound(`${definition.plural}/${subresource}`);
  return { kind: 'object', status: 200, object, warnings: [] };
}
