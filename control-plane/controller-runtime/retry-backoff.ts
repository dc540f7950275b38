/** Exponential retry delay for the `failures`-th consecutive failure (1-based), capped. Pure. */
export function retryDelayMs(failures: number, baseDelayMs: number, maxDelayMs: number): number {
  const exponent = Math.max(0, Math.min(failures - 1, 30));
  return Math.min(maxDelayMs, baseDelayMs * 2 ** exponent);
}
