import { cloneJson, ensureObject, getPath, type JsonObject } from '../../api/json.ts';
import { ingressResource } from '../../api/registry/kinds/ingress.ts';
import { serviceResource } from '../../api/registry/kinds/service.ts';
import type { ResourceDefinition } from '../../api/registry/resource.ts';
import { isApiStatus } from '../../controller-runtime/index.ts';
import {
  AgentOperation, decodeLoadBalancerWriteRequest, decodeServiceProxyPortsWriteRequest, proxyPortsAnnotation, type ProxyWriteResult,
} from '../protocol/index.ts';
import type { HandlerContext } from './handler-context.ts';

interface Target {
  readonly definition: ResourceDefinition;
  readonly namespace: string;
  readonly name: string;
  readonly resourceVersion: string;
  readonly subresource: 'status' | null;
}

/**
 * A node proxy's write, as a compare-and-swap: applied to the stored object only while it is still
 * at the resourceVersion the proxy planned from (and then with that resourceVersion as the API's
 * precondition, so a write racing in between loses with 409 too). `change` touches one field; the
 * rest of the object stays as stored, so a proxy cannot rewrite a Service's spec through NATS.
 */
async function compareAndSwap(context: HandlerContext, target: Target, change: (next: JsonObject) => void): Promise<ProxyWriteResult> {
  const current = await context.client.get(target.definition, target.namespace, target.name);
  if (current === null) return { outcome: 'notFound', resourceVersion: '' };
  if (getPath(current, ['metadata', 'resourceVersion']) !== target.resourceVersion) return { outcome: 'conflict', resourceVersion: '' };
  const next = cloneJson(current);
  change(next);
  try {
    const written = target.subresource === 'status' ? await context.client.updateStatus(target.definition, next) : await context.client.update(target.definition, next);
    return { outcome: 'written', resourceVersion: String(getPath(written, ['metadata', 'resourceVersion']) ?? '') };
  } catch (error) {
    if (isApiStatus(error, 409)) return { outcome: 'conflict', resourceVersion: '' };
    if (isApiStatus(error, 404)) return { outcome: 'notFound', resourceVersion: '' };
    throw error;
  }
}

/** `services.proxy-ports.write`: the `flotilla.io/proxy-ports` annotation (proxy/README.md, ports mode). */
export async function writeServiceProxyPorts(request: Uint8Array, context: HandlerContext): Promise<ProxyWriteResult> {
  const { namespace, name, resourceVersion, ports } = decodeServiceProxyPortsWriteRequest(request);
  return compareAndSwap(context, { definition: serviceResource, namespace, name, resourceVersion, subresource: null }, (next) => {
    ensureObject(ensureObject(next, 'metadata'), 'annotations')[proxyPortsAnnotation] = JSON.stringify(ports);
  });
}

function loadBalancerWriter(definition: ResourceDefinition, operation: string) {
  return async (request: Uint8Array, context: HandlerContext): Promise<ProxyWriteResult> => {
    const { namespace, name, resourceVersion, ips } = decodeLoadBalancerWriteRequest(request, operation);
    return compareAndSwap(context, { definition, namespace, name, resourceVersion, subresource: 'status' }, (next) => {
      ensureObject(ensureObject(next, 'status'), 'loadBalancer')['ingress'] = ips.map((ip) => ({ ip }));
    });
  };
}

/** `services.load-balancer.write` / `ingresses.load-balancer.write`: status.loadBalancer.ingress (the node addresses serving it). */
export const writeServiceLoadBalancer = loadBalancerWriter(serviceResource, AgentOperation.serviceLoadBalancerWrite);
export const writeIngressLoadBalancer = loadBalancerWriter(ingressResource, AgentOperation.ingressLoadBalancerWrite);
