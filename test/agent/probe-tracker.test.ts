import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { ContainerProbes, normalizeProbe, ProbeTracker, type NormalizedProbe, type ProbeKind } from '../../agent/index.ts';

function spec(kind: ProbeKind, fields: Record<string, number> = {}): NormalizedProbe {
  const result = normalizeProbe(kind, { tcpSocket: { port: 80 }, ...fields });
  if (!result.ok) throw new Error(result.message);
  return result.probe;
}

describe('probe defaults and validation', () => {
  it("applies Kubernetes' defaults", () => {
    expect(spec('readiness')).toMatchObject({ initialDelayMs: 0, periodMs: 10_000, timeoutMs: 1000, successThreshold: 1, failureThreshold: 3 });
  });

  it('requires successThreshold 1 for liveness and startup, and exactly one handler', () => {
    expect(normalizeProbe('liveness', { tcpSocket: { port: 1 }, successThreshold: 2 }).ok).toBe(false);
    expect(normalizeProbe('startup', { tcpSocket: { port: 1 }, successThreshold: 2 }).ok).toBe(false);
    expect(normalizeProbe('readiness', { tcpSocket: { port: 1 }, successThreshold: 2 }).ok).toBe(true);
    expect(normalizeProbe('readiness', {}).ok).toBe(false);
    expect(normalizeProbe('readiness', { tcpSocket: { port: 1 }, exec: { command: ['true'] } }).ok).toBe(false);
    expect(normalizeProbe('readiness', { tcpSocket: { port: 1 }, failureThreshold: 0 }).ok).toBe(false);
  });
});

describe('ProbeTracker', () => {
  it('starts with kubelet initial results: liveness success, readiness failure, startup unknown', () => {
    expect(new ProbeTracker('liveness', spec('liveness'), 0).result).toBe('success');
    expect(new ProbeTracker('readiness', spec('readiness'), 0).result).toBe('failure');
    expect(new ProbeTracker('startup', spec('startup'), 0).result).toBe('unknown');
  });

  it('runs the first liveness attempt on the period grid at or after the initial delay', () => {
    expect(new ProbeTracker('liveness', spec('liveness', { periodSeconds: 10 }), 0).firstProbeAtMs()).toBe(10_000);
    expect(new ProbeTracker('liveness', spec('liveness', { periodSeconds: 10, initialDelaySeconds: 15 }), 0).firstProbeAtMs()).toBe(20_000);
    expect(new ProbeTracker('readiness', spec('readiness', { periodSeconds: 10, initialDelaySeconds: 15 }), 0).firstProbeAtMs()).toBe(15_000);
  });

  it('waits for initialDelaySeconds before probing', () => {
    const tracker = new ProbeTracker('readiness', spec('readiness', { initialDelaySeconds: 5 }), 1000);
    expect(tracker.mayProbe(5999)).toBe(false);
    expect(tracker.mayProbe(6000)).toBe(true);
  });

  it('publishes readiness after successThreshold consecutive successes and loses it after failureThreshold failures', () => {
    const tracker = new ProbeTracker('readiness', spec('readiness', { successThreshold: 2, failureThreshold: 2 }), 0);
    expect(tracker.observe('success')).toBe('failure');
    expect(tracker.observe('failure')).toBe('failure');
    expect(tracker.observe('success')).toBe('failure');
    expect(tracker.observe('success')).toBe('success');
    expect(tracker.observe('failure')).toBe('success');
    expect(tracker.observe('success')).toBe('success');
    expect(tracker.observe('failure')).toBe('success');
    expect(tracker.observe('failure')).toBe('failure');
    expect(tracker.onHold).toBe(false);
  });

  it('holds a failed liveness probe until the container is replaced', () => {
    const tracker = new ProbeTracker('liveness', spec('liveness', { failureThreshold: 2 }), 0);
    tracker.observe('failure');
    expect(tracker.result).toBe('success');
    expect(tracker.observe('failure')).toBe('failure');
    expect(tracker.onHold).toBe(true);
    expect(tracker.mayProbe(1e9)).toBe(false);
    expect(tracker.observe('success')).toBe('failure');
  });

  test.prop([fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.array(fc.boolean(), { maxLength: 60 })])(
    'readiness is never published before successThreshold consecutive successes, nor lost before failureThreshold consecutive failures',
    (successThreshold, failureThreshold, outcomes) => {
      const tracker = new ProbeTracker('readiness', spec('readiness', { successThreshold, failureThreshold }), 0);
      let run = 0;
      let last: boolean | undefined;
      let previous = tracker.result;
      let reachedThreshold = false;
      for (const ok of outcomes) {
        run = last === ok ? run + 1 : 1;
        last = ok;
        const result = tracker.observe(ok ? 'success' : 'failure');
        if (result !== previous) {
          // A change only ever happens exactly at the threshold of a run of the new outcome.
          expect(result).toBe(ok ? 'success' : 'failure');
          expect(run).toBe(ok ? successThreshold : failureThreshold);
        }
        if (ok && run >= successThreshold) reachedThreshold = true;
        if (result === 'success') expect(reachedThreshold).toBe(true);
        previous = result;
      }
    },
  );
});

describe('ContainerProbes gating', () => {
  const container = {
    name: 'app',
    startupProbe: { tcpSocket: { port: 80 }, failureThreshold: 2 },
    livenessProbe: { tcpSocket: { port: 80 } },
    readinessProbe: { tcpSocket: { port: 80 } },
  };

  it('runs only the startup probe until it succeeds, then liveness and readiness', () => {
    const probes = ContainerProbes.create(container, 0);
    if ('invalid' in probes) throw new Error(probes.invalid);
    expect(probes.started).toBe(false);
    expect(probes.shouldRun('startup', 0)).toBe(true);
    expect(probes.shouldRun('liveness', 0)).toBe(false);
    expect(probes.shouldRun('readiness', 0)).toBe(false);
    expect(probes.ready).toBe(false);
    probes.trackers.get('startup')?.observe('success');
    expect(probes.started).toBe(true);
    expect(probes.shouldRun('startup', 0)).toBe(false);
    expect(probes.shouldRun('liveness', 0)).toBe(true);
    expect(probes.ready).toBe(false);
    probes.trackers.get('readiness')?.observe('success');
    expect(probes.ready).toBe(true);
    expect(probes.verdict()).toEqual({ kind: 'ok' });
  });

  it('asks for a restart when the startup probe fails failureThreshold times', () => {
    const probes = ContainerProbes.create(container, 0);
    if ('invalid' in probes) throw new Error(probes.invalid);
    probes.trackers.get('startup')?.observe('failure');
    expect(probes.verdict()).toEqual({ kind: 'ok' });
    probes.trackers.get('startup')?.observe('failure');
    expect(probes.verdict()).toMatchObject({ kind: 'restart', probe: 'startup' });
  });

  it('is ready and started at once without probes', () => {
    const probes = ContainerProbes.create({ name: 'plain' }, 0);
    if ('invalid' in probes) throw new Error(probes.invalid);
    expect(probes.started && probes.ready).toBe(true);
  });
});
