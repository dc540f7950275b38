import { createLogger } from '../../common/index.ts';
import { runKvChaos, type KvChaosResult } from './run.ts';

export interface KvChaosCommandOptions {
  readonly runs: number;
  readonly seedStart: number;
  readonly nodes: 3 | 5;
  readonly runMs: number;
}

/** `flotilla chaos kv`: N seeded chaos runs on real processes; prints `N passed, M failed`. */
export async function runKvChaosCommand(options: KvChaosCommandOptions, print: (line: string) => void): Promise<number> {
  const logger = createLogger('chaos', { level: 'warn' });
  let passed = 0;
  let failed = 0;
  for (let seed = options.seedStart; seed < options.seedStart + options.runs; seed++) {
    const result = await runKvChaos({ seed, size: options.nodes, runMs: options.runMs, clients: 6, keys: 4, serverArgs: [], logger });
    print(formatResult(result));
    if (result.passed) passed += 1;
    else failed += 1;
  }
  print(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

export function formatResult(result: KvChaosResult): string {
  const head = `seed ${result.seed}: ${result.passed ? 'passed' : 'FAILED'} — ${result.operations} ops (${result.acknowledged} acknowledged, ${result.unknown} unknown outcome); faults: ${result.schedule.join('; ') || 'none'}`;
  if (result.passed) return head;
  return [head, ...result.problems.map((problem) => `  ${problem}`), `  logs and data: ${result.logDirectory}`, `  replay: npm run chaos -- kv --seed-start ${result.seed} --runs 1`].join('\n');
}
