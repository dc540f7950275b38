import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { realEnv, type Env } from '../../common/index.ts';
import { silentLogger, type Logger } from '../../common/index.ts';
import { ApiLimits, type ApiContext } from './context.ts';
import { bootstrapDefaultStorageClass, bootstrapNamespaces } from './bootstrap.ts';
import type { ClusterBootstrap } from './cluster-bootstrap.ts';
import { buildRouter, isPublicPath, type RouteHandler } from './http/routes.ts';
import { sendError } from './http/respond.ts';
import { answerUpgrade } from './http/upgrade.ts';
import type { PodStreams } from './handlers/pod-streams.ts';
import type { ObjectStore } from './object-store.ts';
import { OpenApiV3Documents } from './openapi/openapi-v3.ts';
import { builtinResources } from './registry/kinds/index.ts';
import { ResourceRegistry } from './registry/registry.ts';
import { writeKubeconfigFile } from './security/kubeconfig.ts';
import { ensureServingCredentials } from './security/tls.ts';
import { TokenAuthenticator } from './security/tokens.ts';
import { errors, toApiError } from './status.ts';

export interface ApiServerOptions {
  /** Address to listen on; default 127.0.0.1. */
  readonly host?: string;
  /** 0 or absent: a free port. */
  readonly port?: number;
  /** Where the CA, serving certificate, admin token and default kubeconfig live. */
  readonly dataDir: string;
  readonly objectStore: ObjectStore;
  readonly logger?: Logger;
  readonly env?: Env;
  /** Extra names (DNS or IP) for the serving certificate, e.g. a load balancer's address. */
  readonly extraNames?: readonly string[];
  /** Plain HTTP for tests of the HTTP layer only; production is always HTTPS. */
  readonly insecureHttp?: boolean;
  /** How often idle watches with allowWatchBookmarks get a BOOKMARK (default 60 s, as Kubernetes). */
  readonly bookmarkIntervalMs?: number;
  readonly limits?: Partial<ApiLimits>;
  /**
   * A replicated cluster's shared CA and admin token (from the replicated store). Absent: a
   * single server makes its own CA and token in `dataDir` at first start.
   */
  readonly cluster?: ClusterBootstrap;
  /** Where pods/log and pods/exec are streamed from (the NATS bridge); absent: 503. */
  readonly podStreams?: PodStreams;
}

export interface ApiServer {
  readonly port: number;
  readonly url: string;
  readonly caCertificatePem: string;
  readonly adminToken: string;
  /** The kubeconfig written at start: `<dataDir>/kubeconfig`. */
  readonly kubeconfigPath: string;
  writeKubeconfig(path: string): Promise<void>;
  close(): Promise<void>;
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

/** Starts the Kubernetes API server on an ObjectStore (HTTPS, bearer tokens, a kubeconfig for the admin). */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const host = options.host ?? '127.0.0.1';
  const env = options.env ?? realEnv();
  const logger = options.logger ?? silentLogger;
  const shutdown = new AbortController();
  const context: ApiContext = {
    store: options.objectStore,
    registry: new ResourceRegistry(builtinResources),
    env,
    logger,
    limits: { ...ApiLimits, ...options.limits },
    bookmarkIntervalMs: options.bookmarkIntervalMs ?? 60_000,
    shutdown: shutdown.signal,
    activeWatches: { count: 0 },
    ...(options.podStreams === undefined ? {} : { podStreams: options.podStreams }),
  };
  await bootstrapNamespaces(context);
  await bootstrapDefaultStorageClass(context);
  const { authenticator, adminToken } = options.cluster === undefined
    ? await TokenAuthenticator.open(options.dataDir)
    : { authenticator: await TokenAuthenticator.withAdminToken(options.dataDir, options.cluster.adminToken), adminToken: options.cluster.adminToken };
  const names = ['localhost', '127.0.0.1', '::1', ...(host === '0.0.0.0' || host === '::' ? [] : [host]), ...(options.extraNames ?? [])];
  const credentials = await ensureServingCredentials(options.dataDir, names, env.clock.nowMs(), options.cluster?.ca);
  let boundPort = options.port ?? 0;
  const router = buildRouter({ context, openapi: new OpenApiV3Documents(context.registry), serverAddress: () => `${host}:${boundPort}` });
  const inFlight = { count: 0 };
  const handle = (request: IncomingMessage, response: ServerResponse) => void serve(context, router, authenticator, inFlight, request, response);
  const server = options.insecureHttp === true
    ? createHttpServer(handle)
    : createHttpsServer({ cert: credentials.certificatePem, key: credentials.privateKeyPem }, handle);
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    void answerUpgrade(context, authenticator, request, socket, head);
  });
  // Watches are long-lived; the server must not cut them (clients send timeoutSeconds).
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 65_000;
  boundPort = await listen(server, host, boundPort);
  const url = `${options.insecureHttp === true ? 'http' : 'https'}://${host.includes(':') ? `[${host}]` : host}:${boundPort}`;
  const writeKubeconfig = (path: string) => writeKubeconfigFile(path, { serverUrl: url, caCertificatePem: credentials.caCertificatePem, token: adminToken });
  const kubeconfigPath = join(options.dataDir, 'kubeconfig');
  await writeKubeconfig(kubeconfigPath);
  logger.info({ url }, 'API server listening');
  return {
    port: boundPort,
    url,
    caCertificatePem: credentials.caCertificatePem,
    adminToken,
    kubeconfigPath,
    writeKubeconfig,
    close: async () => {
      shutdown.abort();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

type Router = ReturnType<typeof buildRouter>;

async function serve(context: ApiContext, router: Router, authenticator: TokenAuthenticator, inFlight: { count: number }, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const closed = new AbortController();
  response.on('close', () => closed.abort());
  let counted = false;
  try {
    const url = new URL(request.url ?? '/', 'http://api.invalid');
    const user = authenticator.authenticate(request.headers.authorization);
    if (user === null && !isPublicPath(url.pathname)) throw errors.unauthorized();
    const found = router.find(request.method as never, url.pathname);
    if (found === null) throw errors.pathNotFound(url.pathname);
    const watching = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1' || url.pathname.includes('/watch/');
    if (!watching) {
      if (inFlight.count >= context.limits.inFlightRequestsMax) throw errors.tooManyRequests('too many requests in flight; retry');
      inFlight.count++;
      counted = true;
    }
    const handler = found.handler as unknown as RouteHandler;
    await handler({ request, response, url, params: found.params, user, signal: closed.signal });
  } catch (error) {
    const apiError = toApiError(error);
    if (apiError.code >= 500) context.logger.error({ err: error, method: request.method, url: request.url }, 'request failed');
    else context.logger.debug({ code: apiError.code, message: apiError.message, method: request.method, url: request.url }, 'request refused');
    sendError(response, apiError);
    // An unread body would otherwise keep the socket busy; drop it.
    request.resume();
  } finally {
    if (counted) inFlight.count--;
  }
}
