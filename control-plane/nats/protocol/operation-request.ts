import type { NatsConnection } from '@nats-io/transport-node';
import type { JsonObject } from '../../api/json.ts';
import { decodeReply, encodeMessage } from './codec.ts';
import { natsRequest } from './connection.ts';
import { ProtocolLimits } from './limits.ts';
import type { ListedObjects } from './list-watch-reflector.ts';
import { protocolVersion, type ObjectsListResult, type ProtocolFailure } from './messages.ts';
import { readObjectsListResult } from './proxy-operation-codec.ts';
import type { Fields } from './shape.ts';
import type { AgentOperation, Subjects } from './subjects.ts';

/** The control plane answered, with a failure (the Kubernetes status code, reason and message). */
export class OperationRefusedError extends Error {
  override readonly name = 'OperationRefusedError';
  readonly code: number;
  readonly reason: string;

  constructor(operation: string, failure: ProtocolFailure) {
    super(`${operation}: ${failure.message} (${failure.code} ${failure.reason})`);
    this.code = failure.code;
    this.reason = failure.reason;
  }
}

/**
 * One operation, request-reply to the control plane's queue group, with a deadline. A failure
 * answer throws OperationRefusedError, no answer NatsRequestError; callers decide on retries.
 */
export async function requestOperation<Result>(
  connection: NatsConnection, subjects: Subjects, operation: AgentOperation, fields: object, read: (fields: Fields) => Result,
  signal?: AbortSignal, timeoutMs: number = ProtocolLimits.requestTimeoutMs,
): Promise<Result> {
  const answer = await natsRequest(connection, subjects.operation(operation), encodeMessage({ version: protocolVersion, ...fields }), timeoutMs, signal);
  const reply = decodeReply(answer, operation, read);
  if (!reply.ok) throw new OperationRefusedError(operation, reply.error);
  return reply.result;
}

/** Reads every page of a list operation at one revision (the first page's), at most `pagesMax` pages. */
export async function listAllPages(
  readPage: (revision: number, continueAfter: string) => Promise<ObjectsListResult>, what: string, pagesMax: number = ProtocolLimits.listPagesMax,
): Promise<ListedObjects> {
  const objects: JsonObject[] = [];
  let revision = 0;
  let continueAfter = '';
  for (let page = 0; page < pagesMax; page++) {
    const result = await readPage(revision, continueAfter);
    objects.push(...result.objects);
    revision = result.revision;
    if (result.continueAfter === '') return { objects, revision };
    continueAfter = result.continueAfter;
  }
  throw new Error(`the list of ${what} did not end within ${pagesMax} pages`);
}

/** Every Service, EndpointSlice or Ingress of the cluster, through its list operation. */
export function listClusterObjects(connection: NatsConnection, subjects: Subjects, operation: AgentOperation, signal?: AbortSignal): Promise<ListedObjects> {
  return listAllPages(
    (revision, continueAfter) => requestOperation(connection, subjects, operation, { revision, continueAfter }, readObjectsListResult, signal, ProtocolLimits.listRequestTimeoutMs),
    operation,
  );
}
