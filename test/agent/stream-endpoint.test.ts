import { describe, expect, it } from 'vitest';
import { encodeMessage, StreamChannel, StreamEndpoint, StreamLimits, type FrameTransport, type IncomingFrame } from '../../control-plane/nats/index.ts';
import { ManualEnv, flushPromises } from './manual-env.ts';

/** In-memory NATS subjects (delivery in order; `drop` loses the next message on a subject). */
class MemoryTransport implements FrameTransport {
  private readonly handlers = new Map<string, (bytes: Uint8Array) => void>();
  private readonly dropNext = new Set<string>();
  readonly published: Array<{ subject: string; bytes: Uint8Array }> = [];

  publish(subject: string, bytes: Uint8Array): void {
    this.published.push({ subject, bytes });
    if (this.dropNext.delete(subject)) return;
    this.handlers.get(subject)?.(bytes);
  }

  subscribe(subject: string, onMessage: (bytes: Uint8Array) => void): { unsubscribe(): void } {
    this.handlers.set(subject, onMessage);
    return { unsubscribe: () => this.handlers.delete(subject) };
  }

  drop(subject: string): void {
    this.dropNext.add(subject);
  }
}

function pair(env: ManualEnv, transport = new MemoryTransport(), window = 4): { agent: StreamEndpoint; plane: StreamEndpoint; transport: MemoryTransport } {
  const timings = { keepaliveIntervalMs: 1_000, silenceMaxMs: 3_000 };
  const plane = new StreamEndpoint({ transport, localSubject: 'to-plane', peerSubject: 'to-agent', timers: env.timers, clock: env.clock, sendCredit: window, receiveWindow: window, timings });
  const agent = new StreamEndpoint({ transport, localSubject: 'to-agent', peerSubject: 'to-plane', timers: env.timers, clock: env.clock, sendCredit: window, receiveWindow: window, timings });
  return { agent, plane, transport };
}

const bytes = (text: string) => new TextEncoder().encode(text);

describe('StreamEndpoint (flow control over NATS core)', () => {
  it('lets a sender run ahead only by the receiver\'s window, and on as the reader consumes', async () => {
    const env = new ManualEnv();
    const { agent, plane } = pair(env);
    let sent = 0;
    const sending = (async () => {
      for (let index = 0; index < 10; index++) {
        await agent.send(StreamChannel.stdout, bytes(`line ${index}\n`));
        sent++;
      }
      agent.end(0, '');
    })();
    await flushPromises();
    expect(sent).toBe(4);
    const received: string[] = [];
    for await (const frame of plane) if (frame.kind === 'data') received.push(new TextDecoder().decode(frame.data));
    await sending;
    expect(received).toEqual(Array.from({ length: 10 }, (_, index) => `line ${index}\n`));
    expect(await plane.ended).toEqual({ by: 'peer', exitCode: 0, error: '' });
  });

  it('splits data into frames of at most chunkBytesMax', async () => {
    const env = new ManualEnv();
    const { agent, plane } = pair(env, new MemoryTransport(), 16);
    await agent.send(StreamChannel.stderr, new Uint8Array(StreamLimits.chunkBytesMax * 2 + 10));
    agent.end(7, '');
    const sizes: number[] = [];
    for await (const frame of plane) if (frame.kind === 'data') sizes.push(frame.data.length);
    expect(sizes).toEqual([StreamLimits.chunkBytesMax, StreamLimits.chunkBytesMax, 10]);
    expect((await plane.ended).exitCode).toBe(7);
  });

  it('ends the stream when a frame is lost, instead of delivering a hole', async () => {
    const env = new ManualEnv();
    const { agent, plane, transport } = pair(env);
    await agent.send(StreamChannel.stdout, bytes('a'));
    transport.drop('to-plane');
    await agent.send(StreamChannel.stdout, bytes('b'));
    await agent.send(StreamChannel.stdout, bytes('c'));
    const frames: IncomingFrame[] = [];
    for await (const frame of plane) frames.push(frame);
    expect(frames).toHaveLength(1);
    expect((await plane.ended).error).toBe('frames were lost (expected 2, got 3)');
  });

  it('keeps a quiet stream alive with keepalives, and ends one whose peer went silent', async () => {
    const env = new ManualEnv();
    const { agent, plane } = pair(env);
    await env.advance(10_000);
    expect(agent.isEnded || plane.isEnded).toBe(false);
    // A control plane whose agent vanished (nobody listens or sends on the other subject).
    const timings = { keepaliveIntervalMs: 1_000, silenceMaxMs: 3_000 };
    const lonely = new StreamEndpoint({ transport: new MemoryTransport(), localSubject: 'a', peerSubject: 'b', timers: env.timers, clock: env.clock, sendCredit: 0, receiveWindow: 4, timings });
    await env.advance(3_500);
    expect(await lonely.ended).toEqual({ by: 'local', exitCode: -1, error: 'the peer sent nothing for 3000 ms' });
  });

  it('refuses a peer that sends beyond its credit', async () => {
    const env = new ManualEnv();
    const transport = new MemoryTransport();
    const plane = new StreamEndpoint({ transport, localSubject: 'to-plane', peerSubject: 'to-agent', timers: env.timers, clock: env.clock, sendCredit: 0, receiveWindow: 1 });
    for (let sequence = 1; sequence <= 2; sequence++) transport.publish('to-plane', encodeMessage({ version: 1, sequence, kind: 'data', channel: 1, data: bytes('x') }));
    expect((await plane.ended).error).toBe('the peer sent beyond the credit it was given');
  });

  it('carries stdin half-close and terminal resizes in order', async () => {
    const env = new ManualEnv();
    const { agent, plane } = pair(env);
    await plane.send(StreamChannel.stdin, bytes('echo hi\n'));
    plane.resize(120, 40);
    plane.close(StreamChannel.stdin);
    plane.end(-1, '');
    const frames: IncomingFrame[] = [];
    for await (const frame of agent) frames.push(frame);
    expect(frames.map((frame) => frame.kind)).toEqual(['data', 'resize', 'close']);
    expect(frames[1]).toEqual({ kind: 'resize', width: 120, height: 40 });
  });
});
