import type { BackendSpec } from '../core/proxy-table.ts';
import type { Balancer } from './balancer.ts';

/**
 * Round robin: each pick takes the next eligible backend after the previous pick. The cursor
 * survives endpoint changes (taken modulo the new count), so a rolling update does not send a
 * burst to the first endpoint.
 */
export class RoundRobinBalancer implements Balancer {
  private cursor = 0;

  pick(backends: readonly BackendSpec[], eligible: (backend: BackendSpec) => boolean): BackendSpec | null {
    const count = backends.length;
    for (let step = 0; step < count; step++) {
      const index = (this.cursor + step) % count;
      const backend = backends[index];
      if (backend !== undefined && eligible(backend)) {
        this.cursor = (index + 1) % count;
        return backend;
      }
    }
    return null;
  }
}
