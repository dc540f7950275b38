import { decode, encode } from '../common/index.ts';
import { ErrorCode, FlotillaError } from '../common/index.ts';
import type {
  CompactResponse, DeleteRangeRequest, DeleteRangeResponse, LeaseExpireResponse, LeaseGrantResponse,
  LeaseRevokeResponse, PutRequest, PutResponse, RangeRequest, RequestOp, TxnRequest, TxnResponse,
} from './types.ts';
import { parseCommand } from './command-parse.ts';

/**
 * Commands are the Raft entry payload. The proposer builds one with these helpers, checks it with
 * `validateCommand` (so a client gets its error before a round trip), and proposes
 * `encodeCommand(command)`. Every replica decodes and re-validates it the same way on apply, so a
 * bad command fails identically everywhere instead of diverging the replicas.
 */
export type Command =
  | { readonly type: 'put'; readonly request: PutRequest }
  | { readonly type: 'deleteRange'; readonly request: DeleteRangeRequest }
  | { readonly type: 'txn'; readonly request: TxnRequest }
  /** Drop history below `revision` (keeping each key's latest version at or before it). */
  | { readonly type: 'compact'; readonly revision: number }
  /** The proposer picks the id (etcd: the leader picks a random one when the client sends 0). */
  | { readonly type: 'leaseGrant'; readonly id: number; readonly ttlSeconds: number }
  | { readonly type: 'leaseRevoke'; readonly id: number }
  /** Leader-decided expiry (see LeaseClock): every replica revokes the same leases at the same index. */
  | { readonly type: 'leaseExpire'; readonly ids: readonly number[] };

export type CommandType = Command['type'];

export type CommandResponse =
  | { readonly type: 'put'; readonly response: PutResponse }
  | { readonly type: 'deleteRange'; readonly response: DeleteRangeResponse }
  | { readonly type: 'txn'; readonly response: TxnResponse }
  | { readonly type: 'compact'; readonly response: CompactResponse }
  | { readonly type: 'leaseGrant'; readonly response: LeaseGrantResponse }
  | { readonly type: 'leaseRevoke'; readonly response: LeaseRevokeResponse }
  | { readonly type: 'leaseExpire'; readonly response: LeaseExpireResponse };

/** What applying one normal entry produced, for the proposer to answer its client. */
export type ApplyOutcome =
  | { readonly ok: true; readonly index: number; readonly response: CommandResponse }
  | { readonly ok: false; readonly index: number; readonly error: CommandError };

/** A deterministic refusal: the command had no effect (on any replica). */
export interface CommandError {
  readonly code: ErrorCode;
  readonly message: string;
}

export function commandErrorToFlotillaError(error: CommandError): FlotillaError {
  return new FlotillaError(error.code, error.message);
}

const emptyBytes = new Uint8Array(0);

export interface PutOptions {
  readonly lease?: number;
  readonly prevKv?: boolean;
  readonly ignoreValue?: boolean;
  readonly ignoreLease?: boolean;
}

export function putRequest(key: Uint8Array, value: Uint8Array, options: PutOptions = {}): PutRequest {
  return {
    key,
    value,
    lease: options.lease ?? 0,
    prevKv: options.prevKv ?? false,
    ignoreValue: options.ignoreValue ?? false,
    ignoreLease: options.ignoreLease ?? false,
  };
}

export function deleteRangeRequest(key: Uint8Array, rangeEnd: Uint8Array = emptyBytes, options: { prevKv?: boolean } = {}): DeleteRangeRequest {
  return { key, rangeEnd, prevKv: options.prevKv ?? false };
}

/** Builders for txn operations. */
export const requestOp = {
  range: (request: RangeRequest): RequestOp => ({ type: 'range', request }),
  put: (key: Uint8Array, value: Uint8Array, options: PutOptions = {}): RequestOp => ({ type: 'put', request: putRequest(key, value, options) }),
  deleteRange: (key: Uint8Array, rangeEnd: Uint8Array = emptyBytes, options: { prevKv?: boolean } = {}): RequestOp => ({
    type: 'deleteRange',
    request: deleteRangeRequest(key, rangeEnd, options),
  }),
  txn: (request: TxnRequest): RequestOp => ({ type: 'txn', request }),
} as const;

/** Builders for commands. */
export const command = {
  put: (key: Uint8Array, value: Uint8Array, options: PutOptions = {}): Command => ({ type: 'put', request: putRequest(key, value, options) }),
  deleteRange: (key: Uint8Array, rangeEnd: Uint8Array = emptyBytes, options: { prevKv?: boolean } = {}): Command => ({
    type: 'deleteRange',
    request: deleteRangeRequest(key, rangeEnd, options),
  }),
  txn: (request: TxnRequest): Command => ({ type: 'txn', request }),
  compact: (revision: number): Command => ({ type: 'compact', revision }),
  leaseGrant: (id: number, ttlSeconds: number): Command => ({ type: 'leaseGrant', id, ttlSeconds }),
  leaseRevoke: (id: number): Command => ({ type: 'leaseRevoke', id }),
  leaseExpire: (ids: readonly number[]): Command => ({ type: 'leaseExpire', ids }),
} as const;

/** Throws FlotillaError (INVALID_ARGUMENT, STORE_KEY_TOO_LARGE, STORE_VALUE_TOO_LARGE) if malformed. */
export function validateCommand(value: Command): void {
  parseCommand(value);
}

export function encodeCommand(value: Command): Uint8Array {
  validateCommand(value);
  return encode(value);
}

/** Decodes and validates an entry payload; throws FlotillaError on anything malformed. */
export function decodeCommand(bytes: Uint8Array): Command {
  let raw: unknown;
  try {
    raw = decode<unknown>(bytes);
  } catch (cause) {
    throw new FlotillaError(ErrorCode.invalidArgument, 'entry payload is not msgpack', { cause });
  }
  return parseCommand(raw);
}
