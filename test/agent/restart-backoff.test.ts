import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { BackoffDefaults, RestartBackoff, shouldRestart } from '../../agent/index.ts';

function clock(start = 0) {
  const state = { now: start };
  return { state, clock: { nowMs: () => state.now } };
}

describe('RestartBackoff (Kubernetes values)', () => {
  it('restarts at once after the first crash, then waits 10 s, 20 s, 40 s … up to 300 s', () => {
    const { state, clock: c } = clock();
    const backoff = new RestartBackoff(c);
    const waits: number[] = [];
    for (let crash = 0; crash < 9; crash++) {
      state.now += 1000; // ran one second, crashed
      const finishedAt = state.now;
      const decision = backoff.decide('app', finishedAt);
      if (decision.kind === 'wait') {
        waits.push(decision.untilMs - finishedAt);
        state.now = decision.untilMs;
        expect(backoff.decide('app', finishedAt)).toEqual({ kind: 'restart-now' });
      } else waits.push(0);
      backoff.recordRestart('app', finishedAt);
    }
    expect(waits).toEqual([0, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
  });

  it('starts over after a container ran for more than 10 minutes', () => {
    const { state, clock: c } = clock();
    const backoff = new RestartBackoff(c);
    for (let crash = 0; crash < 4; crash++) {
      const decision = backoff.decide('app', state.now);
      if (decision.kind === 'wait') state.now = decision.untilMs;
      backoff.recordRestart('app', state.now);
    }
    expect(backoff.currentMs('app')).toBe(80_000);
    state.now += BackoffDefaults.resetAfterMs + 1;
    expect(backoff.decide('app', state.now)).toEqual({ kind: 'restart-now' });
    backoff.recordRestart('app', state.now);
    expect(backoff.currentMs('app')).toBe(10_000);
  });

  it('measures the window from the death, so a long-running crash still waits its window', () => {
    const { state, clock: c } = clock();
    const backoff = new RestartBackoff(c, { initialMs: 100, maxMs: 1000 });
    backoff.recordRestart('app', 0);
    state.now = 5000; // ran 5 s (longer than the window), crashed now
    expect(backoff.decide('app', 5000)).toEqual({ kind: 'wait', untilMs: 5100, backoffMs: 100 });
  });

  test.prop([fc.array(fc.integer({ min: 0, max: 100_000 }), { minLength: 1, maxLength: 40 })])(
    'the window never exceeds the maximum and a wait never ends before death + window',
    (runTimes) => {
      const { state, clock: c } = clock();
      const backoff = new RestartBackoff(c, { initialMs: 1000, maxMs: 16_000, resetAfterMs: 32_000 });
      for (const ranMs of runTimes) {
        state.now += ranMs;
        const finishedAt = state.now;
        const decision = backoff.decide('k', finishedAt);
        if (decision.kind === 'wait') {
          expect(decision.untilMs).toBe(finishedAt + backoff.currentMs('k'));
          state.now = decision.untilMs;
        }
        backoff.recordRestart('k', finishedAt);
        expect(backoff.currentMs('k')).toBeLessThanOrEqual(16_000);
      }
    },
  );
});

describe('restart policy', () => {
  it('follows Always / OnFailure / Never for app containers', () => {
    expect(shouldRestart('Always', 0, false)).toBe(true);
    expect(shouldRestart('OnFailure', 0, false)).toBe(false);
    expect(shouldRestart('OnFailure', 1, false)).toBe(true);
    expect(shouldRestart('Never', 1, false)).toBe(false);
  });

  it('retries failed init containers unless Never, never re-runs a succeeded one', () => {
    expect(shouldRestart('Always', 1, true)).toBe(true);
    expect(shouldRestart('OnFailure', 1, true)).toBe(true);
    expect(shouldRestart('Never', 1, true)).toBe(false);
    expect(shouldRestart('Always', 0, true)).toBe(false);
  });
});

describe('back-off message durations', () => {
  it("formats like Go's time.Duration", async () => {
    const { goDuration } = await import('../../agent/index.ts');
    expect([goDuration(300), goDuration(10_000), goDuration(160_000), goDuration(300_000)]).toEqual(['300ms', '10s', '2m40s', '5m0s']);
  });
});
