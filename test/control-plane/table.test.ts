import { describe, expect, it } from 'vitest';
import { humanDuration } from '../../control-plane/api/table/human-duration.ts';
import { renderTable } from '../../control-plane/api/table/render.ts';
import { builtinResources } from '../../control-plane/api/registry/kinds/index.ts';
import { deploymentResource } from '../../control-plane/api/registry/kinds/deployment.ts';
import { podResource } from '../../control-plane/api/registry/kinds/pod.ts';
import { serviceResource } from '../../control-plane/api/registry/kinds/service.ts';
import { configMapResource } from '../../control-plane/api/registry/kinds/config-map.ts';
import type { JsonObject } from '../../control-plane/api/json.ts';

const now = Date.parse('2025-01-02T00:00:00Z');
const created = (secondsAgo: number) => new Date(now - secondsAgo * 1000).toISOString();

function cells(table: JsonObject): unknown[] {
  return ((table['rows'] as JsonObject[])[0] as JsonObject)['cells'] as unknown[];
}

describe('AGE', () => {
  it.each([
    [5, '5s'], [119, '119s'], [150, '2m30s'], [600, '10m'], [3 * 3600, '3h'], [3 * 3600 + 60 * 5, '3h5m'], [30 * 3600, '30h'], [50 * 3600, '2d2h'], [10 * 86400, '10d'], [800 * 86400, '2y70d'],
  ])('%i seconds is %s', (seconds, text) => {
    expect(humanDuration(seconds * 1000)).toBe(text);
  });
});

describe('tables', () => {
  const options = { nowMs: now, includeObject: 'Metadata' as const, listMetadata: { resourceVersion: '7' } };

  it('renders Deployment READY, UP-TO-DATE, AVAILABLE', () => {
    const table = renderTable(deploymentResource, [{ metadata: { name: 'web', creationTimestamp: created(30) }, spec: { replicas: 3 }, status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 } }], options);
    expect((table['columnDefinitions'] as JsonObject[]).filter((column) => column['priority'] === 0).map((column) => column['name'])).toEqual(['Name', 'Ready', 'Up-to-date', 'Available', 'Age']);
    expect(cells(table).slice(0, 5)).toEqual(['web', '2/3', 3, 2, '30s']);
    expect(((table['rows'] as JsonObject[])[0] as JsonObject)['object']).toMatchObject({ kind: 'PartialObjectMetadata', metadata: { name: 'web' } });
  });

  it('renders Pod READY, STATUS (waiting reason wins), RESTARTS', () => {
    const pod = {
      metadata: { name: 'p', creationTimestamp: created(10) },
      spec: { containers: [{ name: 'a' }, { name: 'b' }] },
      status: { phase: 'Running', containerStatuses: [{ ready: true, restartCount: 2 }, { ready: false, restartCount: 1, state: { waiting: { reason: 'CrashLoopBackOff' } } }] },
    };
    expect(cells(renderTable(podResource, [pod], options)).slice(0, 5)).toEqual(['p', '1/2', 'CrashLoopBackOff', 3, '10s']);
  });

  it('renders Service TYPE, CLUSTER-IP, EXTERNAL-IP, PORT(S) and ConfigMap DATA', () => {
    const service = { metadata: { name: 's', creationTimestamp: created(1) }, spec: { type: 'NodePort', clusterIP: '10.96.0.10', ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }] } };
    expect(cells(renderTable(serviceResource, [service], options)).slice(0, 6)).toEqual(['s', 'NodePort', '10.96.0.10', '<none>', '80:30080/TCP', '1s']);
    expect(cells(renderTable(configMapResource, [{ metadata: { name: 'c' }, data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }], options)).slice(0, 3)).toEqual(['c', 3, '<unknown>']);
  });

  it('renders every kind from an empty object without failing', () => {
    for (const definition of builtinResources) {
      const table = renderTable(definition, [{ metadata: { name: 'x' } }], options);
      expect(cells(table).length).toBe((table['columnDefinitions'] as unknown[]).length);
    }
  });
});
