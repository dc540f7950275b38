import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, isFlotillaError } from '../../common/index.ts';
import { command, prefixEnd, requestOp, type WatchResponse } from '../../store/index.ts';
import { bytes, collectUntil, StoreHarness, text } from './helpers.ts';

type EventsResponse = Extract<WatchResponse, { kind: 'events' }>;
const events = (responses: readonly WatchResponse[]) =>
  responses.flatMap((response) => (response.kind === 'events' ? response.events : []));
const eventCount = (responses: readonly WatchResponse[]) => events(responses).length;

describe('watch', () => {
  let harness: StoreHarness;
  beforeEach(async () => {
    harness = await StoreHarness.create();
  });
  afterEach(async () => {
    await harness.destroy();
  });

  it('replays history from a past revision, then delivers live events, with no gap or duplicate', async () => {
    for (let index = 0; index < 5; index++) await harness.run(command.put(bytes(`w/${index}`), bytes(`${index}`))); // 2..6
    await harness.run(command.put(bytes('other'), bytes('x'))); // 7
    const watcher = harness.store.watch({ key: bytes('w/'), rangeEnd: prefixEnd(bytes('w/')), startRevision: 3 });
    await harness.run(command.put(bytes('w/live'), bytes('L'))); // 8
    await harness.run(command.deleteRange(bytes('w/0'))); // 9
    const responses = await collectUntil(watcher, (collected) => eventCount(collected) >= 6);
    const seen = events(responses).map((event) => `${event.type}:${text(event.kv.key)}@${event.kv.modRevision}`);
    expect(seen).toEqual(['put:w/1@3', 'put:w/2@4', 'put:w/3@5', 'put:w/4@6', 'put:w/live@8', 'delete:w/0@9']);
    watcher.cancel();
  });

  it('keeps revision order while a long catch-up races with live writes', async () => {
    const batch = [];
    for (let index = 0; index < 3000; index++) batch.push(command.put(bytes(`k/${index % 100}`), bytes(`${index}`)));
    await harness.applyBatch(batch); // revisions 2..3001
    const watcher = harness.store.watch({ key: bytes('k/'), rangeEnd: prefixEnd(bytes('k/')), startRevision: 2 });
    const writer = (async () => {
      for (let index = 0; index < 200; index++) await harness.run(command.put(bytes(`k/${index % 7}`), bytes('live')));
    })();
    const responses = await collectUntil(watcher, (collected) => eventCount(collected) >= 3200, 20_000);
    await writer;
    const revisions = events(responses).map((event) => event.kv.modRevision);
    expect(revisions).toEqual(Array.from({ length: 3200 }, (_, index) => index + 2));
    watcher.cancel();
  });

  it('delivers prevKv and honours noPut/noDelete filters', async () => {
    await harness.run(command.put(bytes('a'), bytes('1')));
    const withPrevious = harness.store.watch({ key: bytes('a'), prevKv: true });
    const deletesOnly = harness.store.watch({ key: bytes('a'), noPut: true });
    await harness.run(command.put(bytes('a'), bytes('2')));
    await harness.run(command.deleteRange(bytes('a')));
    const previous = events(await collectUntil(withPrevious, (collected) => eventCount(collected) >= 2));
    expect(previous.map((event) => [event.type, text(event.prevKv?.value ?? bytes('-'))])).toEqual([
      ['put', '1'],
      ['delete', '2'],
    ]);
    const deletes = events(await collectUntil(deletesOnly, (collected) => eventCount(collected) >= 1));
    expect(deletes.map((event) => event.type)).toEqual(['delete']);
    withPrevious.cancel();
    deletesOnly.cancel();
  });

  it('gives prevKv from history too', async () => {
    await harness.run(command.put(bytes('a'), bytes('1'))); // 2
    await harness.run(command.put(bytes('a'), bytes('2'))); // 3
    const watcher = harness.store.watch({ key: bytes('a'), startRevision: 3, prevKv: true });
    const [event] = events(await collectUntil(watcher, (collected) => eventCount(collected) >= 1));
    expect(text(event?.prevKv?.value ?? bytes('-'))).toBe('1');
    watcher.cancel();
  });

  it('delivers a txn as one response of one revision', async () => {
    const watcher = harness.store.watch({ key: new Uint8Array([0]), rangeEnd: new Uint8Array([0]) });
    await harness.run(command.txn({ compare: [], success: [requestOp.put(bytes('x'), bytes('1')), requestOp.put(bytes('y'), bytes('2'))], failure: [] }));
    const [response] = await collectUntil(watcher, (collected) => collected.length >= 1);
    expect(response?.kind).toBe('events');
    expect((response as EventsResponse).events.map((event) => event.kv.modRevision)).toEqual([2, 2]);
    watcher.cancel();
  });

  it('refuses a start revision that was compacted, and cancels a catching-up watcher when compaction overtakes it', async () => {
    for (let index = 0; index < 10; index++) await harness.run(command.put(bytes('a'), bytes(`${index}`)));
    await harness.run(command.compact(5));
    let error: unknown;
    try {
      harness.store.watch({ key: bytes('a'), startRevision: 5 });
    } catch (caught) {
      error = caught;
    }
    expect(isFlotillaError(error, ErrorCode.storeCompacted)).toBe(true);
    const watcher = harness.store.watch({ key: bytes('a'), startRevision: 6 });
    await harness.run(command.compact(8));
    const responses = await collectUntil(watcher, (collected) => collected.some((response) => response.kind === 'canceled'));
    const last = responses[responses.length - 1];
    expect(last).toMatchObject({ kind: 'canceled', reason: 'compacted', compactRevision: 8 });
  });

  it('cuts off a watcher that falls behind instead of buffering without bound', async () => {
    await harness.destroy();
    harness = await StoreHarness.create({ watcherEventsMax: 10 });
    const slow = harness.store.watch({ key: bytes('k'), rangeEnd: prefixEnd(bytes('k')) });
    const fast = harness.store.watch({ key: bytes('k'), rangeEnd: prefixEnd(bytes('k')) });
    const drained: WatchResponse[] = [];
    const drain = (async () => {
      for await (const response of fast) {
        drained.push(response);
        if (eventCount(drained) >= 30) break;
      }
    })();
    for (let index = 0; index < 30; index++) await harness.run(command.put(bytes(`k${index}`), bytes('v')));
    await drain;
    expect(slow.bufferedEvents).toBeLessThanOrEqual(10);
    const responses = await collectUntil(slow, (collected) => collected.some((response) => response.kind === 'canceled'));
    expect(responses[responses.length - 1]).toMatchObject({ kind: 'canceled', reason: 'slow' });
    expect(eventCount(responses)).toBe(10);
    expect(harness.store.watchHub.watcherCount).toBe(0);
  });

  it('sends progress notifications to idle synced watchers', async () => {
    await harness.run(command.put(bytes('a'), bytes('1')));
    const watcher = harness.store.watch({ key: bytes('quiet') });
    await new Promise((resolve) => setTimeout(resolve, 10));
    await harness.run(command.put(bytes('a'), bytes('2')));
    harness.store.watchHub.notifyProgress();
    const [response] = await collectUntil(watcher, (collected) => collected.length >= 1);
    expect(response).toMatchObject({ kind: 'progress', revision: 3 });
    expect(harness.store.watchHub.requestProgress(watcher.id)).toBe(true);
    watcher.cancel();
  });

  it('ends the stream on cancel, abort and store close', async () => {
    const controller = new AbortController();
    const aborted = harness.store.watch({ key: bytes('a'), signal: controller.signal });
    const open = harness.store.watch({ key: bytes('a') });
    controller.abort();
    expect((await collectUntil(aborted, () => false)).at(-1)).toMatchObject({ kind: 'canceled', reason: 'canceled' });
    await harness.store.close();
    expect((await collectUntil(open, () => false)).at(-1)).toMatchObject({ kind: 'canceled', reason: 'closed' });
  });
});
