import type { Outage } from './timeline.ts';

/** A probe attempt with times relative to t = 0. */
export interface RelativeAttempt {
  readonly startMs: number;
  readonly endMs: number;
  readonly ok: boolean;
}

/**
 * A probe's outages: the gaps between two consecutive successful answers (by the time the answer
 * arrived) longer than its tolerance, from its first attempt to `endMs`. Measuring between
 * answers counts a request that hung and then succeeded late as unavailability, which is what a
 * user waiting on it saw; one failed request followed promptly by a success is not an outage.
 * Gaps that ended before t = 0 (the steady-state wait) are left out.
 */
export function findOutages(attempts: readonly RelativeAttempt[], toleranceMs: number, endMs: number): Outage[] {
  if (attempts.length === 0) return [{ fromMs: 0, toMs: null }];
  const firstStartMs = Math.min(...attempts.map((attempt) => attempt.startMs));
  const successes = attempts
    .filter((attempt) => attempt.ok)
    .map((attempt) => attempt.endMs)
    .sort((a, b) => a - b);
  const outages: Outage[] = [];
  let previousMs = firstStartMs;
  for (const successMs of successes) {
    if (successMs > endMs) break;
    if (successMs - previousMs > toleranceMs && successMs > 0) outages.push({ fromMs: previousMs, toMs: successMs });
    previousMs = successMs;
  }
  if (endMs - previousMs > toleranceMs) outages.push({ fromMs: previousMs, toMs: null });
  return outages;
}

/** How long an outage lasted; one still open lasted until the end. */
export function outageDurationMs(outage: Outage, endMs: number): number {
  return (outage.toMs ?? endMs) - outage.fromMs;
}
