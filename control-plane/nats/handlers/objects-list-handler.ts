import type { JsonObject } from '../../api/json.ts';
import { decodeStored } from '../../api/objects/object-codec.ts';
import { listPrefix } from '../../api/objects/storage-keys.ts';
import { endpointSliceResource } from '../../api/registry/kinds/endpoint-slice.ts';
import { ingressResource } from '../../api/registry/kinds/ingress.ts';
import { serviceResource } from '../../api/registry/kinds/service.ts';
import type { ResourceDefinition } from '../../api/registry/resource.ts';
import { decodeObjectsListRequest, encodeMessage, ProtocolLimits, type ObjectsListResult } from '../protocol/index.ts';
import type { HandlerContext, OperationHandler } from './handler-context.ts';

/** Encoded bytes of the objects in one answer (under the protocol's message limit, with room for the envelope). */
const objectBytesPerAnswerMax = 700 * 1024;

/**
 * One page of every object of a kind in the cluster, read at one revision (the first page's, so
 * the pages form one consistent snapshot; a compacted revision is 410 and the receiver starts
 * over). Bounded by count (`objectsPerListPageMax`) and by encoded bytes.
 */
export async function listObjectsPage(definition: ResourceDefinition, operation: string, request: Uint8Array, context: HandlerContext): Promise<ObjectsListResult> {
  const { revision: asked, continueAfter } = decodeObjectsListRequest(request, operation);
  const limit = ProtocolLimits.objectsPerListPageMax;
  const page = await context.api.store.list(listPrefix(definition, undefined), { limit, revision: asked, ...(continueAfter === '' ? {} : { continueAfter }) });
  const objects: JsonObject[] = [];
  let bytes = 0;
  for (const stored of page.items) {
    const object = decodeStored(stored);
    const size = encodeMessage(object).length;
    if (objects.length > 0 && bytes + size > objectBytesPerAnswerMax) return { revision: page.revision, objects, continueAfter: keyBefore(page.items, objects.length) };
    objects.push(object);
    bytes += size;
  }
  const last = page.items[page.items.length - 1];
  return { revision: page.revision, objects, continueAfter: page.more && last !== undefined ? last.key : '' };
}

/** The key of the last object that made it into the answer (the next page starts after it). */
function keyBefore(items: ReadonlyArray<{ readonly key: string }>, count: number): string {
  return items[count - 1]?.key ?? '';
}

const handlerFor = (definition: ResourceDefinition, operation: string): OperationHandler => (request, context) => listObjectsPage(definition, operation, request, context);

/** `services.list`, `endpointslices.list`, `ingresses.list`: what a node proxy (and, for Services, an agent) lists. */
export const listServices = handlerFor(serviceResource, 'services.list');
export const listEndpointSlices = handlerFor(endpointSliceResource, 'endpointslices.list');
export const listIngresses = handlerFor(ingressResource, 'ingresses.list');
