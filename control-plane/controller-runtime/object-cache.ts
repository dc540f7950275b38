import type { JsonObject } from '../api/json.ts';
import { keyOf, resourceVersionOf } from './object-meta.ts';

/** Values an object is indexed under (e.g. its owners' uids, its node name). */
export type IndexFunction = (object: JsonObject) => readonly string[];

/** Deleted keys remembered so that a late event cannot resurrect them (oldest forgotten first). */
export const tombstonesMax = 10_000;

export interface CacheChange {
  readonly type: 'added' | 'updated' | 'deleted';
  readonly object: JsonObject;
  /** The cached object before the change (undefined for an add). */
  readonly previous: JsonObject | undefined;
}

interface Index {
  readonly indexFunction: IndexFunction;
  readonly entries: Map<string, Set<string>>;
}

/**
 * An informer's cache: objects by `namespace/name` plus secondary indexes. It only moves forward:
 * a state older than the one held (by resourceVersion) is ignored, and a deleted key keeps a
 * tombstone, so a controller may write its own results through (it sees its writes at once) and
 * the watch event that follows is recognised as already applied. Cached objects are shared:
 * callers clone before mutating.
 */
export class ObjectCache {
  private readonly objects = new Map<string, JsonObject>();
  private readonly tombstones = new Map<string, number>();
  private readonly indexes = new Map<string, Index>();

  addIndex(name: string, indexFunction: IndexFunction): void {
    if (this.indexes.has(name)) return;
    const index: Index = { indexFunction, entries: new Map() };
    this.indexes.set(name, index);
    for (const [key, object] of this.objects) this.indexObject(index, key, object);
  }

  get size(): number {
    return this.objects.size;
  }

  get(key: string): JsonObject | undefined {
    return this.objects.get(key);
  }

  list(): JsonObject[] {
    return [...this.objects.values()];
  }

  keys(): string[] {
    return [...this.objects.keys()];
  }

  byIndex(indexName: string, value: string): JsonObject[] {
    const keys = this.indexes.get(indexName)?.entries.get(value);
    if (keys === undefined) return [];
    const found: JsonObject[] = [];
    for (const key of keys) {
      const object = this.objects.get(key);
      if (object !== undefined) found.push(object);
    }
    return found;
  }

  /** Stores a newer state; null when the cache already holds this state or a later one. */
  upsert(object: JsonObject): CacheChange | null {
    const key = keyOf(object);
    const version = resourceVersionOf(object);
    const previous = this.objects.get(key);
    if (previous !== undefined && resourceVersionOf(previous) >= version) return null;
    if ((this.tombstones.get(key) ?? 0) >= version) return null;
    this.tombstones.delete(key);
    this.put(key, object, previous);
    return { type: previous === undefined ? 'added' : 'updated', object, previous };
  }

  /** Removes the key as of `deleteRevision`; null when it is absent or held at a later state. */
  remove(object: JsonObject, deleteRevision: number): CacheChange | null {
    const key = keyOf(object);
    const previous = this.objects.get(key);
    this.rememberDeleted(key, deleteRevision);
    if (previous === undefined || resourceVersionOf(previous) > deleteRevision) return null;
    this.unindex(key, previous);
    this.objects.delete(key);
    return { type: 'deleted', object: previous, previous };
  }

  /**
   * Replaces the contents with a list read at `revision` and returns the differences. Entries
   * written through after that revision are kept (the list could not have seen them).
   */
  replace(objects: readonly JsonObject[], revision: number): CacheChange[] {
    const changes: CacheChange[] = [];
    const listed = new Set<string>();
    for (const [key, version] of this.tombstones) if (version <= revision) this.tombstones.delete(key);
    for (const object of objects) {
      listed.add(keyOf(object));
      const change = this.upsert(object);
      if (change !== null) changes.push(change);
    }
    for (const [key, object] of [...this.objects]) {
      if (listed.has(key) || resourceVersionOf(object) > revision) continue;
      const change = this.remove(object, revision);
      if (change !== null) changes.push(change);
    }
    return changes;
  }

  private put(key: string, object: JsonObject, previous: JsonObject | undefined): void {
    if (previous !== undefined) this.unindex(key, previous);
    this.objects.set(key, object);
    for (const index of this.indexes.values()) this.indexObject(index, key, object);
  }

  private rememberDeleted(key: string, revision: number): void {
    this.tombstones.delete(key);
    this.tombstones.set(key, Math.max(revision, this.tombstones.get(key) ?? 0));
    if (this.tombstones.size > tombstonesMax) {
      const oldest = this.tombstones.keys().next();
      if (oldest.done !== true) this.tombstones.delete(oldest.value);
    }
  }

  private indexObject(index: Index, key: string, object: JsonObject): void {
    for (const value of index.indexFunction(object)) {
      let keys = index.entries.get(value);
      if (keys === undefined) {
        keys = new Set();
        index.entries.set(value, keys);
      }
      keys.add(key);
    }
  }

  private unindex(key: string, object: JsonObject): void {
    for (const index of this.indexes.values()) {
      for (const value of index.indexFunction(object)) {
        const keys = index.entries.get(value);
        keys?.delete(key);
        if (keys !== undefined && keys.size === 0) index.entries.delete(value);
      }
    }
  }
}
