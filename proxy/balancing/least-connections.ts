import type { BackendSpec } from '../core/proxy-table.ts';
import type { ActiveCounts, Balancer } from './balancer.ts';

/**
 * Least connections: the eligible backend with the fewest open connections; among equals the one
 * after the previous pick, so that idle backends still take turns.
 */
export class LeastConnectionsBalancer implements Balancer {
  private cursor = 0;

  constructor(private readonly counts: ActiveCounts) {}

  pick(backends: readonly BackendSpec[], eligible: (backend: BackendSpec) => boolean): BackendSpec | null {
    const count = backends.length;
    let best: { backend: BackendSpec; index: number; active: number } | null = null;
    for (let step = 0; step < count; step++) {
      const index = (this.cursor + step) % count;
      const backend = backends[index];
      if (backend === undefined || !eligible(backend)) continue;
      const active = this.counts.activeOn(backend.key);
      if (best === null || active < best.active) best = { backend, index, active };
    }
    if (best === null) return null;
    this.cursor = (best.index + 1) % count;
    return best.backend;
  }
}
