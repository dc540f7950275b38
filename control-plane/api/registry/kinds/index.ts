import type { ResourceDefinition } from '../resource.ts';
import { configMapResource } from './config-map.ts';
import { deploymentResource } from './deployment.ts';
import { endpointsResource } from './endpoints.ts';
import { eventResource } from './event.ts';
import { leaseResource } from './lease.ts';
import { namespaceResource } from './namespace.ts';
import { nodeResource } from './node.ts';
import { podResource } from './pod.ts';
import { replicaSetResource } from './replica-set.ts';
import { secretResource } from './secret.ts';
import { serviceAccountResource } from './service-account.ts';
import { serviceResource } from './service.ts';

/** Every kind the API server serves. Adding a kind: write its declaration and list it here. */
export const builtinResources: readonly ResourceDefinition[] = [
  namespaceResource,
  configMapResource,
  secretResource,
  podResource,
  serviceResource,
  endpointsResource,
  nodeResource,
  eventResource,
  serviceAccountResource,
  deploymentResource,
  replicaSetResource,
  leaseResource,
];
