import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { ErrorCode, isFlotillaError } from '../../common/errors.ts';
import { MvccStore } from '../../store/index.ts';
import { MvccObjectStore } from '../../control-plane/api/mvcc-object-store.ts';
import type { ObjectWatchEvent } from '../../control-plane/api/object-store.ts';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (value: Uint8Array) => new TextDecoder().decode(value);

describe('MvccObjectStore on a real LevelDB', () => {
  let directory: string;
  let db: ClassicLevel<Uint8Array, Uint8Array>;
  let store: MvccStore;
  let objects: MvccObjectStore;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'flotilla-object-store-'));
    db = new ClassicLevel<Uint8Array, Uint8Array>(join(directory, 'db'), { keyEncoding: 'view', valueEncoding: 'view' });
    await db.open();
    store = await MvccStore.open({ db });
    objects = new MvccObjectStore(store);
  });

  afterEach(async () => {
    await store.close();
    await db.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('creates once, updates and deletes by compare-and-swap on modRevision', async () => {
    const created = await objects.create('/r/a', bytes('1'));
    expect(created.ok).toBe(true);
    if (!created.ok) return;
    expect(await objects.create('/r/a', bytes('2'))).toMatchObject({ ok: false, reason: 'exists' });
    const stale = await objects.update('/r/a', bytes('2'), created.object.modRevision - 1);
    expect(stale).toMatchObject({ ok: false, reason: 'conflict' });
    const updated = await objects.update('/r/a', bytes('2'), created.object.modRevision);
    expect(updated).toMatchObject({ ok: true, object: { createRevision: created.object.modRevision } });
    if (!updated.ok) return;
    expect(await objects.update('/r/missing', bytes('x'), 5)).toMatchObject({ ok: false, reason: 'notFound', current: null });
    expect(await objects.delete('/r/a', created.object.modRevision)).toMatchObject({ ok: false, reason: 'conflict' });
    const deleted = await objects.delete('/r/a', updated.object.modRevision);
    expect(deleted.ok && text(deleted.object.value)).toBe('2');
    expect(await objects.get('/r/a')).toBeNull();
    expect(await objects.delete('/r/a')).toMatchObject({ ok: false, reason: 'notFound' });
  });

  it('lists a prefix in pages at one revision', async () => {
    for (const name of ['a', 'b', 'c', 'd', 'e']) await objects.create(`/r/ns/${name}`, bytes(name));
    await objects.create('/r/nsx/z', bytes('z'));
    const first = await objects.list('/r/ns/', { limit: 2 });
    expect(first.items.map((item) => text(item.value))).toEqual(['a', 'b']);
    expect([first.more, first.remaining]).toEqual([true, 3]);
    await objects.create('/r/ns/f', bytes('f'));
    const second = await objects.list('/r/ns/', { limit: 10, continueAfter: '/r/ns/b', revision: first.revision });
    expect(second.items.map((item) => text(item.value))).toEqual(['c', 'd', 'e']);
    expect((await objects.list('/r/ns/')).items).toHaveLength(6);
  });

  it('watches a prefix from a revision with created/updated/deleted, prevValue and progress', async () => {
    const start = await objects.currentRevision();
    const created = await objects.create('/w/a', bytes('1'));
    if (!created.ok) throw new Error('create failed');
    await objects.update('/w/a', bytes('2'), created.object.modRevision);
    await objects.create('/other/b', bytes('x'));
    await objects.delete('/w/a');
    const abort = new AbortController();
    const events: ObjectWatchEvent[] = [];
    const watch = objects.watch('/w/', { fromRevision: start + 1, signal: abort.signal, progressIntervalMs: 20 });
    for await (const event of watch) {
      events.push(event);
      if (event.type === 'progress') break;
    }
    abort.abort();
    expect(events.map((event) => (event.type === 'progress' ? 'progress' : `${event.type}:${text(event.value)}:${event.prevValue === null ? '-' : text(event.prevValue)}`))).toEqual([
      'created:1:-',
      'updated:2:1',
      'deleted:2:2',
      'progress',
    ]);
  });

  it('refuses a watch from a compacted revision with STORE_COMPACTED', async () => {
    for (let index = 0; index < 5; index++) await objects.create(`/c/${index}`, bytes('x'));
    await objects.compact(await objects.currentRevision());
    let caught: unknown;
    try {
      for await (const _ of objects.watch('/c/', { fromRevision: 2 })) break;
    } catch (error) {
      caught = error;
    }
    expect(isFlotillaError(caught, ErrorCode.storeCompacted)).toBe(true);
  });
});
