import type { Prng } from '../../common/index.ts';
import { HistoryRecorder, type KvInput, type KvOperation, type KvOutput, type OperationHandle } from '../linearizability/index.ts';
import type { NodeId } from '../../raft/index.ts';
import type { ClientOutcome } from './client-requests.ts';
import type { SimCluster } from './cluster.ts';
import { ClientLimits } from './config.ts';
import type { KvCommand } from './kv-state-machine.ts';

interface ClientOperation {
  readonly handle: OperationHandle;
  readonly input: KvInput;
  readonly opId: number;
  attempts: number;
  finished: boolean;
}

/**
 * Simulated clients: each runs one operation at a time (get, put, or cas on a small key set),
 * retries an operation on another node only when it certainly did not take effect, and gives up
 * after a timeout, leaving an unknown outcome in the history. Every call and return is recorded
 * in virtual time for the linearizability check.
 */
export class SimClients {
  readonly recorder: HistoryRecorder<KvInput, KvOutput>;
  private stopped = false;
  private operationCount = 0;
  /** Highest log index of a write a client was told succeeded: every live replica must reach it. */
  maxAcknowledgedIndex = 0;
  private readonly lastSeen = new Map<string, string | null>();

  constructor(
    private readonly cluster: SimCluster,
    private readonly prng: Prng,
  ) {
    this.recorder = new HistoryRecorder({ nowMs: () => cluster.queue.nowUs / 1000 });
  }

  start(): void {
    for (let client = 1; client <= ClientLimits.clients; client++) this.scheduleNext(client);
  }

  /** No new operations (those in flight finish or time out). */
  stop(): void {
    this.stopped = true;
  }

  history(): KvOperation[] {
    return this.recorder.history();
  }

  private scheduleNext(client: number): void {
    if (this.stopped) return;
    this.cluster.queue.after(this.prng.nextInt(ClientLimits.thinkMinUs, ClientLimits.thinkMaxUs), () => this.issue(client));
  }

  private issue(client: number): void {
    if (this.stopped) return;
    const opId = ++this.operationCount;
    const input = this.randomInput(client, opId);
    const op: ClientOperation = { handle: this.recorder.invoke(`c${client}`, input), input, opId, attempts: 0, finished: false };
    this.cluster.stats.clientOps++;
    this.cluster.queue.after(ClientLimits.timeoutUs, () => {
      if (op.finished) return;
      // The request may still be in a log somewhere: its outcome is unknown, never "failed".
      op.finished = true;
      this.cluster.stats.clientOpsUnknown++;
      this.scheduleNext(client);
    });
    this.attempt(client, op, this.randomNode());
  }

  private randomInput(client: number, opId: number): KvInput {
    const key = `k${this.prng.nextInt(0, ClientLimits.keys)}`;
    const roll = this.prng.next();
    if (roll < 0.4) return { kind: 'get', key };
    const value = `c${client}-${opId}-`.padEnd(ClientLimits.valuePaddingBytes, '.');
    if (roll < 0.75) return { kind: 'put', key, value };
    return { kind: 'cas', key, expected: this.lastSeen.get(key) ?? null, value };
  }

  private randomNode(): NodeId {
    return this.cluster.slot(this.prng.nextInt(0, this.cluster.nodes.length)).id;
  }

  private attempt(client: number, op: ClientOperation, target: NodeId): void {
    op.attempts++;
    const latency = (): number => this.prng.nextInt(ClientLimits.latencyMinUs, ClientLimits.latencyMaxUs);
    this.cluster.queue.after(latency(), () => {
      if (op.finished) return;
      const reply = (outcome: ClientOutcome): void => this.cluster.queue.after(latency(), () => this.onReply(client, op, outcome));
      const node = this.cluster.node(target);
      if (node === undefined) return reply({ kind: 'refused', leaderHint: null, reason: 'no such node' });
      const input = op.input;
      if (input.kind === 'get') node.submitRead(`c${client}-${op.opId}-${op.attempts}`, input.key, reply);
      else node.submitWrite(toCommand(client, op.opId, input), reply);
    });
  }

  private onReply(client: number, op: ClientOperation, outcome: ClientOutcome): void {
    if (op.finished) return;
    if (outcome.kind === 'done') {
      op.finished = true;
      const output = outcome.output;
      if (output.kind === 'probe') return;
      this.recorder.complete(op.handle, output);
      this.cluster.stats.clientOpsAcknowledged++;
      this.cluster.trace.number(op.opId);
      if (output.kind === 'get') this.lastSeen.set(op.input.key, output.value);
      else if (op.input.kind === 'put' || op.input.kind === 'cas') {
        this.maxAcknowledgedIndex = Math.max(this.maxAcknowledgedIndex, outcome.index);
        if (output.kind === 'put' || output.swapped) this.lastSeen.set(op.input.key, op.input.value);
      }
      return this.scheduleNext(client);
    }
    if (op.attempts >= ClientLimits.attemptsMax) {
      // Every attempt was certainly refused, so the operation never happened.
      op.finished = true;
      this.recorder.discard(op.handle);
      return this.scheduleNext(client);
    }
    this.cluster.stats.clientRetries++;
    const next = outcome.leaderHint ?? this.randomNode();
    this.cluster.queue.after(ClientLimits.retryBackoffUs, () => {
      if (!op.finished) this.attempt(client, op, next);
    });
  }
}

function toCommand(client: number, opId: number, input: KvInput & { readonly kind: 'put' | 'cas' | 'delete' }): KvCommand {
  if (input.kind === 'put') return { t: 'put', c: client, o: opId, k: input.key, v: input.value };
  if (input.kind === 'cas') return { t: 'cas', c: client, o: opId, k: input.key, e: input.expected, v: input.value };
  throw new Error('the simulated workload issues no deletes');
}
