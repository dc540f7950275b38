import { ProcessRuntime } from '../../agent/index.ts';
import type { Env, Logger } from '../../common/index.ts';
import { LocalClusterLimits } from './limits.ts';

/**
 * Stops the containers an agent left running. An agent's SIGTERM keeps its containers on purpose
 * (the next agent re-adopts them), so `down`, which promises no process is left, stops them itself —
 * through the agent's own runtime (re-adopt by pid and start time, SIGTERM the process group,
 * SIGKILL after the grace), which records each exit so the next agent restarts them by their
 * restartPolicy. Call only while no agent runs on this data dir. Returns how many were stopped.
 */
export async function stopLeftContainers(env: Env, agentDataDir: string, logger: Logger): Promise<number> {
  const runtime = new ProcessRuntime({ rootDirectory: agentDataDir, env, logger });
  try {
    await runtime.recover();
    const running = runtime.list().filter((container) => container.exit === undefined);
    await Promise.all(running.map((container) => runtime.stop(container.id, LocalClusterLimits.containerStopGraceMs)));
    return running.length;
  } finally {
    await runtime.close();
  }
}
