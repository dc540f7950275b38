/** The steady state never held: nothing was faulted (exit 1, with the probes' last errors). */
export class SteadyStateError extends Error {
  override readonly name = 'SteadyStateError';
}
