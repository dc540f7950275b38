import { checkLinearizability, kvModel } from '../../linearizability/index.ts';
import { waitForConvergence } from '../../kv/convergence.ts';
import type { KvWorkload } from '../../kv/workload.ts';
import type { ExperimentCluster } from '../cluster/experiment-cluster.ts';
import type { WritesCheck } from '../evaluate/evaluate-hypotheses.ts';

/** The linearizability search budget: beyond it the check says "inconclusive", never "lost". */
const searchStatesMax = 2_000_000;
/** How long the replicas may take, after the heal, to reach the same revision and contents. */
const convergenceWaitMs = 20_000;
/** The violation's explanation kept in the summary. */
const explanationCharactersMax = 4_000;

/**
 * After the faults healed: the workload's last reads (so a lost acknowledged write shows), the
 * history checked for linearizability, and every replica compared (revision and HashKV).
 */
export async function checkWrites(workload: KvWorkload, cluster: ExperimentCluster): Promise<WritesCheck> {
  await workload.stop();
  await workload.finalReads();
  const history = workload.recorder.history();
  const check = checkLinearizability(kvModel, history, { maxStates: searchStatesMax });
  const convergence = await waitForConvergence({ members: cluster.servers }, convergenceWaitMs);
  const details: string[] = [];
  if (check.outcome === 'illegal') details.push(check.explanation.text.slice(0, explanationCharactersMax));
  if (!convergence.converged) details.push(`replicas: ${convergence.states.map((state) => `${state.name} revision ${state.revision} hash ${state.hash}`).join(', ') || 'none answered'}`);
  return {
    history: check.outcome === 'ok' ? 'linearizable' : check.outcome === 'illegal' ? 'not-linearizable' : 'inconclusive',
    operations: history.length,
    acknowledged: workload.acknowledged,
    replicasConverged: convergence.converged,
    detail: details.join('\n'),
  };
}
