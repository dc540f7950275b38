import { runControlPlaneSimulation } from './run.ts';
const result = await runControlPlaneSimulation({ seed: 11, actions: [
  { afterMs: 0, action: { kind: 'run-job', slot: 0, completions: 2, parallelism: 1 } },
  { afterMs: 0, action: { kind: 'run-job', slot: 1, completions: 2, parallelism: 2 } },
  { afterMs: 3000, action: { kind: 'kill-node', node: 1 } },
] });
console.log(result.passed, result.violations);
console.log(result.trace.filter((l) => l.includes('batch') || l.includes('report') || l.includes('node-1')).join('\n'));
