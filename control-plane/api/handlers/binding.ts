import type { ApiContext } from '../context.ts';
import { asObject, asString, cloneJson, ensureObject, getPath, type JsonObject } from '../json.ts';
import { getObject, updateObject } from '../objects/object-operations.ts';
import type { ResourceDefinition } from '../registry/resource.ts';
import { errors } from '../status.ts';
import { fieldError, toCause } from '../validation/field-error.ts';
import { readObjectBody } from './body.ts';
import { isDryRun, requireName, type HandlerResult, type ResourceRequest } from './request.ts';

/**
 * POST pods/<name>/binding: the scheduler assigns a pod to a node (Kubernetes' Binding). Sets
 * `spec.nodeName` by compare-and-swap; a pod already bound answers 409, so two schedulers (or a
 * deposed leader's late write) can never move a pod.
 */
export async function handleBinding(context: ApiContext, request: ResourceRequest): Promise<HandlerResult> {
  const { definition, namespace } = request.target;
  const name = requireName(request.target);
  if (request.method !== 'POST') throw errors.methodNotAllowed(request.method, `${definition.plural}/${name}/binding`);
  const dryRun = isDryRun(request.query);
  const body = asObject(await readObjectBody(request)) ?? {};
  const nodeName = bindingTarget(body, name);
  // The pod must exist before the CAS loop, so a missing pod is a 404, not a conflict.
  await getObject(context, definition, namespace, name);
  await updateObject(context, definition, namespace, name, (current) => bind(definition, current, name, nodeName), { dryRun });
  return { kind: 'plain', status: 201, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 }, warnings: [] };
}

function bindingTarget(body: JsonObject, podName: string): string {
  if (body['kind'] !== undefined && body['kind'] !== 'Binding') throw errors.badRequest(`the body must be a Binding, not ${String(body['kind'])}`);
  const bodyName = asString(getPath(body, ['metadata', 'name'])) ?? '';
  if (bodyName !== '' && bodyName !== podName) throw errors.badRequest(`the Binding's name (${bodyName}) does not match the pod's (${podName})`);
  const target = asObject(body['target']);
  const nodeName = asString(target?.['name']) ?? '';
  const kind = asString(target?.['kind']) ?? 'Node';
  if (nodeName === '' || kind !== 'Node') {
    const problem = nodeName === '' ? fieldError.required('target.name') : fieldError.notSupported('target.kind', kind, ['Node']);
    throw errors.invalid('Binding', '', podName, [toCause(problem)]);
  }
  return nodeName;
}

function bind(definition: ResourceDefinition, current: JsonObject, podName: string, nodeName: string): JsonObject {
  const bound = asString(getPath(current, ['spec', 'nodeName'])) ?? '';
  if (bound !== '') throw errors.conflict(definition, podName, `pod ${podName} is already assigned to node "${bound}"`);
  if (getPath(current, ['metadata', 'deletionTimestamp']) !== undefined) throw errors.conflict(definition, podName, `pod ${podName} is being deleted, cannot be assigned to a host`);
  const next = cloneJson(current);
  ensureObject(next, 'spec')['nodeName'] = nodeName;
  // The read-modify-write retries on a lost race; the resourceVersion precondition is not the caller's.
  delete ensureObject(next, 'metadata')['resourceVersion'];
  return next;
}
