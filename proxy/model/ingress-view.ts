import { asNumber, asObject, asString, getPath, objectsIn, type JsonObject } from '../../control-plane/api/json.ts';
import { legacyIngressClassAnnotation } from './annotations.ts';

export type PathType = 'Exact' | 'Prefix' | 'ImplementationSpecific';

/** The Ingress class this proxy serves (`spec.ingressClassName: flotilla`). */
export const flotillaIngressClass = 'flotilla';

/** A backend reference: a Service of the Ingress's namespace and one of its ports, by number or name. */
export interface IngressBackendReference {
  readonly serviceKey: string;
  readonly port: { readonly number: number } | { readonly name: string };
}

export interface IngressPathView {
  readonly path: string;
  readonly pathType: PathType;
  readonly backend: IngressBackendReference | null;
}

export interface IngressRuleView {
  /** '' for a rule without host (every host). */
  readonly host: string;
  readonly paths: readonly IngressPathView[];
}

export interface IngressTlsView {
  readonly hosts: readonly string[];
  /** `namespace/name` of the kubernetes.io/tls Secret; null when the entry names none. */
  readonly secretKey: string | null;
}

export interface IngressView {
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly resourceVersion: string;
  /** For precedence between Ingresses: the older one wins a conflict, as ingress-nginx does. */
  readonly createdAt: string;
  readonly className: string | null;
  readonly defaultBackend: IngressBackendReference | null;
  readonly rules: readonly IngressRuleView[];
  readonly tls: readonly IngressTlsView[];
  readonly loadBalancerIngress: readonly string[];
}

function backendOf(value: unknown, namespace: string): IngressBackendReference | null {
  const service = asObject(getPath(value, ['service']));
  const name = asString(service?.['name']) ?? '';
  if (service === undefined || name === '') return null;
  const number = asNumber(getPath(service, ['port', 'number']));
  const portName = asString(getPath(service, ['port', 'name']));
  const port = number !== undefined ? { number } : portName !== undefined ? { name: portName } : null;
  return port === null ? null : { serviceKey: `${namespace}/${name}`, port };
}

function pathTypeOf(value: unknown): PathType {
  return value === 'Exact' || value === 'Prefix' ? value : 'ImplementationSpecific';
}

export function parseIngress(object: JsonObject): IngressView | null {
  const name = asString(getPath(object, ['metadata', 'name'])) ?? '';
  const namespace = asString(getPath(object, ['metadata', 'namespace'])) ?? 'default';
  if (name === '') return null;
  const spec = asObject(object['spec']) ?? {};
  const legacyClass = asString(getPath(object, ['metadata', 'annotations', legacyIngressClassAnnotation]));
  const rules = objectsIn(spec['rules']).map((rule) => ({
    host: (asString(rule['host']) ?? '').toLowerCase(),
    paths: objectsIn(getPath(rule, ['http', 'paths'])).map((path) => ({
      path: asString(path['path']) ?? '/',
      pathType: pathTypeOf(path['pathType']),
      backend: backendOf(path['backend'], namespace),
    })),
  }));
  const tls = objectsIn(spec['tls']).map((entry) => {
    const secretName = asString(entry['secretName']) ?? '';
    const hosts = (Array.isArray(entry['hosts']) ? entry['hosts'] : []).map((host) => (asString(host) ?? '').toLowerCase()).filter((host) => host !== '');
    return { hosts, secretKey: secretName === '' ? null : `${namespace}/${secretName}` };
  });
  return {
    key: `${namespace}/${name}`,
    namespace,
    name,
    resourceVersion: asString(getPath(object, ['metadata', 'resourceVersion'])) ?? '',
    createdAt: asString(getPath(object, ['metadata', 'creationTimestamp'])) ?? '',
    className: asString(spec['ingressClassName']) ?? legacyClass ?? null,
    defaultBackend: backendOf(spec['defaultBackend'], namespace),
    rules,
    tls,
    loadBalancerIngress: objectsIn(getPath(object, ['status', 'loadBalancer', 'ingress'])).map((entry) => asString(entry['ip']) ?? '').filter((ip) => ip !== ''),
  };
}
