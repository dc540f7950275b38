import { assert } from '../../common/index.ts';
import { builtinResources, ResourceRegistry, type ResourceDefinition } from '../../control-plane/index.ts';

const registry = new ResourceRegistry(builtinResources);

function kind(apiVersion: string, name: string): ResourceDefinition {
  const definition = registry.findKind(apiVersion, name);
  assert(definition !== undefined, () => `the API registry has no ${apiVersion} ${name}`);
  return definition;
}

/** The kinds the simulator writes or checks, looked up in the API's own registry. */
export const Kinds = {
  namespace: kind('v1', 'Namespace'),
  node: kind('v1', 'Node'),
  pod: kind('v1', 'Pod'),
  service: kind('v1', 'Service'),
  endpoints: kind('v1', 'Endpoints'),
  endpointSlice: kind('discovery.k8s.io/v1', 'EndpointSlice'),
  lease: kind('coordination.k8s.io/v1', 'Lease'),
  deployment: kind('apps/v1', 'Deployment'),
  replicaSet: kind('apps/v1', 'ReplicaSet'),
  statefulSet: kind('apps/v1', 'StatefulSet'),
  daemonSet: kind('apps/v1', 'DaemonSet'),
  controllerRevision: kind('apps/v1', 'ControllerRevision'),
  job: kind('batch/v1', 'Job'),
} as const;

/** The owner kinds a controller reference may name, for the orphan check. */
export const ownerKinds: ReadonlyMap<string, ResourceDefinition> = new Map([
  ['Deployment', Kinds.deployment],
  ['ReplicaSet', Kinds.replicaSet],
  ['StatefulSet', Kinds.statefulSet],
  ['DaemonSet', Kinds.daemonSet],
  ['Job', Kinds.job],
]);
