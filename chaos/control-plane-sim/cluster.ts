import { createPrng, silentLogger, type Env } from '../../common/index.ts';
import { ApiClient, createInProcessContext, type ControllerFactory } from '../../control-plane/index.ts';
import { ContainerLedger } from './container-ledger.ts';
import { DeclaredState } from './declared-state.ts';
import { Driver } from './driver.ts';
import { FaultyObjectStore } from './faulty-object-store.ts';
import { Kinds } from './kinds.ts';
import { Leadership } from './leadership.ts';
import { openMemoryStore, type MemoryStore } from './memory-store.ts';
import { Operator } from './operator.ts';
import { SimulatedNode, type DeletionHandling } from './simulated-node.ts';
import { StoreFaults } from './store-faults.ts';
import { TrackedWork } from './tracked-work.ts';
import { Trace } from './trace.ts';
import { VirtualTime } from './virtual-time.ts';

export interface SimulatedClusterOptions {
  readonly seed: number;
  readonly nodeCount: number;
  readonly factories: () => readonly ControllerFactory[];
  readonly deletionHandling: DeletionHandling;
}

/** The namespaces every cluster has (bootstrapNamespaces' list). */
const systemNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease'] as const;

/**
 * One simulated cluster: virtual time, the real MvccStore in memory, store faults in front of it
 * for the control plane and the kubelets, the leadership (ControllerManagers), simulated nodes,
 * the operator (on the unfaulted store) and the ground-truth ledger of running containers.
 */
export class SimulatedCluster {
  private constructor(
    readonly time: VirtualTime,
    readonly trace: Trace,
    readonly memory: MemoryStore,
    readonly faults: StoreFaults,
    readonly faultyStore: FaultyObjectStore,
    readonly ledger: ContainerLedger,
    readonly operator: Operator,
    /** Unfaulted reads, for the checks. */
    readonly observer: ApiClient,
    readonly nodes: readonly SimulatedNode[],
    readonly leadership: Leadership,
    readonly driver: Driver,
    readonly work: TrackedWork,
    readonly declared: DeclaredState,
  ) {}

  static async create(options: SimulatedClusterOptions): Promise<SimulatedCluster> {
    const time = new VirtualTime();
    const prng = createPrng(options.seed);
    const forkEnv = (): Env => ({ clock: time, timers: time, prng: prng.fork() });
    const trace = new Trace(() => time.elapsedMs());
    const memory = await openMemoryStore(time);
    const operatorClient = new ApiClient(createInProcessContext({ store: memory.objects, env: forkEnv(), logger: silentLogger }));
    for (const name of systemNamespaces) await operatorClient.create(Kinds.namespace, { metadata: { name } });
    const faults = new StoreFaults(() => time.elapsedMs(), prng.fork());
    const faultyStore = new FaultyObjectStore(memory.objects, faults, time);
    const ledger = new ContainerLedger(() => time.elapsedMs());
    const work = new TrackedWork();
    const nodes = Array.from({ length: options.nodeCount }, (_, index) => new SimulatedNode({
      name: `node-${index}`, index, ledger, trace, deletionHandling: options.deletionHandling, env: forkEnv(),
      client: new ApiClient(createInProcessContext({ store: faultyStore, env: forkEnv(), logger: silentLogger })),
    }));
    for (const node of nodes) await node.register();
    const leadership = new Leadership({ store: faultyStore, env: forkEnv(), factories: options.factories, trace, track: (what, promise) => work.track(what, promise) });
    const driver = new Driver(time);
    const declared = new DeclaredState();
    return new SimulatedCluster(time, trace, memory, faults, faultyStore, ledger, new Operator(operatorClient, trace, declared), operatorClient, nodes, leadership, driver, work, declared);
  }

  liveNodeNames(): Set<string> {
    return new Set(this.nodes.filter((node) => node.isAlive).map((node) => node.name));
  }
}
