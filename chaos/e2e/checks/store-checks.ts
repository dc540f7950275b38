import type { E2eViolation } from './violation.ts';

/** One replica's HashKV at the revision every replica was asked about, or why it did not answer. */
export type ReplicaHash =
  | { readonly name: string; readonly revision: number; readonly hash: number; readonly compactRevision: number }
  | { readonly name: string; readonly error: string };

/**
 * Every replica's store is identical: each answered HashKV at one common revision (a revision all
 * of them had applied), with the same compact revision and the same hash. Different compact
 * revisions do not compare (the hash folds compacted history) and are reported as such, so the
 * caller reads again rather than trusting either answer.
 */
export function checkReplicasIdentical(readings: readonly ReplicaHash[], members: readonly string[]): E2eViolation[] {
  const violations: E2eViolation[] = [];
  for (const name of members) {
    const reading = readings.find((candidate) => candidate.name === name);
    if (reading === undefined) violations.push({ property: 'replicas-identical', message: `replica ${name} was not read` });
    else if ('error' in reading) violations.push({ property: 'replicas-identical', message: `replica ${name} did not answer HashKV: ${reading.error}` });
  }
  const answers = readings.filter((reading): reading is Extract<ReplicaHash, { hash: number }> => 'hash' in reading);
  const first = answers[0];
  if (first === undefined) return violations;
  const summary = answers.map((answer) => `${answer.name}: revision ${answer.revision} compacted ${answer.compactRevision} hash ${answer.hash}`).join(', ');
  if (answers.some((answer) => answer.revision !== first.revision)) violations.push({ property: 'replicas-identical', message: `replicas hashed different revisions (${summary})` });
  else if (answers.some((answer) => answer.compactRevision !== first.compactRevision)) violations.push({ property: 'replicas-identical', message: `replicas are compacted differently (${summary})` });
  else if (answers.some((answer) => answer.hash !== first.hash)) violations.push({ property: 'replicas-identical', message: `replica stores differ at revision ${first.revision} (${summary})` });
  return violations;
}
