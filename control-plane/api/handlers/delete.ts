import type { ApiContext } from '../context.ts';
import { asObject, asString, isJsonObject, type JsonObject } from '../json.ts';
import { parseBody } from '../objects/decode-body.ts';
import { deleteObject, type DeleteOptions, type PropagationPolicy } from '../objects/delete-object.ts';
import { apiVersionOf } from '../registry/resource.ts';
import { errors, statusObject } from '../status.ts';
import { listObjects } from './list.ts';
import { isDryRun, requireName, type HandlerResult, type ResourceRequest } from './request.ts';

const propagationPolicies: readonly PropagationPolicy[] = ['Orphan', 'Background', 'Foreground'];

function isPropagationPolicy(value: string): value is PropagationPolicy {
  return (propagationPolicies as readonly string[]).includes(value);
}

/** DeleteOptions come in the body (kubectl) or the query (client-go sends some there, `kubectl --raw` users too). */
async function readDeleteOptions(request: ResourceRequest): Promise<DeleteOptions> {
  const raw = await request.readBody();
  const body: JsonObject = raw.length === 0 ? {} : (() => {
    const parsed = parseBody(raw, false);
    if (!isJsonObject(parsed)) throw errors.badRequest('the body of a DELETE must be a DeleteOptions object');
    return parsed;
  })();
  const policy = readPropagationPolicy(body, request.query);
  const gracePeriodSeconds = readGracePeriod(body, request.query);
  const bodyDryRun = Array.isArray(body['dryRun']) ? body['dryRun'] : [];
  for (const value of bodyDryRun) if (value !== 'All') throw errors.badRequest(`dryRun may only be "All", not "${String(value)}"`);
  const dryRun = bodyDryRun.length > 0 || isDryRun(request.query);
  const preconditions = asObject(body['preconditions']) ?? {};
  const uid = asString(preconditions['uid']);
  const resourceVersion = asString(preconditions['resourceVersion']);
  return {
    dryRun,
    ...(uid === undefined ? {} : { preconditionUid: uid }),
    ...(resourceVersion === undefined ? {} : { preconditionResourceVersion: resourceVersion }),
    ...(policy === undefined ? {} : { propagationPolicy: policy }),
    ...(gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds }),
  };
}

/** propagationPolicy, or the deprecated orphanDependents (true = Orphan, false = Background). */
function readPropagationPolicy(body: JsonObject, query: URLSearchParams): PropagationPolicy | undefined {
  const policy = asString(body['propagationPolicy']) ?? query.get('propagationPolicy') ?? undefined;
  const orphanDependents = body['orphanDependents'] ?? (query.has('orphanDependents') ? query.get('orphanDependents') === 'true' : undefined);
  if (policy !== undefined && orphanDependents !== undefined) throw errors.badRequest('orphanDependents and propagationPolicy cannot both be set');
  if (typeof orphanDependents === 'boolean') return orphanDependents ? 'Orphan' : 'Background';
  if (policy === undefined) return undefined;
  if (!isPropagationPolicy(policy)) throw errors.badRequest(`propagationPolicy must be one of Orphan, Background or Foreground, not "${policy}"`);
  return policy;
}

/** gracePeriodSeconds: a whole number of seconds; negative means "the default", as Kubernetes. */
function readGracePeriod(body: JsonObject, query: URLSearchParams): number | undefined {
  const raw = body['gracePeriodSeconds'] ?? query.get('gracePeriodSeconds') ?? undefined;
  if (raw === undefined || raw === null) return undefined;
  const value = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isInteger(value)) throw errors.badRequest(`gracePeriodSeconds must be a whole number of seconds, not "${String(raw)}"`);
  return value < 0 ? undefined : value;
}

export async function handleDelete(context: ApiContext, request: ResourceRequest): Promise<HandlerResult> {
  const { definition, namespace } = request.target;
  const name = requireName(request.target);
  const options = await readDeleteOptions(request);
  const { object, deletedNow } = await deleteObject(context, definition, namespace, name, options);
  if (!deletedNow || definition.deleteReturnsObject) return { kind: 'object', status: 200, object, warnings: [] };
  const uid = asString(asObject(object['metadata'])?.['uid']) ?? '';
  const status = statusObject({ status: 'Success', code: 200, details: { name, group: definition.group, kind: definition.plural, uid } });
  return { kind: 'plain', status: 200, body: status, warnings: [] };
}

/** DELETE on a collection: each selected object is deleted (objects that vanish meanwhile are skipped). */
export async function handleDeleteCollection(context: ApiContext, request: ResourceRequest): Promise<HandlerResult> {
  const { definition, namespace } = request.target;
  const options = await readDeleteOptions(request);
  const { items, metadata } = await listObjects(context, request);
  const deleted: JsonObject[] = [];
  for (const item of items) {
    const itemMetadata = asObject(item['metadata']) ?? {};
    const itemNamespace = asString(itemMetadata['namespace']) ?? namespace;
    try {
      deleted.push((await deleteObject(context, definition, itemNamespace, asString(itemMetadata['name']) ?? '', options)).object);
    } catch (error) {
      if (!(error instanceof Error && 'code' in error && error.code === 404)) throw error;
    }
  }
  const list: JsonObject = { kind: `${definition.kind}List`, apiVersion: apiVersionOf(definition), metadata, items: deleted };
  return { kind: 'list', list, items: deleted };
}
