import { status as GrpcStatus, type StatusObject } from '@grpc/grpc-js';
import { AssertionFailure, ErrorCode, FlotillaError, type Logger } from '../../common/index.ts';

/**
 * etcd's gRPC errors, with the exact status codes and messages of etcd v3.4 (rpctypes/error.go).
 * Clients match on these messages (the Go client turns them back into typed errors, the etcd3
 * npm client maps "requested lease not found" to EtcdLeaseInvalidError), so they are API: never
 * reword one. Flotilla-only conditions use the same "etcdserver: " prefix and may carry detail.
 */
export const EtcdErrors = {
  emptyKey: { code: GrpcStatus.INVALID_ARGUMENT, message: 'etcdserver: key is not provided' },
  keyNotFound: { code: GrpcStatus.INVALID_ARGUMENT, message: 'etcdserver: key not found' },
  valueProvided: { code: GrpcStatus.INVALID_ARGUMENT, message: 'etcdserver: value is provided' },
  leaseProvided: { code: GrpcStatus.INVALID_ARGUMENT, message: 'etcdserver: lease is provided' },
  tooManyOps: { code: GrpcStatus.INVALID_ARGUMENT, message: 'etcdserver: too many operations in txn request' },
  duplicateKey: { code: GrpcStatus.INVALID_ARGUMENT, message: 'etcdserver: duplicate key given in txn request' },
  compacted: { code: GrpcStatus.OUT_OF_RANGE, message: 'etcdserver: mvcc: required revision has been compacted' },
  futureRevision: { code: GrpcStatus.OUT_OF_RANGE, message: 'etcdserver: mvcc: required revision is a future revision' },
  leaseNotFound: { code: GrpcStatus.NOT_FOUND, message: 'etcdserver: requested lease not found' },
  leaseExists: { code: GrpcStatus.FAILED_PRECONDITION, message: 'etcdserver: lease already exists' },
  leaseTtlTooLarge: { code: GrpcStatus.OUT_OF_RANGE, message: 'etcdserver: too large lease TTL' },
  memberExists: { code: GrpcStatus.FAILED_PRECONDITION, message: 'etcdserver: member ID already exist' },
  peerUrlExists: { code: GrpcStatus.FAILED_PRECONDITION, message: 'etcdserver: Peer URLs already exists' },
  memberNotEnoughStarted: {
    code: GrpcStatus.FAILED_PRECONDITION,
    message: 'etcdserver: re-configuration failed due to not enough started members',
  },
  memberBadUrls: { code: GrpcStatus.INVALID_ARGUMENT, message: 'etcdserver: given member URLs are invalid' },
  memberNotFound: { code: GrpcStatus.NOT_FOUND, message: 'etcdserver: member not found' },
  memberNotLearner: { code: GrpcStatus.FAILED_PRECONDITION, message: 'etcdserver: can only promote a learner member' },
  learnerNotReady: {
    code: GrpcStatus.FAILED_PRECONDITION,
    message: 'etcdserver: can only promote a learner member which is in sync with leader',
  },
  tooManyLearners: { code: GrpcStatus.FAILED_PRECONDITION, message: 'etcdserver: too many learner members in cluster' },
  requestTooLarge: { code: GrpcStatus.INVALID_ARGUMENT, message: 'etcdserver: request is too large' },
  tooManyRequests: { code: GrpcStatus.RESOURCE_EXHAUSTED, message: 'etcdserver: too many requests' },
  noLeader: { code: GrpcStatus.UNAVAILABLE, message: 'etcdserver: no leader' },
  leaderChanged: { code: GrpcStatus.UNAVAILABLE, message: 'etcdserver: leader changed' },
  stopped: { code: GrpcStatus.UNAVAILABLE, message: 'etcdserver: server stopped' },
  timeout: { code: GrpcStatus.UNAVAILABLE, message: 'etcdserver: request timed out' },
  unhealthy: { code: GrpcStatus.UNAVAILABLE, message: 'etcdserver: unhealthy cluster' },
  corrupt: { code: GrpcStatus.DATA_LOSS, message: 'etcdserver: corrupt cluster' },
  // Flotilla-only: etcd has no key limit beyond the request size.
  keyTooLarge: { code: GrpcStatus.INVALID_ARGUMENT, message: 'etcdserver: key is too large' },
  malformedRequest: { code: GrpcStatus.INVALID_ARGUMENT, message: 'etcdserver: malformed request' },
  // Flotilla-only: UNAVAILABLE so that clients reconnect and resume from their last revision.
  watchStreamBehind: {
    code: GrpcStatus.UNAVAILABLE,
    message: 'etcdserver: watch stream fell behind; resume from the last received revision',
  },
  unsupported: { code: GrpcStatus.UNIMPLEMENTED, message: 'etcdserver: not supported by Flotilla' },
  canceled: { code: GrpcStatus.CANCELLED, message: 'etcdserver: request canceled' },
  internal: { code: GrpcStatus.INTERNAL, message: 'etcdserver: internal error' },
} as const satisfies Record<string, { code: GrpcStatus; message: string }>;

export type EtcdErrorKind = keyof typeof EtcdErrors;

/** The status a handler sends: `details` is the text etcdctl prints after "Error: ". */
export type EtcdStatus = Pick<StatusObject, 'code' | 'details'>;

/** Raised by the API layer itself (validation); never leaves this folder except as a status. */
export class EtcdRequestError extends Error {
  override readonly name = 'EtcdRequestError';
  readonly kind: EtcdErrorKind;
  readonly detail: string | null;

  constructor(kind: EtcdErrorKind, detail: string | null = null) {
    super(detail === null ? EtcdErrors[kind].message : `${EtcdErrors[kind].message} (${detail})`);
    this.kind = kind;
    this.detail = detail;
  }
}

/**
 * For backends: an etcd condition that has no FlotillaError code of its own (member not found,
 * lease already exists, ...). It is a FlotillaError, so in-process callers can still switch on
 * `code`; the API finds the etcd kind in `details.etcdError`.
 */
export function etcdBackendError(kind: EtcdErrorKind, message: string, cause?: unknown): FlotillaError {
  const options = cause === undefined ? { details: { etcdError: kind } } : { cause, details: { etcdError: kind } };
  return new FlotillaError(ErrorCode.invalidArgument, message, options);
}

function statusOf(kind: EtcdErrorKind, detail: string | null = null): EtcdStatus {
  const entry = EtcdErrors[kind];
  return { code: entry.code, details: detail === null ? entry.message : `${entry.message} (${detail})` };
}

function isEtcdErrorKind(value: unknown): value is EtcdErrorKind {
  return typeof value === 'string' && Object.hasOwn(EtcdErrors, value);
}

/** FlotillaError code → etcd status; `invalidArgument` and membership refusals keep their message. */
function statusOfFlotillaError(error: FlotillaError): EtcdStatus {
  const etcdKind = error.details['etcdError'];
  if (isEtcdErrorKind(etcdKind)) return statusOf(etcdKind);
  switch (error.code) {
    case ErrorCode.storeCompacted:
      return statusOf('compacted');
    case ErrorCode.storeFutureRevision:
      return statusOf('futureRevision');
    case ErrorCode.storeKeyTooLarge:
      return statusOf('keyTooLarge');
    case ErrorCode.storeValueTooLarge:
    case ErrorCode.raftProposalTooLarge:
      return statusOf('requestTooLarge');
    case ErrorCode.storeLeaseNotFound:
      return statusOf('leaseNotFound');
    case ErrorCode.raftNotLeader:
      // Writes are forwarded to the leader, so "not leader" reaching a client means none is known
      // (or it just moved): both are etcd's retryable UNAVAILABLE errors.
      return statusOf(error.details['leaderHint'] ? 'leaderChanged' : 'noLeader');
    case ErrorCode.raftTransferInProgress:
      return statusOf('leaderChanged');
    case ErrorCode.raftUncommittedLimit:
      return statusOf('tooManyRequests');
    case ErrorCode.raftStopped:
      return statusOf('stopped');
    case ErrorCode.raftTimeout:
      return statusOf('timeout');
    case ErrorCode.storeCorrupt:
      return statusOf('corrupt');
    case ErrorCode.transportRejected:
      return statusOf('unhealthy');
    case ErrorCode.raftMembershipChangePending:
    case ErrorCode.raftInvalidMembershipChange:
      return { code: GrpcStatus.FAILED_PRECONDITION, details: `etcdserver: ${error.message}` };
    case ErrorCode.invalidArgument:
      return { code: GrpcStatus.INVALID_ARGUMENT, details: `etcdserver: ${error.message}` };
  }
  // A code added to common/errors.ts after this table was written: still a clear answer.
  return { code: GrpcStatus.UNKNOWN, details: `etcdserver: ${error.message}` };
}

/**
 * Any error from a handler → the status sent to the client. Unknown errors (bugs included) become
 * INTERNAL and are logged: one bad request must not take down a replica serving everyone else.
 */
export function toEtcdStatus(error: unknown, logger: Logger, method: string): EtcdStatus {
  if (error instanceof EtcdRequestError) return statusOf(error.kind, error.detail);
  if (error instanceof FlotillaError) return statusOfFlotillaError(error);
  if (isAbortError(error)) return statusOf('canceled');
  const level = error instanceof AssertionFailure ? 'fatal' : 'error';
  logger[level]({ err: error, method }, 'etcd API request failed with an unexpected error');
  return statusOf('internal');
}

/** Lease lookups answer "not found" in-band in some RPCs (TTL 0 or -1), as etcd does. */
export function isLeaseNotFound(error: unknown): boolean {
  if (error instanceof EtcdRequestError) return error.kind === 'leaseNotFound';
  if (!(error instanceof FlotillaError)) return false;
  return error.code === ErrorCode.storeLeaseNotFound || error.details['etcdError'] === 'leaseNotFound';
}

function isAbortError(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}
