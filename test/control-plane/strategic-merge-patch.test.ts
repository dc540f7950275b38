import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { applyStrategicMergePatch } from '../../control-plane/api/patch/strategic-merge-patch.ts';
import { applyMergePatch } from '../../control-plane/api/patch/merge-patch.ts';
import { applyJsonPatch } from '../../control-plane/api/patch/json-patch.ts';
import { PatchError } from '../../control-plane/api/patch/patch-error.ts';
import { deploymentResource } from '../../control-plane/api/registry/kinds/deployment.ts';
import { podResource } from '../../control-plane/api/registry/kinds/pod.ts';
import type { JsonObject, JsonValue } from '../../control-plane/api/json.ts';

const pod = (): JsonObject => ({
  metadata: { name: 'p', labels: { a: '1' }, finalizers: ['x'] },
  spec: {
    containers: [
      { name: 'app', image: 'app:1', ports: [{ containerPort: 80, name: 'http' }], env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] },
      { name: 'sidecar', image: 'side:1' },
    ],
    volumes: [{ name: 'data', emptyDir: {} }],
    tolerations: [{ key: 'k' }],
  },
  status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'Scheduled', status: 'True' }] },
});

const smp = (patch: JsonValue, original: JsonObject = pod()) => applyStrategicMergePatch(original, patch, podResource.schema);

describe('strategic merge patch', () => {
  it('merges containers by name, keeping the others', () => {
    const result = smp({ spec: { containers: [{ name: 'app', image: 'app:2' }] } });
    expect(result['spec']).toMatchObject({ containers: [{ name: 'app', image: 'app:2', ports: [{ containerPort: 80 }] }, { name: 'sidecar', image: 'side:1' }] });
  });

  it('appends a container with a new name', () => {
    const result = smp({ spec: { containers: [{ name: 'third', image: 't' }] } });
    expect((result['spec'] as JsonObject)['containers']).toHaveLength(3);
  });

  it('merges env by name, ports by containerPort and conditions by type', () => {
    const result = smp({
      spec: { containers: [{ name: 'app', env: [{ name: 'B', value: '3' }, { name: 'C', value: '4' }], ports: [{ containerPort: 443 }] }] },
      status: { conditions: [{ type: 'Ready', status: 'True' }] },
    });
    const app = ((result['spec'] as JsonObject)['containers'] as JsonObject[])[0] as JsonObject;
    expect(app['env']).toEqual([{ name: 'A', value: '1' }, { name: 'B', value: '3' }, { name: 'C', value: '4' }]);
    expect(app['ports']).toEqual([{ containerPort: 80, name: 'http' }, { containerPort: 443 }]);
    expect((result['status'] as JsonObject)['conditions']).toEqual([{ type: 'Ready', status: 'True' }, { type: 'Scheduled', status: 'True' }]);
  });

  it('deletes a list element with $patch: delete and a field with null', () => {
    const result = smp({ spec: { containers: [{ name: 'sidecar', $patch: 'delete' }] }, metadata: { labels: { a: null } } });
    expect((result['spec'] as JsonObject)['containers']).toHaveLength(1);
    expect((result['metadata'] as JsonObject)['labels']).toEqual({});
  });

  it('replaces a list with a $patch: replace element, and a map with $patch: replace', () => {
    const list = smp({ spec: { containers: [{ $patch: 'replace' }, { name: 'only', image: 'o' }] } });
    expect((list['spec'] as JsonObject)['containers']).toEqual([{ name: 'only', image: 'o' }]);
    const map = smp({ metadata: { labels: { $patch: 'replace', b: '2' } } });
    expect((map['metadata'] as JsonObject)['labels']).toEqual({ b: '2' });
  });

  it('replaces lists without a merge key (tolerations) and unions primitive merge lists (finalizers)', () => {
    const result = smp({ spec: { tolerations: [{ key: 'z' }] }, metadata: { finalizers: ['y', 'x'] } });
    expect((result['spec'] as JsonObject)['tolerations']).toEqual([{ key: 'z' }]);
    expect((result['metadata'] as JsonObject)['finalizers']).toEqual(['x', 'y']);
  });

  it('honours $deleteFromPrimitiveList, $setElementOrder and $retainKeys', () => {
    const result = smp({
      metadata: { '$deleteFromPrimitiveList/finalizers': ['x'] },
      spec: { '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'app' }], containers: [{ name: 'app', image: 'app:3' }] },
    });
    expect((result['metadata'] as JsonObject)['finalizers']).toEqual([]);
    expect(((result['spec'] as JsonObject)['containers'] as JsonObject[]).map((container) => container['name'])).toEqual(['sidecar', 'app']);
    const retained = applyStrategicMergePatch(
      { spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } } },
      { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } },
      deploymentResource.schema,
    );
    expect(retained).toEqual({ spec: { strategy: { type: 'Recreate' } } });
  });

  it('refuses malformed patches with a PatchError', () => {
    expect(() => smp([1, 2])).toThrow(PatchError);
    expect(() => smp({ spec: { containers: [{ image: 'no-name' }] } })).toThrow(/merge key/);
    expect(() => smp({ $patch: 'explode' })).toThrow(/directive/);
  });

  it('does not modify its inputs', () => {
    const original = pod();
    const snapshot = JSON.stringify(original);
    smp({ spec: { containers: [{ name: 'app', image: 'x' }] } }, original);
    expect(JSON.stringify(original)).toBe(snapshot);
  });

  const jsonValue = fc.jsonValue({ maxDepth: 4 }) as fc.Arbitrary<JsonValue>;

  test.prop([jsonValue])('an arbitrary patch either applies or throws a PatchError', (patch) => {
    try {
      smp(patch);
    } catch (error) {
      expect(error).toBeInstanceOf(PatchError);
    }
  });

  test.prop([fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }))])('an empty patch is the identity; label patches merge like maps', (labels) => {
    const original = pod();
    expect(smp({}, original)).toEqual(original);
    const result = smp({ metadata: { labels } }, original);
    expect((result['metadata'] as JsonObject)['labels']).toEqual({ a: '1', ...labels });
  });
});

describe('JSON merge patch (RFC 7386)', () => {
  it('merges objects, deletes with null and replaces lists', () => {
    expect(applyMergePatch({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { b: null, d: 3 }, l: [3] })).toEqual({ a: { c: 2, d: 3 }, l: [3] });
  });
});

describe('JSON patch (RFC 6902)', () => {
  it('applies operations and reports bad or failing ones', () => {
    expect(applyJsonPatch({ data: { a: '1' } }, [{ op: 'add', path: '/data/b', value: '2' }, { op: 'remove', path: '/data/a' }])).toEqual({ data: { b: '2' } });
    expect(() => applyJsonPatch({}, { op: 'add' })).toThrow(expect.objectContaining({ malformed: true }));
    expect(() => applyJsonPatch({}, [{ op: 'nope', path: '/a' }])).toThrow(expect.objectContaining({ malformed: true }));
    expect(() => applyJsonPatch({}, [{ op: 'remove', path: '/missing' }])).toThrow(expect.objectContaining({ malformed: false }));
    expect(() => applyJsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }])).toThrow(expect.objectContaining({ malformed: false }));
  });
});
