import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { HistoryVerdict } from './history-check.ts';
import type { SimStats } from './stats.ts';
import { runsCompiled } from '../../common/index.ts';

/** What a worker reports for one seed: enough to aggregate and to know which seeds to replay here. */
export interface SeedOutcome {
  readonly seed: number;
  readonly passed: boolean;
  readonly stats: SimStats;
  readonly simulatedUs: number;
  readonly historyOutcome: HistoryVerdict['outcome'] | null;
}

export interface SeedJob {
  readonly seeds: readonly number[];
  readonly nodes: 3 | 5;
  readonly steps: number;
}

/** Seeds handed to a worker at a time: small enough to balance the load, large enough to keep messages rare. */
const seedsPerBatch = 25;
/** Worker threads at most, whatever the machine says. */
export const simWorkersMax = 8;

export function defaultWorkerCount(): number {
  return Math.max(1, Math.min(simWorkersMax, availableParallelism()));
}

/**
 * Runs seeds on worker threads (each seed is independent and deterministic, so where it runs
 * cannot change its outcome) and calls `onOutcome` for each, in completion order.
 */
export async function runSeedsOnWorkers(job: SeedJob, workers: number, onOutcome: (outcome: SeedOutcome) => void): Promise<void> {
  const pending = [...job.seeds];
  const runWorker = async (): Promise<void> => {
    const worker = new Worker(workerEntry());
    try {
      for (;;) {
        const seeds = pending.splice(0, seedsPerBatch);
        if (seeds.length === 0) return;
        const outcomes = await requestBatch(worker, { ...job, seeds });
        for (const outcome of outcomes) onOutcome(outcome);
      }
    } finally {
      await worker.terminate();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, workers) }, runWorker));
}

function requestBatch(worker: Worker, job: SeedJob): Promise<SeedOutcome[]> {
  return new Promise<SeedOutcome[]>((resolve, reject) => {
    const onMessage = (outcomes: SeedOutcome[]): void => {
      worker.off('error', onError);
      resolve(outcomes);
    };
    const onError = (error: Error): void => {
      worker.off('message', onMessage);
      reject(error);
    };
    worker.once('message', onMessage);
    worker.once('error', onError);
    worker.postMessage(job);
  });
}

/**
 * Compiled (dist/), the worker loads its own .js; from source it is TypeScript, so its bootstrap
 * registers tsx first, as bin/flotilla.js does (worker threads do not inherit the loader).
 */
function workerEntry(): URL {
  return runsCompiled() ? new URL('./worker-main.js', import.meta.url) : new URL('./worker-bootstrap.mjs', import.meta.url);
}
