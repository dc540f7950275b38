import { assert } from '../common/index.ts';
import type { CoreState } from './core-state.ts';
import { Role } from './types.ts';

/** Asserts what must hold after every step and tick; a failure is a bug in the core. */
export function checkInvariants(state: CoreState): void {
  checkLog(state);
  checkRole(state);
  checkMembership(state);
}

function checkLog(state: CoreState): void {
  const { log } = state;
  const { entries, unstableFrom } = log.inspect();
  let previousTerm = log.baseTerm;
  entries.forEach((entry, offset) => {
    assert(entry.index === log.baseIndex + offset + 1, () => `${state.id}: entry ${entry.index} at position ${offset} after base ${log.baseIndex}`);
    assert(entry.term >= previousTerm, () => `${state.id}: term decreases at index ${entry.index}`);
    previousTerm = entry.term;
  });
  assert(log.lastTerm() <= state.term, () => `${state.id}: last log term ${log.lastTerm()} beyond term ${state.term}`);
  assert(log.committed <= log.lastIndex(), () => `${state.id}: commit ${log.committed} beyond last ${log.lastIndex()}`);
  assert(log.applied <= log.committed, () => `${state.id}: applied ${log.applied} beyond commit ${log.committed}`);
  assert(log.baseIndex <= log.applied, () => `${state.id}: compacted ${log.baseIndex} beyond applied ${log.applied}`);
  assert((state.snapshot?.index ?? 0) <= log.applied, () => `${state.id}: snapshot beyond applied`);
  assert(unstableFrom > log.baseIndex && unstableFrom <= log.lastIndex() + 1, () => `${state.id}: unstable mark ${unstableFrom} out of range`);
  assert(state.membershipIndex <= log.lastIndex(), () => `${state.id}: membership index beyond the log`);
}

function checkRole(state: CoreState): void {
  assert((state.role === Role.leader) === (state.leaderId === state.id), () => `${state.id}: leaderId ${state.leaderId} vs role ${state.role}`);
  if (state.role === Role.candidate) assert(state.votedFor === state.id, () => `${state.id}: a candidate votes for itself`);
  if (state.role !== Role.leader) {
    assert(state.progress.size === 0, () => `${state.id}: a ${state.role} tracks no progress`);
    return;
  }
  assert(state.votedFor === state.id, () => `${state.id}: a leader voted for itself`);
  const self = state.progress.get(state.id);
  assert(self !== undefined && self.matchIndex === state.log.lastIndex(), () => `${state.id}: leader's own match is its last index`);
  for (const [id, progress] of state.progress) {
    assert(progress.matchIndex < progress.nextIndex, () => `${state.id}: ${id} match ${progress.matchIndex} >= next ${progress.nextIndex}`);
    assert(progress.nextIndex <= state.log.lastIndex() + 1, () => `${state.id}: ${id} next ${progress.nextIndex} beyond log`);
    assert(progress.matchIndex <= state.log.lastIndex(), () => `${state.id}: ${id} match beyond log`);
  }
}

function checkMembership(state: CoreState): void {
  const { voters, learners, votersOutgoing } = state.membership;
  for (const id of learners) {
    assert(!voters.includes(id) && !votersOutgoing.includes(id), () => `${state.id}: ${id} is both learner and voter`);
  }
  assert(new Set(voters).size === voters.length, () => `${state.id}: duplicate voters`);
}
