import type { JsonObject } from '../../api/json.ts';

/**
 * The message shapes of docs/nats-protocol.md. Every message is a msgpack map (common/codec) with
 * `version`; a receiver refuses a version it does not speak with a clear error instead of guessing.
 * Kubernetes objects travel as the API's JSON objects (msgpack maps of the same fields).
 */
export const protocolVersion = 1;

/** A failure answer: `code` is the HTTP status the API would give (404, 409, 429, 503 ...). */
export interface ProtocolFailure {
  readonly code: number;
  readonly reason: string;
  readonly message: string;
}

export type Reply<Result> =
  | ({ readonly version: number; readonly ok: true } & Result)
  | { readonly version: number; readonly ok: false; readonly error: ProtocolFailure };

// ---- agent → control plane (request-reply to the queue group) ----

/** Creates the Node, or updates the labels the agent owns and its status. */
export interface NodeRegisterRequest {
  readonly version: number;
  readonly node: JsonObject;
}
export interface NodeRegisterResult {
  readonly created: boolean;
  readonly resourceVersion: string;
}

/** Replaces the node's capacity, allocatable, addresses, nodeInfo and the conditions the agent owns. */
export interface NodeStatusRequest {
  readonly version: number;
  readonly nodeName: string;
  readonly status: JsonObject;
}
export interface NodeStatusResult {
  readonly resourceVersion: string;
}

/** Renews (or creates) the node's Lease in kube-node-lease: the heartbeat. */
export interface LeaseRenewRequest {
  readonly version: number;
  readonly nodeName: string;
  /** RFC 3339 with microseconds, as Kubernetes' MicroTime. */
  readonly renewTime: string;
  readonly leaseDurationSeconds: number;
}
export type LeaseRenewResult = Record<never, never>;

/** One page of the pods bound to a node (fieldSelector spec.nodeName), read at one revision. */
export interface PodsListRequest {
  readonly version: number;
  readonly nodeName: string;
  /** 0 for the first page: the current revision; later pages repeat the revision they were given. */
  readonly revision: number;
  /** The storage key after which this page starts ('' for the first). */
  readonly continueAfter: string;
}
export interface PodsListResult {
  readonly revision: number;
  readonly pods: readonly JsonObject[];
  /** '' when this was the last page. */
  readonly continueAfter: string;
}

export type ConfigKind = 'ConfigMap' | 'Secret';

/** Reads a ConfigMap's or Secret's data, decoded (Secret values base64-decoded, binaryData included). */
export interface ConfigGetRequest {
  readonly version: number;
  readonly kind: ConfigKind;
  readonly namespace: string;
  readonly name: string;
}
export interface ConfigGetResult {
  readonly found: boolean;
  /** The object's resourceVersion (0 when not found). */
  readonly revision: number;
  readonly data: Readonly<Record<string, string>>;
}

export interface PodStatusUpdate {
  readonly namespace: string;
  readonly name: string;
  /** Precondition: a pod of that name with another uid is a different pod and is left alone. */
  readonly uid: string;
  /** The agent's part of the status: phase, conditions it owns, container statuses, IPs, start time. */
  readonly status: JsonObject;
  /** containerPort → hostPort, written as the `flotilla.io/host-ports` annotation the endpoints controller reads. */
  readonly hostPorts: Readonly<Record<string, number>>;
}
export interface PodsStatusRequest {
  readonly version: number;
  readonly nodeName: string;
  readonly updates: readonly PodStatusUpdate[];
}
export type PodStatusOutcome = 'updated' | 'unchanged' | 'conflict' | 'notFound' | 'failed';
export interface PodStatusResultEntry {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly outcome: PodStatusOutcome;
  readonly resourceVersion: string;
  readonly message: string;
}
export interface PodsStatusResult {
  readonly results: readonly PodStatusResultEntry[];
}

/** The agent stopped the pod: delete it now (gracePeriodSeconds 0) if it is still this pod (uid). */
export interface PodsDeleteRequest {
  readonly version: number;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}
export interface PodsDeleteResult {
  readonly outcome: 'deleted' | 'notFound' | 'conflict';
}

export interface InvolvedObject {
  readonly kind: string;
  readonly apiVersion: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly fieldPath: string;
}
/** A core/v1 Event as kubelet records it; a repeat carries the same name with a higher count. */
export interface AgentEvent {
  readonly name: string;
  readonly namespace: string;
  readonly involvedObject: InvolvedObject;
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
  readonly count: number;
  readonly firstTimestamp: string;
  readonly lastTimestamp: string;
}
export interface EventsRecordRequest {
  readonly version: number;
  readonly nodeName: string;
  readonly events: readonly AgentEvent[];
}
export interface EventsRecordResult {
  readonly written: number;
  readonly failed: number;
}

/** Resource usage measured on the node (metrics.k8s.io NodeMetrics / PodMetrics). */
export interface ContainerUsage {
  readonly name: string;
  /** Quantities as Kubernetes writes them: cpu in nanocores ("12345n"), memory in Ki ("2048Ki"). */
  readonly cpu: string;
  readonly memory: string;
}
export interface PodUsage {
  readonly namespace: string;
  readonly name: string;
  /** The PodMetrics is owned by its pod (garbage-collected with it). */
  readonly uid: string;
  /** The pod's labels, copied so that `kubectl top pod -l` selects on them. */
  readonly labels: Readonly<Record<string, string>>;
  readonly containers: readonly ContainerUsage[];
}
export interface MetricsReportRequest {
  readonly version: number;
  readonly nodeName: string;
  /** RFC 3339 time of the measurement and the window it covers. */
  readonly timestamp: string;
  readonly windowSeconds: number;
  readonly node: { readonly cpu: string; readonly memory: string };
  readonly pods: readonly PodUsage[];
}
export interface MetricsReportResult {
  readonly written: number;
}

/** Which directory a pod's persistentVolumeClaim volume is (through the claim's bound PersistentVolume). */
export interface VolumesResolveRequest {
  readonly version: number;
  readonly namespace: string;
  readonly claimName: string;
}
export interface VolumesResolveResult {
  readonly found: boolean;
  /** The claim is Bound to a volume that exists. */
  readonly bound: boolean;
  readonly volumeName: string;
  /** hostPath (created when missing, per hostPathType) or local (must exist); '' when not bound. */
  readonly source: 'hostPath' | 'local' | '';
  readonly path: string;
  readonly hostPathType: string;
}

/** The names of every PersistentVolume: an agent removes volume directories no PV names any more. */
export interface VolumesListRequest {
  readonly version: number;
}
export interface VolumesListResult {
  readonly names: readonly string[];
  /** False when there were more than the answer holds: the agent then removes nothing. */
  readonly complete: boolean;
}

// ---- node proxies (and agents, for Services) → control plane ----

/**
 * One page of every Service, EndpointSlice or Ingress of the cluster (`services.list`,
 * `endpointslices.list`, `ingresses.list`), read at one revision like `pods.list`.
 */
export interface ObjectsListRequest {
  readonly version: number;
  /** 0 for the first page: the current revision; later pages repeat the revision they were given. */
  readonly revision: number;
  /** The storage key after which this page starts ('' for the first). */
  readonly continueAfter: string;
}
export interface ObjectsListResult {
  readonly revision: number;
  readonly objects: readonly JsonObject[];
  /** '' when this was the last page. */
  readonly continueAfter: string;
}

/**
 * One Secret of type kubernetes.io/tls, asked for by name by the proxy whose Ingress names it in
 * `spec.tls` (request-reply: the data goes to the asker only, never to a published subject).
 */
export interface TlsSecretGetRequest {
  readonly version: number;
  readonly namespace: string;
  readonly name: string;
}
export interface TlsSecretGetResult {
  /** False when there is no such Secret or it is not of type kubernetes.io/tls. */
  readonly found: boolean;
  /** The Secret as the API serves it (data base64), `{}` when not found. */
  readonly secret: JsonObject;
}

/**
 * On a Service, written by the node proxies (proxy/README.md): where each service port listens on
 * every node's address when cluster IPs cannot be bound. JSON `{"<port>/<protocol>": proxyPort}`.
 * Agents read it too, for the Service environment variables of containers.
 */
export const proxyPortsAnnotation = 'flotilla.io/proxy-ports';

/**
 * The proxy's writes are compare-and-swap: applied only while the object is still at
 * `resourceVersion` (the one the proxy planned from), so proxies on several nodes never overwrite
 * each other blindly. Each changes one thing only; the rest of the object is left alone.
 */
interface ProxyWriteTarget {
  readonly version: number;
  readonly namespace: string;
  readonly name: string;
  readonly resourceVersion: string;
}
/** `services.proxy-ports.write`: sets the `flotilla.io/proxy-ports` annotation to these ports. */
export interface ServiceProxyPortsWriteRequest extends ProxyWriteTarget {
  /** `<port>/<protocol>` → proxy port. */
  readonly ports: Readonly<Record<string, number>>;
}
/** `services.load-balancer.write` / `ingresses.load-balancer.write`: sets status.loadBalancer.ingress to these IPs. */
export interface LoadBalancerWriteRequest extends ProxyWriteTarget {
  readonly ips: readonly string[];
}
export interface ProxyWriteResult {
  readonly outcome: 'written' | 'conflict' | 'notFound';
  /** The object's resourceVersion after the write ('' unless written). */
  readonly resourceVersion: string;
}

// ---- control plane (the Raft leader) → agents ----

/**
 * What every published message carries: the publisher run (`epoch`), this subject's number in it,
 * the store revision of the change (or, for progress, up to which nothing changed), and `since`:
 * the revision the run started watching after. A receiver whose last list is older than `since`
 * may have missed changes made before the run started, and re-lists.
 */
interface Published {
  readonly version: number;
  readonly epoch: string;
  readonly sequence: number;
  readonly revision: number;
  readonly since: number;
}

/** A change to a pod bound to the node, or (kind progress) "nothing changed up to revision". */
export type PodEventMessage =
  | (Published & { readonly kind: 'change'; readonly type: 'added' | 'updated' | 'deleted'; readonly pod: JsonObject })
  | (Published & { readonly kind: 'progress' });

/** A ConfigMap or Secret changed: agents that use it re-fetch it. Never carries data. */
export type ConfigChangeMessage =
  | (Published & { readonly kind: 'change'; readonly objectKind: ConfigKind; readonly namespace: string; readonly name: string })
  | (Published & { readonly kind: 'progress' });

/**
 * A change to a Service, EndpointSlice or Ingress (on `flotilla.<c>.<kind>`), the object as stored
 * at `revision` (a delete carries its last state), or (kind progress) "nothing changed up to revision".
 */
export type ObjectEventMessage =
  | (Published & { readonly kind: 'change'; readonly type: 'added' | 'updated' | 'deleted'; readonly object: JsonObject })
  | (Published & { readonly kind: 'progress' });

/** What every published message has: what a receiver's gap and epoch rule reads. */
export type PublishedMessage = Published & { readonly kind: 'change' | 'progress' };

// ---- streams: control plane ↔ one agent ----

/** Opens a log stream (request-reply on the node's logs subject). */
export interface LogOpenRequest {
  readonly version: number;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly container: string;
  readonly follow: boolean;
  readonly previous: boolean;
  /** -1: all lines. */
  readonly tailLines: number;
  readonly subjects: StreamSubjects;
  /** Data frames the agent may send before the first credit. */
  readonly windowChunks: number;
}

/**
 * The two subjects of one stream, both chosen (at random) by the control plane, which subscribes
 * to its own before asking: so neither side ever sends to a subject nobody listens on yet.
 */
export interface StreamSubjects {
  /** Frames agent → control plane. */
  readonly toControlPlane: string;
  /** Frames control plane → agent (the agent subscribes before it accepts). */
  readonly toAgent: string;
}

/** Opens an exec session (request-reply on the node's exec subject). */
export interface ExecOpenRequest {
  readonly version: number;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly container: string;
  readonly command: readonly string[];
  readonly stdin: boolean;
  readonly tty: boolean;
  readonly subjects: StreamSubjects;
  readonly windowChunks: number;
}

/** The agent accepted a stream (it listens on `toAgent` now). */
export interface StreamOpenResult {
  /** Data frames the control plane may send before the first credit (exec stdin). */
  readonly windowChunks: number;
}

/** Channels of a stream's data frames (the numbers of Kubernetes' remotecommand channels). */
export const StreamChannel = { stdin: 0, stdout: 1, stderr: 2 } as const;
export type StreamChannel = (typeof StreamChannel)[keyof typeof StreamChannel];

/**
 * One frame of a stream, in either direction. `sequence` counts every frame a side sends (from 1),
 * so a lost frame is seen. `credit` lets the peer send that many more data frames; `close`
 * half-closes a channel (stdin EOF); `end` finishes the stream (with the exit code of an exec, or
 * an error), from either side.
 */
export type StreamFrame =
  | { readonly version: number; readonly sequence: number; readonly kind: 'data'; readonly channel: StreamChannel; readonly data: Uint8Array }
  | { readonly version: number; readonly sequence: number; readonly kind: 'credit'; readonly chunks: number }
  | { readonly version: number; readonly sequence: number; readonly kind: 'keepalive' }
  | { readonly version: number; readonly sequence: number; readonly kind: 'resize'; readonly width: number; readonly height: number }
  | { readonly version: number; readonly sequence: number; readonly kind: 'close'; readonly channel: StreamChannel }
  | { readonly version: number; readonly sequence: number; readonly kind: 'end'; readonly exitCode: number; readonly error: string };
