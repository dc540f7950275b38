import { formatRunSummary } from './summary.ts';
import { runControlPlaneSimulation } from './run.ts';
const result = await runControlPlaneSimulation({ seed: Number(process.argv[2]) });
console.log(formatRunSummary(result));
