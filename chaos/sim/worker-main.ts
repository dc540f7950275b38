import { parentPort } from 'node:worker_threads';
import { createRaftCore } from './core-factory.ts';
import { runSimulation } from './run.ts';
import type { SeedJob, SeedOutcome } from './worker-pool.ts';

/** A simulation worker thread: runs the seeds it is sent and answers with their outcomes. */
parentPort?.on('message', (job: SeedJob) => {
  const outcomes: SeedOutcome[] = job.seeds.map((seed) => {
    const result = runSimulation({ seed, nodes: job.nodes, steps: job.steps, createCore: createRaftCore, timeline: false });
    return { seed, passed: result.passed, stats: result.stats, simulatedUs: result.simulatedUs, historyOutcome: result.history?.outcome ?? null };
  });
  parentPort?.postMessage(outcomes);
});
