import { dirname, join } from 'node:path';
import { clusterStateVersion, type ClusterState, type ComponentSpec, type NodeRecord, type RelayLinkRecord, type ServerRecord } from './cluster-state.ts';

const loopback = '127.0.0.1';

export interface ClusterPlanInput {
  /** Absolute. */
  readonly directory: string;
  readonly serverCount: 3 | 5;
  readonly agentCount: number;
  /** One nats-server, or three with routes between them (a NATS cluster). */
  readonly natsCount: 1 | 3;
  readonly clusterName: string;
  readonly natsServerPath: string;
  /** The Node.js binary that runs `flotilla` (process.execPath). */
  readonly nodePath: string;
  /** bin/flotilla.js. */
  readonly flotillaBin: string;
  /** Ingress HTTP port, the same on every node's address. */
  readonly ingressHttpPort: number;
  /** Extra `flotilla server` arguments (chaos experiments shorten timeouts). */
  readonly serverArgs: readonly string[];
  /** Added to every component's environment (FLOTILLA_LOG_LEVEL, …). */
  readonly env: Readonly<Record<string, string>>;
  /** The PATH agents run pods with (the starter's own), after the Node.js binary's directory. */
  readonly searchPath: string;
  /**
   * `in-agent` (default): `flotilla agent --proxy`, the proxy on the agent's NATS connection, one
   * process per node. `separate`: a `flotilla proxy` process per node watching the API through the
   * stable address (more processes, but the proxies then exercise the balancer).
   */
  readonly proxyPlacement?: 'in-agent' | 'separate';
}

/** Ports the plan takes from `ports`, in the order it takes them. */
export function portsNeeded(input: Pick<ClusterPlanInput, 'serverCount' | 'natsCount'>): number {
  const natsPorts = input.natsCount === 1 ? 1 : input.natsCount * 2;
  const serverPorts = input.serverCount * 4;
  const relayPorts = input.serverCount * (input.serverCount - 1) + 1;
  const balancerPorts = 2;
  return natsPorts + serverPorts + relayPorts + balancerPorts;
}

/**
 * Node i's own address, 127.0.0.(10+i): Linux answers on all of 127/8 without configuration, so
 * every node's proxy can listen on the same proxy ports (they are the same on every node by design)
 * and the same ingress port without colliding.
 */
export function nodeAddress(index: number): string {
  return `127.0.0.${11 + index}`;
}

export function nodeAddresses(agentCount: number): string[] {
  return Array.from({ length: agentCount }, (_, index) => nodeAddress(index));
}

/**
 * Pure: the whole cluster — names, addresses, data dirs, log files and every component's command
 * line — from the counts and a list of free ports. The servers reach each other only through the
 * relays (member i dials relay i→j for member j), so partitions need no root.
 */
export function planCluster(input: ClusterPlanInput, ports: readonly number[]): ClusterState {
  if (ports.length < portsNeeded(input)) throw new Error(`the plan needs ${portsNeeded(input)} ports, got ${ports.length}`);
  let next = 0;
  const take = (): number => ports[next++] ?? 0;
  const at = (port: number): string => `${loopback}:${port}`;
  const logPath = (name: string): string => join(input.directory, 'logs', `${name}.log`);
  const flotilla = (name: string, kind: ComponentSpec['kind'], args: readonly string[], listens: readonly string[], env: Readonly<Record<string, string>> = {}): ComponentSpec => ({
    name, kind, command: input.nodePath, args: [input.flotillaBin, ...args], env: { ...input.env, ...env }, logPath: logPath(name), listens,
  });

  const nats = planNats(input, take, logPath);
  const natsUrls = nats.map((server) => `nats://${at(server.port)}`);
  const serverNames = Array.from({ length: input.serverCount }, (_, index) => `n${index + 1}`);
  const servers: ServerRecord[] = serverNames.map((name) => ({
    name,
    dataDir: join(input.directory, 'servers', name),
    peerEndpoint: at(take()),
    clientEndpoint: at(take()),
    apiEndpoint: at(take()),
    metricsEndpoint: at(take()),
  }));
  const links: RelayLinkRecord[] = [];
  for (const from of servers) {
    for (const to of servers) {
      if (from !== to) links.push({ from: from.name, to: to.name, listenPort: take(), targetPort: portOf(to.peerEndpoint) });
    }
  }
  const relaysControl = at(take());
  const apiBalancer = { endpoint: at(take()), controlEndpoint: at(take()) };
  const kubeconfigPath = join(input.directory, 'kubeconfig');
  const stateFile = join(input.directory, 'state.json');

  const relaysComponent = flotilla('relays', 'relays', ['fault-relays', '--state', stateFile], [relaysControl, ...links.map((link) => at(link.listenPort))]);
  const serverComponents = servers.map((server) => {
    const initialCluster = servers.map((peer) => {
      const link = links.find((candidate) => candidate.from === server.name && candidate.to === peer.name);
      return `${peer.name}=${link === undefined ? peer.peerEndpoint : at(link.listenPort)}`;
    }).join(',');
    return flotilla(server.name, 'server', [
      'server', '--name', server.name, '--data-dir', server.dataDir,
      '--peer-listen', server.peerEndpoint, '--client-listen', server.clientEndpoint,
      '--api-listen', server.apiEndpoint, '--metrics-listen', server.metricsEndpoint,
      '--initial-cluster', initialCluster,
      '--nats', natsUrls.join(','), '--cluster-name', input.clusterName,
      ...input.serverArgs,
    ], [server.peerEndpoint, server.clientEndpoint, server.apiEndpoint, server.metricsEndpoint]);
  });
  const balancerComponent = flotilla('api-balancer', 'api-balancer', [
    'api-balancer', '--listen', apiBalancer.endpoint, '--backends', servers.map((server) => server.apiEndpoint).join(','),
    '--control-listen', apiBalancer.controlEndpoint,
  ], [apiBalancer.endpoint, apiBalancer.controlEndpoint]);

  // Pods find `node` on PATH: the process runtime runs a container's command through the agent's PATH.
  const podPath = { PATH: `${dirname(input.nodePath)}:${input.searchPath}` };
  const nodes: NodeRecord[] = [];
  const nodeComponents: ComponentSpec[] = [];
  const separateProxies = input.proxyPlacement === 'separate';
  nodeAddresses(input.agentCount).forEach((address, index) => {
    const name = `node-${index + 1}`;
    const dataDir = join(input.directory, 'nodes', name);
    const ingress = `${address}:${input.ingressHttpPort}`;
    // Proxy ports (20000-29999) need no root, and `ports` mode keeps a root run from adding cluster
    // IPs to the host's lo; 0 turns off what the demo does not use (HTTPS, DNS).
    const proxyFlags = ['--listen-mode', 'ports', '--listen-address', address, '--http-port', String(input.ingressHttpPort), '--https-port', '0', '--dns-port', '0'];
    nodes.push({ name, address, dataDir, ingressHttpPort: input.ingressHttpPort, agent: name, proxy: separateProxies ? `proxy-${name}` : null });
    nodeComponents.push(flotilla(name, 'agent', [
      'agent', '--node-name', name, '--nats', natsUrls.join(','), '--cluster-name', input.clusterName,
      '--data-dir', dataDir, '--node-ip', address, ...(separateProxies ? ['--listen-mode', 'ports'] : ['--proxy', ...proxyFlags]),
    ], separateProxies ? [] : [ingress], podPath));
    if (separateProxies) {
      nodeComponents.push(flotilla(`proxy-${name}`, 'proxy', ['proxy', '--node-name', name, '--kubeconfig', kubeconfigPath, '--node-ip', address, ...proxyFlags], [ingress]));
    }
  });

  return {
    version: clusterStateVersion,
    directory: input.directory,
    clusterName: input.clusterName,
    natsUrls,
    servers,
    nodes,
    relays: { controlEndpoint: relaysControl, links },
    apiBalancer,
    kubeconfigPath,
    components: [...nats.map((server) => server.component), relaysComponent, ...serverComponents, balancerComponent, ...nodeComponents],
  };
}

function planNats(input: ClusterPlanInput, take: () => number, logPath: (name: string) => string): { port: number; component: ComponentSpec }[] {
  const names = Array.from({ length: input.natsCount }, (_, index) => `nats-${index + 1}`);
  const clientPorts = names.map(() => take());
  const routePorts = input.natsCount === 1 ? [] : names.map(() => take());
  return names.map((name, index) => {
    const port = clientPorts[index] ?? 0;
    const routePort = routePorts[index];
    const routes = routePorts.filter((_, other) => other !== index).map((other) => `nats://${loopback}:${other}`);
    const clusterArgs = routePort === undefined ? [] : ['--cluster_name', `flotilla-${input.clusterName}`, '--cluster', `nats://${loopback}:${routePort}`, '--routes', routes.join(',')];
    const listens = [`${loopback}:${port}`, ...(routePort === undefined ? [] : [`${loopback}:${routePort}`])];
    return {
      port,
      component: { name, kind: 'nats', command: input.natsServerPath, args: ['-a', loopback, '-p', String(port), '-n', name, ...clusterArgs], env: {}, logPath: logPath(name), listens },
    };
  });
}

export function portOf(endpoint: string): number {
  return Number(endpoint.slice(endpoint.lastIndexOf(':') + 1));
}

export function hostOf(endpoint: string): string {
  return endpoint.slice(0, endpoint.lastIndexOf(':'));
}
