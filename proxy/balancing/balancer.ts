import type { BackendSpec } from '../core/proxy-table.ts';

/** Chooses one backend among those `eligible` allows; null when none is. Pure apart from its own cursor. */
export interface Balancer {
  pick(backends: readonly BackendSpec[], eligible: (backend: BackendSpec) => boolean): BackendSpec | null;
}

/** Open connections (or in-flight requests) per backend key, as least-connections needs them. */
export interface ActiveCounts {
  activeOn(backendKey: string): number;
}
