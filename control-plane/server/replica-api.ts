import type { Env, Logger } from '../../common/index.ts';
import type { HostPort, Replica } from '../../store/index.ts';
import { loadOrCreateClusterBootstrap } from '../api/cluster-bootstrap.ts';
import { ReplicatedObjectStore } from '../api/replicated-object-store.ts';
import { startApiServer, type ApiServer } from '../api/server.ts';
import type { ApiContext } from '../api/context.ts';
import type { PodStreams } from '../api/handlers/pod-streams.ts';
import { createInProcessContext } from '../controller-runtime/index.ts';

export interface ReplicaApiOptions {
  readonly replica: Replica;
  readonly listen: HostPort;
  readonly extraNames: readonly string[];
  readonly dataDir: string;
  readonly env: Env;
  readonly logger: Logger;
  /** Aborted when the server stops before the API is up. */
  readonly signal: AbortSignal;
  /** pods/log and pods/exec through the node agents (the NATS bridge). */
  readonly podStreams?: PodStreams;
}

export interface ReplicaApi {
  readonly server: ApiServer;
  /** The object layer in process, over the same replicated store: for the controllers and the NATS bridge. */
  readonly context: ApiContext;
}

/**
 * The Kubernetes API on one replica: the cluster's shared CA and admin token come from the
 * replicated store (made by the first replica to find none), so a kubeconfig works against
 * every replica; this replica's serving certificate is its own, signed by that CA.
 */
export async function startReplicaApi(options: ReplicaApiOptions): Promise<ReplicaApi> {
  const logger = options.logger.child({ component: 'api' });
  const objectStore = new ReplicatedObjectStore(options.replica, options.env);
  const cluster = await loadOrCreateClusterBootstrap(objectStore, options.env, logger, options.signal);
  options.signal.throwIfAborted();
  const server = await startApiServer({
    host: options.listen.host,
    port: options.listen.port,
    dataDir: options.dataDir,
    objectStore,
    logger,
    env: options.env,
    extraNames: options.extraNames,
    cluster,
    ...(options.podStreams === undefined ? {} : { podStreams: options.podStreams }),
  });
  return { server, context: createInProcessContext({ store: objectStore, env: options.env, logger }) };
}
