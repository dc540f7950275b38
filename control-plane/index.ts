export { startApiServer } from './api/server.ts';
export type { ApiServer, ApiServerOptions } from './api/server.ts';
export { MvccObjectStore } from './api/mvcc-object-store.ts';
export { ReplicatedObjectStore, ReplicatedStoreLimits } from './api/replicated-object-store.ts';
export { KvObjectStore } from './api/storage/kv-object-store.ts';
export type { StoreExecutor } from './api/storage/store-executor.ts';
export { loadOrCreateClusterBootstrap, clusterBootstrapKey } from './api/cluster-bootstrap.ts';
export type { ClusterBootstrap } from './api/cluster-bootstrap.ts';
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

// Scheduler and controllers (the lead runs the ControllerManager on the Raft leader).
export * from './controller-runtime/index.ts';
export * from './scheduler/index.ts';
export * from './controllers/index.ts';
