/**
 * The local cluster's named timings and maximums. Every wait, poll, retry and buffer in
 * chaos/local-cluster/ is bounded by one of these, so an operator (or a slow CI machine) finds
 * them in one place.
 */
export const LocalClusterLimits = {
  /** SIGTERM, then this long for a component to exit before SIGKILL (the server's own drain is shorter). */
  stopGraceMs: 10_000,
  /** After SIGKILL, how long the process may take to disappear from /proc. */
  killWaitMs: 5_000,
  /** How often a process is looked at while waiting for it to exit. */
  exitPollMs: 50,
  /** How long a nats-server may take to accept connections. */
  natsStartMs: 15_000,
  /** How long the first replica's API may take to write the cluster credentials (needs a leader). */
  credentialsWaitMs: 90_000,
  /** Default deadline for the whole cluster to become healthy (leader, every API, nodes Ready). */
  healthyWaitMs: 180_000,
  /** How often health is polled while waiting. */
  healthPollMs: 250,
  /** One health probe (HTTP GET) may take this long. */
  probeTimeoutMs: 2_000,
  /** Response bytes read from the API or a health endpoint; larger bodies are an error. */
  responseBytesMax: 8 * 1024 * 1024,
  /** Agents and replicas `flotilla up` accepts (one machine; more only costs memory). */
  agentsMax: 20,
  /** How often the foreground `flotilla up` looks at its components to report changes. */
  superviseIntervalMs: 2_000,
  /** At `down`, each container an agent left running gets this long after SIGTERM before SIGKILL. */
  containerStopGraceMs: 5_000,
  /** Bytes of a request body the relays' and the balancer's control endpoints accept. */
  controlBodyBytesMax: 64 * 1024,
} as const;

/** The API balancer's health checking and shutdown. */
export const ApiBalancerLimits = {
  /** Each replica's /readyz is asked this often. */
  healthCheckIntervalMs: 1_000,
  /** A /readyz answer slower than this counts as a failure (a SIGSTOPped replica accepts but never answers). */
  healthCheckTimeoutMs: 1_000,
  /** Consecutive failures before a replica gets no new connections. */
  unhealthyAfterFailures: 2,
  /** Consecutive successes before it gets them again. */
  healthyAfterSuccesses: 1,
  /** On SIGTERM, open connections may drain this long before they are cut. */
  shutdownDrainMs: 2_000,
  /** Replicas one balancer fronts (Raft clusters are 3 or 5; a little room for joins). */
  backendsMax: 9,
} as const;
