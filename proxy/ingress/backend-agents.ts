import { Agent } from 'node:http';
import { IngressLimits } from '../limits.ts';

/**
 * One keep-alive pool (an http.Agent) per backend endpoint, bounded in sockets per endpoint, idle
 * sockets kept, idle time and number of pools. An endpoint that leaves the table keeps its pool
 * until its in-flight requests finish (they drain); its idle sockets close at once.
 */
export class BackendAgents {
  private readonly agents = new Map<string, Agent>();

  agentFor(backendKey: string): Agent {
    const existing = this.agents.get(backendKey);
    if (existing !== undefined) {
      // Map order is recency order: the least recently used pool is the first one.
      this.agents.delete(backendKey);
      this.agents.set(backendKey, existing);
      return existing;
    }
    const agent = new Agent({
      keepAlive: true,
      maxSockets: IngressLimits.backendSocketsPerEndpointMax,
      maxFreeSockets: IngressLimits.backendIdleSocketsPerEndpointMax,
      timeout: IngressLimits.backendIdleSocketMs,
    });
    this.agents.set(backendKey, agent);
    this.evictBeyondLimit();
    return agent;
  }

  /** Closes idle sockets to endpoints that are no longer ready, and drops their pools once unused. */
  retainOnly(readyKeys: ReadonlySet<string>): void {
    for (const [key, agent] of this.agents) {
      if (readyKeys.has(key)) continue;
      for (const sockets of Object.values(agent.freeSockets)) for (const socket of sockets ?? []) socket.destroy();
      if (!hasSocketsInUse(agent)) {
        agent.destroy();
        this.agents.delete(key);
      }
    }
  }

  get poolCount(): number {
    return this.agents.size;
  }

  close(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }

  private evictBeyondLimit(): void {
    for (const [key, agent] of this.agents) {
      if (this.agents.size <= IngressLimits.backendPoolsMax) return;
      if (hasSocketsInUse(agent)) continue;
      agent.destroy();
      this.agents.delete(key);
    }
  }
}

function hasSocketsInUse(agent: Agent): boolean {
  return Object.values(agent.sockets).some((sockets) => (sockets?.length ?? 0) > 0) || Object.values(agent.requests).some((queued) => (queued?.length ?? 0) > 0);
}
