/**
 * A declarative chaos experiment, as `parse-experiment.ts` reads it from YAML. Times are in
 * milliseconds from the experiment's start (t = 0 is when the steady state held and faults may
 * begin); a `null` duration means "until the experiment ends".
 */

export interface Experiment {
  readonly name: string;
  readonly description: string;
  readonly cluster: ClusterSpec;
  /** How long faults and observation run after t = 0. */
  readonly durationMs: number;
  /** How long the probes may take to all succeed before t = 0 (else the run stops: no steady state). */
  readonly steadyStateTimeoutMs: number;
  /** Kubernetes manifests (YAML text, read from the files the experiment names) applied before the steady state. */
  readonly setup: readonly SetupManifest[];
  readonly probes: readonly ProbeSpec[];
  /** A concurrent KV workload whose history the `no-lost-writes` hypothesis checks. */
  readonly workload: KvWorkloadSpec | null;
  /** What the timeline counts as pods (ready/total); null: no pod counts. */
  readonly pods: PodSelection | null;
  readonly faults: readonly FaultSpec[];
  readonly hypotheses: readonly HypothesisSpec[];
}

export interface SetupManifest {
  /** The file as the experiment names it (for messages). */
  readonly source: string;
  readonly text: string;
}

export type ClusterSpec =
  /** The experiment starts its own local cluster and stops it at the end. */
  | {
      readonly kind: 'start';
      readonly servers: 3 | 5;
      readonly agents: number;
      /** Extra `flotilla server` flags for every replica (`--election-ticks`, `--tick-ms`, …). */
      readonly serverFlags: readonly string[];
    }
  /** A cluster `flotilla up` runs, found by the state file in its directory. */
  | { readonly kind: 'local'; readonly directory: string }
  /** A cluster elsewhere: it can be observed and probed, not faulted. */
  | { readonly kind: 'remote'; readonly etcdEndpoints: readonly string[]; readonly kubeconfig: string | null };

/** Settings every probe has. */
export interface ProbeTiming {
  readonly name: string;
  /** Time between the starts of two attempts (attempts never overlap: one in flight per probe). */
  readonly intervalMs: number;
  /** An attempt that has not answered by then failed. */
  readonly timeoutMs: number;
  /** A gap between two successes longer than this counts as unavailability. */
  readonly toleranceMs: number;
}

export type ProbeSpec =
  | (ProbeTiming & { readonly kind: 'http'; readonly url: string; readonly expectStatus: number })
  /** Writes a fresh value to its key through the etcd API, then reads it back (linearizable read). */
  | (ProbeTiming & { readonly kind: 'kv'; readonly key: string })
  /** Reads a Deployment through the Kubernetes API: available when it has at least `readyReplicas` ready. */
  | (ProbeTiming & { readonly kind: 'deployment'; readonly namespace: string; readonly deployment: string; readonly readyReplicas: number });

export type ProbeKind = ProbeSpec['kind'];

export interface KvWorkloadSpec {
  readonly clients: number;
  readonly keys: number;
}

export interface PodSelection {
  readonly namespace: string;
  /** A Kubernetes label selector (`app=web`); empty: every pod of the namespace. */
  readonly labelSelector: string;
}

/** Which component a fault acts on; `leader` is resolved when the fault starts. */
export type ComponentTarget = { readonly kind: 'leader' } | { readonly kind: 'named'; readonly name: string };

/** Which peer links a link fault affects (links between replicas, through their relays). */
export type LinkSelection =
  | { readonly kind: 'all' }
  /** Every link to and from one replica. */
  | { readonly kind: 'replica'; readonly target: ComponentTarget }
  /** Both directions between two replicas. */
  | { readonly kind: 'between'; readonly from: ComponentTarget; readonly to: ComponentTarget };

/** The side of a partition that is cut off from the rest. */
export type PartitionSide =
  | { readonly kind: 'replica'; readonly target: ComponentTarget }
  /** ⌊(n−1)/2⌋ replicas (a minority) or ⌈(n+1)/2⌉ (a majority); `withLeader` says whether the cut-off side holds the leader. */
  | { readonly kind: 'minority' | 'majority'; readonly withLeader: boolean }
  | { readonly kind: 'groups'; readonly groups: readonly (readonly string[])[] };

export type FaultAction =
  | { readonly kind: 'kill'; readonly target: ComponentTarget }
  | { readonly kind: 'pause'; readonly target: ComponentTarget }
  /** SIGTERM, then start again after the fault's duration (at once without one). */
  | { readonly kind: 'restart'; readonly target: ComponentTarget }
  | { readonly kind: 'partition'; readonly isolate: PartitionSide }
  | { readonly kind: 'delay'; readonly delayMs: number; readonly links: LinkSelection }
  /** TCP cannot lose bytes: each chunk is, with probability `rate`, held for a retransmission timeout. */
  | { readonly kind: 'loss'; readonly rate: number; readonly links: LinkSelection };

export type FaultKind = FaultAction['kind'];

export interface FaultSpec {
  /** `fault-1`, … unless the file names it; hypotheses refer to faults by it. */
  readonly id: string;
  readonly atMs: number;
  /** How long the fault lasts before it is healed; null: until the experiment ends. */
  readonly forMs: number | null;
  readonly action: FaultAction;
}

export type HypothesisSpec =
  /** The probe's longest unavailability window is at most the bound. */
  | { readonly kind: 'max-unavailability'; readonly probe: string; readonly atMostMs: number }
  /** The probe's slowest answer is at most the bound. */
  | { readonly kind: 'max-latency'; readonly probe: string; readonly atMostMs: number }
  /** After each fault that removes the leader, a new leader is known within the bound. */
  | { readonly kind: 'max-failover'; readonly atMostMs: number }
  /** After the fault heals, every probe is available and every replica agrees on one leader within the bound, and stays so. */
  | { readonly kind: 'converges'; readonly after: string; readonly withinMs: number }
  /** The workload's history is linearizable (so no acknowledged write is lost) and the replicas end identical. */
  | { readonly kind: 'no-lost-writes' };

export type HypothesisKind = HypothesisSpec['kind'];

/** The id hypotheses use for "the last fault to heal". */
export const lastFaultId = 'last-fault';
