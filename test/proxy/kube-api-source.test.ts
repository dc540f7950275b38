import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort, realEnv, silentLogger } from '../../common/index.ts';
import { KubeApiSource, loadKubeconfig, ProxyNode } from '../../proxy/index.ts';
import { startApiServer, type ApiServer } from '../../control-plane/api/server.ts';
import { ApiHarness } from '../control-plane/harness.ts';
import { join } from 'node:path';
import { ingress, pathRule, service } from './builders.ts';
import { BackendProcess, backendNameVia, eventually, httpGet, listening, loopback } from './proxy-harness.ts';

/** The proxy watching a real API server (HTTPS, token from its kubeconfig) and writing back to it. */
describe('Kubernetes API source', () => {
  let api: ApiHarness;
  let node: ProxyNode;
  let a: BackendProcess;
  let b: BackendProcess;
  let restarted: ApiServer | null = null;

  beforeAll(async () => {
    api = await ApiHarness.start();
    [a, b] = await Promise.all([BackendProcess.start('a'), BackendProcess.start('b')]);
    const connection = await loadKubeconfig(api.kubeconfig);
    node = new ProxyNode({
      env: realEnv(2), logger: silentLogger, source: new KubeApiSource(connection, realEnv(3), silentLogger), nodeName: 'node-1', nodeAddress: loopback, listenAddress: loopback,
      mode: 'ports', httpPort: await findFreePort(loopback), httpsPort: null, dnsPort: null, proxyPortRange: { first: 20_000, last: 29_999 }, drainMs: 500,
    });
    await node.start();
    await node.whenProgrammed();
  });

  afterAll(async () => {
    await node?.stop();
    await Promise.all([a?.kill(), b?.kill()]);
    await restarted?.close();
    await api?.stop().catch(() => undefined);
  });

  async function apiJson(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    const answer = await (restarted === null ? api.fetch.bind(api) : fetchFrom(restarted))(path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
    if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${answer.body}`);
    return JSON.parse(answer.body) as Record<string, unknown>;
  }

  function endpoints(port: number, resourceVersion?: string): Record<string, unknown> {
    return {
      apiVersion: 'v1', kind: 'Endpoints',
      metadata: { name: 'web', namespace: 'default', ...(resourceVersion === undefined ? {} : { resourceVersion }) },
      subsets: [{ addresses: [{ ip: loopback }], ports: [{ port, protocol: 'TCP' }] }],
    };
  }

  it('lists and watches Services and Endpoints, records the proxy port on the Service, and follows endpoint changes', async () => {
    await apiJson('POST', '/api/v1/namespaces/default/services', service('web', { ports: [{ port: 80, targetPort: 8080 }] }));
    await apiJson('POST', '/api/v1/namespaces/default/endpoints', endpoints(a.port));
    const port = await eventually('the proxy-ports annotation', 10_000, async () => {
      const stored = await apiJson('GET', '/api/v1/namespaces/default/services/web');
      const raw = ((stored['metadata'] as Record<string, unknown>)['annotations'] as Record<string, string> | undefined)?.['flotilla.io/proxy-ports'];
      return raw === undefined ? null : (JSON.parse(raw) as Record<string, number>)['80/TCP'];
    });
    await listening(node, `TCP/${loopback}:${port}`);
    expect(await eventually('traffic to a', 5_000, async () => ((await backendNameVia(port)) === 'a' ? 'a' : null))).toBe('a');
    const current = await apiJson('GET', '/api/v1/namespaces/default/endpoints/web');
    await apiJson('PUT', '/api/v1/namespaces/default/endpoints/web', endpoints(b.port, String((current['metadata'] as Record<string, unknown>)['resourceVersion'])));
    expect(await eventually('traffic to b', 5_000, async () => ((await backendNameVia(port)) === 'b' ? 'b' : null))).toBe('b');
  });

  it('routes an Ingress of class flotilla and writes its status.loadBalancer through the status subresource', async () => {
    await apiJson('POST', '/apis/networking.k8s.io/v1/namespaces/default/ingresses', ingress('site', { rules: [{ host: 'shop.test', http: { paths: [pathRule('/', 'Prefix', 'web', 80)] } }] }));
    const status = await eventually('ingress status', 10_000, async () => {
      const stored = await apiJson('GET', '/apis/networking.k8s.io/v1/namespaces/default/ingresses/site');
      return JSON.stringify(stored['status'] ?? {}).includes(loopback) ? stored['status'] : null;
    });
    expect(status).toEqual({ loadBalancer: { ingress: [{ ip: loopback }] } });
    expect(await eventually('ingress routing', 5_000, async () => {
      const answer = await httpGet(node.httpPort, '/env', { host: 'shop.test' });
      return answer.status === 200 ? String((JSON.parse(answer.body) as Record<string, unknown>)['BACKEND_NAME']) : null;
    })).toBe('b');
  });

  it('keeps serving while the API is down, then resumes its watches and misses no change made meanwhile', async () => {
    const port = (await eventually('proxy port', 5_000, () => node.table?.listeners.find((listener) => listener.target.serviceKey === 'default/web')?.port));
    const apiPort = api.server.port;
    await api.server.close();
    // The control plane is gone; what the proxy knows stays in force.
    for (let index = 0; index < 3; index++) expect(await backendNameVia(port)).toBe('b');
    restarted = await startApiServer({ port: apiPort, dataDir: join(api.directory, 'data'), objectStore: api.objectStore, logger: silentLogger });
    const current = await apiJson('GET', '/api/v1/namespaces/default/endpoints/web');
    await apiJson('PUT', '/api/v1/namespaces/default/endpoints/web', endpoints(a.port, String((current['metadata'] as Record<string, unknown>)['resourceVersion'])));
    expect(await eventually('traffic back to a', 15_000, async () => ((await backendNameVia(port)) === 'a' ? 'a' : null))).toBe('a');
  });
});

/** ApiHarness.fetch, against a restarted server on the same store. */
function fetchFrom(server: ApiServer): ApiHarness['fetch'] {
  return async (path, init = {}) => {
    const { request } = await import('node:https');
    return await new Promise((resolve, reject) => {
      const headers: Record<string, string> = { Authorization: `Bearer ${server.adminToken}`, ...init.headers };
      if (init.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(init.body));
      const outgoing = request(new URL(path, server.url), { method: init.method ?? 'GET', headers, ca: server.caCertificatePem }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: new Headers() }));
      });
      outgoing.on('error', reject);
      outgoing.end(init.body);
    });
  };
}
