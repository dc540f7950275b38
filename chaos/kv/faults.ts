import fc from 'fast-check';
import type { ProcessCluster } from '../cluster/index.ts';
import { currentLeader } from '../cluster/index.ts';

/** One fault on real processes; `target` picks a member: the leader, or one by position. */
export type KvFault =
  | { readonly kind: 'kill'; readonly target: Target }
  | { readonly kind: 'pause'; readonly target: Target }
  | { readonly kind: 'isolate'; readonly target: Target }
  | { readonly kind: 'one-way'; readonly target: Target }
  | { readonly kind: 'partition-majority' }
  | { readonly kind: 'delay'; readonly delayMs: number };

export type Target = 'leader' | number;

export interface TimedFault {
  readonly atMs: number;
  readonly durationMs: number;
  readonly fault: KvFault;
}

const targetArbitrary: fc.Arbitrary<Target> = fc.oneof(fc.constant<Target>('leader'), fc.integer({ min: 0, max: 4 }));

const faultArbitrary: fc.Arbitrary<KvFault> = fc.oneof(
  fc.record({ kind: fc.constant('kill' as const), target: targetArbitrary }),
  fc.record({ kind: fc.constant('pause' as const), target: targetArbitrary }),
  fc.record({ kind: fc.constant('isolate' as const), target: targetArbitrary }),
  fc.record({ kind: fc.constant('one-way' as const), target: targetArbitrary }),
  fc.record({ kind: fc.constant('partition-majority' as const) }),
  fc.record({ kind: fc.constant('delay' as const), delayMs: fc.integer({ min: 5, max: 150 }) }),
);

/** Faults that do not overlap: each starts after the previous one healed. */
export function faultScheduleArbitrary(runMs: number): fc.Arbitrary<TimedFault[]> {
  return fc
    .array(fc.record({ gapMs: fc.integer({ min: 200, max: 1_500 }), durationMs: fc.integer({ min: 300, max: 2_500 }), fault: faultArbitrary }), {
      minLength: 1,
      maxLength: 6,
    })
    .map((steps) => {
      const schedule: TimedFault[] = [];
      let atMs = 0;
      for (const step of steps) {
        atMs += step.gapMs;
        if (atMs + step.durationMs > runMs) break;
        schedule.push({ atMs, durationMs: step.durationMs, fault: step.fault });
        atMs += step.durationMs;
      }
      return schedule;
    });
}

/** Applies a fault; returns how to undo it. */
export async function applyFault(cluster: ProcessCluster, fault: KvFault): Promise<() => Promise<void>> {
  if (fault.kind === 'delay') {
    for (const a of cluster.members) for (const b of cluster.members) if (a !== b) cluster.setLinkFault(a.name, b.name, { kind: 'delay', delayMs: fault.delayMs });
    return async () => cluster.heal();
  }
  if (fault.kind === 'partition-majority') {
    // Cut the cluster into a minority and a majority that does not hold the current leader.
    const leader = (await currentLeader(cluster)) ?? cluster.members[0]!.name;
    const others = cluster.members.map((member) => member.name).filter((name) => name !== leader);
    const minority = [leader, ...others.slice(0, Math.floor(cluster.members.length / 2) - 1)];
    cluster.partition([minority, cluster.members.map((m) => m.name).filter((name) => !minority.includes(name))]);
    return async () => cluster.heal();
  }
  const name = await resolveTarget(cluster, fault.target);
  const member = cluster.member(name);
  switch (fault.kind) {
    case 'kill':
      await member.process.kill();
      return async () => member.process.start();
    case 'pause':
      await member.process.signal('SIGSTOP');
      return async () => member.process.signal('SIGCONT');
    case 'isolate':
      cluster.partition([[name], cluster.members.map((m) => m.name).filter((other) => other !== name)]);
      return async () => cluster.heal();
    case 'one-way':
      for (const other of cluster.members) if (other.name !== name) cluster.cutOneWay(name, other.name);
      return async () => cluster.heal();
  }
}

async function resolveTarget(cluster: ProcessCluster, target: Target): Promise<string> {
  if (target === 'leader') return (await currentLeader(cluster)) ?? cluster.members[0]!.name;
  return cluster.members[target % cluster.members.length]!.name;
}

export function describeFault(timed: TimedFault): string {
  const { fault } = timed;
  const what = fault.kind === 'delay' ? `delay ${fault.delayMs} ms on every link` : 'target' in fault ? `${fault.kind} ${fault.target}` : fault.kind;
  return `at ${timed.atMs} ms for ${timed.durationMs} ms: ${what}`;
}
