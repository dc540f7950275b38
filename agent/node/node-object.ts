import type { JsonObject } from '../../control-plane/api/json.ts';
import type { HostFacts } from './host-facts.ts';
import type { NodeCondition } from './node-conditions.ts';

/**
 * Where the local-path provisioner puts this node's volumes (controllers' volumesDirectoryAnnotation;
 * the agent may not import the controllers, a test checks the two agree).
 */
export const volumesDirectoryAnnotation = 'flotilla.io/volumes-directory';

export interface NodeTaint {
  readonly key: string;
  readonly value?: string;
  readonly effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

export interface NodeIdentity {
  readonly nodeName: string;
  readonly nodeIp: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Annotations the agent owns (the local-path volumes directory). */
  readonly annotations: Readonly<Record<string, string>>;
  readonly taints: readonly NodeTaint[];
  /** containerRuntimeVersion, e.g. `process://0.1.0`. */
  readonly runtimeVersion: string;
  readonly agentVersion: string;
  /** kubelet's default max pods. */
  readonly podsMax: number;
}

/** The Node as the agent registers it (kubelet's initialNode), pure. */
export function buildNodeObject(identity: NodeIdentity, facts: HostFacts, conditions: readonly NodeCondition[]): JsonObject {
  const labels: Record<string, string> = {
    'kubernetes.io/hostname': identity.nodeName,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': facts.architecture,
    'beta.kubernetes.io/os': 'linux',
    'beta.kubernetes.io/arch': facts.architecture,
    ...identity.labels,
  };
  const spec: JsonObject = identity.taints.length === 0 ? {} : { taints: identity.taints.map((taint) => ({ ...taint })) };
  const metadata: JsonObject = { name: identity.nodeName, labels, ...(Object.keys(identity.annotations).length === 0 ? {} : { annotations: { ...identity.annotations } }) };
  return { apiVersion: 'v1', kind: 'Node', metadata, spec, status: buildNodeStatus(identity, facts, conditions) };
}

/** The status fields the agent owns, pure. */
export function buildNodeStatus(identity: NodeIdentity, facts: HostFacts, conditions: readonly NodeCondition[]): JsonObject {
  const resources = {
    cpu: String(facts.cpuCount),
    memory: `${Math.floor(facts.memoryTotalBytes / 1024)}Ki`,
    'ephemeral-storage': `${Math.floor(facts.diskTotalBytes / 1024)}Ki`,
    pods: String(identity.podsMax),
  };
  return {
    capacity: resources,
    allocatable: resources,
    conditions: conditions.map((condition) => ({ ...condition })),
    addresses: [{ type: 'InternalIP', address: identity.nodeIp }, { type: 'Hostname', address: facts.hostname }],
    daemonEndpoints: { kubeletEndpoint: { Port: 0 } },
    nodeInfo: {
      machineID: facts.machineId, systemUUID: facts.machineId, bootID: facts.bootId, kernelVersion: facts.kernelVersion, osImage: facts.osImage,
      containerRuntimeVersion: identity.runtimeVersion, kubeletVersion: identity.agentVersion, kubeProxyVersion: '',
      operatingSystem: 'linux', architecture: facts.architecture,
    },
  };
}
