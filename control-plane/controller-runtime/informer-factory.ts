import type { Env, Logger } from '../../common/index.ts';
import { apiVersionOf, type ResourceDefinition } from '../api/registry/resource.ts';
import type { ApiClient } from './api-client.ts';
import { Informer } from './informer.ts';

/** One informer per kind, shared by every controller of a manager (one list + watch per kind). */
export class InformerFactory {
  private readonly informers = new Map<string, Informer>();
  private running: Promise<void>[] = [];
  private started = false;

  constructor(
    private readonly client: ApiClient,
    private readonly env: Env,
    private readonly logger: Logger,
  ) {}

  informerFor(definition: ResourceDefinition): Informer {
    const id = `${apiVersionOf(definition)}/${definition.kind}`;
    let informer = this.informers.get(id);
    if (informer === undefined) {
      if (this.started) throw new Error(`informer for ${id} asked after the factory started`);
      informer = new Informer(this.client, definition, this.env, this.logger);
      this.informers.set(id, informer);
    }
    return informer;
  }

  start(signal: AbortSignal): void {
    this.started = true;
    this.running = [...this.informers.values()].map((informer) => informer.run(signal));
  }

  async waitForSync(signal: AbortSignal): Promise<void> {
    await Promise.all([...this.informers.values()].map((informer) => informer.waitForSync(signal)));
  }

  /** Resolves when every informer loop has returned (after the start signal aborted). */
  async stopped(): Promise<void> {
    await Promise.all(this.running);
  }

  all(): Informer[] {
    return [...this.informers.values()];
  }
}
