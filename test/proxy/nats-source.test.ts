/**
 * The proxy fed through NATS: the real bridge on a real store (in process) and a real nats-server,
 * the real ProxyNode with the NATS ClusterSource, real backend processes. Also the protocol's
 * proxy operations as a raw client sends them (compare-and-swap, TLS Secrets only, bad fields).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort, realEnv, silentLogger } from '../../common/index.ts';
import { getPath, type JsonObject } from '../../control-plane/api/json.ts';
import { endpointSliceResource } from '../../control-plane/api/registry/kinds/endpoint-slice.ts';
import { ingressResource } from '../../control-plane/api/registry/kinds/ingress.ts';
import { secretResource } from '../../control-plane/api/registry/kinds/secret.ts';
import { serviceResource } from '../../control-plane/api/registry/kinds/service.ts';
import {
  AgentOperation, OperationRefusedError, readProxyWriteResult, readTlsSecretGetResult, requestOperation, Subjects,
} from '../../control-plane/nats/index.ts';
import { NatsClusterSource, ProxyNode } from '../../proxy/index.ts';
import { BridgeHarness } from '../agent/bridge-harness.ts';
import { endpointSlice, ingress, pathRule } from './builders.ts';
import { BackendProcess, backendNameVia, eventually, httpGet, listening, loopback } from './proxy-harness.ts';

let harness: BridgeHarness;
let connection: NatsConnection;
let subjects: Subjects;
let node: ProxyNode;
let a: BackendProcess;
let b: BackendProcess;
let certificates: string;
const published: string[] = [];

function certificate(host: string): { crt: string; key: string } {
  const key = join(certificates, `${host}.key`);
  const crt = join(certificates, `${host}.crt`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', crt, '-days', '1', '-subj', `/CN=${host}`, '-addext', `subjectAltName=DNS:${host}`], { stdio: 'ignore' });
  return { crt: readFileSync(crt, 'utf8'), key: readFileSync(key, 'utf8') };
}

const base64 = (text: string): string => Buffer.from(text).toString('base64');

beforeAll(async () => {
  certificates = mkdtempSync(join(tmpdir(), 'flotilla-nats-tls-'));
  harness = await BridgeHarness.start({ progressIntervalMs: 300 });
  connection = await connect({ servers: harness.nats.url });
  subjects = new Subjects(harness.natsOptions.clusterName);
  // Everything the leader publishes, to check that no Secret data is ever in it.
  connection.subscribe(`${subjects.prefix}.>`, { callback: (error, message) => {
    if (error === null && !message.subject.includes('.api.')) published.push(Buffer.from(message.data).toString('latin1'));
  } });
  [a, b] = await Promise.all([BackendProcess.start('a'), BackendProcess.start('b')]);
  node = new ProxyNode({
    env: realEnv(4), logger: silentLogger, source: new NatsClusterSource({ connection, subjects, env: realEnv(5), logger: silentLogger }),
    nodeName: 'node-1', nodeAddress: loopback, listenAddress: loopback, mode: 'ports',
    httpPort: await findFreePort(loopback), httpsPort: await findFreePort(loopback), dnsPort: null, proxyPortRange: { first: 20_000, last: 29_999 }, drainMs: 500,
  });
  await node.start();
  await node.whenProgrammed();
}, 60_000);

afterAll(async () => {
  await node?.stop();
  await Promise.all([a?.kill(), b?.kill()]);
  await connection?.close();
  await harness?.stop();
  rmSync(certificates, { recursive: true, force: true });
});

async function proxyPortOf(name: string): Promise<number> {
  return eventually(`the proxy port of ${name}`, 10_000, async () => {
    const raw = getPath(await harness.client.get(serviceResource, 'default', name) ?? {}, ['metadata', 'annotations', 'flotilla.io/proxy-ports']);
    return typeof raw === 'string' ? (JSON.parse(raw) as Record<string, number>)['80/TCP'] : null;
  });
}

async function replaceSlice(serviceName: string, port: number): Promise<void> {
  const current = await harness.client.get(endpointSliceResource, 'default', `${serviceName}-abc`);
  const next = endpointSlice(serviceName, [{ ip: loopback }], [{ port }]);
  if (current === null) await harness.client.create(endpointSliceResource, next);
  else await harness.client.update(endpointSliceResource, { ...next, metadata: { ...(next['metadata'] as JsonObject), resourceVersion: String(getPath(current, ['metadata', 'resourceVersion'])) } });
}

describe('the proxy through NATS', () => {
  it('lists and follows Services and EndpointSlices, and records its proxy port and LoadBalancer address compare-and-swap', async () => {
    await harness.client.create(serviceResource, { metadata: { name: 'web', namespace: 'default' }, spec: { type: 'LoadBalancer', ports: [{ port: 80, targetPort: 8080 }] } });
    await replaceSlice('web', a.port);
    const port = await proxyPortOf('web');
    await listening(node, `TCP/${loopback}:${port}`);
    expect(await eventually('traffic to a', 10_000, async () => ((await backendNameVia(port)) === 'a' ? 'a' : null))).toBe('a');
    await replaceSlice('web', b.port);
    expect(await eventually('traffic to b', 10_000, async () => ((await backendNameVia(port)) === 'b' ? 'b' : null))).toBe('b');
    const status = await eventually('the load balancer status', 10_000, async () => {
      const ingressList = getPath(await harness.client.get(serviceResource, 'default', 'web') ?? {}, ['status', 'loadBalancer', 'ingress']);
      return Array.isArray(ingressList) && ingressList.length > 0 ? ingressList : null;
    });
    expect(status).toEqual([{ ip: loopback }]);
  });

  it('re-lists after the control plane was away (a new epoch): changes made meanwhile are served', async () => {
    const port = await proxyPortOf('web');
    await harness.bridge.close();
    await replaceSlice('web', a.port);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await harness.restartBridge(0);
    expect(await eventually('traffic back to a', 10_000, async () => ((await backendNameVia(port)) === 'a' ? 'a' : null))).toBe('a');
  });

  it('routes an Ingress, fetches only the TLS Secret it names (by name, never published), follows its rotation, and writes the Ingress status', async () => {
    const first = certificate('shop.test');
    await harness.client.create(secretResource, { metadata: { name: 'shop-tls', namespace: 'default' }, type: 'kubernetes.io/tls', data: { 'tls.crt': base64(first.crt), 'tls.key': base64(first.key) } });
    await harness.client.create(ingressResource, ingress('shop', {
      tls: [{ hosts: ['shop.test'], secretName: 'shop-tls' }],
      rules: [{ host: 'shop.test', http: { paths: [pathRule('/', 'Prefix', 'web', 80)] } }],
    }));
    const answer = await eventually('the ingress route', 10_000, async () => {
      const got = await httpGet(node.httpPort, '/env', { host: 'shop.test' });
      return got.status === 200 ? got : null;
    });
    expect(JSON.parse(answer.body)).toMatchObject({ BACKEND_NAME: 'a' });
    const serial = (): Promise<string> => new Promise((resolve, reject) => {
      const outgoing = httpsRequest({ host: loopback, port: node.httpsPort, servername: 'shop.test', path: '/healthz', rejectUnauthorized: false, agent: false }, (response) => {
        resolve((response.socket as TLSSocket).getPeerCertificate().serialNumber);
        response.resume();
      });
      outgoing.on('error', reject);
      outgoing.end();
    });
    const firstSerial = await eventually('HTTPS for shop.test', 10_000, serial);
    const rotated = certificate('shop.test');
    const stored = await harness.client.get(secretResource, 'default', 'shop-tls');
    await harness.client.update(secretResource, { ...stored, data: { 'tls.crt': base64(rotated.crt), 'tls.key': base64(rotated.key) } });
    await eventually('the rotated certificate', 10_000, async () => ((await serial()) !== firstSerial ? true : null));
    await eventually('the ingress status', 10_000, async () => {
      const written = getPath(await harness.client.get(ingressResource, 'default', 'shop') ?? {}, ['status', 'loadBalancer', 'ingress']);
      return JSON.stringify(written ?? null).includes(loopback) ? true : null;
    });
    const keyLine = rotated.key.split('\n')[1] ?? '';
    expect(keyLine.length).toBeGreaterThan(10);
    expect(published.some((message) => message.includes(base64(rotated.key)) || message.includes(keyLine))).toBe(false);
  });

  it('answers the proxy operations by the rules: stale writes conflict, only kubernetes.io/tls Secrets are served, bad fields are named', async () => {
    await harness.client.create(secretResource, { metadata: { name: 'password', namespace: 'default' }, type: 'Opaque', data: { password: base64('hunter2') } });
    const opaque = await requestOperation(connection, subjects, AgentOperation.tlsSecretGet, { namespace: 'default', name: 'password' }, readTlsSecretGetResult);
    expect(opaque).toEqual({ found: false, secret: {} });
    const stale = await requestOperation(connection, subjects, AgentOperation.serviceProxyPortsWrite, { namespace: 'default', name: 'web', resourceVersion: '1', ports: { '80/TCP': 20001 } }, readProxyWriteResult);
    expect(stale.outcome).toBe('conflict');
    const missing = await requestOperation(connection, subjects, AgentOperation.ingressLoadBalancerWrite, { namespace: 'default', name: 'nope', resourceVersion: '1', ips: [] }, readProxyWriteResult);
    expect(missing.outcome).toBe('notFound');
    const bad = await requestOperation(connection, subjects, AgentOperation.serviceProxyPortsWrite, { namespace: 'default', name: 'web', resourceVersion: '1', ports: { http: 80 } }, readProxyWriteResult).catch((error: unknown) => error);
    expect(bad).toBeInstanceOf(OperationRefusedError);
    expect(String(bad)).toContain('ports key "http" must be <port>/<TCP|UDP|SCTP>');
  });
});
