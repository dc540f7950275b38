import type { JsonObject } from '../../control-plane/api/json.ts';

/** The kinds the proxy watches (Secrets: kubernetes.io/tls only, for the ingress). */
export const sourceKinds = ['services', 'endpointslices', 'endpoints', 'ingresses', 'secrets'] as const;
export type SourceKind = (typeof sourceKinds)[number];

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface SourceEvents {
  /**
   * Everything of one kind, as of one revision: it replaces all that was known of that kind
   * (objects not in it are gone). Delivered first for each kind, and again after every reconnect,
   * detected gap or expired revision, before any further change of that kind.
   */
  replaced(kind: SourceKind, objects: readonly JsonObject[]): void;
  /** One change, in revision order, after that kind's latest `replaced`. */
  changed(kind: SourceKind, type: ChangeType, object: JsonObject): void;
  /** The stream of a kind broke; what is known stays in force until the next `replaced`. */
  interrupted(kind: SourceKind, reason: string): void;
}

export type WriteOutcome = 'written' | 'conflict' | 'not-found' | 'failed';

/** Writes back to the cluster: the proxy-ports annotation on Services, status.loadBalancer on Services and Ingresses. */
export interface ClusterWriter {
  /**
   * Replaces the object (or its status subresource) if it is still at the resourceVersion it
   * carries: a compare-and-swap, so proxies on several nodes never overwrite each other blindly.
   */
  replace(kind: 'services' | 'ingresses', object: JsonObject, subresource: 'status' | null): Promise<WriteOutcome>;
}

/**
 * Where Services, EndpointSlices, Endpoints, Ingresses and Secrets come from: the Kubernetes API
 * (list+watch) today, NATS once the agent protocol carries them. `run` delivers events until the
 * signal aborts, re-listing on its own after any break (the contract of `replaced`); it never
 * throws for a lost connection. A source that cannot deliver a kind leaves it out of `kinds`.
 */
export interface ClusterSource {
  readonly description: string;
  readonly kinds: readonly SourceKind[];
  /** null when this source is read-only (then proxy ports must already be recorded by another proxy). */
  readonly writer: ClusterWriter | null;
  run(events: SourceEvents, signal: AbortSignal): Promise<void>;
}
