import type { ServerResponse } from 'node:http';
import type { ApiContext } from '../context.ts';
import { asArray, asObject, asString, getPath, type JsonObject } from '../json.ts';
import { getObject } from '../objects/object-operations.ts';
import { podResource } from '../registry/kinds/pod.ts';
import { ApiError, errors, StatusReason } from '../status.ts';
import type { ByteStream, PodStreamTarget } from './pod-streams.ts';
import { integerParameter, requireName, type HandlerResult, type ResourceRequest } from './request.ts';

/** kubectl's annotation naming the container `kubectl logs/exec` use when none is given. */
export const defaultContainerAnnotation = 'kubectl.kubernetes.io/default-container';

/**
 * GET pods/{name}/log: the container's log, streamed from its node's agent (follow, previous,
 * tailLines, limitBytes), with Kubernetes' checks and messages first. 503 when no agent answers
 * for the node within the open deadline.
 */
export async function handlePodLog(context: ApiContext, request: ResourceRequest): Promise<HandlerResult> {
  const { object } = await getObject(context, podResource, request.target.namespace, requireName(request.target));
  const target = streamTarget(object, request.query.get('container') ?? '');
  const query = request.query;
  for (const unsupported of ['sinceSeconds', 'sinceTime']) {
    if ((query.get(unsupported) ?? '') !== '') throw errors.badRequest(`${unsupported} is not supported by flotilla's agent yet; use tailLines`);
  }
  if (booleanParameter(query, 'timestamps')) throw errors.badRequest('timestamps are not recorded by flotilla\'s process runtime yet; omit --timestamps');
  const tailLines = integerParameter(query, 'tailLines') ?? -1;
  const limitBytes = integerParameter(query, 'limitBytes');
  if (limitBytes === 0) throw errors.badRequest('limitBytes must be greater than zero');
  const streams = context.podStreams;
  if (streams === undefined) throw new ApiError(503, StatusReason.serviceUnavailable, `no agent serves node ${target.nodeName} yet: pods/log for pod ${target.name} needs the node's flotilla agent`);
  const stream = await streams.openLogs(target, { follow: booleanParameter(query, 'follow'), previous: booleanParameter(query, 'previous'), tailLines }, request.signal);
  await pipeToResponse(stream, request.response, request.signal, limitBytes);
  return { kind: 'streamed' };
}

/** Which pod, node and container a log or exec request is for; 400s as Kubernetes words them. */
export function streamTarget(pod: JsonObject, asked: string): PodStreamTarget {
  const name = asString(getPath(pod, ['metadata', 'name'])) ?? '';
  const nodeName = asString(getPath(pod, ['spec', 'nodeName'])) ?? '';
  if (nodeName === '') throw errors.badRequest(`pod ${name} does not have a host assigned`);
  const containers = names(pod, 'containers');
  const initContainers = names(pod, 'initContainers');
  let container = asked;
  if (container === '') {
    const annotated = asString(asObject(getPath(pod, ['metadata', 'annotations']))?.[defaultContainerAnnotation]) ?? '';
    if (containers.length === 1) container = containers[0] ?? '';
    else if (annotated !== '' && containers.includes(annotated)) container = annotated;
    else {
      const init = initContainers.length === 0 ? '' : ` or one of the init containers: [${initContainers.join(' ')}]`;
      throw errors.badRequest(`a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]${init}`);
    }
  } else if (!containers.includes(container) && !initContainers.includes(container)) {
    throw errors.badRequest(`container ${container} is not valid for pod ${name}`);
  }
  return { namespace: asString(getPath(pod, ['metadata', 'namespace'])) ?? '', name, uid: asString(getPath(pod, ['metadata', 'uid'])) ?? '', nodeName, container };
}

function names(pod: JsonObject, field: 'containers' | 'initContainers'): string[] {
  return asArray(getPath(pod, ['spec', field])).flatMap((container) => {
    const name = asString(asObject(container)?.['name']);
    return name === undefined ? [] : [name];
  });
}

export function booleanParameter(query: URLSearchParams, name: string): boolean {
  const value = query.get(name);
  if (value === null || value === '' || value === 'false' || value === '0') return false;
  if (value === 'true' || value === '1') return true;
  throw errors.badRequest(`${name} must be true or false, not "${value}"`);
}

/** Writes the stream as it comes, waiting for the client to drain (so a slow reader slows the agent, bounded). */
async function pipeToResponse(stream: ByteStream, response: ServerResponse, signal: AbortSignal, limitBytes: number | undefined): Promise<void> {
  response.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private' });
  response.flushHeaders();
  const onAbort = (): void => stream.cancel();
  signal.addEventListener('abort', onAbort, { once: true });
  let remaining = limitBytes ?? Number.POSITIVE_INFINITY;
  try {
    for await (const chunk of stream) {
      if (signal.aborted) break;
      const part = chunk.length > remaining ? chunk.subarray(0, remaining) : chunk;
      remaining -= part.length;
      if (!response.write(part)) await new Promise<void>((resolve) => {
        response.once('drain', resolve);
        response.once('close', resolve);
      });
      if (remaining <= 0) break;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    stream.cancel();
    response.end();
  }
}
