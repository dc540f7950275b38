import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { projectPath, sleep, type Env } from '../../common/index.ts';
import { proxyPortsAnnotation } from '../../proxy/index.ts';
import type { ClusterState } from './cluster-state.ts';
import { httpRequest } from './http-request.ts';
import type { ApiCredentials } from './kubeconfig-writer.ts';
import { LocalClusterLimits } from './limits.ts';

/** The example `--demo` deploys (examples/hello: server.mjs from a ConfigMap, a Deployment, a Service, an Ingress). */
export const demoDirectory = projectPath('examples/hello/');
const namespace = 'default';
const configMapName = 'hello-app';

/** Collection paths of the kinds the demo uses (no discovery needed for four built-in kinds). */
const collectionPaths: Readonly<Record<string, string>> = {
  'v1/ConfigMap': `/api/v1/namespaces/${namespace}/configmaps`,
  'v1/Service': `/api/v1/namespaces/${namespace}/services`,
  'apps/v1/Deployment': `/apis/apps/v1/namespaces/${namespace}/deployments`,
  'networking.k8s.io/v1/Ingress': `/apis/networking.k8s.io/v1/namespaces/${namespace}/ingresses`,
};

export interface DemoUrls {
  /** Through the ingress on the first node. */
  readonly ingressUrl: string;
  /** Through the Service's proxy port on the first node. */
  readonly serviceUrl: string;
}

interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string };
}

/**
 * Creates the demo's objects through the stable address, each only if it is not there yet (a
 * second `up --demo` changes nothing the user may have changed since).
 */
export async function deployDemo(env: Env, state: ClusterState, credentials: ApiCredentials): Promise<void> {
  const script = await readFile(`${demoDirectory}server.mjs`, 'utf8');
  const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: configMapName, labels: { app: 'hello' } }, data: { 'server.mjs': script } };
  const documents = parseAllDocuments(await readFile(`${demoDirectory}hello.yaml`, 'utf8')).map((document) => document.toJS() as Manifest);
  for (const manifest of [configMap, ...documents]) await createIfMissing(env, state, credentials, manifest);
}

async function createIfMissing(env: Env, state: ClusterState, credentials: ApiCredentials, manifest: Manifest): Promise<void> {
  const path = collectionPaths[`${manifest.apiVersion}/${manifest.kind}`];
  if (path === undefined) throw new Error(`the demo has a ${manifest.apiVersion} ${manifest.kind}, which deployDemo does not know`);
  const answer = await httpRequest(env, {
    method: 'POST', url: `https://${state.apiBalancer.endpoint}${path}`, body: manifest, ca: credentials.caCertificatePem, bearerToken: credentials.token,
  });
  if (answer.status !== 201 && answer.status !== 200 && answer.status !== 409) {
    throw new Error(`creating ${manifest.kind} ${manifest.metadata.name} answered ${answer.status}: ${answer.body.slice(0, 500)}`);
  }
}

/**
 * Waits until the demo answers through the ingress and through the Service's proxy port on the
 * first node (both need the proxies to have seen the Service, its Endpoints and the Ingress).
 */
export async function waitForDemo(env: Env, state: ClusterState, credentials: ApiCredentials, options: { readonly timeoutMs?: number; readonly signal?: AbortSignal } = {}): Promise<DemoUrls> {
  const node = state.nodes[0];
  if (node === undefined) throw new Error('the cluster has no nodes');
  const ingressUrl = `http://${node.address}:${node.ingressHttpPort}/`;
  const deadline = env.clock.nowMs() + (options.timeoutMs ?? LocalClusterLimits.healthyWaitMs);
  let lastProblem = 'not tried yet';
  for (;;) {
    const proxyPort = await serviceProxyPort(env, state, credentials).catch(() => null);
    const serviceUrl = proxyPort === null ? null : `http://${node.address}:${proxyPort}/`;
    const [throughIngress, throughService] = await Promise.all([saysHello(env, ingressUrl), serviceUrl === null ? 'no proxy port recorded on the Service yet' : saysHello(env, serviceUrl)]);
    if (throughIngress === null && throughService === null && serviceUrl !== null) return { ingressUrl, serviceUrl };
    lastProblem = throughIngress ?? throughService ?? '';
    if (options.signal?.aborted === true) throw new Error('stopped while waiting for the demo');
    if (env.clock.nowMs() >= deadline) throw new Error(`the demo did not answer in time: ${lastProblem}`);
    await sleep(env.timers, LocalClusterLimits.healthPollMs, options.signal);
  }
}

/** Null when the URL answers the demo's greeting, else what went wrong. */
async function saysHello(env: Env, url: string): Promise<string | null> {
  try {
    const answer = await httpRequest(env, { method: 'GET', url });
    return answer.status === 200 && answer.body.startsWith('hello from') ? null : `${url} answered ${answer.status}: ${answer.body.slice(0, 200)}`;
  } catch (error) {
    return `${url}: ${error instanceof Error ? error.message : String(error)}`;
  }
}

async function serviceProxyPort(env: Env, state: ClusterState, credentials: ApiCredentials): Promise<number | null> {
  const answer = await httpRequest(env, {
    method: 'GET', url: `https://${state.apiBalancer.endpoint}/api/v1/namespaces/${namespace}/services/hello`, ca: credentials.caCertificatePem, bearerToken: credentials.token,
  });
  if (answer.status !== 200) return null;
  const service = JSON.parse(answer.body) as { metadata?: { annotations?: Record<string, string> } };
  const recorded = service.metadata?.annotations?.[proxyPortsAnnotation];
  if (recorded === undefined) return null;
  const port = (JSON.parse(recorded) as Record<string, unknown>)['80/TCP'];
  return typeof port === 'number' ? port : null;
}
