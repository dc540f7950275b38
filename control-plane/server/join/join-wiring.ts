import type { Env, Logger } from '../../../common/index.ts';
import { formatHostPort, hostPortOfUrl, type Replica, type ReplicatedBackend } from '../../../store/index.ts';
import type { ServerConfig } from '../config.ts';
import { startJoinService } from './join-service.ts';
import { startSelfPromotion } from './self-promotion.ts';

export interface JoinParts {
  close(): Promise<void>;
}

/** What `flotilla server` runs for joining, as configured: the join service, and self-promotion of a learner. */
export function startJoinParts(config: ServerConfig, replica: Replica, backend: ReplicatedBackend, env: Env, logger: Logger): JoinParts {
  const promotion = config.autoPromote ? startSelfPromotion({ replica, backend, env, logger }) : null;
  const listen = config.joinListen;
  const service = listen === null ? null : startJoinService({
    replica,
    backend,
    listen,
    contribution: {
      memberName: config.name,
      endpoint: advertisedJoinEndpoint(config),
      natsUrls: config.natsAdvertise,
      natsUser: config.nats?.user ?? null,
      natsPassword: config.nats?.password ?? null,
      clusterName: config.nats?.clusterName ?? 'flotilla',
    },
    extraNames: [...config.apiSans, hostPortOfUrl(config.advertiseClientUrl)?.host ?? ''].filter((name) => name !== ''),
    env,
    logger,
  });
  return {
    close: async () => {
      promotion?.close();
      await service?.close();
    },
  };
}

/** A wildcard --join-listen is reached at the host this server advertises for its client API. */
function advertisedJoinEndpoint(config: ServerConfig): string {
  const listen = config.joinListen;
  if (listen === null) return '';
  const wildcard = listen.host === '0.0.0.0' || listen.host === '::';
  const host = wildcard ? (hostPortOfUrl(config.advertiseClientUrl)?.host ?? listen.host) : listen.host;
  return formatHostPort({ host, port: listen.port });
}
