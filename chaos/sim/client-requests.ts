import type { NodeId } from '../../raft/index.ts';
import { ClientLimits } from './config.ts';
import type { AppliedCommand, KvApplyOutput, KvCommand } from './kv-state-machine.ts';

/** What a client hears back from a node. */
export type ClientOutcome =
  | {
      readonly kind: 'done';
      readonly output: KvApplyOutput | { readonly kind: 'get'; readonly value: string | null };
      /** The log index the write was applied at, or the read index a read waited for. */
      readonly index: number;
    }
  /** Certainly not applied (refused, node down, overwritten): the client may retry elsewhere. */
  | { readonly kind: 'refused'; readonly leaderHint: NodeId | null; readonly reason: string };

export type Reply = (outcome: ClientOutcome) => void;

interface PendingProposal {
  readonly command: KvCommand;
  readonly reply: Reply;
}

interface WaitingRead {
  readonly index: number;
  readonly key: string;
  readonly reply: Reply;
}

function sameCommand(a: KvCommand, b: KvCommand): boolean {
  if (a.t === 'probe') return b.t === 'probe' && a.n === b.n;
  if (b.t === 'probe') return false;
  return a.t === b.t && a.c === b.c && a.o === b.o;
}

/**
 * Client requests a node holds, as the store's request tracker would: proposals by log index
 * (several can wait on one index across leaderships; the applied entry decides which, if any,
 * happened) and reads by request id, then by the read index they wait to apply.
 */
export class ClientRequests {
  private readonly proposals = new Map<number, PendingProposal[]>();
  private proposalCount = 0;
  private readonly reads = new Map<string, { readonly key: string; readonly reply: Reply }>();
  private waiting: WaitingRead[] = [];

  get full(): boolean {
    return this.proposalCount + this.reads.size + this.waiting.length >= ClientLimits.pendingPerNodeMax;
  }

  addProposal(index: number, command: KvCommand, reply: Reply): void {
    const list = this.proposals.get(index);
    if (list === undefined) this.proposals.set(index, [{ command, reply }]);
    else list.push({ command, reply });
    this.proposalCount++;
  }

  /** The entry at `index` was applied: its proposer hears the result, everyone else waiting there a refusal. */
  onApplied(index: number, applied: AppliedCommand | null): void {
    const list = this.proposals.get(index);
    if (list === undefined) return;
    this.proposals.delete(index);
    this.proposalCount -= list.length;
    for (const pending of list) {
      if (applied !== null && sameCommand(pending.command, applied.command)) pending.reply({ kind: 'done', output: applied.output, index });
      else pending.reply({ kind: 'refused', leaderHint: null, reason: 'another entry was applied at its index' });
    }
  }

  /** A snapshot replaced the log up to `index`: who waited there cannot learn the outcome here. */
  forgetUpTo(index: number): void {
    for (const [at, list] of this.proposals) {
      if (at > index) continue;
      this.proposals.delete(at);
      this.proposalCount -= list.length;
    }
  }

  addRead(requestId: string, key: string, reply: Reply): void {
    this.reads.set(requestId, { key, reply });
  }

  onReadState(requestId: string, index: number): void {
    const read = this.reads.get(requestId);
    if (read === undefined) return;
    this.reads.delete(requestId);
    this.waiting.push({ index, key: read.key, reply: read.reply });
  }

  onReadFailure(requestId: string, leaderHint: NodeId | null, reason: string): void {
    const read = this.reads.get(requestId);
    if (read === undefined) return;
    this.reads.delete(requestId);
    read.reply({ kind: 'refused', leaderHint, reason });
  }

  /** Serves reads whose index the state machine has reached. */
  serveReads(appliedIndex: number, get: (key: string) => string | null): number {
    if (this.waiting.length === 0) return 0;
    const ready = this.waiting.filter((read) => read.index <= appliedIndex);
    if (ready.length === 0) return 0;
    this.waiting = this.waiting.filter((read) => read.index > appliedIndex);
    for (const read of ready) read.reply({ kind: 'done', output: { kind: 'get', value: get(read.key) }, index: read.index });
    return ready.length;
  }
}
