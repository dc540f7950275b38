import { cloneJson, ensureObject, type JsonObject } from '../control-plane/api/json.ts';
import type { Logger } from '../common/index.ts';
import { planLoadBalancerIngress } from './core/load-balancer-status-plan.ts';
import { planProxyPorts, type PortRange } from './core/proxy-port-plan.ts';
import type { IngressView } from './model/ingress-view.ts';
import { proxyPortsAnnotation } from './model/annotations.ts';
import type { ServiceView } from './model/service-view.ts';
import type { ClusterWriter, WriteOutcome } from './source/cluster-source.ts';

/** Writes started per table pass; the rest wait for the next pass (each write's watch event brings one). */
const writesPerPassMax = 20;

interface WriteInputs {
  readonly services: readonly ServiceView[];
  readonly serviceObjects: ReadonlyMap<string, JsonObject>;
  readonly ingresses: readonly IngressView[];
  readonly ingressObjects: ReadonlyMap<string, JsonObject>;
  readonly nodeAddress: string;
  readonly proxyPortRange: PortRange;
}

/**
 * What this proxy records in the cluster, planned by pure functions and written compare-and-swap:
 * the `flotilla.io/proxy-ports` annotation of every Service, and this node's address in
 * status.loadBalancer.ingress of LoadBalancer Services and of Ingresses of class flotilla. A write
 * that conflicts is simply planned again from the fresher object the watch delivers.
 */
export class ClusterWrites {
  private readonly inFlight = new Set<string>();
  /** A write failed for another reason than a conflict: the next housekeeping pass plans again. */
  retryWanted = false;

  constructor(private readonly writer: ClusterWriter, private readonly logger: Logger) {}

  plan(inputs: WriteInputs): void {
    let started = 0;
    const start = (key: string, write: () => Promise<WriteOutcome>): void => {
      if (this.inFlight.has(key) || started >= writesPerPassMax) return;
      started += 1;
      this.inFlight.add(key);
      write().then((outcome) => {
        if (outcome === 'failed') this.retryWanted = true;
        this.logger.debug({ key, outcome }, 'cluster write');
      }, (error: unknown) => {
        this.retryWanted = true;
        this.logger.warn({ err: error, key }, 'cluster write failed');
      }).finally(() => this.inFlight.delete(key));
    };
    for (const assignment of planProxyPorts(inputs.services, inputs.proxyPortRange)) {
      const current = inputs.serviceObjects.get(assignment.serviceKey);
      if (current === undefined) continue;
      const next = withKind(cloneJson(current), 'v1', 'Service');
      ensureObject(ensureObject(next, 'metadata'), 'annotations')[proxyPortsAnnotation] = JSON.stringify(assignment.ports);
      start(`proxy-ports ${assignment.serviceKey}`, () => this.writer.replace('services', next, null));
    }
    for (const service of inputs.services) {
      if (service.type !== 'LoadBalancer') continue;
      const ingress = planLoadBalancerIngress(service.loadBalancerIngress, inputs.nodeAddress);
      const current = inputs.serviceObjects.get(service.key);
      if (ingress === null || current === undefined) continue;
      start(`service-status ${service.key}`, () => this.writer.replace('services', withLoadBalancer(withKind(cloneJson(current), 'v1', 'Service'), ingress), 'status'));
    }
    for (const ingressView of inputs.ingresses) {
      const ingress = planLoadBalancerIngress(ingressView.loadBalancerIngress, inputs.nodeAddress);
      const current = inputs.ingressObjects.get(ingressView.key);
      if (ingress === null || current === undefined) continue;
      start(`ingress-status ${ingressView.key}`, () => this.writer.replace('ingresses', withLoadBalancer(withKind(cloneJson(current), 'networking.k8s.io/v1', 'Ingress'), ingress), 'status'));
    }
  }
}

function withKind(object: JsonObject, apiVersion: string, kind: string): JsonObject {
  object['apiVersion'] = apiVersion;
  object['kind'] = kind;
  return object;
}

function withLoadBalancer(object: JsonObject, ips: readonly string[]): JsonObject {
  ensureObject(ensureObject(object, 'status'), 'loadBalancer')['ingress'] = ips.map((ip) => ({ ip }));
  return object;
}
