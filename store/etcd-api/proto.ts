import type { MethodDefinition, ServiceDefinition, UntypedServiceImplementation } from '@grpc/grpc-js';
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { assert, projectPath } from '../../common/index.ts';

/**
 * Loads our .proto files once. Options (see wire.ts for the shapes they produce):
 * keepCase so field names match the .proto and etcd's docs; longs as strings so uint64 member IDs
 * survive; enums as names; defaults so every scalar is present; oneofs so a set oneof is named.
 */
const protoDirectory = projectPath('store/etcd-api/proto/');

let loaded: PackageDefinition | null = null;

function packageDefinition(): PackageDefinition {
  loaded ??= loadSync(['rpc.proto'], {
    includeDirs: [protoDirectory],
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  return loaded;
}

export const etcdServiceNames = ['KV', 'Watch', 'Lease', 'Cluster', 'Maintenance'] as const;
export type EtcdServiceName = (typeof etcdServiceNames)[number];

const requestBytesKey = Symbol('requestBytes');

/** The encoded size of a request, recorded at decoding (0 if unknown). */
export function requestBytesOf(request: object): number {
  const size: unknown = (request as { [requestBytesKey]?: unknown })[requestBytesKey];
  return typeof size === 'number' ? size : 0;
}

/**
 * A service definition whose decoders also record each request's encoded size, so that handlers
 * can refuse an oversized request the way etcd does ("request is too large"), by its wire size.
 */
export function etcdServiceDefinition(name: EtcdServiceName): ServiceDefinition<UntypedServiceImplementation> {
  const definition = packageDefinition()[`etcdserverpb.${name}`];
  assert(definition !== undefined && !('format' in definition), `etcdserverpb.${name} is not a service`);
  const service = definition as ServiceDefinition<UntypedServiceImplementation>;
  const measured: Record<string, MethodDefinition<object, unknown>> = {};
  for (const [method, methodDefinition] of Object.entries(service)) {
    const original = methodDefinition as MethodDefinition<object, unknown>;
    measured[method] = {
      ...original,
      requestDeserialize: (bytes: Buffer) => {
        const request = original.requestDeserialize(bytes);
        Object.defineProperty(request, requestBytesKey, { value: bytes.length, enumerable: false });
        return request;
      },
    };
  }
  return measured as ServiceDefinition<UntypedServiceImplementation>;
}

/** Client-side definitions, for tests and tools that speak the raw API. */
export function etcdPackageDefinition(): PackageDefinition {
  return packageDefinition();
}
