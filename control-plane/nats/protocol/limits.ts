/**
 * The protocol's named maximums and periods, shared by both ends. Messages stay well under NATS'
 * default max_payload (1 MiB), so no operator setting is needed.
 */
export const ProtocolLimits = {
  /** Pods in one page of `pods.list`; the agent asks for the next page at the same revision. */
  podsPerListPageMax: 100,
  /** Pod statuses in one `pods.status` batch. */
  statusesPerBatchMax: 50,
  /** Events in one `events.record` batch. */
  eventsPerBatchMax: 50,
  /** Encoded bytes of any message; a bigger one is refused by the sender with a clear error. */
  messageBytesMax: 900 * 1024,
  /** How long an agent waits for an answer to one request before it retries or reports failure. */
  requestTimeoutMs: 5_000,
  /** `pods.list` pages read many objects: a longer deadline. */
  listRequestTimeoutMs: 10_000,
  /** Requests one control-plane replica handles at once; more are answered "busy" (retry elsewhere). */
  requestsInFlightMax: 128,
  /** How often the leader publishes a progress message on each node's subject when nothing changed. */
  progressIntervalMs: 5_000,
  /** An agent that hears nothing on its node subject for this long re-lists (3 missed progress messages). */
  resyncSilenceMs: 15_000,
  /** Nodes the leader tracks for progress messages and sequence numbers. */
  nodesTrackedMax: 5_000,
  /** PersistentVolume names in one `volumes.list` answer (more: the answer says incomplete). */
  volumeNamesMax: 10_000,
  /** Services, EndpointSlices or Ingresses in one page of their list operations. */
  objectsPerListPageMax: 100,
  /** Pages of one list a receiver reads before it gives up (and retries later): 100 000 objects. */
  listPagesMax: 1_000,
  /** Entries of the proxy-ports annotation one write may set (a Service's ports). */
  proxyPortsPerWriteMax: 1_000,
  /** Addresses in one load-balancer status write (one per node serving it). */
  loadBalancerIpsPerWriteMax: 5_000,
} as const;

/** Flow control and liveness of log and exec streams. */
export const StreamLimits = {
  /** Bytes of data in one stream frame. */
  chunkBytesMax: 32 * 1024,
  /** Frames a receiver lets its peer send ahead (its credit window); it buffers at most this many. */
  windowChunks: 16,
  /** A frame is sent when this much idle time passed since the last one (so a quiet follow is known to be alive). */
  keepaliveIntervalMs: 5_000,
  /** A stream whose peer sent nothing (not even a keepalive or credit) for this long is ended. */
  silenceMaxMs: 15_000,
  /** How long the control plane waits for an agent to accept a stream before answering 503. */
  openTimeoutMs: 3_000,
  /** Streams one agent serves at once; one more is refused. */
  streamsPerAgentMax: 64,
  /** How long the lines of a log are gathered into one frame before it is sent. */
  chunkFlushMs: 20,
} as const;
