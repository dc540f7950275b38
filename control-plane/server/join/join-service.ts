import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import { isFlotillaError, type Env, type Logger } from '../../../common/index.ts';
import { formatHostPort, type HostPort, type Replica, type ReplicatedBackend } from '../../../store/index.ts';
import { loadOrCreateClusterBootstrap } from '../../api/cluster-bootstrap.ts';
import type { ObjectStore } from '../../api/object-store.ts';
import { ReplicatedObjectStore } from '../../api/replicated-object-store.ts';
import { issueServingCertificate } from '../../api/security/tls.ts';
import { joinAgent, joinServer, parseAgentJoin, parseServerJoin, type JoinHandlerContext } from './join-handlers.ts';
import { answerJson, JoinHttpError, JoinServiceLimits, readJsonBody, SecretGate } from './join-http.ts';
import { decodeJoinRecord, encodeJoinRecord, joinRecordKey, mergeContribution, newJoinSecret, type JoinRecord, type JoinRecordContribution } from './join-record.ts';

export interface JoinServiceOptions {
  readonly replica: Replica;
  readonly backend: ReplicatedBackend;
  readonly listen: HostPort;
  /** What this server writes into the join record: the join endpoint and the agents' NATS settings. */
  readonly contribution: JoinRecordContribution;
  /** Extra names for the serving certificate (the API's --api-san), beyond the listen host and the host name. */
  readonly extraNames: readonly string[];
  readonly env: Env;
  readonly logger: Logger;
}

export interface JoinService {
  close(): Promise<void>;
}

/** While the record cannot be written (no leader yet): attempts, this far apart. */
const recordAttemptsMax = 150;
const recordRetryMs = 2_000;

/**
 * The join service of one server (`--join-listen`): HTTPS with a certificate signed by the cluster
 * CA. `GET /join/v1/ca` gives the CA certificate to anyone (the joiner checks it against the
 * token's fingerprint); `POST /join/v1/server` and `/join/v1/agent`, with the join secret as a
 * bearer token, add a learner or hand out the agents' NATS settings. It starts in the background
 * (it needs the cluster CA, so a leader) and adds this server to the replicated join record.
 */
export function startJoinService(options: JoinServiceOptions): JoinService {
  const logger = options.logger.child({ component: 'join' });
  const abort = new AbortController();
  const store = new ReplicatedObjectStore(options.replica, options.env);
  let server: Server | null = null;
  const started = (async () => {
    const bootstrap = await loadOrCreateClusterBootstrap(store, options.env, logger, abort.signal);
    const names = [...new Set(['localhost', '127.0.0.1', hostname(), options.listen.host, ...options.extraNames])].filter((name) => name !== '0.0.0.0' && name !== '::');
    const credentials = await issueServingCertificate(bootstrap.ca, names, options.env.clock.nowMs());
    abort.signal.throwIfAborted();
    const context = { replica: options.replica, backend: options.backend, logger };
    const handler = new JoinRequestHandler(context, store, bootstrap.ca.certificatePem, new SecretGate(options.env.clock), logger);
    server = createServer({ cert: credentials.certificatePem, key: credentials.privateKeyPem }, (request, response) => void handler.handle(request, response));
    await new Promise<void>((resolve, reject) => {
      server?.once('error', reject);
      server?.listen(options.listen.port, options.listen.host, resolve);
    });
    logger.info({ listen: formatHostPort(options.listen) }, 'join service listening');
    await keepRecordCurrent(store, options, logger, abort.signal);
  })().catch((error: unknown) => {
    if (!abort.signal.aborted) logger.error({ err: error }, 'the join service could not start');
  });
  return {
    close: async () => {
      abort.abort();
      const running = server as Server | null;
      if (running !== null) await new Promise<void>((resolve) => running.close(() => resolve()));
      await started;
    },
  };
}

/** Writes this server's contribution into the join record (create-if-absent, then compare-and-swap). */
async function keepRecordCurrent(store: ObjectStore, options: JoinServiceOptions, logger: Logger, signal: AbortSignal): Promise<void> {
  for (let attempt = 1; attempt <= recordAttemptsMax && !signal.aborted; attempt++) {
    try {
      const current = await store.get(joinRecordKey);
      const next = mergeContribution(current === null ? null : decodeJoinRecord(current.value), options.contribution, newJoinSecret);
      if (next === null) return;
      const written = current === null ? await store.create(joinRecordKey, encodeJoinRecord(next)) : await store.update(joinRecordKey, encodeJoinRecord(next), current.modRevision);
      if (written.ok) {
        logger.info({ endpoint: options.contribution.endpoint, created: current === null }, 'join record updated');
        return;
      }
    } catch (error) {
      if (!isFlotillaError(error)) throw error;
      logger.debug({ err: error }, 'join record not writable yet; retrying');
    }
    await new Promise<void>((resolve) => options.env.timers.setTimeout(resolve, recordRetryMs));
  }
  if (!signal.aborted) logger.error({ attempts: recordAttemptsMax }, 'gave up writing this server into the join record');
}

class JoinRequestHandler {
  private inFlight = 0;

  constructor(
    private readonly context: JoinHandlerContext,
    private readonly store: ObjectStore,
    private readonly caPem: string,
    private readonly gate: SecretGate,
    private readonly logger: Logger,
  ) {}

  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (this.inFlight >= JoinServiceLimits.requestsInFlightMax) return answerJson(response, 429, { message: 'too many joins at once; try again' });
    this.inFlight++;
    try {
      const answer = await this.route(request);
      if (typeof answer === 'string') {
        response.writeHead(200, { 'content-type': 'application/x-pem-file' });
        response.end(answer);
      } else {
        answerJson(response, 200, answer);
      }
    } catch (error) {
      const { status, message } = describeFailure(error);
      if (status >= 500) this.logger.warn({ err: error, url: request.url }, 'join request failed');
      answerJson(response, status, { message });
    } finally {
      this.inFlight--;
    }
  }

  private async route(request: IncomingMessage): Promise<object | string> {
    const route = `${request.method ?? ''} ${request.url ?? ''}`;
    if (route === 'GET /join/v1/ca') return this.caPem;
    if (route !== 'POST /join/v1/server' && route !== 'POST /join/v1/agent') throw new JoinHttpError(404, 'no such join route (GET /join/v1/ca, POST /join/v1/server, POST /join/v1/agent)');
    const record = await this.record();
    this.gate.check(request.headers.authorization, record.secret);
    const body = await readJsonBody(request);
    if (route === 'POST /join/v1/agent') {
      const { nodeName } = parseAgentJoin(body);
      this.logger.info({ nodeName }, 'join: agent configuration handed out');
      return joinAgent(record);
    }
    return joinServer(this.context, record, parseServerJoin(body));
  }

  private async record(): Promise<JoinRecord> {
    const stored = await this.store.get(joinRecordKey);
    if (stored === null) throw new JoinHttpError(503, 'the join record is not written yet (the cluster has just started); try again');
    return decodeJoinRecord(stored.value);
  }
}

function describeFailure(error: unknown): { status: number; message: string } {
  if (error instanceof JoinHttpError) return { status: error.status, message: error.message };
  if (isFlotillaError(error)) {
    const etcdError = error.details['etcdError'];
    if (typeof etcdError === 'string') return { status: 409, message: `${error.message} (${etcdError})` };
    return { status: 503, message: `the cluster cannot change its membership now (${error.code}: ${error.message}); try again` };
  }
  return { status: 500, message: `the join failed on the server: ${(error as Error).message}` };
}
