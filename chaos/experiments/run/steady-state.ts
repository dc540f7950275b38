import type { Env } from '../../../common/index.ts';
import type { Experiment } from '../experiment.ts';
import { SteadyStateError } from './steady-state-error.ts';
import type { Observers } from './observers.ts';
import { sleep } from './sleep.ts';

const checkIntervalMs = 100;

/**
 * The steady state holds when a leader is known and every probe succeeded within its tolerance.
 * Faults start only then; if it never holds, nothing is faulted and the run says why.
 */
export async function waitForSteadyState(observers: Observers, experiment: Experiment, env: Env, signal?: AbortSignal): Promise<void> {
  const deadline = env.clock.nowMs() + experiment.steadyStateTimeoutMs;
  for (;;) {
    const nowMs = env.clock.nowMs();
    const failing = observers.probes.filter((probe, index) => {
      const toleranceMs = experiment.probes[index]?.toleranceMs ?? 0;
      return probe.lastSuccessAtMs === null || nowMs - probe.lastSuccessAtMs > toleranceMs;
    });
    const leader = observers.status.latest().leader;
    if (failing.length === 0 && leader !== null) return;
    if (nowMs >= deadline || signal?.aborted === true) {
      const reasons = failing.map((probe) => `${probe.name}: ${probe.lastError ?? 'no answer yet'}`);
      if (leader === null) reasons.push('no leader known');
      throw new SteadyStateError(`the steady state did not hold within ${experiment.steadyStateTimeoutMs} ms, so nothing was faulted — ${reasons.join('; ')}`);
    }
    await sleep(env, checkIntervalMs, signal);
  }
}
