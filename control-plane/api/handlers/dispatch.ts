import type { ApiContext } from '../context.ts';
import { errors } from '../status.ts';
import { handleBinding } from './binding.ts';
import { handleCreate } from './create.ts';
import { handlePodConnect } from './pod-connect.ts';
import { handleDelete, handleDeleteCollection } from './delete.ts';
import { handleGet } from './get.ts';
import { handleList } from './list.ts';
import { handlePatch } from './patch.ts';
import type { HandlerResult, ResourceRequest } from './request.ts';
import { handleUpdate } from './update.ts';
import { handleWatch, type EventEncoder } from './watch.ts';

/** Picks the verb from the method and the URL, as Kubernetes' request info resolver does. */
export function verbOf(request: ResourceRequest): string {
  const { name } = request.target;
  const watchParameter = request.query.get('watch');
  const watch = request.target.watchPath || watchParameter === '1' || watchParameter === 'true';
  switch (request.method) {
    case 'GET':
    case 'HEAD':
      if (name !== undefined && !watch) return 'get';
      return watch ? 'watch' : 'list';
    case 'POST':
      return name === undefined ? 'create' : 'unsupported';
    case 'PUT':
      return name === undefined ? 'unsupported' : 'update';
    case 'PATCH':
      return name === undefined ? 'unsupported' : 'patch';
    case 'DELETE':
      return name === undefined ? 'deletecollection' : 'delete';
    default:
      return 'unsupported';
  }
}

export async function dispatchResource(context: ApiContext, request: ResourceRequest, encodeEvent: EventEncoder): Promise<HandlerResult> {
  const { definition, name, subresource } = request.target;
  if (subresource === 'binding') return handleBinding(context, request);
  if (subresource !== undefined && definition.subresources.connect?.includes(subresource) === true) {
    return handlePodConnect(context, request, subresource);
  }
  const verb = verbOf(request);
  if (verb === 'unsupported' || (!definition.verbs.includes(verb) && request.target.subresource === undefined)) {
    throw errors.methodNotAllowed(request.method, `${definition.plural}${name === undefined ? '' : `/${name}`}`);
  }
  switch (verb) {
    case 'get':
      return handleGet(context, request);
    case 'list':
      return handleList(context, request);
    case 'watch':
      if (name !== undefined) request.query.set('fieldSelector', [request.query.get('fieldSelector') ?? '', `metadata.name=${name}`].filter((part) => part !== '').join(','));
      return handleWatch(context, request, encodeEvent);
    case 'create':
      return handleCreate(context, request);
    case 'update':
      return handleUpdate(context, request);
    case 'patch':
      return handlePatch(context, request);
    case 'delete':
      return handleDelete(context, request);
    default:
      return handleDeleteCollection(context, request);
  }
}
