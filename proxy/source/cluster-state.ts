import { asString, getPath, type JsonObject } from '../../control-plane/api/json.ts';
import { SourceLimits } from '../limits.ts';
import type { ChangeType, SourceEvents, SourceKind } from './cluster-source.ts';

export function objectKey(object: JsonObject): string {
  return `${asString(getPath(object, ['metadata', 'namespace'])) ?? ''}/${asString(getPath(object, ['metadata', 'name'])) ?? ''}`;
}

/**
 * What the proxy knows of the cluster, per kind, filled by a ClusterSource. Each kind is "synced"
 * once its first full list arrived; the proxy programs nothing before every kind it waits for is.
 * Bounded: a kind past `objectsPerKindMax` drops the newest additions (and says so).
 */
export class ClusterState implements SourceEvents {
  private readonly objects = new Map<SourceKind, Map<string, JsonObject>>();
  private readonly syncedKinds = new Set<SourceKind>();
  private generation = 0;

  constructor(private readonly onChange: (kind: SourceKind) => void, private readonly onOverflow: (kind: SourceKind) => void = () => {}) {}

  /** Bumped on every change: a cheap "anything new?" for callers that recompute. */
  get version(): number {
    return this.generation;
  }

  isSynced(kinds: readonly SourceKind[]): boolean {
    return kinds.every((kind) => this.syncedKinds.has(kind));
  }

  list(kind: SourceKind): JsonObject[] {
    return [...(this.objects.get(kind)?.values() ?? [])];
  }

  get(kind: SourceKind, key: string): JsonObject | undefined {
    return this.objects.get(kind)?.get(key);
  }

  replaced(kind: SourceKind, objects: readonly JsonObject[]): void {
    const map = new Map<string, JsonObject>();
    for (const object of objects) {
      if (map.size >= SourceLimits.objectsPerKindMax) {
        this.onOverflow(kind);
        break;
      }
      map.set(objectKey(object), object);
    }
    this.objects.set(kind, map);
    this.syncedKinds.add(kind);
    this.bump(kind);
  }

  changed(kind: SourceKind, type: ChangeType, object: JsonObject): void {
    const map = this.objects.get(kind) ?? new Map<string, JsonObject>();
    this.objects.set(kind, map);
    const key = objectKey(object);
    if (type === 'DELETED') map.delete(key);
    else if (map.has(key) || map.size < SourceLimits.objectsPerKindMax) map.set(key, object);
    else this.onOverflow(kind);
    this.bump(kind);
  }

  interrupted(): void {
    // Keep serving what is known: a control-plane outage must not take Service traffic down.
  }

  private bump(kind: SourceKind): void {
    this.generation += 1;
    this.onChange(kind);
  }
}
