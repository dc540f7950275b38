import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { realEnv, silentLogger, type Env } from '../../common/index.ts';
import { MvccStore } from '../../store/index.ts';
import { bootstrapNamespaces } from '../../control-plane/api/bootstrap.ts';
import { MvccObjectStore } from '../../control-plane/api/mvcc-object-store.ts';
import type { ApiContext } from '../../control-plane/api/context.ts';
import { ApiClient, createInProcessContext } from '../../control-plane/controller-runtime/index.ts';
import { startNatsBridge, type LeaderSource, type NatsBridge, type NatsOptions } from '../../control-plane/nats/index.ts';
import { NatsServerProcess } from './nats-server-process.ts';

/** A leadership a test flips by hand (the bridge's view of "this replica is the Raft leader"). */
export class ManualLeadership implements LeaderSource {
  private role = 'leader';
  private readonly listeners = new Set<(change: { readonly role: string }) => void>();
  readonly raft = {
    onLeaderChange: (listener: (change: { readonly role: string }) => void): (() => void) => {
      this.listeners.add(listener);
      return () => this.listeners.delete(listener);
    },
  };

  status(): { readonly role: string } {
    return { role: this.role };
  }

  set(role: 'leader' | 'follower'): void {
    this.role = role;
    for (const listener of this.listeners) listener({ role });
  }
}

/**
 * The control plane's NATS side in process: the real API object layer on a real MvccStore (temp
 * LevelDB), the real bridge, a real nats-server. No controllers: tests bind pods themselves.
 */
export class BridgeHarness {
  private constructor(
    readonly directory: string,
    private readonly db: ClassicLevel<Uint8Array, Uint8Array>,
    private readonly store: MvccStore,
    readonly context: ApiContext,
    readonly client: ApiClient,
    readonly nats: NatsServerProcess,
    readonly natsOptions: NatsOptions,
    readonly leadership: ManualLeadership,
    readonly env: Env,
    public bridge: NatsBridge,
  ) {}

  static async start(options: { progressIntervalMs?: number; clusterName?: string } = {}): Promise<BridgeHarness> {
    const directory = await mkdtemp(join(tmpdir(), 'flotilla-bridge-'));
    const db = new ClassicLevel<Uint8Array, Uint8Array>(join(directory, 'db'), { keyEncoding: 'view', valueEncoding: 'view' });
    await db.open();
    const store = await MvccStore.open({ db });
    const env = realEnv(7);
    const context = createInProcessContext({ store: new MvccObjectStore(store), env, logger: silentLogger });
    await bootstrapNamespaces(context);
    const nats = await NatsServerProcess.start(directory);
    const natsOptions: NatsOptions = { servers: [nats.url], clusterName: options.clusterName ?? 'test' };
    const leadership = new ManualLeadership();
    const bridge = startNatsBridge({ context, replica: leadership, env, logger: silentLogger, nats: natsOptions, progressIntervalMs: options.progressIntervalMs ?? 1_000 });
    await bridge.ready;
    return new BridgeHarness(directory, db, store, context, new ApiClient(context), nats, natsOptions, leadership, env, bridge);
  }

  /** The control plane goes away (its NATS side stops) and comes back as a new publisher. */
  async restartBridge(downMs: number): Promise<void> {
    await this.bridge.close();
    await new Promise((resolve) => setTimeout(resolve, downMs));
    this.bridge = startNatsBridge({ context: this.context, replica: this.leadership, env: this.env, logger: silentLogger, nats: this.natsOptions, progressIntervalMs: 1_000 });
    await this.bridge.ready;
  }

  async stop(): Promise<void> {
    await this.bridge.close();
    await this.nats.stop();
    await this.store.close();
    await this.db.close();
    // FLOTILLA_KEEP_TEST_FILES=1 keeps logs and data dirs for a look after the run.
    if (process.env['FLOTILLA_KEEP_TEST_FILES'] === undefined) await rm(this.directory, { recursive: true, force: true });
    else process.stderr.write(`test files kept in ${this.directory}\n`);
  }
}
