import type { Timers } from '../common/index.ts';
import type { Container } from './pod-types.ts';
import { runProbe, type ProbeTarget } from './probes/prober.ts';
import type { ExitInfo, Runtime } from './runtime.ts';
import { sleep } from './wait.ts';

/** kubelet's minimumGracePeriodInSeconds: what SIGTERM still gets after a preStop hook ate the grace. */
export const minimumGraceAfterHookMs = 2000;

export interface KillRequest {
  readonly runtime: Runtime;
  readonly containerId: string;
  readonly container: Container;
  readonly gracePeriodMs: number;
  readonly target: ProbeTarget;
  readonly timers: Timers;
  readonly nowMs: () => number;
}

/**
 * kubelet's killContainer: run the preStop hook (exec, httpGet or sleep) within the grace period,
 * then SIGTERM with what is left of it (at least 2 s if a hook ran), then SIGKILL. A failing hook
 * is logged by the caller and does not stop the kill.
 */
export async function killContainer(request: KillRequest): Promise<{ exit: ExitInfo; hookMessage?: string }> {
  const deadlineMs = request.nowMs() + request.gracePeriodMs;
  const hook = request.container.lifecycle?.preStop;
  let hookMessage: string | undefined;
  if (hook !== undefined && request.gracePeriodMs > 0) {
    if (hook.sleep !== undefined) {
      await sleep(request.timers, Math.min(hook.sleep.seconds * 1000, request.gracePeriodMs));
    } else {
      const attempt = await runProbe(hook, request.target, request.gracePeriodMs);
      if (attempt.outcome === 'failure') hookMessage = `PreStop hook failed: ${attempt.message}`;
    }
  }
  const remainingMs = deadlineMs - request.nowMs();
  const graceMs = hook === undefined ? request.gracePeriodMs : Math.max(remainingMs, minimumGraceAfterHookMs);
  const exit = await request.runtime.stop(request.containerId, graceMs);
  return hookMessage === undefined ? { exit } : { exit, hookMessage };
}
