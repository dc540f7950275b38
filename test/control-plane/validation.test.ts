import { describe, expect, it } from 'vitest';
import { checkDns1035Label, checkDns1123Label, checkDns1123Subdomain, checkLabelValue, checkQualifiedName } from '../../control-plane/api/validation/names.ts';
import { validateObjectMeta } from '../../control-plane/api/validation/object-meta.ts';
import { validatePodSpec } from '../../control-plane/api/validation/pod-spec.ts';
import { checkFields } from '../../control-plane/api/validation/field-check.ts';
import { configMapResource } from '../../control-plane/api/registry/kinds/config-map.ts';
import { deploymentResource } from '../../control-plane/api/registry/kinds/deployment.ts';
import { serviceResource } from '../../control-plane/api/registry/kinds/service.ts';
import { secretResource } from '../../control-plane/api/registry/kinds/secret.ts';
import type { JsonObject } from '../../control-plane/api/json.ts';

describe('names', () => {
  it('applies the DNS rules of Kubernetes', () => {
    expect(checkDns1123Subdomain('my.app-1')).toEqual([]);
    expect(checkDns1123Subdomain('Bad_Name')).toHaveLength(1);
    expect(checkDns1123Subdomain('a'.repeat(254))).toHaveLength(1);
    expect(checkDns1123Label('with.dot')).toHaveLength(1);
    expect(checkDns1035Label('1abc')).toHaveLength(1);
    expect(checkDns1035Label('abc-1')).toEqual([]);
    expect(checkQualifiedName('example.com/My_Name')).toEqual([]);
    expect(checkQualifiedName('/x')).not.toEqual([]);
    expect(checkLabelValue('')).toEqual([]);
    expect(checkLabelValue('-x')).toHaveLength(1);
  });
});

describe('object metadata', () => {
  it('reports each problem at its field', () => {
    const problems = validateObjectMeta({ name: 'Bad', labels: { 'ok': 'bad value!' }, ownerReferences: [{ kind: 'X' }] }, 'subdomain', true);
    expect(problems.map((problem) => problem.field)).toEqual([
      'metadata.name',
      'metadata.namespace',
      'metadata.labels',
      'metadata.ownerReferences[0].apiVersion',
      'metadata.ownerReferences[0].name',
      'metadata.ownerReferences[0].uid',
    ]);
  });
});

describe('pod spec', () => {
  it('needs containers with names and images, unique names, known volumes', () => {
    const problems = validatePodSpec(
      { containers: [{ name: 'a' }, { name: 'a', image: 'x', volumeMounts: [{ name: 'nope', mountPath: '/x' }], ports: [{ containerPort: 70000 }] }], restartPolicy: 'Sometimes' },
      'spec',
    );
    expect(problems.map((problem) => `${problem.field} ${problem.type}`)).toEqual([
      'spec.containers[0].image FieldValueRequired',
      'spec.containers[1].name FieldValueDuplicate',
      'spec.containers[1].ports[0].containerPort FieldValueInvalid',
      'spec.containers[1].volumeMounts[0].name FieldValueNotFound',
      'spec.restartPolicy FieldValueNotSupported',
    ]);
    expect(validatePodSpec({ containers: [] }, 'spec')).toHaveLength(1);
  });
});

describe('kind validation', () => {
  const deployment = (): JsonObject => ({
    metadata: { name: 'web', namespace: 'default' },
    spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
  });

  it('accepts a good deployment and refuses a selector that does not match the template', () => {
    expect(deploymentResource.validate(deployment(), null)).toEqual([]);
    const bad = deployment();
    ((bad['spec'] as JsonObject)['selector'] as JsonObject)['matchLabels'] = { app: 'other' };
    expect(deploymentResource.validate(bad, null).map((problem) => problem.message)).toEqual([expect.stringContaining('`selector` does not match template `labels`')]);
  });

  it('checks ConfigMap keys, Secret base64 and Service ports', () => {
    expect(configMapResource.validate({ data: { 'bad key': 'x' } }, null)).toHaveLength(1);
    expect(secretResource.validate({ data: { a: 'not base64!' } }, null)).toHaveLength(1);
    expect(serviceResource.validate({ spec: { ports: [{ port: 80 }, { port: 0 }] } }, null).map((problem) => problem.field)).toEqual([
      'spec.ports[0].name',
      'spec.ports[1].name',
      'spec.ports[1].port',
    ]);
  });

  it('defaults Secret stringData into base64 data', () => {
    const secret: JsonObject = { stringData: { password: 'hunter2' } };
    secretResource.defaults(secret);
    expect(secret).toEqual({ type: 'Opaque', data: { password: Buffer.from('hunter2').toString('base64') } });
  });
});

describe('field checks (fieldValidation)', () => {
  it('finds unknown fields with their paths and wrong types, and prunes unknown fields', () => {
    const object: JsonObject = {
      metadata: { name: 'x', bogus: 1 },
      spec: { replicas: 'three', template: { spec: { containers: [{ name: 'a', imagee: 'typo' }] } } },
      extra: true,
    };
    const result = checkFields(object, deploymentResource.schema, true);
    expect(result.unknownFields).toEqual(['metadata.bogus', 'spec.template.spec.containers[0].imagee', 'extra']);
    expect(result.typeErrors).toEqual(['spec.replicas: cannot unmarshal string into a field of type int32']);
    expect(object['extra']).toBeUndefined();
  });
});
