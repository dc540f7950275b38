import { nowIso, type ApiContext } from '../context.ts';
import { asObject, asString, getPath, type JsonObject } from '../json.ts';
import { bindPodToNode } from '../objects/pod-binding.ts';
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
  const body = asObject(await readObjectBody(request)) ?? {};
  const nodeName = bindingTarget(body, name);
  const uid = asString(getPath(body, ['metadata', 'uid']));
  const outcome = await bindPodToNode(context, namespace ?? '', name, nodeName, { dryRun: isDryRun(request.query), nowIso: nowIso(context), ...(uid === undefined || uid === '' ? {} : { uid }) });
  switch (outcome.type) {
    case 'bound':
      return { kind: 'plain', status: 201, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 }, warnings: [] };
    case 'gone':
      throw errors.notFound(definition, name);
    case 'alreadyBound':
      throw errors.conflict(definition, name, `pod ${name} is already assigned to node "${outcome.nodeName}"`);
    case 'deleting':
      throw errors.conflict(definition, name, `pod ${name} is being deleted, cannot be assigned to a host`);
    case 'conflict':
      throw errors.conflict(definition, name, 'too many concurrent writers; retry');
  }
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
