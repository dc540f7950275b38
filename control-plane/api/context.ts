import type { Env } from '../../common/index.ts';
import type { Logger } from '../../common/index.ts';
import type { PodStreams } from './handlers/pod-streams.ts';
import type { ObjectStore } from './object-store.ts';
import type { WriteContext } from './objects/prepare.ts';
import type { ResourceRegistry } from './registry/registry.ts';

/** The API server's own named maximums. */
export const ApiLimits = {
  /** Concurrent watch streams; one more is answered 429. */
  watchersMax: 10_000,
  /** Concurrent non-watch requests; one more is answered 429 (Kubernetes' max-requests-inflight is 400). */
  inFlightRequestsMax: 400,
  /** Retries of a read-modify-write (patch, status, scale) that lost a compare-and-swap race. */
  updateRetriesMax: 16,
  /** Objects read from the store per page while a list filters by selectors. */
  listPageSize: 500,
  /** Largest `limit` a list may ask for. */
  listLimitMax: 10_000,
  /** Longest watch a client may ask for with timeoutSeconds (Kubernetes' default min-request-timeout is 1800). */
  watchTimeoutSecondsMax: 1800,
  /** Bytes of one watch stream's unflushed output before it is closed (a slow reader never holds memory). */
  watchBufferedBytesMax: 16 * 1024 * 1024,
} as const;
export type ApiLimits = { readonly [Key in keyof typeof ApiLimits]: number };

export interface ApiContext {
  readonly store: ObjectStore;
  readonly registry: ResourceRegistry;
  readonly env: Env;
  readonly logger: Logger;
  readonly limits: ApiLimits;
  /** How often an idle watch with allowWatchBookmarks gets a BOOKMARK. */
  readonly bookmarkIntervalMs: number;
  /** Aborted when the server shuts down: watches end. */
  readonly shutdown: AbortSignal;
  readonly activeWatches: { count: number };
  /** pods/log and pods/exec through the pod's node agent (the NATS bridge); absent: they answer 503. */
  readonly podStreams?: PodStreams;
}

/** Kubernetes timestamps are RFC 3339 in whole seconds. */
export function nowIso(context: ApiContext): string {
  return new Date(context.env.clock.nowMs()).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const suffixAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

export function writeContext(context: ApiContext): WriteContext {
  const prng = context.env.prng;
  return {
    nowIso: nowIso(context),
    newUid: () => {
      const hex = Array.from({ length: 16 }, () => prng.nextInt(0, 256).toString(16).padStart(2, '0'));
      hex[6] = `4${(hex[6] ?? '0')[1] ?? '0'}`;
      hex[8] = ((prng.nextInt(0, 4) + 8).toString(16)) + ((hex[8] ?? '0')[1] ?? '0');
      const text = hex.join('');
      return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
    },
    randomSuffix: () => Array.from({ length: 5 }, () => suffixAlphabet[prng.nextInt(0, suffixAlphabet.length)] ?? 'x').join(''),
  };
}
