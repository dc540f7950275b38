import type { Env, Logger, TimerHandle } from '../../../common/index.ts';
import type { Replica, ReplicatedBackend } from '../../../store/index.ts';

export interface SelfPromotionOptions {
  readonly replica: Replica;
  readonly backend: ReplicatedBackend;
  readonly env: Env;
  readonly logger: Logger;
}

/** One promotion request per interval; after the attempts, an operator has to look (it is logged). */
const promotionIntervalMs = 1_000;
const promotionAttemptsMax = 3_600;
const promotionCallTimeoutMs = 5_000;

/**
 * `auto-promote` (set by `flotilla join --role server`): while this member is a learner, ask the
 * leader to promote it, once a second. The leader refuses until the learner has caught up (etcd's
 * rule: its match index within 90% of the commit index), so the request is simply repeated; once
 * promoted it stops. Done by the joined server itself, not by the `flotilla join` command, so a
 * reboot or a crash of the joiner between the add and the promotion changes nothing.
 */
export function startSelfPromotion(options: SelfPromotionOptions): { close(): void } {
  const logger = options.logger.child({ component: 'self-promotion' });
  let attempts = 0;
  let asking = false;
  let timer: TimerHandle | null = null;
  const stop = (): void => {
    timer?.cancel();
    timer = null;
  };
  const attempt = async (): Promise<void> => {
    const status = options.replica.status();
    if (!status.membership.learners.includes(options.replica.nodeId)) {
      // Not a learner (yet: the add is applied when the leader's entries arrive; or any more).
      if (status.membership.voters.includes(options.replica.nodeId)) stop();
      return;
    }
    if (asking || status.leaderId === null) return;
    if (++attempts > promotionAttemptsMax) {
      logger.error({ attempts: promotionAttemptsMax }, 'still a learner: promote this member by hand (etcdctl member promote)');
      return stop();
    }
    asking = true;
    try {
      await options.backend.memberPromote(options.replica.memberId, { signal: AbortSignal.timeout(promotionCallTimeoutMs) });
      logger.info({ attempts }, 'promoted this learner to a voter');
      stop();
    } catch (error) {
      logger.debug({ err: error, attempts }, 'not promoted yet (catching up); will ask again');
    } finally {
      asking = false;
    }
  };
  timer = options.env.timers.setInterval(() => void attempt(), promotionIntervalMs);
  return { close: stop };
}
