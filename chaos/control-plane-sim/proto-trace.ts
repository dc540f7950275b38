import { writeFileSync } from 'node:fs';
import { runControlPlaneSimulation } from './run.ts';
const seed = Number(process.argv[2] ?? 1);
const runs = Number(process.argv[3] ?? 1);
for (let run = 0; run < runs; run++) {
  const result = await runControlPlaneSimulation({ seed });
  writeFileSync(`/tmp/trace-${seed}-${run}-${process.pid}.txt`, result.trace.join('\n'));
  console.log(run, result.traceHash.slice(0, 12), result.counters.timerSteps, result.counters.storeRevision);
}
