import { createSocket, type Socket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import { connect } from 'node:net';
import dnsPacket from 'dns-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { findFreePort } from '../../common/index.ts';
import { endpointSlice, service } from './builders.ts';
import { eventually, listening, loopback, proxyPortOf, startProxyNode } from './proxy-harness.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A UDP server that answers each datagram with "<name>:<datagram>". */
async function udpEcho(name: string): Promise<{ port: number; close: () => Promise<void> }> {
  const socket = createSocket('udp4');
  socket.on('message', (message, remote) => socket.send(`${name}:${message.toString()}`, remote.port, remote.address));
  const port = await findFreePort(loopback);
  await new Promise<void>((resolve) => socket.bind(port, loopback, () => resolve()));
  const close = (): Promise<void> => new Promise<void>((resolve) => socket.close(() => resolve()));
  return { port, close };
}

function exchange(client: Socket, port: number, text: string, timeoutMs = 2_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no UDP answer')), timeoutMs);
    client.once('message', (message) => {
      clearTimeout(timer);
      resolve(message.toString());
    });
    client.send(text, port, loopback);
  });
}

async function udpClient(): Promise<Socket> {
  const client = createSocket('udp4');
  await new Promise<void>((resolve) => client.bind(0, loopback, () => resolve()));
  cleanups.push(() => new Promise<void>((resolve) => client.close(() => resolve())));
  return client;
}

describe('UDP service proxying', () => {
  it('keeps each client on one backend (its flow), spreads clients, and moves a flow off a removed endpoint', async () => {
    const { node, source } = await startProxyNode();
    cleanups.push(() => node.stop());
    const one = await udpEcho('one');
    const two = await udpEcho('two');
    cleanups.push(one.close, two.close);
    source.put('services', service('dns', { ports: [{ port: 53, protocol: 'UDP' }] }));
    source.put('endpointslices', endpointSlice('dns', [{ ip: loopback }], [{ port: one.port, protocol: 'UDP' }], { sliceName: 'dns-one' }));
    source.put('endpointslices', endpointSlice('dns', [{ ip: loopback }], [{ port: two.port, protocol: 'UDP' }], { sliceName: 'dns-two' }));
    const port = await proxyPortOf(source, 'dns', '53/UDP');
    await listening(node, `UDP/${loopback}:${port}`);
    await eventually('two endpoints', 5_000, () => (node.table?.listeners[0]?.target.backends.length === 2 ? true : null));
    const first = await udpClient();
    const second = await udpClient();
    const firstAnswer = await exchange(first, port, 'hello');
    const firstBackend = firstAnswer.split(':')[0];
    for (let index = 0; index < 3; index++) expect(await exchange(first, port, `again-${index}`)).toBe(`${firstBackend}:again-${index}`);
    const secondBackend = (await exchange(second, port, 'hi')).split(':')[0];
    expect(new Set([firstBackend, secondBackend])).toEqual(new Set(['one', 'two']));
    // The first client's endpoint leaves: its flow is closed and its next datagram goes to the other.
    source.remove('endpointslices', 'default', `dns-${firstBackend}`);
    await eventually('one endpoint', 5_000, () => (node.table?.listeners[0]?.target.backends.length === 1 ? true : null));
    expect(await exchange(first, port, 'moved')).toBe(`${secondBackend}:moved`);
  });
});

describe('cluster DNS server', () => {
  it('answers A, SRV, CNAME and NXDOMAIN over UDP (and TCP when the answer is long)', async () => {
    const { node, source } = await startProxyNode();
    cleanups.push(() => node.stop());
    source.put('services', service('web', { clusterIP: '10.96.0.5', ports: [{ name: 'http', port: 80 }] }));
    source.put('services', service('db', { clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] }));
    source.put('services', service('ext', { type: 'ExternalName', externalName: 'db.example.org' }));
    source.put('endpointslices', endpointSlice('db', Array.from({ length: 40 }, (_, index) => ({ ip: `192.0.2.${index + 1}` })), [{ name: 'pg', port: 15432 }]));
    const resolver = new Resolver({ timeout: 2_000, tries: 1 });
    resolver.setServers([`${loopback}:${node.dnsPort}`]);
    await eventually('the zone', 5_000, async () => ((await resolver.resolve4('web.default.svc.cluster.local')).length > 0 ? true : null));
    expect(await resolver.resolve4('web.default.svc.cluster.local')).toEqual(['10.96.0.5']);
    expect(await resolver.resolveSrv('_http._tcp.web.default.svc.cluster.local')).toEqual([{ name: 'web.default.svc.cluster.local', port: 80, priority: 0, weight: 100 }]);
    expect(await resolver.resolveCname('ext.default.svc.cluster.local')).toEqual(['db.example.org']);
    await expect(resolver.resolve4('missing.default.svc.cluster.local')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    // 40 A records do not fit 512 bytes: the UDP answer is truncated and c-ares asks again over TCP.
    expect((await resolver.resolve4('db.default.svc.cluster.local')).sort()).toHaveLength(40);
    expect(await resolver.resolveSrv('_pg._tcp.db.default.svc.cluster.local')).toHaveLength(40);
  });

  it('answers over TCP with a length prefix, several queries on one connection', async () => {
    const { node, source } = await startProxyNode();
    cleanups.push(() => node.stop());
    source.put('services', service('web', { clusterIP: '10.96.0.5' }));
    await eventually('the zone', 5_000, () => (node.table?.targets.size === 1 ? true : null));
    const socket = connect(node.dnsPort, loopback);
    const frames: Buffer[] = [];
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        frames.push(buffered.subarray(2, 2 + buffered.readUInt16BE(0)));
        buffered = buffered.subarray(2 + buffered.readUInt16BE(0));
      }
    });
    for (const [id, name] of [[1, 'web.default.svc.cluster.local'], [2, 'nope.default.svc.cluster.local']] as const) {
      const query = dnsPacket.encode({ type: 'query', id, questions: [{ type: 'A', name }] });
      const prefix = Buffer.alloc(2);
      prefix.writeUInt16BE(query.length);
      socket.write(Buffer.concat([prefix, query]));
    }
    await eventually('two answers', 5_000, () => (frames.length === 2 ? true : null));
    socket.destroy();
    const [found, missing] = frames.map((frame) => dnsPacket.decode(frame));
    expect(found?.answers).toMatchObject([{ type: 'A', data: '10.96.0.5' }]);
    expect((missing as { rcode?: string } | undefined)?.rcode).toBe('NXDOMAIN');
  });
});
