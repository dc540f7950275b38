/**
 * Completion indexes of Indexed Jobs in Kubernetes' interval notation ("1,3-5,7"), as
 * status.completedIndexes holds them. Pure.
 */

/** Kubernetes caps an Indexed Job's completions at 100 000 (so an index set stays small). */
export const indexedCompletionsMax = 100_000;

/** The indexes in `text` below `completions`, sorted and without duplicates; malformed parts are skipped. */
export function parseIndexIntervals(text: string, completions: number): number[] {
  const limit = Math.min(completions, indexedCompletionsMax);
  const found = new Set<number>();
  for (const part of text.split(',')) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (match === null) continue;
    const first = Number(match[1]);
    const last = Math.min(match[2] === undefined ? first : Number(match[2]), limit - 1);
    for (let index = first; index <= last; index++) found.add(index);
  }
  return [...found].sort((left, right) => left - right);
}

/** The interval notation of a set of indexes: consecutive runs collapse to "first-last". */
export function formatIndexIntervals(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((left, right) => left - right);
  const parts: string[] = [];
  let start = 0;
  while (start < sorted.length) {
    let end = start;
    while (end + 1 < sorted.length && sorted[end + 1] === (sorted[end] ?? 0) + 1) end++;
    parts.push(end === start ? String(sorted[start]) : `${String(sorted[start])}-${String(sorted[end])}`);
    start = end + 1;
  }
  return parts.join(',');
}
