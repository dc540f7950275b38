import type { Entry, Message, MessageType } from './types.ts';

interface MessageShape {
  readonly numbers: readonly string[];
  readonly booleans: readonly string[];
  readonly strings: readonly string[];
}

function shape(numbers: readonly string[], booleans: readonly string[] = [], strings: readonly string[] = []): MessageShape {
  return { numbers, booleans, strings };
}

/** The fields each message type must carry (beyond from/to/term), checked on every message from the wire. */
const shapes: Readonly<Record<MessageType, MessageShape>> = {
  'pre-vote': shape(['lastLogIndex', 'lastLogTerm']),
  'pre-vote-response': shape([], ['granted']),
  vote: shape(['lastLogIndex', 'lastLogTerm'], ['transfer']),
  'vote-response': shape([], ['granted']),
  append: shape(['prevLogIndex', 'prevLogTerm', 'commitIndex']),
  'append-response': shape(['matchIndex', 'conflictIndex', 'conflictTerm'], ['success']),
  heartbeat: shape(['commitIndex', 'readContext']),
  'heartbeat-response': shape(['readContext']),
  'install-snapshot': shape(['offset', 'length'], ['done']),
  'install-snapshot-response': shape(['snapshotIndex', 'nextOffset'], ['rejected']),
  'timeout-now': shape([]),
  'read-index': shape([], [], ['requestId']),
  'read-index-response': shape(['readIndex'], [], ['requestId']),
  propose: shape([]),
  'propose-response': shape([]),
};

/**
 * Checks that a decoded value has the shape of a `Message`, so that a buggy or hostile peer's
 * frame is rejected at the transport instead of tripping an assertion deep in the core.
 */
export function parseMessage(value: unknown): Message | null {
  if (typeof value !== 'object' || value === null) return null;
  const record = value as Record<string, unknown>;
  const type = record['type'];
  if (typeof type !== 'string' || !Object.hasOwn(shapes, type)) return null;
  const expected = shapes[type as MessageType];
  if (typeof record['from'] !== 'string' || typeof record['to'] !== 'string' || !isCount(record['term'])) return null;
  if (!expected.numbers.every((field) => isCount(record[field]))) return null;
  if (!expected.booleans.every((field) => typeof record[field] === 'boolean')) return null;
  if (!expected.strings.every((field) => typeof record[field] === 'string')) return null;
  if (type === 'append' && !(Array.isArray(record['entries']) && record['entries'].every(isEntry))) return null;
  if (type === 'propose' && !(Array.isArray(record['proposals']) && record['proposals'].every(isForwardedProposal))) return null;
  if (type === 'propose-response' && !(Array.isArray(record['results']) && record['results'].every(isForwardedResult))) return null;
  if (type === 'install-snapshot' && !(record['data'] instanceof Uint8Array && isSnapshotMetadata(record['metadata']))) return null;
  return value as Message;
}

function isCount(value: unknown): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isEntry(value: unknown): value is Entry {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  if (!isCount(record['index']) || !isCount(record['term'])) return false;
  switch (record['type']) {
    case 'normal':
      return record['data'] instanceof Uint8Array;
    case 'noop':
      return true;
    case 'membership':
      return isMembership(record['membership']);
    default:
      return false;
  }
}

function isMembership(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return ['voters', 'learners', 'votersOutgoing'].every(
    (field) => Array.isArray(record[field]) && (record[field] as unknown[]).every((id) => typeof id === 'string'),
  );
}

function isSnapshotMetadata(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return isCount(record['index']) && isCount(record['term']) && isCount(record['sizeBytes']) && isMembership(record['membership']);
}

function isForwardedProposal(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return typeof record['id'] === 'string' && record['data'] instanceof Uint8Array;
}

function isForwardedResult(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  if (typeof record['id'] !== 'string' || typeof record['ok'] !== 'boolean') return false;
  if (record['ok'] === true) return isCount(record['index']) && isCount(record['term']);
  const refusal = record['refusal'];
  return typeof refusal === 'object' && refusal !== null && typeof (refusal as Record<string, unknown>)['code'] === 'string';
}
