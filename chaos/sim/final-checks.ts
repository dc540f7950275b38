import { SimViolation } from './checkers.ts';
import type { SimCluster } from './cluster.ts';
import { tickUs } from './config.ts';
import type { SimNode } from './sim-node.ts';
import type { Timeline } from './timeline.ts';

/** How long a liveness probe may go unanswered before another is sent to the current leader. */
export const probeTimeoutTicks = 15;

/**
 * Liveness after the final heal: within `boundTicks` a leader exists and a probe proposal it
 * accepted is applied. A probe lost to a leadership change is proposed again to the new leader.
 */
export function checkLiveness(cluster: SimCluster, timeline: Timeline, boundTicks: number): void {
  const startUs = cluster.queue.nowUs;
  const deadlineUs = startUs + boundTicks * tickUs;
  let probes = 0;
  // A probe accepted by a leader that is then deposed may sit past the end of the new leader's
  // log, unresolved while nothing else is proposed: after a while it is abandoned and re-sent.
  let waitingUntilUs = 0;
  let committedAtUs: number | null = null;
  let lastRefusal = 'none';
  while (committedAtUs === null) {
    if (cluster.queue.nowUs >= deadlineUs) {
      const leader = cluster.leader();
      throw new SimViolation(
        'liveness',
        `${boundTicks} ticks after the final heal, ${leader === null ? 'no leader was elected' : `leader ${leader.id} committed no proposal`} (${probes} probes, last refusal ${lastRefusal}; ${describeMembers(cluster)})`,
      );
    }
    const leader = cluster.leader();
    if (leader !== null && cluster.queue.nowUs >= waitingUntilUs) {
      waitingUntilUs = cluster.queue.nowUs + probeTimeoutTicks * tickUs;
      const probe = ++probes;
      leader.submitWrite({ t: 'probe', n: probe }, (outcome) => {
        if (probe !== probes) return;
        waitingUntilUs = 0;
        if (outcome.kind === 'done') committedAtUs = cluster.queue.nowUs;
        else lastRefusal = `${leader.id}: ${outcome.reason}`;
      });
    }
    cluster.runUntil(Math.min(deadlineUs, cluster.queue.nowUs + tickUs / 10));
  }
  const ticks = ((committedAtUs - startUs) / tickUs).toFixed(1);
  timeline.add(`liveness: a leader committed a probe ${ticks} ticks after the final heal`);
}

/**
 * After the quiet period every member of the final configuration converges: the same applied
 * index, at least every acknowledged write, identical KV maps. Elections may still be settling
 * (a rejoining member with a higher term forces one), so this waits up to `boundTicks` for it.
 */
export function checkConvergence(cluster: SimCluster, maxAcknowledgedIndex: number, boundTicks: number): void {
  const deadlineUs = cluster.queue.nowUs + boundTicks * tickUs;
  for (;;) {
    const problem = convergenceProblem(cluster, maxAcknowledgedIndex);
    if (problem === null) return;
    if (cluster.queue.nowUs >= deadlineUs) {
      throw new SimViolation(problem.property, `${problem.message} (${describeMembers(cluster)})`);
    }
    cluster.runUntil(Math.min(deadlineUs, cluster.queue.nowUs + tickUs));
  }
}

function convergenceProblem(cluster: SimCluster, maxAcknowledgedIndex: number): { property: string; message: string } | null {
  const leader = cluster.leader();
  const membership = leader?.status()?.membership;
  if (leader === null || membership === undefined) return { property: 'liveness', message: 'no leader after the quiet period' };
  const members = [...membership.voters, ...membership.learners].map((id) => cluster.node(id)).filter((node): node is SimNode => node !== undefined);
  for (const node of members) {
    if (!node.running) return { property: 'convergence', message: `member ${node.id} is not running after the final heal` };
    if (node.appliedIndex < maxAcknowledgedIndex) {
      return { property: 'durability', message: `${node.id} applied only up to ${node.appliedIndex}; a client was acknowledged at ${maxAcknowledgedIndex}` };
    }
    if (node.appliedIndex !== leader.appliedIndex || node.kvFingerprint !== leader.kvFingerprint) {
      return { property: 'convergence', message: `${node.id} (applied ${node.appliedIndex}) differs from leader ${leader.id} (applied ${leader.appliedIndex})` };
    }
  }
  return null;
}

/** Every member's view, for a failure message. */
export function describeMembers(cluster: SimCluster): string {
  return cluster.nodes
    .map((node) => {
      const status = node.status();
      if (status === null) return `${node.id}: ${node.everStarted ? 'down' : 'never started'}`;
      const m = status.membership;
      const config = `voters [${m.voters.join(',')}]${m.learners.length > 0 ? ` learners [${m.learners.join(',')}]` : ''}${m.votersOutgoing.length > 0 ? ` outgoing [${m.votersOutgoing.join(',')}]` : ''}`;
      return `${node.id}: ${status.role} term ${status.term} leader ${status.leaderId ?? '-'} commit ${status.commitIndex} last ${status.lastIndex} applied ${node.appliedIndex} ${config}`;
    })
    .join('; ');
}
