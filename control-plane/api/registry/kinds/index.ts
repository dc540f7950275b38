import type { ResourceDefinition } from '../resource.ts';
import { configMapResource } from './config-map.ts';
import { controllerRevisionResource } from './controller-revision.ts';
import { cronJobResource } from './cron-job.ts';
import { daemonSetResource } from './daemon-set.ts';
import { endpointSliceResource } from './endpoint-slice.ts';
import { horizontalPodAutoscalerResource } from './horizontal-pod-autoscaler.ts';
import { ingressClassResource } from './ingress-class.ts';
import { ingressResource } from './ingress.ts';
import { jobResource } from './job.ts';
import { persistentVolumeClaimResource } from './persistent-volume-claim.ts';
import { persistentVolumeResource } from './persistent-volume.ts';
import { statefulSetResource } from './stateful-set.ts';
import { storageClassResource } from './storage-class.ts';
import { podMetricsResource } from './pod-metrics.ts';
import { nodeMetricsResource } from './node-metrics.ts';
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
  persistentVolumeResource,
  persistentVolumeClaimResource,
  endpointSliceResource,
  statefulSetResource,
  daemonSetResource,
  controllerRevisionResource,
  jobResource,
  cronJobResource,
  ingressResource,
  ingressClassResource,
  horizontalPodAutoscalerResource,
  storageClassResource,
  podMetricsResource,
  nodeMetricsResource,
];
