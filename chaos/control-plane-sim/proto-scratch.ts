import { runControlPlaneSimulation } from './run.ts';
const from = Number(process.argv[2] ?? 1);
const count = Number(process.argv[3] ?? 5);
let wallTotal = 0; let simTotal = 0;
for (let seed = from; seed < from + count; seed++) {
  const started = performance.now();
  const result = await runControlPlaneSimulation({ seed });
  const wall = (performance.now() - started) / 1000;
  wallTotal += wall; simTotal += result.simulatedMs / 1000;
  console.log(`seed ${seed} ${result.passed ? 'ok' : 'FAIL'} ${wall.toFixed(2)}s ${result.traceHash.slice(0, 12)} steps=${result.counters.timerSteps} rev=${result.counters.storeRevision} late=${JSON.stringify(result.counters.lateWrites)} faults=${JSON.stringify(result.counters.storeFaults)}`);
  for (const violation of result.violations.slice(0, 6)) console.log(`   ${violation.property}: ${violation.message.slice(0, 400)}`);
}
console.log(`speed ${(simTotal / wallTotal).toFixed(0)} sim-s per wall-s`);
