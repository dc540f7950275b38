/** A mistake in an experiment file: where it is, and what to do about it. */
export interface ExperimentProblem {
  /** The path inside the document, as `faults[1].target`. */
  readonly path: string;
  /** 1-based; null when the place is not in the file (a missing top-level section). */
  readonly line: number | null;
  readonly column: number | null;
  readonly message: string;
}

/** Problems reported beyond this are summarized: a badly wrong file should not print pages. */
export const problemsReportedMax = 50;

/** `file:line:column: path: message`, one per line, as compilers print them (editors jump there). */
export function formatProblems(file: string, problems: readonly ExperimentProblem[]): string {
  // In file order, as a reader fixes them; problems without a place come first.
  const ordered = [...problems].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  const shown = ordered.slice(0, problemsReportedMax).map((problem) => {
    const place = problem.line === null ? file : `${file}:${problem.line}:${problem.column ?? 1}`;
    return `${place}: ${problem.path === '' ? '' : `${problem.path}: `}${problem.message}`;
  });
  if (problems.length > problemsReportedMax) shown.push(`… and ${problems.length - problemsReportedMax} more problems`);
  return shown.join('\n');
}

/** The allowed word closest to a misspelled one (edit distance ≤ 2), for "did you mean". */
export function closestWord(word: string, allowed: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = 3;
  for (const candidate of allowed) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
