import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ApiHarness } from './harness.ts';
import { builtinResources } from '../../control-plane/api/registry/kinds/index.ts';
import { validate } from '../../control-plane/api/objects/prepare.ts';
import { checkFields } from '../../control-plane/api/validation/field-check.ts';
import type { JsonObject, JsonValue } from '../../control-plane/api/json.ts';

/**
 * Property: random valid and invalid objects and patches never crash the server (no 5xx, it keeps
 * answering) and never leave a stored object that fails its kind's validation or schema.
 */
const name = fc.oneof(fc.constantFrom('a', 'web', 'x-1', 'ok.name'), fc.string({ maxLength: 12 }), fc.constant(''));
const labels = fc.dictionary(fc.oneof(fc.constantFrom('app', 'tier', 'example.com/x'), fc.string({ maxLength: 8 })), fc.oneof(fc.constantFrom('web', ''), fc.string({ maxLength: 8 })), { maxKeys: 3 });
const anyJson = fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<JsonValue>;

const container = fc.record({ name, image: fc.oneof(fc.constant('nginx'), fc.constant(''), anyJson), ports: fc.option(fc.array(fc.record({ containerPort: fc.oneof(fc.integer({ min: -5, max: 70000 }), anyJson) }), { maxLength: 2 }), { nil: undefined }) }, { requiredKeys: ['name'] });

const configMap = fc.record({
  apiVersion: fc.constantFrom('v1', 'v2'),
  kind: fc.constantFrom('ConfigMap', 'Secret'),
  metadata: fc.record({ name, labels }, { requiredKeys: [] }),
  data: fc.oneof(fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 3 }), anyJson),
  extra: anyJson,
}, { requiredKeys: ['metadata'] });

const deployment = fc.record({
  apiVersion: fc.constant('apps/v1'),
  kind: fc.constant('Deployment'),
  metadata: fc.record({ name, labels }),
  spec: fc.record({
    replicas: fc.oneof(fc.integer({ min: -2, max: 5 }), anyJson),
    selector: fc.record({ matchLabels: labels }),
    template: fc.record({ metadata: fc.record({ labels }), spec: fc.record({ containers: fc.array(container, { maxLength: 2 }) }) }),
  }, { requiredKeys: [] }),
}, { requiredKeys: ['metadata'] });

const patchBody = fc.oneof(
  fc.record({ type: fc.constant('application/merge-patch+json'), body: anyJson }),
  fc.record({ type: fc.constant('application/strategic-merge-patch+json'), body: fc.oneof(anyJson, deployment as fc.Arbitrary<JsonValue>) }),
  fc.record({
    type: fc.constant('application/json-patch+json'),
    body: fc.array(fc.record({ op: fc.constantFrom('add', 'replace', 'remove', 'test', 'bogus'), path: fc.constantFrom('/spec/replicas', '/metadata/name', '/spec/template/spec/containers/0', '/x', 'nope'), value: anyJson }), { maxLength: 3 }) as fc.Arbitrary<JsonValue>,
  }),
);

describe('robustness under random input', () => {
  let harness: ApiHarness;
  const acceptable = [200, 201, 400, 404, 409, 413, 415, 422];

  beforeAll(async () => {
    harness = await ApiHarness.start();
  });
  afterAll(async () => {
    await harness.stop();
  });

  it('never crashes and never stores an invalid object', async () => {
    const send = async (method: string, path: string, body: JsonValue, contentType = 'application/json') => {
      const response = await harness.fetch(path, { method, body: JSON.stringify(body), headers: { 'Content-Type': contentType } });
      expect(acceptable, `${method} ${path} ${JSON.stringify(body)} → ${response.status} ${response.body}`).toContain(response.status);
      expect(JSON.parse(response.body)).toEqual(expect.any(Object));
    };
    await fc.assert(
      fc.asyncProperty(configMap, deployment, patchBody, async (cm, deploy, patch) => {
        await send('POST', '/api/v1/namespaces/default/configmaps', cm as JsonValue);
        await send('POST', '/apis/apps/v1/namespaces/default/deployments', deploy as JsonValue);
        const target = typeof deploy.metadata.name === 'string' && deploy.metadata.name !== '' ? encodeURIComponent(deploy.metadata.name) : 'web';
        await send('PATCH', `/apis/apps/v1/namespaces/default/deployments/${target}`, patch.body, patch.type);
      }),
      { numRuns: 150 },
    );
    expect((await harness.fetch('/healthz')).body).toBe('ok');
    for (const path of ['/api/v1/configmaps', '/apis/apps/v1/deployments']) {
      const list = JSON.parse((await harness.fetch(path)).body) as { items: JsonObject[] };
      for (const item of list.items) {
        const definition = builtinResources.find((resource) => resource.kind === item['kind']);
        if (definition === undefined) throw new Error(`unexpected kind ${String(item['kind'])}`);
        expect(() => validate(definition, item, null)).not.toThrow();
        const fields = checkFields(structuredClone(item), definition.schema);
        expect(fields).toEqual({ unknownFields: [], typeErrors: [] });
      }
    }
  });
});
