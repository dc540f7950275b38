import { asArray, asObject, asString, getPath, objectsIn, type JsonObject } from '../../json.ts';
import { objectSchemaFor, localObjectReferenceSchema } from '../../schema/meta-schemas.ts';
import { s } from '../../schema/schema.ts';
import { ageColumn, column, stringAt } from '../../table/columns.ts';
import { fieldError, type FieldError } from '../../validation/field-error.ts';
import { defineResource } from '../resource.ts';

const pathTypes = ['Exact', 'Prefix', 'ImplementationSpecific'];

const backendSchema = s.object('io.k8s.api.networking.v1.IngressBackend', 'IngressBackend describes all endpoints for a given service and port.', {
  service: s.object('io.k8s.api.networking.v1.IngressServiceBackend', 'service references a service as a backend.', {
    name: s.string('name is the referenced service.'),
    port: s.object('io.k8s.api.networking.v1.ServiceBackendPort', 'port of the referenced service.', { name: s.string(), number: s.int32() }),
  }, ['name']),
  resource: localObjectReferenceSchema,
});

function validateBackend(backend: JsonObject | undefined, field: string): FieldError[] {
  if (backend === undefined) return [fieldError.required(field)];
  const service = asObject(backend['service']);
  if (service === undefined) return backend['resource'] === undefined ? [fieldError.required(field, 'one of service or resource')] : [];
  const problems: FieldError[] = [];
  if ((asString(service['name']) ?? '') === '') problems.push(fieldError.required(`${field}.service.name`));
  const port = asObject(service['port']) ?? {};
  if (port['name'] === undefined && port['number'] === undefined) problems.push(fieldError.required(`${field}.service.port`, 'port name or number is required'));
  if (port['name'] !== undefined && port['number'] !== undefined) problems.push(fieldError.invalid(`${field}.service.port`, port, 'cannot set both port name & port number'));
  return problems;
}

function validateIngress(object: JsonObject): FieldError[] {
  const spec = asObject(object['spec']) ?? {};
  const problems: FieldError[] = [];
  const rules = objectsIn(spec['rules']);
  if (spec['defaultBackend'] !== undefined) problems.push(...validateBackend(asObject(spec['defaultBackend']), 'spec.defaultBackend'));
  if (rules.length === 0 && spec['defaultBackend'] === undefined) problems.push(fieldError.invalid('spec', '', 'either `defaultBackend` or `rules` must be specified'));
  rules.forEach((rule, ruleIndex) => {
    objectsIn(getPath(rule, ['http', 'paths'])).forEach((path, pathIndex) => {
      const field = `spec.rules[${ruleIndex}].http.paths[${pathIndex}]`;
      const pathType = path['pathType'];
      if (pathType === undefined) problems.push(fieldError.required(`${field}.pathType`, 'pathType must be specified'));
      else if (!pathTypes.includes(asString(pathType) ?? '')) problems.push(fieldError.notSupported(`${field}.pathType`, pathType, pathTypes));
      const text = asString(path['path']) ?? '';
      if (pathType !== 'ImplementationSpecific' && !text.startsWith('/')) problems.push(fieldError.invalid(`${field}.path`, text, 'must be an absolute path'));
      problems.push(...validateBackend(asObject(path['backend']), `${field}.backend`));
    });
  });
  return problems;
}

function hosts(object: JsonObject): string {
  const names = objectsIn(getPath(object, ['spec', 'rules'])).map((rule) => asString(rule['host']) ?? '').filter((host) => host !== '');
  return names.length === 0 ? '*' : names.join(',');
}

function addresses(object: JsonObject): string {
  return objectsIn(getPath(object, ['status', 'loadBalancer', 'ingress'])).map((entry) => asString(entry['ip']) ?? asString(entry['hostname']) ?? '').filter((value) => value !== '').join(',');
}

export const ingressResource = defineResource({
  group: 'networking.k8s.io',
  version: 'v1',
  kind: 'Ingress',
  plural: 'ingresses',
  shortNames: ['ing'],
  namespaced: true,
  tracksGeneration: true,
  subresources: { status: true },
  schema: objectSchemaFor('io.k8s.api.networking.v1.Ingress', 'Ingress is a collection of rules that allow inbound connections to reach the endpoints defined by a backend.', {
    spec: s.object('io.k8s.api.networking.v1.IngressSpec', 'IngressSpec describes the Ingress the user wishes to exist.', {
      ingressClassName: s.string('ingressClassName is the name of an IngressClass cluster resource.'),
      defaultBackend: backendSchema,
      tls: s.array(s.object('io.k8s.api.networking.v1.IngressTLS', 'IngressTLS describes the transport layer security.', { hosts: s.array(s.string()), secretName: s.string() })),
      rules: s.array(s.object('io.k8s.api.networking.v1.IngressRule', 'IngressRule represents the rules mapping the paths under a specified host to the related backend services.', {
        host: s.string('host is the fully qualified domain name of a network host.'),
        http: s.object('io.k8s.api.networking.v1.HTTPIngressRuleValue', 'HTTPIngressRuleValue is a list of http selectors pointing to backends.', {
          paths: s.array(s.object('io.k8s.api.networking.v1.HTTPIngressPath', 'HTTPIngressPath associates a path with a backend.', {
            path: s.string('path is matched against the path of an incoming request.'),
            pathType: s.string('pathType determines the interpretation of the path matching: Exact, Prefix or ImplementationSpecific.', { enum: pathTypes }),
            backend: backendSchema,
          }, ['pathType', 'backend'])),
        }, ['paths']),
      })),
    }),
    status: s.object('io.k8s.api.networking.v1.IngressStatus', 'IngressStatus describe the current state of the Ingress.', {
      loadBalancer: s.object(undefined, 'loadBalancer contains the current status of the load-balancer.', { ingress: s.array(s.any()) }),
    }),
  }),
  validate: validateIngress,
  columns: [
    column('Class', 'The ingress class.', (object) => stringAt(object, ['spec', 'ingressClassName']) || '<none>'),
    column('Hosts', 'The hosts served.', hosts),
    column('Address', 'The load balancer address.', addresses),
    column('Ports', 'The ports served.', (object) => (asArray(getPath(object, ['spec', 'tls'])).length > 0 ? '80, 443' : '80')),
    ageColumn,
  ],
});
