import type { Env } from '../../../common/index.ts';
import type { ExperimentCluster } from '../cluster/experiment-cluster.ts';
import { resolveProbeUrl } from '../cluster/probe-addresses.ts';
import type { Experiment, ProbeSpec } from '../experiment.ts';
import { deploymentProbe } from '../observe/deployment-probe.ts';
import { httpProbe } from '../observe/http-probe.ts';
import { KubernetesReader } from '../observe/kubernetes-reader.ts';
import { kvProbe } from '../observe/kv-probe.ts';
import type { PollLoop } from '../observe/poll-loop.ts';
import { podPoller } from '../observe/pod-poller.ts';
import { ProbeLoop, type ProbeAttemptFunction } from '../observe/probe-loop.ts';
import { ReplicaStatusPoller } from '../observe/replica-status-poller.ts';
import type { ObservationLog } from '../timeline/observations.ts';
import type { TimelineProbe } from '../timeline/timeline.ts';

export interface Observers {
  readonly status: ReplicaStatusPoller;
  readonly probes: readonly ProbeLoop[];
  readonly timelineProbes: readonly TimelineProbe[];
  stop(): Promise<void>;
}

/** Starts everything that watches the cluster: replica status, every probe, the pod counts. */
export async function startObservers(experiment: Experiment, cluster: ExperimentCluster, log: ObservationLog, env: Env): Promise<Observers> {
  const reader = cluster.kubeconfigPath === null ? null : await KubernetesReader.fromKubeconfig(cluster.kubeconfigPath);
  const status = new ReplicaStatusPoller(cluster.servers, log, env);
  const closers: (() => void)[] = [];
  const probes = experiment.probes.map((probe) => {
    const { attempt, close } = attemptFor(probe, cluster, reader);
    if (close !== undefined) closers.push(close);
    return new ProbeLoop(probe, attempt, log, env);
  });
  const pods: PollLoop | null = experiment.pods !== null && reader !== null ? podPoller(reader, experiment.pods, log, env) : null;
  status.start();
  for (const probe of probes) probe.start();
  pods?.start();
  return {
    status,
    probes,
    timelineProbes: experiment.probes.map((probe) => ({ name: probe.name, kind: probe.kind, target: targetOf(probe, cluster), toleranceMs: probe.toleranceMs })),
    stop: async () => {
      await Promise.all([status.stop(), ...probes.map((probe) => probe.stop()), pods?.stop()]);
      for (const close of closers) close();
    },
  };
}

function attemptFor(probe: ProbeSpec, cluster: ExperimentCluster, reader: KubernetesReader | null): { attempt: ProbeAttemptFunction; close?: () => void } {
  switch (probe.kind) {
    case 'kv':
      return kvProbe(probe.key, cluster.servers, probe.timeoutMs);
    case 'http':
      return { attempt: httpProbe(resolveProbeUrl(probe.url, cluster.addresses).url, probe.expectStatus) };
    case 'deployment':
      // checkAgainstCluster refused a deployment probe without an API before anything started.
      if (reader === null) throw new Error(`probe ${probe.name}: no Kubernetes API`);
      return { attempt: deploymentProbe(reader, probe.namespace, probe.deployment, probe.readyReplicas) };
  }
}

function targetOf(probe: ProbeSpec, cluster: ExperimentCluster): string {
  switch (probe.kind) {
    case 'kv':
      return `write + read of ${probe.key} (etcd API)`;
    case 'http':
      return `GET ${resolveProbeUrl(probe.url, cluster.addresses).url} → ${probe.expectStatus}`;
    case 'deployment':
      return `deployment ${probe.namespace}/${probe.deployment} has ≥ ${probe.readyReplicas} ready`;
  }
}
