import { open, mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { stringify } from 'yaml';
import type { ServerSettings } from '../config.ts';
import type { AgentJoinAnswer, ServerJoinAnswer } from './join-handlers.ts';

/** Where a control-plane VM listens: one address (its LAN IP) and the usual ports. */
export interface ServerMachine {
  readonly name: string;
  /** This VM's address as the other VMs reach it. */
  readonly address: string;
  readonly dataDir: string;
  readonly ports: { readonly peer: number; readonly client: number; readonly api: number; readonly join: number; readonly metrics: number | null };
  /** This VM's own nats-server, as the server connects to it. */
  readonly nats: string;
  /** What agents are told to use (default: nats://<address>:4222). */
  readonly natsAdvertise: readonly string[];
}

export const defaultPorts = { peer: 2380, client: 2379, api: 6443, join: 6444, metrics: 9090 } as const;

function host(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

/** Settings shared by the first server (init) and the ones that join. */
function serverBase(machine: ServerMachine): ServerSettings {
  const at = (port: number): string => `${host(machine.address)}:${port}`;
  return {
    name: machine.name,
    'data-dir': machine.dataDir,
    'peer-listen': at(machine.ports.peer),
    'client-listen': at(machine.ports.client),
    'advertise-client-url': `http://${at(machine.ports.client)}`,
    // The API and the join service on every interface (kubectl from a laptop); the certificate names this VM's address.
    'api-listen': `0.0.0.0:${machine.ports.api}`,
    'api-san': machine.address,
    'join-listen': `0.0.0.0:${machine.ports.join}`,
    ...(machine.ports.metrics === null ? {} : { 'metrics-listen': at(machine.ports.metrics) }),
    nats: machine.nats,
    'nats-advertise': machine.natsAdvertise.join(','),
  };
}

/** `flotilla init`: a one-member cluster with a fresh random cluster token. */
export function initServerSettings(machine: ServerMachine, options: { clusterToken: string; clusterName: string; natsUser: string | null; natsPassword: string | null }): ServerSettings {
  return {
    ...serverBase(machine),
    'initial-cluster': `${machine.name}=${host(machine.address)}:${machine.ports.peer}`,
    'initial-cluster-state': 'new',
    'cluster-token': options.clusterToken,
    'cluster-name': options.clusterName,
    ...credentials(options.natsUser, options.natsPassword),
  };
}

/** `flotilla join --role server`: the members the cluster named, plus this one, joining as a learner that promotes itself. */
export function joinServerSettings(machine: ServerMachine, answer: ServerJoinAnswer): ServerSettings {
  const members = [...answer.members.map((member) => `${member.name}=${member.peerAddress}`), `${machine.name}=${host(machine.address)}:${machine.ports.peer}`];
  return {
    ...serverBase(machine),
    'initial-cluster': members.join(','),
    'initial-cluster-state': 'existing',
    'cluster-token': answer.clusterToken,
    'cluster-name': answer.clusterName,
    'auto-promote': 'true',
    ...credentials(answer.natsUser, answer.natsPassword),
  };
}

export interface AgentMachine {
  readonly nodeName: string;
  readonly dataDir: string;
  readonly nodeIp: string | null;
  readonly proxy: boolean;
}

/** `flotilla join --role agent`: the agent's config file (the keys of `flotilla agent`'s flags). */
export function joinAgentSettings(machine: AgentMachine, answer: AgentJoinAnswer): Record<string, string | boolean> {
  return {
    'node-name': machine.nodeName,
    nats: answer.natsUrls.join(','),
    'cluster-name': answer.clusterName,
    'data-dir': machine.dataDir,
    ...(machine.nodeIp === null ? {} : { 'node-ip': machine.nodeIp }),
    ...(machine.proxy ? { proxy: true } : {}),
    ...credentials(answer.natsUser, answer.natsPassword),
  };
}

function credentials(user: string | null, password: string | null): Record<string, string> {
  return { ...(user === null ? {} : { 'nats-user': user }), ...(password === null ? {} : { 'nats-password': password }) };
}

/**
 * Writes a config file (YAML, mode 0600: it may hold the NATS password), creating its folder.
 * Refuses to overwrite an existing file: it is this machine's identity in the cluster.
 */
export async function writeConfigFile(path: string, settings: Readonly<Record<string, string | number | boolean>>, header: string): Promise<void> {
  if ((await stat(path).catch(() => null)) !== null) throw new Error(`${path} exists already: this machine looks configured (remove the file to start over)`);
  await mkdir(dirname(path), { recursive: true });
  const handle = await open(path, 'wx', 0o600);
  try {
    await handle.writeFile(`${header.split('\n').map((line) => `# ${line}`.trimEnd()).join('\n')}\n${stringify(settings)}`);
    await handle.sync();
  } finally {
    await handle.close();
  }
}
