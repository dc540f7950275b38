import { runControlPlaneSimulation } from './run.ts';
const result = await runControlPlaneSimulation({ seed: 7, actions: [
  { afterMs: 0, action: { kind: 'apply-deployment', slot: 0, replicas: 3, image: 0 } },
  { afterMs: 0, action: { kind: 'apply-service', slot: 0, target: 0 } },
  { afterMs: 6000, action: { kind: 'overlap-leaders', overlapMs: 4000, lateWriteMs: 1500 } },
  { afterMs: 0, action: { kind: 'roll-deployment', slot: 0, image: 1 } },
  { afterMs: 500, action: { kind: 'scale-deployment', slot: 0, replicas: 4 } },
  { afterMs: 6000, action: { kind: 'apply-service', slot: 1, target: 0 } },
] });
console.log(result.passed, JSON.stringify(result.counters.lateWrites), result.violations);
console.log(result.trace.filter((l) => l.includes('leader')).join('\n'));
