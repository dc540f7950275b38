import type { Socket } from 'node:net';
import type { ActiveCounts } from '../balancing/balancer.ts';

/**
 * Open proxied connections (and in-flight ingress requests) per backend: least-connections reads
 * the counts, and shutdown drains the sockets. Connections are never cut when their backend leaves
 * the table: a terminating endpoint keeps its in-flight work until it ends.
 */
export class ConnectionRegistry implements ActiveCounts {
  private readonly active = new Map<string, number>();
  private readonly sockets = new Set<Socket>();
  private idleWaiters: Array<() => void> = [];

  activeOn(backendKey: string): number {
    return this.active.get(backendKey) ?? 0;
  }

  get openCount(): number {
    let total = 0;
    for (const count of this.active.values()) total += count;
    return total;
  }

  /** Counts one unit of work on a backend; the returned function ends it (calling it twice is harmless). */
  begin(backendKey: string, ...sockets: Socket[]): () => void {
    this.active.set(backendKey, this.activeOn(backendKey) + 1);
    for (const socket of sockets) this.sockets.add(socket);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      for (const socket of sockets) this.sockets.delete(socket);
      const left = this.activeOn(backendKey) - 1;
      if (left <= 0) this.active.delete(backendKey);
      else this.active.set(backendKey, left);
      if (this.active.size === 0) this.wakeIdleWaiters();
    };
  }

  /** Resolves when nothing is in flight (true) or when `wait` resolves first (false). */
  async whenIdle(wait: Promise<unknown>): Promise<boolean> {
    if (this.active.size === 0) return true;
    const idle = new Promise<boolean>((resolve) => this.idleWaiters.push(() => resolve(true)));
    return await Promise.race([idle, wait.then(() => false)]);
  }

  destroyAll(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  private wakeIdleWaiters(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }
}
