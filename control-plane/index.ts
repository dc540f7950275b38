export { startApiServer } from './api/server.ts';
export type { ApiServer, ApiServerOptions } from './api/server.ts';
export { MvccObjectStore } from './api/mvcc-object-store.ts';
export type {
  ObjectStore, StoredObject, ListOptions, ListResult, CreateResult, UpdateResult, DeleteResult, ObjectWatch, ObjectWatchEvent, WatchOptions,
} from './api/object-store.ts';
export { ResourceRegistry } from './api/registry/registry.ts';
export { builtinResources } from './api/registry/kinds/index.ts';
export { defineResource, apiVersionOf } from './api/registry/resource.ts';
export type { ResourceDefinition, TableColumn, ResourceDeclaration } from './api/registry/resource.ts';
export { renderKubeconfig, writeKubeconfigFile } from './api/security/kubeconfig.ts';
export type { KubeconfigOptions } from './api/security/kubeconfig.ts';
export { ApiError, StatusReason } from './api/status.ts';
export type { JsonObject, JsonValue } from './api/json.ts';

// `flotilla server`: the replica process (store, Raft, etcd API, metrics) and `flotilla status`.
export * from './server/index.ts';
