import { asString, getPath, objectsIn, type JsonObject } from '../../control-plane/api/json.ts';
import type { Logger } from '../../common/index.ts';
import { parseProxyPorts, proxyPortsAnnotation } from '../model/annotations.ts';
import type { ClusterWriter, WriteOutcome } from './cluster-source.ts';
import type { NatsControlPlaneClient, WriteTarget } from './nats-control-plane-client.ts';

/**
 * ClusterWrites' compare-and-swap replacements, carried over NATS as the protocol's narrow writes:
 * a Service replaced with a new `flotilla.io/proxy-ports` annotation becomes
 * `services.proxy-ports.write`, a status replacement becomes the load-balancer write of its kind.
 * The control plane applies only that one field (at the resourceVersion the object carries), so a
 * proxy never sends — or overwrites — anything else of the object.
 */
export class NatsClusterWriter implements ClusterWriter {
  constructor(private readonly client: NatsControlPlaneClient, private readonly logger: Logger) {}

  async replace(kind: 'services' | 'ingresses', object: JsonObject, subresource: 'status' | null): Promise<WriteOutcome> {
    const target = targetOf(object);
    try {
      if (subresource === 'status') return outcomeOf((await this.client.writeLoadBalancer(kind, target, loadBalancerIps(object))).outcome);
      if (kind === 'services') {
        const ports = Object.fromEntries(parseProxyPorts(asString(getPath(object, ['metadata', 'annotations', proxyPortsAnnotation]))));
        return outcomeOf((await this.client.writeProxyPorts(target, ports)).outcome);
      }
      this.logger.error({ kind, object: `${target.namespace}/${target.name}` }, 'the NATS protocol carries no such write');
      return 'failed';
    } catch (error) {
      this.logger.warn({ err: error, kind, object: `${target.namespace}/${target.name}` }, 'write through NATS failed');
      return 'failed';
    }
  }
}

function targetOf(object: JsonObject): WriteTarget {
  return {
    namespace: asString(getPath(object, ['metadata', 'namespace'])) ?? 'default',
    name: asString(getPath(object, ['metadata', 'name'])) ?? '',
    resourceVersion: asString(getPath(object, ['metadata', 'resourceVersion'])) ?? '',
  };
}

function loadBalancerIps(object: JsonObject): string[] {
  return objectsIn(getPath(object, ['status', 'loadBalancer', 'ingress'])).map((entry) => asString(entry['ip']) ?? '').filter((ip) => ip !== '');
}

function outcomeOf(outcome: 'written' | 'conflict' | 'notFound'): WriteOutcome {
  return outcome === 'notFound' ? 'not-found' : outcome;
}
