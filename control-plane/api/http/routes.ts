import type { IncomingMessage, ServerResponse } from 'node:http';
import FindMyWay from 'find-my-way';
import type { ApiContext } from '../context.ts';
import { aggregatedContentType, aggregatedDiscoveryDocument, requestedAggregatedDiscovery } from '../discovery/aggregated-discovery.ts';
import { apiGroupDocument, apiGroupListDocument, apiResourceListDocument, apiVersionsDocument, versionDocument } from '../discovery/discovery.ts';
import { dispatchResource } from '../handlers/dispatch.ts';
import type { EventEncoder } from '../handlers/watch.ts';
import type { JsonObject } from '../json.ts';
import type { OpenApiV3Documents } from '../openapi/openapi-v3.ts';
import type { ResourceDefinition } from '../registry/resource.ts';
import type { UserInfo } from '../security/tokens.ts';
import { errors } from '../status.ts';
import { partialObjectMetadata, parseIncludeObject, renderTable } from '../table/render.ts';
import { negotiate, parseAccept, type ResponseShape } from './content-type.ts';
import { readBody } from './request-body.ts';
import { resolveResourcePath } from './resource-path.ts';
import { sendJson, sendShaped, sendText, shapeResult } from './respond.ts';

export interface RouteRequest {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly url: URL;
  readonly params: Readonly<Record<string, string | undefined>>;
  readonly user: UserInfo | null;
  readonly signal: AbortSignal;
}

export type RouteHandler = (route: RouteRequest) => Promise<void>;

export interface RouteDependencies {
  readonly context: ApiContext;
  readonly openapi: OpenApiV3Documents;
  readonly serverAddress: () => string;
}

/** Paths served without a token (health probes and the version, as Kubernetes' public-info-viewer). */
export function isPublicPath(path: string): boolean {
  return /^\/(healthz|livez|readyz)(\/.*)?$/.test(path) || path === '/version' || path === '/version/';
}

type Router = ReturnType<typeof FindMyWay>;

export function buildRouter(dependencies: RouteDependencies): Router {
  const router = FindMyWay({ ignoreTrailingSlash: true, caseSensitive: true, maxParamLength: 500 });
  const add = (methods: string[], path: string, handler: RouteHandler) => router.on(methods as never, path, handler as never);
  const { context } = dependencies;
  const health: RouteHandler = async ({ response }) => sendText(response, 200, 'ok');
  for (const probe of ['/healthz', '/livez', '/readyz']) {
    add(['GET', 'HEAD'], probe, health);
    add(['GET', 'HEAD'], `${probe}/*`, health);
  }
  add(['GET'], '/version', async ({ response }) => sendJson(response, 200, versionDocument()));
  // Aggregated discovery when the Accept header asks for it (kubectl 1.26+ does), else the legacy documents.
  add(['GET'], '/api', async ({ request, response }) => {
    const aggregated = requestedAggregatedDiscovery(request.headers.accept);
    if (aggregated === null) return sendJson(response, 200, apiVersionsDocument(dependencies.serverAddress()));
    sendJson(response, 200, aggregatedDiscoveryDocument(context.registry, 'core', aggregated), [], aggregatedContentType(aggregated));
  });
  add(['GET'], '/apis', async ({ request, response }) => {
    const aggregated = requestedAggregatedDiscovery(request.headers.accept);
    if (aggregated === null) return sendJson(response, 200, apiGroupListDocument(context.registry));
    sendJson(response, 200, aggregatedDiscoveryDocument(context.registry, 'groups', aggregated), [], aggregatedContentType(aggregated));
  });
  add(['GET'], '/api/v1', async ({ response }) => sendJson(response, 200, apiResourceListDocument(context.registry, '', 'v1') ?? {}));
  add(['GET'], '/apis/:group', async ({ response, params }) => {
    const document = apiGroupDocument(context.registry, params['group'] ?? '');
    if (document === null) throw errors.pathNotFound(`/apis/${params['group'] ?? ''}`);
    sendJson(response, 200, document);
  });
  add(['GET'], '/apis/:group/:version', async ({ response, params }) => {
    const document = apiResourceListDocument(context.registry, params['group'] ?? '', params['version'] ?? '');
    if (document === null) throw errors.pathNotFound(`/apis/${params['group'] ?? ''}/${params['version'] ?? ''}`);
    sendJson(response, 200, document);
  });
  add(['GET'], '/openapi/v3', async ({ response }) => sendJson(response, 200, dependencies.openapi.root()));
  add(['GET'], '/openapi/v3/*', async ({ response, params }) => {
    const document = dependencies.openapi.document(params['*'] ?? '');
    if (document === undefined) throw errors.pathNotFound(`/openapi/v3/${params['*'] ?? ''}`);
    response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(document.body), ETag: `"${document.hash}"` });
    response.end(document.body);
  });
  add(['POST'], '/apis/authentication.k8s.io/v1/selfsubjectreviews', async ({ response, user }) => {
    const userInfo = user === null ? {} : { username: user.username, uid: user.uid, groups: [...user.groups] };
    sendJson(response, 201, { kind: 'SelfSubjectReview', apiVersion: 'authentication.k8s.io/v1', metadata: { creationTimestamp: null }, status: { userInfo } });
  });
  const resourceMethods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
  add(resourceMethods, '/api/v1/*', (route) => serveResource(context, route, '', 'v1', route.params['*'] ?? ''));
  add(resourceMethods, '/apis/:group/:version/*', (route) => serveResource(context, route, route.params['group'] ?? '', route.params['version'] ?? '', route.params['*'] ?? ''));
  return router;
}

function eventEncoder(definition: ResourceDefinition, shape: ResponseShape, query: URLSearchParams, nowMs: () => number): EventEncoder {
  if (shape === 'partialMetadata') return (object) => partialObjectMetadata(object);
  if (shape !== 'table') return (object) => object;
  const includeObject = parseIncludeObject(query.get('includeObject'));
  return (object, first) => {
    const metadata = (object['metadata'] ?? {}) as JsonObject;
    return renderTable(definition, [object], { nowMs: nowMs(), includeObject, listMetadata: { resourceVersion: metadata['resourceVersion'] ?? '' }, withColumnDefinitions: first });
  };
}

async function serveResource(context: ApiContext, route: RouteRequest, group: string, version: string, rest: string): Promise<void> {
  // find-my-way has already percent-decoded the wildcard; decoding again would break names containing '%'.
  const target = resolveResourcePath(context.registry, group, version, rest.split('/'));
  const shape = negotiate(parseAccept(route.request.headers.accept));
  if (shape === null) throw errors.notAcceptable(route.request.headers.accept ?? '');
  const query = route.url.searchParams;
  const nowMs = () => context.env.clock.nowMs();
  const result = await dispatchResource(
    context,
    {
      method: route.request.method ?? 'GET',
      target,
      query,
      contentType: route.request.headers['content-type'] ?? '',
      readBody: () => readBody(route.request),
      signal: route.signal,
      response: route.response,
    },
    eventEncoder(target.definition, shape, query, nowMs),
  );
  if (result.kind === 'streamed') return;
  const body = shapeResult(result, target.definition, { shape, includeObject: parseIncludeObject(query.get('includeObject')), nowMs: nowMs() });
  const status = result.kind === 'list' ? 200 : result.status;
  sendShaped(route.response, status, body, shape, result.kind === 'list' ? [] : result.warnings);
}
