import { describe, expect, it } from 'vitest';
import { builtinResources } from '../../control-plane/api/registry/kinds/index.ts';
import { ResourceRegistry } from '../../control-plane/api/registry/registry.ts';
import { resolveResourcePath } from '../../control-plane/api/http/resource-path.ts';
import { apiGroupListDocument, apiResourceListDocument } from '../../control-plane/api/discovery/discovery.ts';
import { OpenApiV3Documents } from '../../control-plane/api/openapi/openapi-v3.ts';
import { ApiError } from '../../control-plane/api/status.ts';
import type { JsonObject } from '../../control-plane/api/json.ts';

const registry = new ResourceRegistry(builtinResources);

describe('registry', () => {
  it('declares every kind of issue 4 once, findable by path and by kind', () => {
    expect(builtinResources.map((resource) => resource.kind)).toEqual([
      'Namespace', 'ConfigMap', 'Secret', 'Pod', 'Service', 'Endpoints', 'Node', 'Event', 'ServiceAccount', 'Deployment', 'ReplicaSet', 'Lease',
      'PersistentVolume', 'PersistentVolumeClaim', 'EndpointSlice', 'StatefulSet', 'DaemonSet', 'ControllerRevision', 'Job', 'CronJob', 'Ingress', 'IngressClass',
      'HorizontalPodAutoscaler', 'StorageClass', 'PodMetrics', 'NodeMetrics',
    ]);
    expect(registry.find('apps', 'v1', 'deployments')?.kind).toBe('Deployment');
    expect(registry.findKind('coordination.k8s.io/v1', 'Lease')?.plural).toBe('leases');
    expect(() => new ResourceRegistry([...builtinResources, ...builtinResources])).toThrow(/declared twice/);
  });

  it('resolves resource paths, including the namespace/status ambiguity', () => {
    const namespaced = resolveResourcePath(registry, '', 'v1', ['namespaces', 'demo', 'configmaps', 'x']);
    expect([namespaced.definition.kind, namespaced.namespace, namespaced.name]).toEqual(['ConfigMap', 'demo', 'x']);
    const status = resolveResourcePath(registry, '', 'v1', ['namespaces', 'demo', 'status']);
    expect([status.definition.kind, status.name, status.subresource]).toEqual(['Namespace', 'demo', 'status']);
    const scale = resolveResourcePath(registry, 'apps', 'v1', ['namespaces', 'd', 'deployments', 'web', 'scale']);
    expect(scale.subresource).toBe('scale');
    const watch = resolveResourcePath(registry, '', 'v1', ['watch', 'pods']);
    expect([watch.watchPath, watch.namespace]).toEqual([true, undefined]);
    for (const bad of [['nothing'], ['configmaps', 'x'], ['namespaces', 'd', 'configmaps', 'x', 'scale'], ['namespaces', 'd', 'configmaps', 'x', 'y', 'z']]) {
      expect(() => resolveResourcePath(registry, '', 'v1', bad)).toThrow(ApiError);
    }
  });

  it('serves discovery with verbs, short names, categories and subresources', () => {
    const core = apiResourceListDocument(registry, '', 'v1') as JsonObject;
    const pods = (core['resources'] as JsonObject[]).find((resource) => resource['name'] === 'pods');
    expect(pods).toMatchObject({ namespaced: true, kind: 'Pod', shortNames: ['po'], categories: ['all'] });
    const apps = apiResourceListDocument(registry, 'apps', 'v1') as JsonObject;
    expect((apps['resources'] as JsonObject[]).map((resource) => resource['name'])).toContain('deployments/scale');
    const groups = (apiGroupListDocument(registry)['groups'] as JsonObject[]).map((group) => group['name']);
    expect(groups).toEqual(['apps', 'coordination.k8s.io', 'discovery.k8s.io', 'batch', 'networking.k8s.io', 'autoscaling', 'storage.k8s.io', 'metrics.k8s.io', 'authentication.k8s.io']);
  });

  it('publishes OpenAPI v3 with PATCH fieldValidation and kind extensions for every kind', () => {
    const documents = new OpenApiV3Documents(registry);
    const root = documents.root()['paths'] as JsonObject;
    expect(Object.keys(root)).toEqual(['api/v1', 'apis/apps/v1', 'apis/coordination.k8s.io/v1', 'apis/discovery.k8s.io/v1', 'apis/batch/v1', 'apis/networking.k8s.io/v1', 'apis/autoscaling/v2', 'apis/storage.k8s.io/v1', 'apis/metrics.k8s.io/v1beta1']);
    const apps = JSON.parse(documents.document('apis/apps/v1')?.body ?? '{}') as JsonObject;
    const patch = ((apps['paths'] as JsonObject)['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'] as JsonObject)['patch'] as JsonObject;
    expect(patch['x-kubernetes-group-version-kind']).toEqual({ group: 'apps', version: 'v1', kind: 'Deployment' });
    expect((patch['parameters'] as JsonObject[]).map((parameter) => parameter['name'])).toContain('fieldValidation');
    const schemas = (apps['components'] as JsonObject)['schemas'] as JsonObject;
    expect((schemas['io.k8s.api.apps.v1.Deployment'] as JsonObject)['x-kubernetes-group-version-kind']).toEqual([{ group: 'apps', version: 'v1', kind: 'Deployment' }]);
    const containers = ((schemas['io.k8s.api.core.v1.PodSpec'] as JsonObject)['properties'] as JsonObject)['containers'] as JsonObject;
    expect(containers).toMatchObject({ type: 'array', 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge' });
  });
});
