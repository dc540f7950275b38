import { Server, ServerCredentials } from '@grpc/grpc-js';
import { realClock, realTimers, type Clock, type Logger, type Timers } from '../../common/index.ts';
import { defaultEtcdApiLimits, type EtcdApiLimits } from './api-limits.ts';
import type { EtcdBackend } from './backend.ts';
import { clusterService } from './cluster-service.ts';
import { kvService } from './kv-service.ts';
import { leaseService } from './lease-service.ts';
import { maintenanceService } from './maintenance-service.ts';
import { etcdServiceDefinition } from './proto.ts';
import type { ServiceContext } from './service-support.ts';
import { watchService } from './watch-service.ts';
import type { WatchStream } from './watch-stream.ts';

export interface EtcdApiServerOptions {
  readonly host: string;
  /** 0 picks a free port (see the returned `port`). */
  readonly port: number;
  readonly backend: EtcdBackend;
  readonly logger: Logger;
  readonly limits?: Partial<EtcdApiLimits>;
  readonly clock?: Clock;
  readonly timers?: Timers;
}

export interface EtcdApiServer {
  readonly port: number;
  /** Stops accepting calls, ends open watch streams, and waits (bounded) for calls in flight. */
  close(options?: { graceMs?: number }): Promise<void>;
}

/** Wait for calls in flight at close before cutting them off. */
const defaultCloseGraceMs = 2_000;

/**
 * The etcd v3 gRPC API (KV, Watch, Lease, Cluster, Maintenance) over plain TCP (insecure
 * credentials, like `etcd --listen-client-urls http://...`). Every handler turns failures into
 * gRPC statuses; grpc-js itself answers oversized messages (RESOURCE_EXHAUSTED), undecodable
 * ones (INTERNAL) and unknown methods (UNIMPLEMENTED) without reaching our code.
 */
export async function startEtcdApiServer(options: EtcdApiServerOptions): Promise<EtcdApiServer> {
  const limits: EtcdApiLimits = { ...defaultEtcdApiLimits, ...options.limits };
  const context: ServiceContext = {
    backend: options.backend,
    logger: options.logger,
    limits,
    clock: options.clock ?? realClock,
    timers: options.timers ?? realTimers,
  };
  const server = new Server({
    'grpc.max_receive_message_length': limits.receiveMessageBytesMax,
    // etcd lets responses be as large as they need to be (a big range); so do we.
    'grpc.max_send_message_length': -1,
  });
  const openStreams = new Set<WatchStream>();
  server.addService(etcdServiceDefinition('KV'), kvService(context));
  server.addService(etcdServiceDefinition('Watch'), watchService(context, openStreams));
  server.addService(etcdServiceDefinition('Lease'), leaseService(context));
  server.addService(etcdServiceDefinition('Cluster'), clusterService(context));
  server.addService(etcdServiceDefinition('Maintenance'), maintenanceService(context));
  const port = await bind(server, `${formatHost(options.host)}:${options.port}`);
  options.logger.info({ host: options.host, port }, 'etcd API listening');
  return {
    port,
    close: (closeOptions = {}) => closeServer(server, openStreams, context, closeOptions.graceMs ?? defaultCloseGraceMs),
  };
}

function formatHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

function bind(server: Server, address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, ServerCredentials.createInsecure(), (error, port) => {
      if (error === null) resolve(port);
      else reject(error);
    });
  });
}

/** Watch streams never end on their own, so they are closed first; then a graceful shutdown, then force. */
async function closeServer(server: Server, openStreams: Set<WatchStream>, context: ServiceContext, graceMs: number): Promise<void> {
  for (const stream of [...openStreams]) stream.close(null);
  await new Promise<void>((resolve) => {
    const timer = context.timers.setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, graceMs);
    server.tryShutdown(() => {
      timer.cancel();
      resolve();
    });
  });
}
