import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { encode, silentLogger } from '../../common/index.ts';
import { encodeFrame, FrameDecoder, decodeFrame, wireProtocolVersion } from '../../raft/tcp-framing.ts';
import { TcpTransport, type TcpTransportOptions } from '../../raft/tcp-transport.ts';
import type { Message, NodeId } from '../../raft/types.ts';
import { testEnv, waitFor } from './node-harness.ts';

const started: TcpTransport[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const transport of started.splice(0)) await transport.stop();
});

function heartbeat(from: NodeId, to: NodeId, readContext: number): Message {
  return { type: 'heartbeat', from, to, term: 1, commitIndex: 0, readContext };
}

interface Endpoint {
  readonly transport: TcpTransport;
  readonly received: Message[];
}

async function endpoint(id: NodeId, overrides: Partial<TcpTransportOptions> = {}): Promise<Endpoint> {
  const transport = new TcpTransport({
    id,
    clusterId: 'c1',
    listen: { host: '127.0.0.1', port: 0 },
    env: testEnv(id.length),
    logger: silentLogger,
    reconnectDelayMinMs: 10,
    reconnectDelayMaxMs: 100,
    ...overrides,
  });
  const received: Message[] = [];
  transport.onMessage((message) => received.push(message));
  await transport.start();
  started.push(transport);
  return { transport, received };
}

function mesh(endpoints: readonly Endpoint[], ids: readonly NodeId[]): void {
  for (const a of endpoints) {
    for (const [index, b] of endpoints.entries()) a.transport.setPeer(ids[index] ?? '', b.transport.address());
  }
}

function rawConnect(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => resolve(socket));
    socket.on('error', reject);
    sockets.push(socket);
  });
}

function closed(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) resolve();
    else socket.once('close', () => resolve());
  });
}

describe('TcpTransport', () => {
  it('exchanges messages between three transports, in order, with one write per turn', async () => {
    const ids = ['a', 'b', 'c'];
    const endpoints = await Promise.all(ids.map((id) => endpoint(id)));
    mesh(endpoints, ids);
    const [a, b, c] = endpoints;
    if (a === undefined || b === undefined || c === undefined) throw new Error('setup');
    await waitFor(() => endpoints.every((e) => Object.values(e.transport.metrics().peers).every((peer) => peer.connected)));
    const writesBefore = a.transport.metrics().peers['b']?.writes ?? 0;
    a.transport.send(Array.from({ length: 50 }, (_, i) => heartbeat('a', 'b', i)));
    b.transport.send([heartbeat('b', 'a', 1), heartbeat('b', 'c', 2)]);
    c.transport.send([heartbeat('c', 'a', 3), heartbeat('c', 'b', 4)]);
    await waitFor(() => b.received.length === 51 && a.received.length === 2 && c.received.length === 1);
    expect(b.received.filter((m) => m.from === 'a').map((m) => (m.type === 'heartbeat' ? m.readContext : -1))).toEqual(
      Array.from({ length: 50 }, (_, i) => i),
    );
    // Per-peer batching: the 50 messages queued in one turn went out as one socket write.
    expect((a.transport.metrics().peers['b']?.writes ?? 0) - writesBefore).toBe(1);
    expect(a.transport.metrics().peers['b']?.sentMessages).toBe(50);
    expect(b.transport.metrics().receivedMessages).toBe(51);
  });

  it('carries snapshot chunks (install-snapshot data) intact', async () => {
    const [a, b] = await Promise.all([endpoint('a'), endpoint('b')]);
    mesh([a, b], ['a', 'b']);
    const data = Uint8Array.from({ length: 300_000 }, (_, i) => i % 251);
    const metadata = { index: 5, term: 1, membership: { voters: ['a', 'b'], learners: [], votersOutgoing: [] }, sizeBytes: data.length };
    a.transport.send([{ type: 'install-snapshot', from: 'a', to: 'b', term: 1, metadata, offset: 0, length: data.length, data, done: true }]);
    await waitFor(() => b.received.length === 1);
    const message = b.received[0];
    expect(message?.type === 'install-snapshot' && Buffer.from(message.data).equals(Buffer.from(data))).toBe(true);
  });

  it('reconnects after a peer restarts on the same port', async () => {
    const a = await endpoint('a');
    let b = await endpoint('b');
    mesh([a, b], ['a', 'b']);
    a.transport.send([heartbeat('a', 'b', 1)]);
    await waitFor(() => b.received.length === 1);
    const port = b.transport.address().port;
    await b.transport.stop();
    await waitFor(() => a.transport.metrics().peers['b']?.connected === false);
    b = await endpoint('b', { listen: { host: '127.0.0.1', port } });
    b.transport.setPeer('a', a.transport.address());
    await waitFor(() => a.transport.metrics().peers['b']?.connected === true, 5000);
    a.transport.send([heartbeat('a', 'b', 2)]);
    await waitFor(() => b.received.length === 1);
    expect(a.transport.metrics().peers['b']?.reconnects).toBeGreaterThan(0);
  });

  it('rejects a connection from another cluster or an unknown member', async () => {
    const a = await endpoint('a');
    const stranger = await endpoint('b', { clusterId: 'other-cluster' });
    a.transport.setPeer('b', stranger.transport.address());
    stranger.transport.setPeer('a', a.transport.address());
    const unknown = await endpoint('z');
    unknown.transport.setPeer('a', a.transport.address());
    stranger.transport.send([heartbeat('b', 'a', 1)]);
    unknown.transport.send([heartbeat('z', 'a', 1)]);
    await waitFor(() => a.transport.metrics().rejectedConnections >= 2);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(a.received).toEqual([]);
    expect(a.transport.metrics().receivedMessages).toBe(0);
  });

  it('closes a connection that sends an oversized frame, and keeps serving others', async () => {
    const a = await endpoint('a', { frameBytesMax: 64 * 1024 });
    const b = await endpoint('b');
    mesh([a, b], ['a', 'b']);
    const socket = await rawConnect(a.transport.address().port);
    socket.write(encodeFrame({ kind: 'hello', version: wireProtocolVersion, clusterId: 'c1', from: 'b', to: 'a' }, 1024));
    const header = Buffer.alloc(4);
    header.writeUInt32BE(100 * 1024 * 1024);
    socket.write(header);
    await closed(socket);
    expect(a.transport.metrics().malformedFrames).toBe(1);
    b.transport.send([heartbeat('b', 'a', 9)]);
    await waitFor(() => a.received.length === 1);
  });

  it('closes a connection that sends a malformed frame or a bad message', async () => {
    const a = await endpoint('a');
    a.transport.setPeer('b', { host: '127.0.0.1', port: 1 });
    const garbage = await rawConnect(a.transport.address().port);
    const body = Buffer.from([0xc1, 0xc1, 0xc1]); // 0xc1 is never valid msgpack
    const frame = Buffer.alloc(4 + body.length);
    frame.writeUInt32BE(body.length);
    body.copy(frame, 4);
    garbage.write(frame);
    await closed(garbage);
    const liar = await rawConnect(a.transport.address().port);
    liar.write(encodeFrame({ kind: 'hello', version: wireProtocolVersion, clusterId: 'c1', from: 'b', to: 'a' }, 1024));
    // A message frame whose body is not a Message (missing fields).
    const bad = Buffer.from(encode({ kind: 'message', message: { type: 'append', from: 'b', to: 'a', term: 1 } }));
    const badFrame = Buffer.alloc(4 + bad.length);
    badFrame.writeUInt32BE(bad.length);
    bad.copy(badFrame, 4);
    liar.write(badFrame);
    await closed(liar);
    expect(a.transport.metrics().malformedFrames).toBe(2);
    expect(a.received).toEqual([]);
  });

  it('answers a rejected handshake with a reject frame', async () => {
    const a = await endpoint('a');
    const socket = await rawConnect(a.transport.address().port);
    const decoder = new FrameDecoder(1024 * 1024);
    const frames: string[] = [];
    socket.on('data', (chunk: Buffer) => {
      for (const body of decoder.push(chunk)) frames.push(decodeFrame(body).kind);
    });
    socket.write(encodeFrame({ kind: 'hello', version: wireProtocolVersion, clusterId: 'wrong', from: 'b', to: 'a' }, 1024));
    await closed(socket);
    expect(frames).toEqual(['reject']);
  });

  it('bounds the per-peer queue: drops and counts what does not fit', async () => {
    const b = await endpoint('b');
    const a = await endpoint('a', { peerQueueMessagesMax: 10, peers: new Map([['b', b.transport.address()]]) });
    b.transport.setPeer('a', a.transport.address());
    // Still connecting: the first 10 queue, the other 90 are dropped.
    a.transport.send(Array.from({ length: 100 }, (_, i) => heartbeat('a', 'b', i)));
    await waitFor(() => b.received.length === 10);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(b.received.length).toBe(10);
    expect(a.transport.metrics().peers['b']?.droppedMessages).toBe(90);
  });

  it('drops messages for members it has no address for, and counts them', async () => {
    const a = await endpoint('a');
    a.transport.send([heartbeat('a', 'nobody', 1)]);
    expect(a.transport.metrics().droppedUnknownPeer).toBe(1);
  });

  it('measures round-trip time with pings', async () => {
    const [a, b] = await Promise.all([endpoint('a', { pingIntervalMs: 20 }), endpoint('b')]);
    mesh([a, b], ['a', 'b']);
    await waitFor(() => a.transport.metrics().peers['b']?.rttMs !== null, 5000);
    expect(a.transport.metrics().peers['b']?.rttMs).toBeGreaterThanOrEqual(0);
  });
});

describe('FrameDecoder', () => {
  it('reassembles frames split at any byte and several frames in one chunk', () => {
    const frames = [1, 2, 3].map((sentAtMs) => encodeFrame({ kind: 'ping', sentAtMs }, 1024));
    const all = Buffer.concat(frames);
    for (let split = 0; split <= all.length; split++) {
      const decoder = new FrameDecoder(1024);
      const bodies = [...decoder.push(all.subarray(0, split)), ...decoder.push(all.subarray(split))];
      expect(bodies.map((body) => decodeFrame(body))).toEqual([1, 2, 3].map((sentAtMs) => ({ kind: 'ping', sentAtMs })));
    }
  });

  it('refuses to encode or accept a frame over the limit', () => {
    expect(() => encodeFrame({ kind: 'reject', reason: 'x'.repeat(2000) }, 1024)).toThrow(/exceeds/);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(5000);
    expect(() => new FrameDecoder(1024).push(header)).toThrow(/exceeds/);
  });
});
