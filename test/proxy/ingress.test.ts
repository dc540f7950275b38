import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request, Agent, type IncomingMessage, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { JsonObject } from '../../control-plane/api/json.ts';
import { findFreePort } from '../../common/index.ts';
import { endpointSlice, ingress, pathRule, service } from './builders.ts';
import { eventually, httpGet, loopback, startProxyNode } from './proxy-harness.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface TestBackend {
  readonly port: number;
  /** TCP connections the backend accepted (keep-alive reuse shows as fewer connections than requests). */
  connections(): number;
}

/**
 * An in-process HTTP backend: answers "<name> <path>" (or its request headers at /headers, or late
 * at /slow) and speaks just enough WebSocket to echo frames back after the 101 handshake.
 */
async function backend(name: string): Promise<TestBackend> {
  let connections = 0;
  const server: Server = createServer((incoming, response) => {
    if (incoming.url === '/headers') return void response.end(JSON.stringify(incoming.headers));
    if (incoming.url === '/slow') return void setTimeout(() => response.end('late'), 2_000);
    response.end(`${name} ${incoming.url ?? ''}`);
  });
  server.on('connection', () => (connections += 1));
  server.on('upgrade', (incoming: IncomingMessage, socket: Socket) => {
    const key = String(incoming.headers['sec-websocket-key'] ?? '');
    const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\nX-Backend: ${name}\r\n\r\n`);
    socket.on('data', (chunk: Buffer) => socket.write(chunk));
    // An upgraded socket is no longer the HTTP server's: its end must be answered here.
    socket.on('end', () => socket.end());
  });
  const port = await findFreePort(loopback);
  await new Promise<void>((resolve) => server.listen(port, loopback, () => resolve()));
  cleanups.push(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return { port, connections: () => connections };
}

let certificateDirectory = '';
function certificate(host: string): { crt: string; key: string } {
  const crt = join(certificateDirectory, `${host}.crt`);
  const key = join(certificateDirectory, `${host}.key`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', crt, '-days', '1', '-subj', `/CN=${host}`, '-addext', `subjectAltName=DNS:${host}`], { stdio: 'ignore' });
  return { crt: readFileSync(crt, 'utf8'), key: readFileSync(key, 'utf8') };
}

function tlsSecret(name: string, pem: { crt: string; key: string }): JsonObject {
  return { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name, namespace: 'default' }, data: { 'tls.crt': Buffer.from(pem.crt).toString('base64'), 'tls.key': Buffer.from(pem.key).toString('base64') } };
}

beforeAll(() => {
  certificateDirectory = mkdtempSync(join(tmpdir(), 'flotilla-proxy-tls-'));
});
afterAll(() => rmSync(certificateDirectory, { recursive: true, force: true }));

async function ingressSetup(options: { backendResponseTimeoutMs?: number } = {}) {
  const started = await startProxyNode(options.backendResponseTimeoutMs === undefined ? {} : { backendResponseTimeoutMs: options.backendResponseTimeoutMs });
  cleanups.push(() => started.node.stop());
  return started;
}

describe('ingress (networking.k8s.io/v1, class flotilla)', () => {
  it('routes by host and path, answers 404/503/502 itself, and records the node address in status', async () => {
    const { node, source } = await ingressSetup();
    const app = await backend('app');
    const api = await backend('api');
    source.put('services', service('app', { ports: [{ name: 'http', port: 80 }] }));
    source.put('services', service('api', { ports: [{ port: 8080 }] }));
    source.put('services', service('idle', { ports: [{ port: 80 }] }));
    source.put('services', service('dead', { ports: [{ port: 80 }] }));
    source.put('endpointslices', endpointSlice('app', [{ ip: loopback }], [{ name: 'http', port: app.port }]));
    source.put('endpointslices', endpointSlice('api', [{ ip: loopback }], [{ port: api.port }]));
    source.put('endpointslices', endpointSlice('dead', [{ ip: loopback }], [{ port: await findFreePort(loopback) }]));
    source.put('ingresses', ingress('site', {
      rules: [
        { host: 'shop.test', http: { paths: [pathRule('/', 'Prefix', 'app', 'http'), pathRule('/api', 'Prefix', 'api', 8080), pathRule('/idle', 'Exact', 'idle', 80), pathRule('/dead', 'Exact', 'dead', 80)] } },
      ],
    }));
    const port = node.httpPort;
    await eventually('routes', 5_000, async () => ((await httpGet(port, '/', { host: 'shop.test' })).status === 200 ? true : null));
    expect((await httpGet(port, '/cart', { host: 'shop.test' })).body).toBe('app /cart');
    expect((await httpGet(port, '/api/v1/items?x=1', { host: 'shop.test:80' })).body).toBe('api /api/v1/items?x=1');
    expect((await httpGet(port, '/apiary', { host: 'shop.test' })).body).toBe('app /apiary');
    expect((await httpGet(port, '/', { host: 'other.test' })).status).toBe(404);
    expect((await httpGet(port, '/idle', { host: 'shop.test' })).status).toBe(503);
    expect((await httpGet(port, '/dead', { host: 'shop.test' })).status).toBe(502);
    const status = await eventually('ingress status', 5_000, () => {
      const written = source.get('ingresses', 'default', 'site')?.['status'];
      return JSON.stringify(written ?? {}).includes(loopback) ? written : null;
    });
    expect(status).toEqual({ loadBalancer: { ingress: [{ ip: loopback }] } });
  });

  it('passes X-Forwarded-For/-Proto/-Host, keeps backend connections alive in a pool, and answers 504 for a slow backend', async () => {
    const { node, source } = await ingressSetup({ backendResponseTimeoutMs: 500 });
    const app = await backend('app');
    source.put('services', service('app'));
    source.put('endpointslices', endpointSlice('app', [{ ip: loopback }], [{ port: app.port }]));
    source.put('ingresses', ingress('site', { defaultBackend: { service: { name: 'app', port: { number: 80 } } } }));
    const port = node.httpPort;
    await eventually('routes', 5_000, async () => ((await httpGet(port, '/')).status === 200 ? true : null));
    const headers = JSON.parse((await httpGet(port, '/headers', { host: 'shop.test', headers: { 'x-forwarded-for': '203.0.113.9' } })).body) as Record<string, string>;
    expect(headers['x-forwarded-for']).toBe(`203.0.113.9, ${loopback}`);
    expect(headers['x-forwarded-proto']).toBe('http');
    expect(headers['x-forwarded-host']).toBe('shop.test');
    const before = app.connections();
    for (let index = 0; index < 20; index++) expect((await httpGet(port, `/n${index}`)).status).toBe(200);
    expect(app.connections() - before).toBeLessThanOrEqual(1);
    expect((await httpGet(port, '/slow')).status).toBe(504);
  });

  it('serves HTTPS with the certificate of the SNI name from kubernetes.io/tls Secrets', async () => {
    const { node, source } = await ingressSetup();
    const app = await backend('app');
    source.put('services', service('app'));
    source.put('endpointslices', endpointSlice('app', [{ ip: loopback }], [{ port: app.port }]));
    source.put('secrets', tlsSecret('a-cert', certificate('a.test')));
    source.put('secrets', tlsSecret('b-cert', certificate('b.test')));
    source.put('ingresses', ingress('site', {
      tls: [{ hosts: ['a.test'], secretName: 'a-cert' }, { hosts: ['b.test'], secretName: 'b-cert' }],
      rules: ['a.test', 'b.test'].map((host) => ({ host, http: { paths: [pathRule('/', 'Prefix', 'app', 80)] } })),
    }));
    const get = (servername: string): Promise<{ subject: string; body: string; proto: string }> => new Promise((resolve, reject) => {
      const outgoing = httpsRequest({ host: loopback, port: node.httpsPort, servername, path: '/headers', headers: { host: servername }, rejectUnauthorized: false, agent: false }, (response) => {
        const subject = (response.socket as TLSSocket).getPeerCertificate().subject?.CN ?? '';
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ subject: String(subject), body, proto: String((JSON.parse(body) as Record<string, string>)['x-forwarded-proto']) }));
      });
      outgoing.on('error', reject);
      outgoing.end();
    });
    const first = await eventually('TLS for a.test', 5_000, () => get('a.test'));
    expect(first.subject).toBe('a.test');
    expect(first.proto).toBe('https');
    expect((await get('b.test')).subject).toBe('b.test');
    await expect(get('c.test')).rejects.toThrow();
  });

  it('passes a WebSocket upgrade through and relays frames both ways', async () => {
    const { node, source } = await ingressSetup();
    const app = await backend('app');
    source.put('services', service('app'));
    source.put('endpointslices', endpointSlice('app', [{ ip: loopback }], [{ port: app.port }]));
    source.put('ingresses', ingress('site', { rules: [{ host: 'ws.test', http: { paths: [pathRule('/socket', 'Prefix', 'app', 80)] } }] }));
    await eventually('routes', 5_000, async () => ((await httpGet(node.httpPort, '/socket', { host: 'ws.test' })).status === 200 ? true : null));
    const upgraded = await new Promise<{ response: IncomingMessage; socket: Socket }>((resolve, reject) => {
      const outgoing = request({
        host: loopback, port: node.httpPort, path: '/socket/chat', agent: new Agent({ keepAlive: false }),
        headers: { host: 'ws.test', connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' },
      });
      outgoing.on('upgrade', (response, socket) => resolve({ response, socket }));
      outgoing.on('response', (response) => reject(new Error(`no upgrade: ${response.statusCode}`)));
      outgoing.on('error', reject);
      outgoing.end();
    });
    expect(upgraded.response.statusCode).toBe(101);
    expect(upgraded.response.headers['sec-websocket-accept']).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    expect(upgraded.response.headers['x-backend']).toBe('app');
    const echoed = await new Promise<string>((resolve) => {
      upgraded.socket.once('data', (chunk: Buffer) => resolve(chunk.toString()));
      upgraded.socket.write('frame-bytes');
    });
    expect(echoed).toBe('frame-bytes');
    upgraded.socket.destroy();
  });
});
