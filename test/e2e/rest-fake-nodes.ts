import { apiRequest, type ApiEndpoint } from './api-cluster-client.ts';

interface PodList {
  readonly items: Array<{
    metadata: { name: string; namespace: string; uid: string; deletionTimestamp?: string; resourceVersion: string };
    spec: { containers: Array<{ name: string; image?: string }> };
    status?: { phase?: string; conditions?: Array<{ type: string; status: string }> };
  }>;
}

/** How often the fake kubelets act (renew leases, report pods, confirm deletions). */
const passIntervalMs = 300;

/**
 * Simulated nodes for tests against real server processes, before real agents run: each
 * registers its Node, renews its Lease, reports the pods bound to it Running and Ready, and
 * confirms their graceful deletion — through the Kubernetes API of any replica, as a kubelet
 * would. A killed node simply stops doing all of that.
 */
export class RestFakeNodes {
  readonly alive = new Set<string>();
  private stopped = false;
  private loop: Promise<void> = Promise.resolve();
  private next = 0;

  constructor(private readonly endpoints: readonly ApiEndpoint[]) {}

  async add(name: string, capacity: { cpu: string; memory: string; pods: string } = { cpu: '4', memory: '8Gi', pods: '110' }): Promise<void> {
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const node = {
      apiVersion: 'v1', kind: 'Node',
      metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux' } },
      status: {
        capacity, allocatable: capacity,
        conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'fake kubelet is ready', lastHeartbeatTime: now, lastTransitionTime: now }],
        addresses: [{ type: 'InternalIP', address: '127.0.0.1' }, { type: 'Hostname', address: name }],
      },
    };
    const answer = await this.request('POST', '/api/v1/nodes', node);
    if (answer.status !== 201) throw new Error(`node ${name}: ${answer.status} ${answer.body}`);
    this.alive.add(name);
  }

  kill(name: string): void {
    this.alive.delete(name);
  }

  start(): void {
    this.loop = (async () => {
      while (!this.stopped) {
        for (const name of [...this.alive]) await this.pass(name).catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, passIntervalMs));
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  private async pass(name: string): Promise<void> {
    await this.renewLease(name);
    const listed = await this.request('GET', `/api/v1/pods?fieldSelector=spec.nodeName%3D${name}`);
    if (listed.status !== 200) return;
    for (const pod of (JSON.parse(listed.body) as PodList).items) {
      const path = `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}`;
      if (pod.metadata.deletionTimestamp !== undefined) {
        await this.request('DELETE', path, { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
        continue;
      }
      const ready = pod.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') ?? false;
      if (ready) continue;
      const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      const condition = (type: string) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: now });
      const status = {
        phase: 'Running', hostIP: '127.0.0.1', podIP: '127.0.0.1', startTime: now,
        conditions: [condition('PodScheduled'), condition('Initialized'), condition('ContainersReady'), condition('Ready')],
        containerStatuses: pod.spec.containers.map((container) => ({
          name: container.name, image: container.image ?? '', imageID: '', ready: true, started: true, restartCount: 0, state: { running: { startedAt: now } },
        })),
      };
      await this.request('PUT', `${path}/status`, { ...pod, status });
    }
  }

  private async renewLease(name: string): Promise<void> {
    const path = `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${name}`;
    const renewTime = new Date().toISOString().replace('Z', '000Z');
    const current = await this.request('GET', path);
    if (current.status === 404) {
      await this.request('POST', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', {
        apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'kube-node-lease' }, spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime },
      });
      return;
    }
    if (current.status !== 200) return;
    const lease = JSON.parse(current.body) as { spec?: Record<string, unknown> };
    await this.request('PUT', path, { ...lease, spec: { ...lease.spec, renewTime } });
  }

  /** Any replica will do; the next one is tried when one fails (it may have been killed). */
  private async request(method: string, path: string, body?: unknown): Promise<{ status: number; body: string }> {
    for (let attempt = 0; attempt < this.endpoints.length; attempt++) {
      const endpoint = this.endpoints[this.next % this.endpoints.length] as ApiEndpoint;
      try {
        const answer = await apiRequest(endpoint, method, path, body, 5_000);
        if (answer.status < 500) return answer;
      } catch {
        // unreachable replica: try the next
      }
      this.next++;
    }
    return { status: 503, body: 'no replica answered' };
  }
}
