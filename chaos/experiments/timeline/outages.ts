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

/**
 * The longest gap between two successful answers inside [0, endMs] (from t = 0 when the first
 * success came later, to the end when the last came earlier): the longest time a user saw no
 * answer, whatever the tolerance. Null when the probe never answered.
 */
export function longestGap(attempts: readonly RelativeAttempt[], endMs: number): Outage | null {
  const successes = attempts
    .filter((attempt) => attempt.ok && attempt.endMs <= endMs)
    .map((attempt) => attempt.endMs)
    .sort((a, b) => a - b);
  if (successes.length === 0) return null;
  let previousMs = Math.min(0, successes[0] ?? 0);
  let longest: Outage = { fromMs: 0, toMs: 0 };
  for (const successMs of successes) {
    if (successMs > 0 && successMs - Math.max(0, previousMs) > outageDurationMs(longest, endMs)) longest = { fromMs: Math.max(0, previousMs), toMs: successMs };
    previousMs = successMs;
  }
  if (endMs - previousMs > outageDurationMs(longest, endMs)) longest = { fromMs: Math.max(0, previousMs), toMs: null };
  return longest;
}
