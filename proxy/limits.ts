/**
 * The proxy's named maximums and timings. Every table, buffer, pool and retry in proxy/ is bounded
 * by one of these (or by an option that defaults to one of these), so an operator finds them here.
 */
export const ProxyLimits = {
  /** Services the proxy programs; past it, the rest are skipped (and logged) rather than grow without bound. */
  servicesMax: 10_000,
  /** Listeners (service ports x {cluster, node port, load balancer}) one proxy opens. */
  listenersMax: 20_000,
  /** Endpoints considered per service port (Kubernetes caps a slice at 1000; several slices add up). */
  endpointsPerServiceMax: 5_000,
  /** Attempts to connect one client connection: the first endpoint, then others after a failed connect. */
  connectAttemptsMax: 3,
  /** How long one connect attempt may take before the next endpoint is tried. */
  connectTimeoutMs: 2_000,
  /** After a failed connect, an endpoint gets no new connections for this long (passive health). */
  failedEndpointCooldownMs: 2_000,
  /** Bytes buffered per direction of a proxied stream before the sender is paused (backpressure). */
  pipeHighWaterMarkBytes: 64 * 1024,
  /** Open proxied TCP connections per listener; past it new ones are refused (closed at once). */
  connectionsPerListenerMax: 10_000,
  /** How long in-flight connections may drain on shutdown before they are cut. */
  shutdownDrainMs: 5_000,
  /** ClientIP affinity entries per service port (least recently used evicted past it). */
  affinityEntriesMax: 10_000,
  /** Kubernetes' default sessionAffinityConfig.clientIP.timeoutSeconds (3 hours) and its maximum (1 day). */
  affinityTimeoutSecondsDefault: 10_800,
  affinityTimeoutSecondsMax: 86_400,
  /** UDP flows (client address → upstream socket) per listener; the least recently used is closed past it. */
  udpFlowsPerListenerMax: 4_096,
  /** A UDP flow with no datagram either way for this long is closed. */
  udpFlowIdleMs: 30_000,
  /** Largest UDP datagram forwarded (bigger ones cannot exist on IPv4; the kernel enforces it too). */
  udpDatagramBytesMax: 65_507,
  /** How often idle UDP flows, expired affinity entries and failed listeners are looked at. */
  housekeepingIntervalMs: 1_000,
  /** A listener that could not bind is retried this often. */
  bindRetryIntervalMs: 5_000,
  /** Table recomputation is coalesced: at most one per this many ms after a change. */
  recomputeDelayMs: 20,
} as const;

export const IngressLimits = {
  /**
   * Keep-alive sockets per backend endpoint (in use + idle), and idle ones kept. Equal on purpose:
   * with fewer idle than in use, every burst closes and reopens the difference (seen in the
   * benchmark: 50 clients over a pool keeping 32 idle ran at a tenth of HAProxy's rate).
   */
  backendSocketsPerEndpointMax: 128,
  backendIdleSocketsPerEndpointMax: 128,
  /** An idle keep-alive socket to a backend is closed after this long (below Node's server default of 5 s keep-alive). */
  backendIdleSocketMs: 4_000,
  /** Backend keep-alive pools kept (one per endpoint address:port); the least recently used is closed past it. */
  backendPoolsMax: 4_096,
  /** No response headers from the backend within this long: 504. */
  backendResponseTimeoutMs: 60_000,
  /** Request header bytes accepted from a client (Node's default). */
  requestHeaderBytesMax: 16 * 1024,
  /** Open client connections per ingress listener. */
  clientConnectionsMax: 10_000,
  /** A client connection idle between requests is closed after this long. */
  clientKeepAliveMs: 65_000,
  /** Routes (host x path) in the routing table. */
  routesMax: 50_000,
  /** TLS certificates loaded from Secrets. */
  certificatesMax: 5_000,
} as const;

export const DnsLimits = {
  /** The cluster domain (kubelet's --cluster-domain default). */
  clusterDomain: 'cluster.local',
  /** Records answered for one name (headless services with many endpoints). */
  answersMax: 100,
  /** A UDP answer larger than this (or than the client's EDNS size) is truncated (TC) so the client retries over TCP. */
  udpAnswerBytesMax: 512,
  udpEdnsAnswerBytesMax: 1_232,
  /** Open TCP connections to the DNS server and how long one may stay idle. */
  tcpConnectionsMax: 256,
  tcpIdleMs: 10_000,
  /** A DNS message over TCP longer than this is refused (the connection is closed). */
  tcpMessageBytesMax: 65_535,
  /** TTL of answers: short, because endpoints change. */
  answerTtlSeconds: 5,
} as const;

export const SourceLimits = {
  /** Objects kept per kind; past it the source reports an error and re-lists later. */
  objectsPerKindMax: 100_000,
  /** Bytes of one watch event line (a Kubernetes object is at most 1.5 MiB in etcd). */
  watchLineBytesMax: 3 * 1024 * 1024,
  /** Bytes of one list response. */
  listResponseBytesMax: 256 * 1024 * 1024,
  /** Page size of list requests. */
  listPageSize: 500,
  /** Backoff between failed lists/watches: doubles from the first to the maximum. */
  retryBackoffFirstMs: 200,
  retryBackoffMaxMs: 5_000,
  /** Server-side watch timeout asked for (the server may cut earlier); the watch then resumes. */
  watchTimeoutSeconds: 300,
  /** One list or write request may take this long. */
  requestTimeoutMs: 15_000,
} as const;

/** The NATS source's own bounds (the list/watch ones are the protocol's, control-plane/nats/protocol/). */
export const NatsSourceLimits = {
  /** TLS Secrets held (those the served Ingresses name); past it the rest are not fetched (and logged). */
  tlsSecretsHeldMax: 5_000,
  /** TLS Secret fetches in flight at once. */
  tlsSecretFetchesAtOnceMax: 8,
  /** Every held TLS Secret is fetched again this often, even without a change notice (a lost notice heals). */
  tlsSecretRefreshIntervalMs: 60_000,
  /** A TLS Secret that could not be fetched is tried again after this long. */
  tlsSecretRetryMs: 2_000,
} as const;
