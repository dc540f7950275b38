import { ErrorCode, isFlotillaError } from '../../common/index.ts';
import type { JsonObject } from './json.ts';

/**
 * Kubernetes `Status` errors. Every failure the API server answers is an `ApiError`; its reason
 * and code follow k8s.io/apimachinery/pkg/api/errors so that clients (kubectl's messages,
 * client-go's IsNotFound/IsConflict/IsGone) react as they do against Kubernetes.
 */
export const StatusReason = {
  badRequest: 'BadRequest',
  unauthorized: 'Unauthorized',
  forbidden: 'Forbidden',
  notFound: 'NotFound',
  alreadyExists: 'AlreadyExists',
  conflict: 'Conflict',
  gone: 'Gone',
  expired: 'Expired',
  invalid: 'Invalid',
  requestEntityTooLarge: 'RequestEntityTooLarge',
  unsupportedMediaType: 'UnsupportedMediaType',
  notAcceptable: 'NotAcceptable',
  methodNotAllowed: 'MethodNotAllowed',
  tooManyRequests: 'TooManyRequests',
  internalError: 'InternalError',
  serviceUnavailable: 'ServiceUnavailable',
  timeout: 'Timeout',
} as const;
export type StatusReason = (typeof StatusReason)[keyof typeof StatusReason];

export interface StatusCause {
  readonly reason: string;
  readonly message: string;
  readonly field?: string;
}

export interface StatusDetails {
  readonly name?: string;
  readonly group?: string;
  readonly kind?: string;
  readonly uid?: string;
  readonly causes?: readonly StatusCause[];
  readonly retryAfterSeconds?: number;
}

export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details: StatusDetails = {},
  ) {
    super(message);
  }

  toStatus(): JsonObject {
    return statusObject({ status: 'Failure', message: this.message, reason: this.reason, code: this.code, details: this.details });
  }
}

export function statusObject(fields: { status: 'Success' | 'Failure'; message?: string; reason?: string; code: number; details?: StatusDetails }): JsonObject {
  const status: JsonObject = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: fields.status };
  if (fields.message !== undefined) status['message'] = fields.message;
  if (fields.reason !== undefined) status['reason'] = fields.reason;
  if (fields.details !== undefined && Object.keys(fields.details).length > 0) status['details'] = JSON.parse(JSON.stringify(fields.details)) as JsonObject;
  status['code'] = fields.code;
  return status;
}

/** The resource as Kubernetes names it in messages: `deployments.apps`, `configmaps`. */
export interface ResourceName {
  readonly group: string;
  readonly plural: string;
}

function qualified(resource: ResourceName): string {
  return resource.group === '' ? resource.plural : `${resource.plural}.${resource.group}`;
}

export const errors = {
  badRequest: (message: string): ApiError => new ApiError(400, StatusReason.badRequest, message),
  unauthorized: (): ApiError => new ApiError(401, StatusReason.unauthorized, 'Unauthorized'),
  forbidden: (message: string): ApiError => new ApiError(403, StatusReason.forbidden, message),
  notFound: (resource: ResourceName, name: string): ApiError =>
    new ApiError(404, StatusReason.notFound, `${qualified(resource)} "${name}" not found`, { name, group: resource.group, kind: resource.plural }),
  pathNotFound: (path: string): ApiError => new ApiError(404, StatusReason.notFound, `the server could not find the requested resource (${path})`),
  alreadyExists: (resource: ResourceName, name: string): ApiError =>
    new ApiError(409, StatusReason.alreadyExists, `${qualified(resource)} "${name}" already exists`, { name, group: resource.group, kind: resource.plural }),
  conflict: (resource: ResourceName, name: string, why: string): ApiError =>
    new ApiError(409, StatusReason.conflict, `Operation cannot be fulfilled on ${qualified(resource)} "${name}": ${why}`, {
      name,
      group: resource.group,
      kind: resource.plural,
    }),
  gone: (message: string): ApiError => new ApiError(410, StatusReason.expired, message),
  invalid: (kind: string, group: string, name: string, causes: readonly StatusCause[]): ApiError => {
    const summary = causes.map((cause) => (cause.field === undefined ? cause.message : `${cause.field}: ${cause.message}`));
    const list = summary.length === 1 ? summary[0] : `[${summary.join(', ')}]`;
    return new ApiError(422, StatusReason.invalid, `${kind} "${name}" is invalid: ${list}`, { name, group, kind, causes });
  },
  tooLarge: (message: string): ApiError => new ApiError(413, StatusReason.requestEntityTooLarge, message),
  unsupportedMediaType: (contentType: string, supported: readonly string[]): ApiError =>
    new ApiError(415, StatusReason.unsupportedMediaType, `the body of the request was in an unknown format (${contentType}); accepted media types include: ${supported.join(', ')}`),
  notAcceptable: (accept: string): ApiError =>
    new ApiError(406, StatusReason.notAcceptable, `only the following media types are accepted: application/json, application/yaml (asked for ${accept})`),
  methodNotAllowed: (method: string, path: string): ApiError =>
    new ApiError(405, StatusReason.methodNotAllowed, `the server does not allow this method (${method}) on the requested resource (${path})`),
  tooManyRequests: (message: string): ApiError => new ApiError(429, StatusReason.tooManyRequests, message, { retryAfterSeconds: 1 }),
  internal: (message: string): ApiError => new ApiError(500, StatusReason.internalError, `Internal error occurred: ${message}`),
  unavailable: (message: string): ApiError => new ApiError(503, StatusReason.serviceUnavailable, message, { retryAfterSeconds: 1 }),
} as const;

/** Maps anything thrown below the HTTP layer to a Status error; store codes map as Kubernetes maps etcd's. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (isFlotillaError(error)) {
    switch (error.code) {
      case ErrorCode.storeCompacted:
        return errors.gone(`too old resource version: ${error.message}`);
      case ErrorCode.storeValueTooLarge:
      case ErrorCode.storeKeyTooLarge:
        return errors.tooLarge(`the object is too large to store: ${error.message}`);
      case ErrorCode.storeFutureRevision:
        return new ApiError(504, StatusReason.timeout, `Too large resource version: ${error.message}`, { retryAfterSeconds: 1 });
      case ErrorCode.raftNotLeader:
      case ErrorCode.raftTimeout:
      case ErrorCode.raftStopped:
      case ErrorCode.raftUncommittedLimit:
        return errors.unavailable(`the store cannot take writes right now (${error.code}); retry`);
      default:
        return errors.internal(`${error.code}: ${error.message}`);
    }
  }
  return errors.internal(error instanceof Error ? error.message : String(error));
}
