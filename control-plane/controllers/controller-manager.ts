import { setMaxListeners } from 'node:events';
import { sleep, type Env, type Logger } from '../../common/index.ts';
import type { ApiContext } from '../api/context.ts';
import { ApiClient, EventRecorder, InformerFactory, type Controller, type ControllerFactory } from '../controller-runtime/index.ts';

/** How long stop() waits for controllers to finish their current keys before giving up on them. */
export const controllerStopTimeoutMs = 2_000;

export interface ControllerManagerOptions {
  readonly context: ApiContext;
  readonly env: Env;
  readonly logger: Logger;
  readonly factories: readonly ControllerFactory[];
  readonly stopTimeoutMs?: number;
}

interface Running {
  readonly abort: AbortController;
  readonly done: Promise<void>;
  readonly controllers: readonly Controller[];
  readonly informers: InformerFactory;
  readonly events: EventRecorder;
}

/**
 * Starts and stops a set of controllers (and the scheduler) sharing one informer per kind. Every
 * start builds everything afresh (new caches from a new list + watch), so a replica that becomes
 * leader again never acts on what it saw in an earlier term. The lead runs this on the Raft leader.
 */
export class ControllerManager {
  private running: Running | null = null;

  constructor(private readonly options: ControllerManagerOptions) {}

  get isRunning(): boolean {
    return this.running !== null;
  }

  /** The running controllers (for tests and status pages); empty when stopped. */
  get controllers(): readonly Controller[] {
    return this.running?.controllers ?? [];
  }

  get events(): EventRecorder | undefined {
    return this.running?.events;
  }

  get informers(): InformerFactory | undefined {
    return this.running?.informers;
  }

  start(): void {
    if (this.running !== null) return;
    const abort = new AbortController();
    // Every controller loop and timer listens on this one signal.
    setMaxListeners(0, abort.signal);
    const client = new ApiClient(this.options.context);
    const informers = new InformerFactory(client, this.options.env, this.options.logger);
    const events = new EventRecorder(client, this.options.env, this.options.logger);
    const controllers = this.options.factories.map((factory) => factory({ client, informers, env: this.options.env, logger: this.options.logger, events }));
    informers.start(abort.signal);
    const runAll = async () => {
      await informers.waitForSync(abort.signal);
      await Promise.all(controllers.map((controller) => controller.run(abort.signal).catch((error: unknown) => this.options.logger.error({ err: error, controller: controller.name }, 'controller failed'))));
    };
    const done = Promise.all([runAll(), informers.stopped()]).then(() => undefined);
    this.running = { abort, done, controllers, informers, events };
    this.options.logger.info({ controllers: controllers.map((controller) => controller.name) }, 'controllers started');
  }

  /** Stops everything; resolves within the stop timeout (true when every loop had returned). */
  async stop(): Promise<boolean> {
    const running = this.running;
    if (running === null) return true;
    this.running = null;
    running.abort.abort();
    const timeout = new AbortController();
    const clean = await Promise.race([running.done.then(() => true), sleep(this.options.env.timers, this.options.stopTimeoutMs ?? controllerStopTimeoutMs, timeout.signal).then(() => false)]);
    timeout.abort();
    if (!clean) this.options.logger.warn('controllers did not stop within the timeout');
    return clean;
  }
}
