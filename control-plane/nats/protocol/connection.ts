import { readFile } from 'node:fs/promises';
import { connect, errors, nkeyAuthenticator, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';
import type { Logger, TimerHandle, Timers } from '../../../common/index.ts';
import type { NatsOptions } from './nats-options.ts';
import type { FrameTransport } from './stream-endpoint.ts';

/** Reconnection: forever (the cluster's truth is elsewhere; NATS outages are waited out), quickly. */
export const NatsConnectionDefaults = {
  reconnectTimeWaitMs: 500,
  reconnectJitterMs: 250,
  /**
   * Client pings: a dead TCP connection is noticed within pingInterval × maxPingOut. Short, because
   * an agent stuck on a dead NATS server loses its node lease (4 s grace, homelab timings) before a
   * longer interval would notice; a ping a second is nothing for a homelab's NATS.
   */
  pingIntervalMs: 1_000,
  maxPingOut: 2,
  /** How long a closing process lets the client send what it still holds before closing anyway. */
  drainTimeoutMs: 2_000,
} as const;

/**
 * Connects to NATS with the process's credentials and TLS files, retrying for as long as it takes
 * (`waitOnFirstConnect`), so an agent or server may start before NATS. Aborting `signal` gives up.
 */
export async function connectNats(options: NatsOptions, clientName: string, logger: Logger, signal?: AbortSignal): Promise<NatsConnection> {
  const settings: NodeConnectionOptions = {
    servers: [...options.servers],
    name: clientName,
    reconnect: true,
    maxReconnectAttempts: -1,
    waitOnFirstConnect: true,
    reconnectTimeWait: NatsConnectionDefaults.reconnectTimeWaitMs,
    reconnectJitter: NatsConnectionDefaults.reconnectJitterMs,
    pingInterval: NatsConnectionDefaults.pingIntervalMs,
    maxPingOut: NatsConnectionDefaults.maxPingOut,
    ...(options.user === undefined ? {} : { user: options.user }),
    ...(options.password === undefined ? {} : { pass: options.password }),
    ...(options.nkeySeedFile === undefined ? {} : { authenticator: nkeyAuthenticator(await readSeed(options.nkeySeedFile)) }),
    ...(options.tls === undefined ? {} : { tls: { ...options.tls } }),
  };
  const connecting = connect(settings);
  if (signal === undefined) return await connecting;
  const aborted = new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
  try {
    return await Promise.race([connecting, aborted]);
  } catch (error) {
    // A connection that completes after giving up is closed at once.
    void connecting.then((connection) => connection.close()).catch(() => undefined);
    logger.debug({ err: error }, 'gave up connecting to NATS');
    throw error;
  }
}

async function readSeed(path: string): Promise<Uint8Array> {
  try {
    return new TextEncoder().encode((await readFile(path, 'utf8')).trim());
  } catch (error) {
    throw new Error(`--nats-nkey-seed-file: cannot read ${path} (${(error as Error).message})`, { cause: error });
  }
}

/** Closes a connection after sending what it holds (drain), or at once when that takes longer than `drainTimeoutMs`. */
export async function closeNats(connection: NatsConnection, timers: Timers): Promise<void> {
  if (connection.isClosed()) return;
  let timer: TimerHandle | undefined;
  const late = new Promise<void>((resolve) => {
    timer = timers.setTimeout(resolve, NatsConnectionDefaults.drainTimeoutMs);
  });
  await Promise.race([connection.drain().catch(() => undefined), late]);
  timer?.cancel();
  if (!connection.isClosed()) await connection.close().catch(() => undefined);
}

/**
 * Logs the connection's disconnects and reconnects; `onReconnect` runs after each reconnect. Ends
 * when the connection closes, or when `signal` aborts (a component sharing a connection it does not own).
 */
export function watchConnection(connection: NatsConnection, logger: Logger, onReconnect: () => void = () => undefined, signal?: AbortSignal): Promise<void> {
  const statuses = connection.status();
  signal?.addEventListener('abort', () => stopIterating(statuses), { once: true });
  if (signal?.aborted === true) stopIterating(statuses);
  return (async () => {
    for await (const status of statuses) {
      if (status.type === 'disconnect') logger.warn({ server: status.server }, 'NATS disconnected; reconnecting');
      else if (status.type === 'reconnect') {
        logger.info({ server: status.server }, 'NATS reconnected');
        onReconnect();
      } else if (status.type === 'error') logger.warn({ err: status.error }, 'NATS error');
    }
  })();
}

/** nats.js's status iterator has a `stop()` its declared type does not show; it ends the iteration at once. */
function stopIterating(statuses: AsyncIterable<unknown>): void {
  if ('stop' in statuses && typeof statuses.stop === 'function') statuses.stop.call(statuses);
}

export type RequestFailure = 'noResponders' | 'timeout' | 'closed';

/** A request that got no answer: nobody subscribed, nobody answered in time, or the connection is closed. */
export class NatsRequestError extends Error {
  override readonly name = 'NatsRequestError';

  constructor(readonly failure: RequestFailure, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** One request-reply with a deadline; aborting `signal` stops waiting. */
export async function natsRequest(connection: NatsConnection, subject: string, payload: Uint8Array, timeoutMs: number, signal?: AbortSignal): Promise<Uint8Array> {
  signal?.throwIfAborted();
  if (connection.isClosed()) throw new NatsRequestError('closed', `cannot ask ${subject}: the NATS connection is closed`);
  const request = connection.request(subject, payload, { timeout: timeoutMs });
  try {
    const answer = signal === undefined ? await request : await raceAbort(request, signal);
    return answer.data;
  } catch (error) {
    if (signal?.aborted === true) throw error;
    if (error instanceof errors.RequestError && error.isNoResponders()) throw new NatsRequestError('noResponders', `nobody serves ${subject}`, { cause: error });
    if (error instanceof errors.ClosedConnectionError) throw new NatsRequestError('closed', `the NATS connection closed while asking ${subject}`, { cause: error });
    throw new NatsRequestError('timeout', `no answer on ${subject} within ${timeoutMs} ms`, { cause: error });
  }
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** A NatsConnection as a stream's frame transport. */
export function natsFrameTransport(connection: NatsConnection): FrameTransport {
  return {
    publish: (subject, bytes) => connection.publish(subject, bytes),
    subscribe: (subject, onMessage) => {
      const subscription = connection.subscribe(subject, { callback: (error, message) => {
        if (error === null) onMessage(message.data);
      } });
      return { unsubscribe: () => subscription.unsubscribe() };
    },
  };
}
