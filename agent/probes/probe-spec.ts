import type { Probe } from '../pod-types.ts';

export type ProbeKind = 'liveness' | 'readiness' | 'startup';

/** A probe with Kubernetes' defaults applied, in milliseconds. */
export interface NormalizedProbe {
  readonly initialDelayMs: number;
  readonly periodMs: number;
  readonly timeoutMs: number;
  readonly successThreshold: number;
  readonly failureThreshold: number;
  readonly terminationGracePeriodSeconds: number | undefined;
  readonly action: Probe;
}

/** Kubernetes' defaults (core/v1 SetDefaults_Probe). */
export const ProbeDefaults = {
  periodSeconds: 10,
  timeoutSeconds: 1,
  successThreshold: 1,
  failureThreshold: 3,
} as const;

export type ProbeValidation = { readonly ok: true; readonly probe: NormalizedProbe } | { readonly ok: false; readonly message: string };

/**
 * Applies defaults and the API server's validation rules: periods and thresholds at least 1,
 * exactly one handler, and successThreshold must be 1 for liveness and startup probes.
 */
export function normalizeProbe(kind: ProbeKind, probe: Probe): ProbeValidation {
  const handlers = [probe.exec, probe.httpGet, probe.tcpSocket].filter((handler) => handler !== undefined);
  if (handlers.length !== 1) return { ok: false, message: `${kind} probe must have exactly one handler` };
  const initialDelaySeconds = probe.initialDelaySeconds ?? 0;
  const periodSeconds = probe.periodSeconds ?? ProbeDefaults.periodSeconds;
  const timeoutSeconds = probe.timeoutSeconds ?? ProbeDefaults.timeoutSeconds;
  const successThreshold = probe.successThreshold ?? ProbeDefaults.successThreshold;
  const failureThreshold = probe.failureThreshold ?? ProbeDefaults.failureThreshold;
  if (initialDelaySeconds < 0) return { ok: false, message: `${kind} probe initialDelaySeconds must be >= 0` };
  if (periodSeconds <= 0 || timeoutSeconds <= 0 || successThreshold < 1 || failureThreshold < 1) {
    return { ok: false, message: `${kind} probe periodSeconds, timeoutSeconds and thresholds must be >= 1` };
  }
  if (kind !== 'readiness' && successThreshold !== 1) {
    return { ok: false, message: `${kind} probe successThreshold must be 1` };
  }
  return {
    ok: true,
    probe: {
      initialDelayMs: initialDelaySeconds * 1000,
      periodMs: periodSeconds * 1000,
      timeoutMs: timeoutSeconds * 1000,
      successThreshold,
      failureThreshold,
      terminationGracePeriodSeconds: probe.terminationGracePeriodSeconds,
      action: probe,
    },
  };
}
