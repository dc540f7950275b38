import { credentials, loadPackageDefinition, type Client, type ClientDuplexStream, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { etcdPackageDefinition } from './etcd-api/proto.ts';

type UnaryMethod = (
  request: object,
  options: { deadline: Date },
  callback: (error: ServiceError | null, response: unknown) => void,
) => unknown;
type ServerStreamMethod = (request: object, options: object) => ClientReadableStream<unknown>;
type StreamMethod = (options: { deadline: Date }) => ClientDuplexStream<object, unknown>;
type ClientConstructor = new (address: string, creds: ReturnType<typeof credentials.createInsecure>) => Client;

export type EtcdServiceName = 'KV' | 'Watch' | 'Lease' | 'Cluster' | 'Maintenance';

/**
 * A small etcd v3 gRPC client speaking our own protos (longs as strings, keepCase): used by a
 * follower to reach the leader's client API, and by `flotilla status`. One channel per service.
 */
export class EtcdWireClient {
  private readonly clients = new Map<string, Client>();
  private static constructors: Record<string, ClientConstructor> | null = null;

  constructor(readonly endpoint: string) {}

  private client(service: EtcdServiceName): Client {
    let client = this.clients.get(service);
    if (client === undefined) {
      EtcdWireClient.constructors ??= (loadPackageDefinition(etcdPackageDefinition()) as unknown as { etcdserverpb: Record<string, ClientConstructor> })
        .etcdserverpb;
      const Constructor = EtcdWireClient.constructors[service];
      if (Constructor === undefined) throw new Error(`no etcd service ${service}`);
      client = new Constructor(this.endpoint, credentials.createInsecure());
      this.clients.set(service, client);
    }
    return client;
  }

  /** One unary call; rejects with the gRPC ServiceError (code, details). */
  call<T>(service: EtcdServiceName, method: string, request: object, timeoutMs: number, signal?: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const target = this.client(service) as unknown as Record<string, UnaryMethod>;
      const fn = target[method];
      if (fn === undefined) return reject(new Error(`no method ${service}.${method}`));
      const call = fn.call(target, request, { deadline: new Date(Date.now() + timeoutMs) }, (error, response) =>
        error === null ? resolve(response as T) : reject(error),
      ) as { cancel(): void };
      signal?.addEventListener('abort', () => call.cancel(), { once: true });
    });
  }

  /** Sends one request on a bidi stream, resolves with the first response, then closes the stream. */
  streamOnce<T>(service: EtcdServiceName, method: string, request: object, timeoutMs: number, signal?: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const target = this.client(service) as unknown as Record<string, StreamMethod>;
      const fn = target[method];
      if (fn === undefined) return reject(new Error(`no method ${service}.${method}`));
      const stream = fn.call(target, { deadline: new Date(Date.now() + timeoutMs) });
      let settled = false;
      const finish = (action: () => void): void => {
        if (settled) return;
        settled = true;
        action();
        stream.cancel();
      };
      stream.on('data', (response: unknown) => finish(() => resolve(response as T)));
      stream.on('error', (error: Error) => finish(() => reject(error)));
      stream.on('end', () => finish(() => reject(new Error(`${service}.${method} stream ended without a response`))));
      signal?.addEventListener('abort', () => finish(() => reject(new Error('aborted'))), { once: true });
      stream.write(request);
    });
  }

  /** A server-streaming call, read as it arrives (the stream's own backpressure paces the server). */
  serverStream<T>(service: EtcdServiceName, method: string, request: object, signal?: AbortSignal): AsyncIterable<T> {
    const target = this.client(service) as unknown as Record<string, ServerStreamMethod>;
    const fn = target[method];
    if (fn === undefined) throw new Error(`no method ${service}.${method}`);
    const stream = fn.call(target, request, {});
    signal?.addEventListener('abort', () => stream.cancel(), { once: true });
    return stream as AsyncIterable<T>;
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }
}
