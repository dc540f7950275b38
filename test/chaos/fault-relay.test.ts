import { createServer, createConnection, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FaultRelay } from '../../chaos/relay/fault-relay.ts';

/** A real echo server on a loopback port. */
async function startEcho(): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { server, port: typeof address === 'object' && address !== null ? address.port : 0 };
}

async function connect(port: number): Promise<Socket> {
  return await new Promise<Socket>((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => resolve(socket));
    socket.on('error', reject);
  });
}

/** Collects what the socket receives for a while. */
async function receiveFor(socket: Socket, ms: number): Promise<string> {
  let received = '';
  const onData = (chunk: Buffer): void => {
    received += chunk.toString();
  };
  socket.on('data', onData);
  await new Promise((resolve) => setTimeout(resolve, ms));
  socket.off('data', onData);
  return received;
}

describe('fault relay', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setup(): Promise<{ relay: FaultRelay; client: Socket }> {
    const echo = await startEcho();
    cleanups.push(() => new Promise<void>((resolve) => echo.server.close(() => resolve())));
    const relay = new FaultRelay({ targetHost: '127.0.0.1', targetPort: echo.port });
    await relay.start();
    cleanups.push(() => relay.stop());
    const client = await connect(relay.port);
    cleanups.push(() => void client.destroy());
    return { relay, client };
  }

  it('passes bytes through unchanged', async () => {
    const { client } = await setup();
    client.write('hello');
    expect(await receiveFor(client, 100)).toBe('hello');
  });

  it('drops everything while blackholed, and passes again after healing', async () => {
    const { relay, client } = await setup();
    relay.setFault({ kind: 'blackhole' });
    client.write('lost');
    expect(await receiveFor(client, 150)).toBe('');
    relay.setFault({ kind: 'pass' });
    client.write('found');
    expect(await receiveFor(client, 150)).toBe('found');
  });

  it('delays chunks and keeps their order when the delay is lifted', async () => {
    const { relay, client } = await setup();
    relay.setFault({ kind: 'delay', delayMs: 200 });
    client.write('a');
    const early = await receiveFor(client, 60);
    expect(early).toBe('');
    relay.setFault({ kind: 'pass' });
    client.write('b');
    expect(await receiveFor(client, 600)).toBe('ab');
  });

  it('cuts connections and refuses new ones on reset', async () => {
    const { relay, client } = await setup();
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    relay.setFault({ kind: 'reset' });
    await closed;
    const again = await connect(relay.port);
    const closedAgain = new Promise<void>((resolve) => again.once('close', () => resolve()));
    again.on('error', () => undefined);
    await closedAgain;
    expect(again.destroyed).toBe(true);
  });
});
