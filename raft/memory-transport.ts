import type { Transport } from './transport.ts';
import type { Message, NodeId } from './types.ts';

/**
 * An in-process network for tests: transports registered on one `MemoryNetwork` deliver to each
 * other asynchronously (never re-entering the sender). Messages to a stopped or unknown member are
 * dropped, as a real network would.
 */
export class MemoryNetwork {
  private readonly members = new Map<NodeId, MemoryTransport>();

  transport(id: NodeId): MemoryTransport {
    return new MemoryTransport(this, id);
  }

  /** @internal */
  attach(id: NodeId, transport: MemoryTransport | null): void {
    if (transport === null) this.members.delete(id);
    else this.members.set(id, transport);
  }

  /** @internal */
  deliver(message: Message): void {
    const target = this.members.get(message.to);
    if (target !== undefined) queueMicrotask(() => target.receive(message));
  }
}

export class MemoryTransport implements Transport {
  private handler: ((message: Message) => void) | null = null;
  private running = false;

  constructor(
    private readonly network: MemoryNetwork,
    readonly id: NodeId,
  ) {}

  start(): Promise<void> {
    this.running = true;
    this.network.attach(this.id, this);
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.running = false;
    this.network.attach(this.id, null);
    return Promise.resolve();
  }

  send(messages: readonly Message[]): void {
    if (!this.running) return;
    for (const message of messages) this.network.deliver(message);
  }

  onMessage(handler: (message: Message) => void): void {
    this.handler = handler;
  }

  /** @internal */
  receive(message: Message): void {
    if (this.running) this.handler?.(message);
  }
}
