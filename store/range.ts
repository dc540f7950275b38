import type { IndexEntry } from './key-history.ts';
import { keyInterval, stringToKey } from './keys.ts';
import { recordToKeyValue, type RecordReader } from './record-reader.ts';
import type { TreeIndex } from './tree-index.ts';
import type { KeyValue, RangeRequest, RangeResponse, SortOrder, SortTarget } from './types.ts';

/** A range request with every option spelled out. */
export type FullRangeRequest = Required<RangeRequest>;

export function fullRangeRequest(request: RangeRequest): FullRangeRequest {
  return {
    key: request.key,
    rangeEnd: request.rangeEnd ?? new Uint8Array(0),
    limit: request.limit ?? 0,
    revision: request.revision ?? 0,
    sortOrder: request.sortOrder ?? 'none',
    sortTarget: request.sortTarget ?? 'key',
    keysOnly: request.keysOnly ?? false,
    countOnly: request.countOnly ?? false,
    minModRevision: request.minModRevision ?? 0,
    maxModRevision: request.maxModRevision ?? 0,
    minCreateRevision: request.minCreateRevision ?? 0,
    maxCreateRevision: request.maxCreateRevision ?? 0,
  };
}

interface Match {
  readonly key: string;
  readonly entry: IndexEntry;
}

interface RangePlan {
  readonly matches: readonly Match[];
  readonly count: number;
}

/**
 * Which keys a range returns, from the in-memory index alone (synchronous, so it sees one
 * consistent index). `count` counts every live key of the range, before filters and limit, as etcd.
 */
export function planRange(index: TreeIndex, request: FullRangeRequest, readRevision: number): RangePlan {
  const matches: Match[] = [];
  // Unsorted, the index order is the result order: past limit + 1 (which sets `more`) only the count matters.
  const unsorted = effectiveOrder(request.sortOrder, request.sortTarget) === 'none';
  const matchesMax = request.countOnly ? 0 : unsorted && request.limit > 0 ? request.limit + 1 : Number.POSITIVE_INFINITY;
  let count = 0;
  for (const [key, history] of index.keysIn(keyInterval(request.key, request.rangeEnd))) {
    const entry = history.liveAt(readRevision);
    if (entry === undefined) continue;
    count++;
    if (matches.length < matchesMax && passesFilters(entry, request)) matches.push({ key, entry });
  }
  return { matches, count };
}

function passesFilters(entry: IndexEntry, request: FullRangeRequest): boolean {
  if (request.minModRevision > 0 && entry.main < request.minModRevision) return false;
  if (request.maxModRevision > 0 && entry.main > request.maxModRevision) return false;
  if (request.minCreateRevision > 0 && entry.createRevision < request.minCreateRevision) return false;
  if (request.maxCreateRevision > 0 && entry.createRevision > request.maxCreateRevision) return false;
  return true;
}

/**
 * Runs a planned range: sorts, applies the limit and reads the values it returns. Values are read
 * only for the kvs returned (or all matches when sorting by value).
 */
export async function executeRange(
  index: TreeIndex,
  reader: RecordReader,
  request: FullRangeRequest,
  readRevision: number,
  headerRevision: number,
): Promise<RangeResponse> {
  const plan = planRange(index, request, readRevision);
  const header = { revision: headerRevision };
  if (request.countOnly) return { header, kvs: [], more: false, count: plan.count };
  const order = effectiveOrder(request.sortOrder, request.sortTarget);
  let kvs: KeyValue[];
  let more = false;
  if (request.sortTarget === 'value' && order !== 'none') {
    kvs = sortKeyValues(await readKeyValues(reader, plan.matches, false), 'value', order);
    more = request.limit > 0 && kvs.length > request.limit;
    if (more) kvs = kvs.slice(0, request.limit);
  } else {
    let matches = order === 'none' ? plan.matches : sortMatches(plan.matches, request.sortTarget, order);
    more = request.limit > 0 && matches.length > request.limit;
    if (more) matches = matches.slice(0, request.limit);
    kvs = await readKeyValues(reader, matches, request.keysOnly);
  }
  if (request.keysOnly) kvs = kvs.map((kv) => ({ ...kv, value: new Uint8Array(0) }));
  return { header, kvs, more, count: plan.count };
}

/** etcd: results come key-ascending, so key/ascend needs no sort and another target defaults to ascend. */
function effectiveOrder(order: SortOrder, target: SortTarget): SortOrder {
  if (order === 'none' && target !== 'key') return 'ascend';
  if (order === 'ascend' && target === 'key') return 'none';
  return order;
}

function sortMatches(matches: readonly Match[], target: SortTarget, order: SortOrder): Match[] {
  const field = (match: Match): number | string => {
    switch (target) {
      case 'version':
        return match.entry.version;
      case 'create':
        return match.entry.createRevision;
      case 'mod':
        return match.entry.main;
      default:
        return match.key;
    }
  };
  const sign = order === 'descend' ? -1 : 1;
  // Array.prototype.sort is stable, so ties stay in key order.
  return [...matches].sort((left, right) => sign * compareFields(field(left), field(right)));
}

function sortKeyValues(kvs: readonly KeyValue[], _target: 'value', order: SortOrder): KeyValue[] {
  const sign = order === 'descend' ? -1 : 1;
  return [...kvs].sort((left, right) => sign * Buffer.compare(left.value, right.value));
}

function compareFields(left: number | string, right: number | string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

async function readKeyValues(reader: RecordReader, matches: readonly Match[], keysOnly: boolean): Promise<KeyValue[]> {
  if (keysOnly) {
    return matches.map(({ key, entry }) => ({
      key: stringToKey(key),
      value: new Uint8Array(0),
      createRevision: entry.createRevision,
      modRevision: entry.main,
      version: entry.version,
      lease: entry.lease,
    }));
  }
  const records = await reader.read(matches.map(({ entry }) => entry));
  return records.map(recordToKeyValue);
}
