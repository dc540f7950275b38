import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getPath, objectsIn, type JsonObject } from '../../control-plane/api/json.ts';
import type { NatsOptions } from '../../control-plane/nats/index.ts';
import { AgentProcess } from '../agent/agent-process.ts';
import { NatsServerProcess } from '../agent/nats-server-process.ts';
import { ApiClusterHarness, eventually } from './api-cluster-harness.ts';

/** What the whole-cluster tests read of a pod. */
export interface PodView {
  readonly name: string;
  readonly uid: string;
  readonly nodeName: string;
  readonly phase: string;
  readonly ready: boolean;
  readonly restarts: number;
  /** The host port of containerPort 8080 (the process runtime's `flotilla.io/host-ports`), 0 before it has one. */
  readonly hostPort: number;
  readonly terminating: boolean;
}

/** The pods matching a label selector, through kubectl. */
export async function podViews(harness: ApiClusterHarness, selector: string): Promise<PodView[]> {
  const list = JSON.parse(await harness.kubectlOk(['get', 'pods', '-l', selector, '-o', 'json'])) as JsonObject;
  return objectsIn(list['items']).map((item) => ({
    name: String(getPath(item, ['metadata', 'name']) ?? ''),
    uid: String(getPath(item, ['metadata', 'uid']) ?? ''),
    nodeName: String(getPath(item, ['spec', 'nodeName']) ?? ''),
    phase: String(getPath(item, ['status', 'phase']) ?? ''),
    ready: objectsIn(getPath(item, ['status', 'conditions'])).some((condition) => condition['type'] === 'Ready' && condition['status'] === 'True'),
    restarts: Number(objectsIn(getPath(item, ['status', 'containerStatuses']))[0]?.['restartCount'] ?? 0),
    hostPort: Number((JSON.parse(String(getPath(item, ['metadata', 'annotations', 'flotilla.io/host-ports']) ?? '{}')) as Record<string, number>)['8080'] ?? 0),
    terminating: getPath(item, ['metadata', 'deletionTimestamp']) !== undefined,
  }));
}

/** Waits until exactly `count` pods of the selector are Running, Ready, not terminating and have their host port. */
export async function readyPodViews(harness: ApiClusterHarness, selector: string, count: number, where?: (pod: PodView) => boolean, timeoutMs = 90_000): Promise<PodView[]> {
  return eventually(`${count} ready pods (${selector})`, timeoutMs, async () => {
    const found = (await podViews(harness, selector)).filter((pod) => !pod.terminating && pod.ready && pod.phase === 'Running' && pod.hostPort > 0 && (where?.(pod) ?? true));
    return found.length === count ? found : null;
  });
}

export interface AgentSpec {
  readonly nodeName: string;
  readonly extraArgs?: readonly string[];
  /** The agent's --node-ip (default 127.0.0.1); 127.0.0.x addresses let several nodes' proxies share one host. */
  readonly nodeIp?: string;
}

/**
 * A whole cluster on real processes: nats-server (one, or a cluster with routes), 3 `flotilla
 * server` replicas with --api-listen and --nats, and real `flotilla agent` processes.
 */
export class AgentCluster {
  private constructor(readonly directory: string, readonly nats: NatsServerProcess[], readonly harness: ApiClusterHarness, readonly agents: AgentProcess[]) {}

  static async start(options: { readonly natsServers: number; readonly agents: readonly AgentSpec[]; readonly clusterName?: string; readonly prefix?: string }): Promise<AgentCluster> {
    const directory = await mkdtemp(join(tmpdir(), options.prefix ?? 'flotilla-agents-e2e-'));
    const nats = options.natsServers === 1 ? [await NatsServerProcess.start(directory)] : await NatsServerProcess.startCluster(directory, options.natsServers);
    const clusterName = options.clusterName ?? 'e2e';
    const urls = nats.map((server) => server.url).join(',');
    const harness = await ApiClusterHarness.start({ extraArgs: ['--nats', urls, '--cluster-name', clusterName] });
    const natsOptions: NatsOptions = { servers: nats.map((server) => server.url), clusterName };
    const agents: AgentProcess[] = [];
    for (const spec of options.agents) agents.push(await AgentProcess.create(directory, spec.nodeName, natsOptions, spec.extraArgs ?? [], spec.nodeIp));
    for (const agent of agents) agent.start();
    return new AgentCluster(directory, nats, harness, agents);
  }

  async stop(): Promise<void> {
    for (const agent of this.agents) await agent.stop();
    await this.harness.stop();
    for (const server of this.nats) await server.stop();
    // FLOTILLA_KEEP_TEST_FILES=1 keeps the agents' logs and data dirs for a look after the run.
    if (process.env['FLOTILLA_KEEP_TEST_FILES'] === undefined) await rm(this.directory, { recursive: true, force: true });
    else process.stderr.write(`agent test files kept in ${this.directory}\n`);
  }
}
