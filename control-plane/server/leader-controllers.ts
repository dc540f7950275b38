import type { Env, Logger } from '../../common/index.ts';
import type { Replica } from '../../store/index.ts';
import type { ApiContext } from '../api/context.ts';
import type { ControllerFactory } from '../controller-runtime/index.ts';
import { ControllerManager } from '../controllers/index.ts';

export interface LeaderControllersOptions {
  readonly replica: Replica;
  readonly context: ApiContext;
  readonly env: Env;
  readonly logger: Logger;
  readonly factories: readonly ControllerFactory[];
}

export interface LeaderControllers {
  /** Whether the scheduler and controllers run here now. */
  readonly running: boolean;
  /** How many times they were started on this replica (each start is a fresh list + watch). */
  readonly starts: number;
  close(): Promise<void>;
}

/**
 * Runs the scheduler and the controllers on the Raft leader only, as etcd-backed Kubernetes runs
 * them on the holder of a leader-election Lease. Raft leadership is the lease here: it already
 * has one holder per term, and with check-quorum a leader cut off from a majority steps down
 * within one election timeout, which stops its controllers. A deposed leader's late writes are
 * harmless anyway: every controller write is a compare-and-swap on a resourceVersion it read.
 *
 * Transitions are serialized: a start waits for the previous stop to finish, and every start
 * builds new informers from a fresh list + watch (ControllerManager.start).
 */
export function runControllersOnLeader(options: LeaderControllersOptions): LeaderControllers {
  const logger = options.logger.child({ component: 'controllers' });
  const manager = new ControllerManager({ context: options.context, env: options.env, logger, factories: options.factories });
  let wantRunning = false;
  let closed = false;
  let starts = 0;
  let transitions: Promise<void> = Promise.resolve();

  const apply = (): void => {
    transitions = transitions.then(async () => {
      const shouldRun = wantRunning && !closed;
      if (shouldRun && !manager.isRunning) {
        starts++;
        logger.info({ term: options.replica.term }, 'this replica leads: starting the scheduler and controllers');
        manager.start();
      } else if (!shouldRun && manager.isRunning) {
        logger.info('this replica no longer leads: stopping the scheduler and controllers');
        await manager.stop();
      }
    });
  };

  const unsubscribe = options.replica.raft.onLeaderChange((change) => {
    wantRunning = change.role === 'leader';
    apply();
  });
  wantRunning = options.replica.status().role === 'leader';
  apply();

  return {
    get running() {
      return manager.isRunning;
    },
    get starts() {
      return starts;
    },
    close: async () => {
      closed = true;
      unsubscribe();
      apply();
      await transitions;
    },
  };
}
