import { IngressLimits } from '../limits.ts';
import { flotillaIngressClass, type IngressBackendReference, type IngressView, type PathType } from '../model/ingress-view.ts';
import type { ServiceView } from '../model/service-view.ts';
import { hostMatches } from './host-match.ts';
import { pathMatches } from './path-match.ts';

/** Where a matched request goes: a service port's target key, or why it cannot go anywhere. */
export type RouteBackend =
  | { readonly kind: 'target'; readonly targetKey: string; readonly serviceKey: string }
  | { readonly kind: 'unavailable'; readonly reason: string };

export interface IngressRoute {
  readonly host: string;
  readonly path: string;
  readonly pathType: PathType;
  readonly ingressKey: string;
  readonly backend: RouteBackend;
}

export interface IngressRouteTable {
  /** Rules by host ('' = any host), each list in match precedence order. */
  readonly byHost: ReadonlyMap<string, readonly IngressRoute[]>;
  readonly defaultBackend: RouteBackend | null;
  /** Ingresses of our class, for status writes. */
  readonly ingresses: readonly IngressView[];
}

export function isOurIngress(ingress: IngressView): boolean {
  return ingress.className === flotillaIngressClass;
}

/** Resolves an Ingress backend to the target of a Service's TCP port (by port number or name). */
export function resolveBackend(reference: IngressBackendReference, services: ReadonlyMap<string, ServiceView>): RouteBackend {
  const service = services.get(reference.serviceKey);
  if (service === undefined) return { kind: 'unavailable', reason: `service ${reference.serviceKey} not found` };
  if (service.type === 'ExternalName') return { kind: 'unavailable', reason: `service ${reference.serviceKey} is ExternalName` };
  const port = service.ports.find((candidate) => candidate.protocol === 'TCP' && ('number' in reference.port ? candidate.port === reference.port.number : candidate.name === reference.port.name));
  if (port === undefined) return { kind: 'unavailable', reason: `service ${reference.serviceKey} has no port ${JSON.stringify(reference.port)}` };
  return { kind: 'target', targetKey: `${service.key}:${port.port}/TCP`, serviceKey: service.key };
}

/** Longest path first; at equal length Exact before Prefix (the Kubernetes precedence rule). */
function precedence(left: IngressRoute, right: IngressRoute): number {
  if (left.path.length !== right.path.length) return right.path.length - left.path.length;
  if (left.pathType !== right.pathType) return left.pathType === 'Exact' ? -1 : right.pathType === 'Exact' ? 1 : 0;
  return 0;
}

function byAge(left: IngressView, right: IngressView): number {
  if (left.createdAt !== right.createdAt) return left.createdAt < right.createdAt ? -1 : 1;
  return left.key < right.key ? -1 : 1;
}

/**
 * The routing table of every Ingress of class `flotilla`, pure. Rules of all Ingresses are merged
 * per host; the same host+path+type in two Ingresses goes to the older one. The default backend is
 * the oldest Ingress's spec.defaultBackend.
 */
export function computeIngressRoutes(ingresses: readonly IngressView[], services: ReadonlyMap<string, ServiceView>): IngressRouteTable {
  const ours = ingresses.filter(isOurIngress).sort(byAge);
  const byHost = new Map<string, IngressRoute[]>();
  const seen = new Set<string>();
  let defaultBackend: RouteBackend | null = null;
  let count = 0;
  for (const ingress of ours) {
    if (defaultBackend === null && ingress.defaultBackend !== null) defaultBackend = resolveBackend(ingress.defaultBackend, services);
    for (const rule of ingress.rules) {
      for (const path of rule.paths) {
        const identity = `${rule.host} ${path.pathType} ${path.path}`;
        if (seen.has(identity) || count >= IngressLimits.routesMax) continue;
        seen.add(identity);
        count += 1;
        const backend = path.backend === null ? { kind: 'unavailable' as const, reason: 'path has no service backend' } : resolveBackend(path.backend, services);
        const routes = byHost.get(rule.host) ?? [];
        routes.push({ host: rule.host, path: path.path, pathType: path.pathType, ingressKey: ingress.key, backend });
        byHost.set(rule.host, routes);
      }
    }
  }
  for (const routes of byHost.values()) routes.sort(precedence);
  return { byHost, defaultBackend, ingresses: ours };
}

/**
 * The route for a request: rules of the exact host if there are any, else of the matching
 * wildcard host, else the host-less rules; the first path that matches in precedence order; the
 * default backend when none does (null: 404).
 */
export function matchRoute(table: IngressRouteTable, host: string, path: string): RouteBackend | null {
  const exact = host === '' ? undefined : table.byHost.get(host);
  // A wildcard covers exactly one label, so the only candidate is "*." + the host less its first label.
  const dot = host.indexOf('.');
  const wildcardHost = dot > 0 ? `*${host.slice(dot)}` : '';
  const wildcard = exact !== undefined || wildcardHost === '' || !hostMatches(wildcardHost, host) ? undefined : table.byHost.get(wildcardHost);
  const routes = exact ?? wildcard ?? table.byHost.get('') ?? [];
  for (const route of routes) if (pathMatches(route.pathType, route.path, path)) return route.backend;
  return table.defaultBackend;
}
