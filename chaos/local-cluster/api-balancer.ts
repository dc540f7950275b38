import type { Server } from 'node:http';
import { sleep, type Env, type Logger } from '../../common/index.ts';
// The proxy's own picker, TCP listener and connection registry: the same paused-accept,
// bounded-connect, retry-another-backend code the Service proxy runs, reused rather than written
// twice. Imported from their files, not proxy/index.ts (which lists neither the listener nor the
// registry), so the balancer process loads only these few modules.
import { BackendPicker } from '../../proxy/balancing/backend-picker.ts';
import type { BackendSpec, ListenerSpec, ServicePortTarget } from '../../proxy/core/proxy-table.ts';
import { ConnectionRegistry } from '../../proxy/runtime/connection-registry.ts';
import { TcpListener } from '../../proxy/runtime/tcp-listener.ts';
import { hostOf, portOf } from './cluster-plan.ts';
import { closeServer, startControlServer } from './control-server.ts';
import { httpRequest } from './http-request.ts';
import { ApiBalancerLimits, LocalClusterLimits } from './limits.ts';
import { eligibleReplicas, ReplicaHealth } from './replica-health.ts';

export interface ApiBalancerOptions {
  /** `HOST:PORT` clients (kubectl, proxies) use. */
  readonly listen: string;
  /** Each replica's --api-listen. */
  readonly backends: readonly string[];
  /** `HOST:PORT` of GET /status, or null for none. */
  readonly controlListen: string | null;
  readonly env: Env;
  readonly logger: Logger;
  readonly signal: AbortSignal;
}

export interface ApiBalancerStatus {
  readonly listen: string;
  readonly backends: readonly { readonly endpoint: string; readonly healthy: boolean; readonly probed: boolean; readonly openConnections: number; readonly lastError: string | null }[];
}

const targetKey = 'kubernetes-api';

/**
 * One stable Kubernetes API address in front of the replicas, as k3s' agent-side load balancer: a
 * TCP balancer (TLS passes through untouched; every replica's certificate is signed by the cluster
 * CA and names 127.0.0.1) sending each new connection, round robin, to a replica whose /readyz
 * answered. A connect that fails moves to the next replica at once (the proxy's passive health),
 * so a replica killed between two probes costs no client a failure. Open connections to a replica
 * that dies break, as they would with any L4 balancer; kubectl and the proxies reconnect.
 */
export async function runApiBalancer(options: ApiBalancerOptions): Promise<number> {
  const { env, logger } = options;
  const replicas = options.backends.slice(0, ApiBalancerLimits.backendsMax).map((endpoint) => new ReplicaHealth(endpoint));
  const registry = new ConnectionRegistry();
  const picker = new BackendPicker(targetFor(options.listen, replicas), { clock: env.clock, counts: registry });
  const listenerSpec: ListenerSpec = {
    key: `TCP/${options.listen}`, protocol: 'TCP', host: hostOf(options.listen), port: portOf(options.listen), role: 'proxy-port', target: picker.current,
  };
  const listener = new TcpListener(listenerSpec, { env, logger, registry, pickerFor: () => picker });
  await listener.start();
  const control = options.controlListen === null ? null : await startControlServer(options.controlListen, LocalClusterLimits.controlBodyBytesMax, async (method, path) => {
    if (method !== 'GET' || path !== '/status') return { status: 404, body: { error: 'GET /status' } };
    return { status: 200, body: statusOf(options.listen, replicas, registry) };
  });
  logger.info({ listen: options.listen, backends: options.backends }, 'API balancer listening');
  await checkHealthUntilStopped(options, replicas, () => picker.update(targetFor(options.listen, replicas)));
  await shutDown(listener, control, registry, env);
  logger.info('API balancer stopped');
  return 0;
}

async function checkHealthUntilStopped(options: ApiBalancerOptions, replicas: readonly ReplicaHealth[], onChange: () => void): Promise<void> {
  const { env, logger, signal } = options;
  while (!signal.aborted) {
    const outcomes = await Promise.all(replicas.map((replica) => probeReadyz(env, replica.endpoint)));
    let changed = false;
    outcomes.forEach((outcome, index) => {
      const replica = replicas[index];
      if (replica === undefined || !replica.record(outcome)) return;
      changed = true;
      logger.info({ backend: replica.endpoint, healthy: replica.healthy, error: replica.lastError }, replica.healthy ? 'replica healthy' : 'replica unhealthy');
    });
    if (changed) onChange();
    await sleep(env.timers, ApiBalancerLimits.healthCheckIntervalMs, signal);
  }
}

/** /readyz is public (no token), so the probe needs no credentials; TLS is not verified for a loopback health probe. */
async function probeReadyz(env: Env, endpoint: string): Promise<{ ok: true } | { ok: false; error: string }> {
  try {
    const answer = await httpRequest(env, { method: 'GET', url: `https://${endpoint}/readyz`, insecure: true, timeoutMs: ApiBalancerLimits.healthCheckTimeoutMs });
    return answer.status === 200 ? { ok: true } : { ok: false, error: `readyz answered ${answer.status}` };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

function targetFor(listen: string, replicas: readonly ReplicaHealth[]): ServicePortTarget {
  const backends: BackendSpec[] = eligibleReplicas(replicas).map((replica) => ({ address: hostOf(replica.endpoint), port: portOf(replica.endpoint), key: replica.endpoint }));
  return {
    key: targetKey, serviceKey: targetKey, portName: 'https', port: portOf(listen), protocol: 'TCP', balancing: 'round-robin', affinity: { kind: 'None' }, backends,
  };
}

function statusOf(listen: string, replicas: readonly ReplicaHealth[], registry: ConnectionRegistry): ApiBalancerStatus {
  return {
    listen,
    backends: replicas.map((replica) => ({
      endpoint: replica.endpoint, healthy: replica.healthy, probed: replica.probed, openConnections: registry.activeOn(replica.endpoint), lastError: replica.lastError,
    })),
  };
}

/** Stops accepting, lets open connections (watches never end on their own) drain a little, then cuts them. */
async function shutDown(listener: TcpListener, control: Server | null, registry: ConnectionRegistry, env: Env): Promise<void> {
  // The listener's close resolves only once its connections are gone, so it is awaited after the cut.
  const closed = listener.close();
  if (control !== null) await closeServer(control);
  if (!(await registry.whenIdle(sleep(env.timers, ApiBalancerLimits.shutdownDrainMs)))) registry.destroyAll();
  await closed;
}

/** GET /status of a running balancer. */
export async function readApiBalancerStatus(env: Env, controlEndpoint: string): Promise<ApiBalancerStatus> {
  const answer = await httpRequest(env, { method: 'GET', url: `http://${controlEndpoint}/status` });
  if (answer.status !== 200) throw new Error(`the API balancer answered ${answer.status}: ${answer.body}`);
  return JSON.parse(answer.body) as ApiBalancerStatus;
}
