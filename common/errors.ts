/**
 * Operating errors: expected failures with a stable `code`. Codes are API (callers switch on them,
 * the API server maps them to Kubernetes `Status` reasons); messages are for people and may change.
 */
export const ErrorCode = {
  raftNotLeader: 'RAFT_NOT_LEADER',
  raftTransferInProgress: 'RAFT_TRANSFER_IN_PROGRESS',
  raftProposalTooLarge: 'RAFT_PROPOSAL_TOO_LARGE',
  raftUncommittedLimit: 'RAFT_UNCOMMITTED_LIMIT',
  raftMembershipChangePending: 'RAFT_MEMBERSHIP_CHANGE_PENDING',
  raftInvalidMembershipChange: 'RAFT_INVALID_MEMBERSHIP_CHANGE',
  raftStopped: 'RAFT_STOPPED',
  raftTimeout: 'RAFT_TIMEOUT',
  storeCompacted: 'STORE_COMPACTED',
  storeFutureRevision: 'STORE_FUTURE_REVISION',
  storeKeyTooLarge: 'STORE_KEY_TOO_LARGE',
  storeValueTooLarge: 'STORE_VALUE_TOO_LARGE',
  storeLeaseNotFound: 'STORE_LEASE_NOT_FOUND',
  storeCorrupt: 'STORE_CORRUPT',
  invalidArgument: 'INVALID_ARGUMENT',
  transportRejected: 'TRANSPORT_REJECTED',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class FlotillaError extends Error {
  override readonly name: string = 'FlotillaError';
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }
}

export function isFlotillaError(error: unknown, code?: ErrorCode): error is FlotillaError {
  return error instanceof FlotillaError && (code === undefined || error.code === code);
}
