import { asString, getPath, isJsonObject, objectsIn, type JsonObject } from '../../control-plane/api/json.ts';
import { sleep, type Env, type Logger } from '../../common/index.ts';
import { SourceLimits } from '../limits.ts';
import { sourceKinds, type ChangeType, type ClusterSource, type ClusterWriter, type SourceEvents, type SourceKind, type WriteOutcome } from './cluster-source.ts';
import { KubeApiClient } from './kube-api-client.ts';
import type { ApiConnection } from './kubeconfig.ts';

/** Cluster-wide list/watch paths; Secrets only of type kubernetes.io/tls (the ingress needs no others). */
const collectionPaths: Record<SourceKind, string> = {
  services: '/api/v1/services',
  endpoints: '/api/v1/endpoints',
  endpointslices: '/apis/discovery.k8s.io/v1/endpointslices',
  ingresses: '/apis/networking.k8s.io/v1/ingresses',
  secrets: '/api/v1/secrets?fieldSelector=type%3Dkubernetes.io%2Ftls',
};

const objectPaths: Record<'services' | 'ingresses', (namespace: string, name: string) => string> = {
  services: (namespace, name) => `/api/v1/namespaces/${encodeURIComponent(namespace)}/services/${encodeURIComponent(name)}`,
  ingresses: (namespace, name) => `/apis/networking.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/ingresses/${encodeURIComponent(name)}`,
};

const changeTypes = new Set<string>(['ADDED', 'MODIFIED', 'DELETED']);

function withQuery(path: string, query: string): string {
  return `${path}${path.includes('?') ? '&' : '?'}${query}`;
}

/**
 * The ClusterSource over the Kubernetes API, as a client-go reflector does it: per kind a paged
 * list, then a watch from the list's resourceVersion (bookmarks keep it fresh). A watch that the
 * server closes resumes from the last revision seen; an expired revision (410) or a failed list
 * re-lists after a bounded, doubling backoff; connection failures move to the next server.
 */
export class KubeApiSource implements ClusterSource, ClusterWriter {
  readonly kinds = sourceKinds;
  readonly writer: ClusterWriter = this;
  private readonly client: KubeApiClient;

  constructor(connection: ApiConnection, private readonly env: Env, private readonly logger: Logger) {
    this.client = new KubeApiClient(connection);
  }

  get description(): string {
    return `kubernetes API ${this.client.server}`;
  }

  async run(events: SourceEvents, signal: AbortSignal): Promise<void> {
    try {
      await Promise.all(this.kinds.map((kind) => this.runKind(kind, events, signal)));
    } finally {
      this.client.close();
    }
  }

  async replace(kind: 'services' | 'ingresses', object: JsonObject, subresource: 'status' | null): Promise<WriteOutcome> {
    const namespace = asString(getPath(object, ['metadata', 'namespace'])) ?? 'default';
    const name = asString(getPath(object, ['metadata', 'name'])) ?? '';
    const path = `${objectPaths[kind](namespace, name)}${subresource === null ? '' : `/${subresource}`}`;
    try {
      const answer = await this.client.request('PUT', path, object);
      if (answer.status === 200 || answer.status === 201) return 'written';
      if (answer.status === 409) return 'conflict';
      if (answer.status === 404) return 'not-found';
      this.logger.warn({ path, status: answer.status, body: answer.body.slice(0, 300) }, 'write refused');
      return 'failed';
    } catch (error) {
      this.logger.warn({ err: error, path }, 'write failed');
      return 'failed';
    }
  }

  private async runKind(kind: SourceKind, events: SourceEvents, signal: AbortSignal): Promise<void> {
    let backoffMs: number = SourceLimits.retryBackoffFirstMs;
    let revision: string | null = null;
    while (!signal.aborted) {
      if (revision === null) {
        const listed = await this.list(kind).catch((error: unknown) => error instanceof Error ? error : new Error(String(error)));
        if (listed instanceof Error) {
          events.interrupted(kind, listed.message);
          this.logger.warn({ kind, error: listed.message, server: this.client.server }, 'list failed; retrying');
          await sleep(this.env.timers, backoffMs, signal);
          backoffMs = Math.min(backoffMs * 2, SourceLimits.retryBackoffMaxMs);
          continue;
        }
        events.replaced(kind, listed.items);
        revision = listed.revision;
      }
      const outcome = await this.watchFrom(kind, revision, events, signal);
      revision = outcome.revision;
      if (outcome.healthy) {
        backoffMs = SourceLimits.retryBackoffFirstMs;
        continue;
      }
      events.interrupted(kind, outcome.reason);
      if (revision !== null) this.logger.info({ kind, reason: outcome.reason }, 'watch broke; resuming');
      else this.logger.info({ kind, reason: outcome.reason }, 'revision expired; re-listing');
      await sleep(this.env.timers, backoffMs, signal);
      backoffMs = Math.min(backoffMs * 2, SourceLimits.retryBackoffMaxMs);
    }
  }

  /** One watch; returns the revision to resume from (null: re-list) and whether it ended cleanly. */
  private async watchFrom(kind: SourceKind, from: string, events: SourceEvents, signal: AbortSignal): Promise<{ revision: string | null; healthy: boolean; reason: string }> {
    let revision: string | null = from;
    let expired = false;
    let received = false;
    const path = withQuery(collectionPaths[kind], `watch=true&allowWatchBookmarks=true&resourceVersion=${encodeURIComponent(from)}&timeoutSeconds=${SourceLimits.watchTimeoutSeconds}`);
    const end = await this.client.watch(path, signal, (event) => {
      if (expired) return;
      const version = asString(getPath(event.object, ['metadata', 'resourceVersion']));
      if (event.type === 'ERROR') {
        if (event.object['code'] === 410) expired = true;
        return;
      }
      received = true;
      if (version !== undefined) revision = version;
      if (changeTypes.has(event.type)) events.changed(kind, event.type as ChangeType, event.object);
    });
    if (expired || (end.kind === 'failed' && end.status === 410)) return { revision: null, healthy: false, reason: 'resourceVersion expired (410)' };
    if (end.kind === 'failed') return { revision, healthy: false, reason: end.message };
    // A server that closes a watch at once, again and again, gets the backoff too.
    return { revision, healthy: received || signal.aborted, reason: 'watch closed without events' };
  }

  private async list(kind: SourceKind): Promise<{ items: JsonObject[]; revision: string }> {
    const items: JsonObject[] = [];
    let continueToken = '';
    for (;;) {
      const query = `limit=${SourceLimits.listPageSize}${continueToken === '' ? '' : `&continue=${encodeURIComponent(continueToken)}`}`;
      const answer = await this.client.request('GET', withQuery(collectionPaths[kind], query));
      if (answer.status !== 200) throw new Error(`list ${kind}: HTTP ${answer.status} ${answer.body.slice(0, 200)}`);
      const parsed: unknown = JSON.parse(answer.body);
      if (!isJsonObject(parsed)) throw new Error(`list ${kind}: not an object`);
      items.push(...objectsIn(parsed['items']));
      if (items.length > SourceLimits.objectsPerKindMax) throw new Error(`list ${kind}: more than ${SourceLimits.objectsPerKindMax} objects`);
      continueToken = asString(getPath(parsed, ['metadata', 'continue'])) ?? '';
      if (continueToken === '') return { items, revision: asString(getPath(parsed, ['metadata', 'resourceVersion'])) ?? '0' };
    }
  }
}
