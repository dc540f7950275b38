import type { Clock } from '../../common/index.ts';

export interface UdpFlow {
  readonly clientKey: string;
  readonly backendKey: string;
  lastActivityMs: number;
  close(): void;
}

/**
 * UDP flows of one listener (client address:port → its upstream socket), bounded: past `flowsMax`
 * the least recently active flow is closed; flows idle longer than `idleMs` are closed by
 * `closeIdle`. Map order is recency order (a flow is re-inserted on activity).
 */
export class UdpFlowTable<Flow extends UdpFlow> {
  private readonly flows = new Map<string, Flow>();

  constructor(private readonly clock: Clock, private readonly flowsMax: number, private readonly idleMs: number) {}

  get size(): number {
    return this.flows.size;
  }

  get(clientKey: string): Flow | undefined {
    return this.flows.get(clientKey);
  }

  touch(flow: Flow): void {
    flow.lastActivityMs = this.clock.nowMs();
    this.flows.delete(flow.clientKey);
    this.flows.set(flow.clientKey, flow);
  }

  add(flow: Flow): void {
    this.touch(flow);
    while (this.flows.size > this.flowsMax) {
      const oldest = this.flows.values().next();
      if (oldest.done === true) break;
      this.remove(oldest.value);
    }
  }

  remove(flow: Flow): void {
    if (this.flows.get(flow.clientKey) === flow) this.flows.delete(flow.clientKey);
    flow.close();
  }

  closeIdle(): number {
    const now = this.clock.nowMs();
    let closed = 0;
    for (const flow of this.flows.values()) {
      if (now - flow.lastActivityMs < this.idleMs) break;
      this.remove(flow);
      closed += 1;
    }
    return closed;
  }

  /** Closes flows whose backend is no longer ready, so their next datagram picks a ready one. */
  closeWhere(predicate: (flow: Flow) => boolean): void {
    for (const flow of [...this.flows.values()]) if (predicate(flow)) this.remove(flow);
  }

  closeAll(): void {
    for (const flow of [...this.flows.values()]) this.remove(flow);
  }
}
