import type { NatsConnection } from '@nats-io/transport-node';
import type { Env, Logger } from '../../common/index.ts';
import type { ServiceAddressing } from '../service-links.ts';
import type { ServiceListenMode } from './agent-config.ts';

/** A companion that runs: where it serves Services (for the containers' variables), and how to stop it. */
export interface RunningCompanion {
  readonly serviceAddressing: ServiceAddressing;
  /** Stops it (bounded); the agent's NATS connection stays open until this resolves. */
  stop(): Promise<void>;
}

/**
 * Something run in the agent's process on the agent's own NATS connection: the node proxy, with
 * `flotilla agent --proxy`. bin/ wires it (the agent may not import proxy/); the agent only starts
 * it once connected, takes the Service addressing from it, and stops it on shutdown.
 */
export interface ConnectionCompanion {
  start(connection: NatsConnection, env: Env, logger: Logger): Promise<RunningCompanion>;
}

/**
 * Where the node's proxy serves Services when it runs in another process, by its listen mode:
 * `auto` is what the proxy's auto does where it can add cluster IPs (root on Linux), else proxy ports.
 */
export function serviceAddressingFor(mode: ServiceListenMode, nodeIp: string, isRootOnLinux: boolean): ServiceAddressing {
  const clusterIp = mode === 'cluster-ip' || (mode === 'auto' && isRootOnLinux);
  return clusterIp ? { kind: 'cluster-ip' } : { kind: 'proxy-ports', host: nodeIp };
}

/** The same companion whose `stop()` runs once (the agent calls it from the shutdown path it is on). */
export function stoppingOnce(running: RunningCompanion): RunningCompanion {
  let stopping: Promise<void> | undefined;
  return { serviceAddressing: running.serviceAddressing, stop: () => (stopping ??= running.stop()) };
}
