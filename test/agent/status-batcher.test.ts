import { describe, expect, it } from 'vitest';
import { StatusBatcher, StatusBatchLimits } from '../../agent/index.ts';
import type { PodStatusResultEntry, PodStatusUpdate } from '../../control-plane/nats/index.ts';
import { ManualEnv } from './manual-env.ts';

const update = (uid: string, phase = 'Running'): PodStatusUpdate => ({ namespace: 'default', name: `pod-${uid}`, uid, status: { phase }, hostPorts: {} });
const outcome = (entry: PodStatusUpdate, result: PodStatusResultEntry['outcome']): PodStatusResultEntry => ({ namespace: entry.namespace, name: entry.name, uid: entry.uid, outcome: result, resourceVersion: '1', message: '' });

describe('StatusBatcher', () => {
  it('sends the latest status of each pod in batches of at most statusesPerBatchMax, one request at a time', async () => {
    const env = new ManualEnv();
    const batches: PodStatusUpdate[][] = [];
    const batcher = new StatusBatcher(async (updates) => {
      batches.push([...updates]);
      return updates.map((entry) => outcome(entry, 'updated'));
    }, env);
    batcher.start();
    for (let index = 0; index < 120; index++) batcher.offer(update(`u${index}`, 'Pending'));
    batcher.offer(update('u3', 'Running'));
    await env.advance(1_000);
    expect(batches.map((batch) => batch.length)).toEqual([50, 50, 20]);
    const u3 = batches.flat().filter((entry) => entry.uid === 'u3');
    expect(u3).toEqual([update('u3', 'Running')]);
    expect(batcher.counters.written).toBe(120);
  });

  it('sends the first status after gatherMs, and the next batch as soon as the one in flight is answered', async () => {
    const env = new ManualEnv();
    const sentAt: number[] = [];
    const answers: Array<() => void> = [];
    const startMs = env.clock.nowMs();
    const batcher = new StatusBatcher(async (updates) => {
      sentAt.push(env.clock.nowMs() - startMs);
      await new Promise<void>((resolve) => answers.push(resolve));
      return updates.map((entry) => outcome(entry, 'updated'));
    }, env);
    batcher.start();
    batcher.offer(update('a'));
    await env.advance(StatusBatchLimits.gatherMs - 1);
    expect(sentAt).toEqual([]);
    await env.advance(1);
    expect(sentAt).toEqual([StatusBatchLimits.gatherMs]);
    // Offered while the first is in flight: no second request until it is answered, then at once.
    batcher.offer(update('b'));
    batcher.offer(update('c'));
    await env.advance(500);
    expect(sentAt).toHaveLength(1);
    answers.shift()?.();
    await env.advance(0);
    expect(sentAt).toEqual([StatusBatchLimits.gatherMs, StatusBatchLimits.gatherMs + 500]);
    answers.shift()?.();
    await env.advance(1_000);
    expect(sentAt).toHaveLength(2);
    expect(batcher.counters.written).toBe(3);
  });

  it('retries a failed batch with doubling back-off, unless a newer status replaced an entry', async () => {
    const env = new ManualEnv();
    const sentAt: number[] = [];
    const sent: PodStatusUpdate[][] = [];
    let failuresLeft = 3;
    const batcher = new StatusBatcher(async (updates) => {
      sentAt.push(env.clock.nowMs());
      sent.push([...updates]);
      if (failuresLeft-- > 0) throw new Error('no answer');
      return updates.map((entry) => outcome(entry, 'updated'));
    }, env);
    batcher.start();
    batcher.offer(update('a', 'Pending'));
    await env.advance(150);
    batcher.offer(update('a', 'Running'));
    await env.advance(10_000);
    const gaps = sentAt.slice(1).map((time, index) => time - (sentAt[index] ?? 0));
    expect(gaps[0]).toBeGreaterThanOrEqual(StatusBatchLimits.retryDelayMinMs);
    expect(gaps[1]).toBeGreaterThanOrEqual(2 * StatusBatchLimits.retryDelayMinMs);
    expect(gaps[2]).toBeGreaterThanOrEqual(4 * StatusBatchLimits.retryDelayMinMs);
    // The newer status replaced the failed one: only it was retried.
    expect(sent.slice(1).every((batch) => batch.length === 1 && batch[0]?.status['phase'] === 'Running')).toBe(true);
    expect(batcher.pendingCount).toBe(0);
  });

  it('drops a pod whose write was refused as replaced or gone; retries one that failed, a bounded number of times', async () => {
    const env = new ManualEnv();
    const attempts = new Map<string, number>();
    const batcher = new StatusBatcher(async (updates) => updates.map((entry) => {
      attempts.set(entry.uid, (attempts.get(entry.uid) ?? 0) + 1);
      return outcome(entry, entry.uid === 'gone' ? 'notFound' : entry.uid === 'other' ? 'conflict' : 'failed');
    }), env);
    batcher.start();
    for (const uid of ['gone', 'other', 'broken']) batcher.offer(update(uid));
    await env.advance(5_000);
    expect(attempts.get('gone')).toBe(1);
    expect(attempts.get('other')).toBe(1);
    expect(attempts.get('broken')).toBe(1 + StatusBatchLimits.podRetriesMax);
    expect(batcher.pendingCount).toBe(0);
  });

  it('holds at most pendingMax pods, dropping the oldest', () => {
    const batcher = new StatusBatcher(async () => [], new ManualEnv());
    for (let index = 0; index <= StatusBatchLimits.pendingMax; index++) batcher.offer(update(`u${index}`));
    expect(batcher.pendingCount).toBe(StatusBatchLimits.pendingMax);
    expect(batcher.counters.dropped).toBe(1);
  });

  it('flushes what is pending on demand (agent shutdown)', async () => {
    const env = new ManualEnv();
    const written: string[] = [];
    const batcher = new StatusBatcher(async (updates) => {
      written.push(...updates.map((entry) => entry.uid));
      return updates.map((entry) => outcome(entry, 'updated'));
    }, env);
    batcher.offer(update('x'));
    expect(await batcher.flush()).toBe(true);
    expect(written).toEqual(['x']);
  });
});
