import { cloneJson, ensureObject, getPath, type JsonObject } from '../../control-plane/api/json.ts';
import { sourceKinds, type ClusterSource, type ClusterWriter, type SourceEvents, type SourceKind, type WriteOutcome } from './cluster-source.ts';
import { objectKey } from './cluster-state.ts';

/**
 * A ClusterSource held in memory, for tests and the benchmark: `put`/`remove` deliver changes at
 * once, `relist` re-sends everything as a reconnecting source would. Writes are compare-and-swap on
 * a resourceVersion this source counts, like the API server's.
 */
export class MemorySource implements ClusterSource, ClusterWriter {
  readonly description = 'memory';
  readonly kinds = sourceKinds;
  readonly writer: ClusterWriter = this;
  private readonly objects = new Map<SourceKind, Map<string, JsonObject>>(sourceKinds.map((kind) => [kind, new Map()]));
  private events: SourceEvents | null = null;
  private revision = 0;
  /** Every write accepted, for tests to look at. */
  readonly writes: Array<{ kind: SourceKind; subresource: 'status' | null; object: JsonObject }> = [];

  async run(events: SourceEvents, signal: AbortSignal): Promise<void> {
    this.events = events;
    this.relist();
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
    this.events = null;
  }

  /** Adds or replaces an object (it gets the next resourceVersion) and returns the stored copy. */
  put(kind: SourceKind, object: JsonObject): JsonObject {
    const stored = cloneJson(object);
    const metadata = ensureObject(stored, 'metadata');
    metadata['namespace'] ??= 'default';
    this.revision += 1;
    metadata['resourceVersion'] = String(this.revision);
    // Creation order decides Ingress conflicts; a counter keeps it deterministic.
    metadata['creationTimestamp'] ??= `1970-01-01T00:00:00.${String(this.revision).padStart(6, '0')}Z`;
    const map = this.objects.get(kind);
    const existed = map?.has(objectKey(stored)) === true;
    map?.set(objectKey(stored), stored);
    this.events?.changed(kind, existed ? 'MODIFIED' : 'ADDED', stored);
    return stored;
  }

  remove(kind: SourceKind, namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    const existing = this.objects.get(kind)?.get(key);
    if (existing === undefined) return;
    this.objects.get(kind)?.delete(key);
    this.events?.changed(kind, 'DELETED', existing);
  }

  get(kind: SourceKind, namespace: string, name: string): JsonObject | undefined {
    return this.objects.get(kind)?.get(`${namespace}/${name}`);
  }

  relist(): void {
    for (const kind of sourceKinds) this.events?.replaced(kind, [...(this.objects.get(kind)?.values() ?? [])]);
  }

  async replace(kind: 'services' | 'ingresses', object: JsonObject, subresource: 'status' | null): Promise<WriteOutcome> {
    const current = this.objects.get(kind)?.get(objectKey(object));
    if (current === undefined) return 'not-found';
    if (getPath(object, ['metadata', 'resourceVersion']) !== getPath(current, ['metadata', 'resourceVersion'])) return 'conflict';
    const next = subresource === 'status' ? { ...cloneJson(current), status: cloneJson(object['status'] ?? {}) } : { ...cloneJson(object), status: cloneJson(current['status'] ?? {}) };
    this.writes.push({ kind, subresource, object: next });
    this.put(kind, next);
    return 'written';
  }
}
