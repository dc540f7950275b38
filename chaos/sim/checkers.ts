import type { NodeId } from '../../raft/index.ts';

/** A broken safety property: the run stops at the first one and reports it with the seed. */
export class SimViolation extends Error {
  override readonly name = 'SimViolation';
  constructor(
    readonly property: string,
    message: string,
  ) {
    super(`${property}: ${message}`);
  }
}

interface AppendRecord {
  readonly term: number;
  readonly hash: number;
  readonly prevTerm: number | undefined;
  readonly node: NodeId;
}

/**
 * Raft's safety properties, checked from observations the simulator makes after every delivered
 * message and tick. The checker holds only global facts (who led which term, what was committed
 * and applied where); the per-member views it is fed come from the simulator's log mirrors, so
 * hand-crafted bad observations make it fail (see the tests).
 */
export class SafetyChecker {
  private readonly leaderByTerm = new Map<number, NodeId>();
  private readonly commitByNode = new Map<NodeId, { incarnation: number; commitIndex: number }>();
  /** (index, term) → the entry content and predecessor term first seen there. */
  private readonly appended = new Map<number, AppendRecord[]>();
  /** index → term and content hash of the committed entry (dense from 1). */
  private readonly committedTerms: number[] = [];
  private readonly committedHashes: number[] = [];
  /** index → hash (term folded in) of the entry applied there by the first member to apply it. */
  private readonly appliedHashes: number[] = [];
  private leaderCount = 0;
  private maxTermValue = 0;

  /** `onNewLeader` hears of each term's leader once (for the run's timeline). */
  constructor(private readonly onNewLeader: (node: NodeId, term: number) => void = () => undefined) {}

  get elections(): number {
    return this.leaderCount;
  }

  get maxTerm(): number {
    return this.maxTermValue;
  }

  get committedIndex(): number {
    return this.committedTerms.length;
  }

  /** Election safety: at most one leader per term. */
  observeRole(node: NodeId, term: number, isLeader: boolean): void {
    if (term > this.maxTermValue) this.maxTermValue = term;
    if (!isLeader) return;
    const existing = this.leaderByTerm.get(term);
    if (existing === undefined) {
      this.leaderByTerm.set(term, node);
      this.leaderCount++;
      this.onNewLeader(node, term);
      return;
    }
    if (existing !== node) throw new SimViolation('election safety', `${existing} and ${node} are both leaders of term ${term}`);
  }

  /** A running member's commit index never decreases within one incarnation. */
  observeCommitIndex(node: NodeId, incarnation: number, commitIndex: number): void {
    const previous = this.commitByNode.get(node);
    if (previous !== undefined && previous.incarnation === incarnation && commitIndex < previous.commitIndex) {
      throw new SimViolation('commit monotonicity', `${node} commit index went from ${previous.commitIndex} to ${commitIndex}`);
    }
    this.commitByNode.set(node, { incarnation, commitIndex });
  }

  /** A restarted member starts at least at the commit index (and snapshot) it persisted. */
  observeRestart(node: NodeId, incarnation: number, persistedCommitIndex: number, restoredCommitIndex: number): void {
    if (restoredCommitIndex < persistedCommitIndex) {
      throw new SimViolation(
        'commit monotonicity',
        `${node} restarted with commit index ${restoredCommitIndex} below its persisted ${persistedCommitIndex}`,
      );
    }
    this.commitByNode.set(node, { incarnation, commitIndex: restoredCommitIndex });
  }

  /**
   * Log matching, inductively: entries with the same index and term have the same content and
   * the same predecessor term, so logs that agree at an (index, term) agree up to it.
   */
  observeAppend(node: NodeId, index: number, term: number, hash: number, prevTerm: number | undefined): void {
    if (prevTerm === undefined && index > 1) {
      throw new SimViolation('log matching', `${node} appended index ${index} (term ${term}) with a gap before it`);
    }
    const records = this.appended.get(index);
    const same = records?.find((record) => record.term === term);
    if (same === undefined) {
      const record = { term, hash, prevTerm, node };
      if (records === undefined) this.appended.set(index, [record]);
      else records.push(record);
      return;
    }
    if (same.hash !== hash) {
      throw new SimViolation('log matching', `index ${index} term ${term} holds different entries on ${same.node} and ${node}`);
    }
    if (prevTerm !== undefined && same.prevTerm !== undefined && same.prevTerm !== prevTerm) {
      throw new SimViolation(
        'log matching',
        `index ${index} term ${term}: predecessor term ${same.prevTerm} on ${same.node} but ${prevTerm} on ${node}`,
      );
    }
  }

  /** Once committed, an index holds the same entry forever, whoever reports it. */
  observeCommitted(node: NodeId, index: number, term: number, hash: number): void {
    const slot = index - 1;
    const knownTerm = this.committedTerms[slot];
    if (knownTerm === undefined) {
      if (slot > this.committedTerms.length) return; // reported out of order; filled in later
      this.committedTerms.push(term);
      this.committedHashes.push(hash);
      return;
    }
    if (knownTerm !== term || this.committedHashes[slot] !== hash) {
      throw new SimViolation('committed entry changed', `${node} commits index ${index} as term ${term}, earlier committed as term ${knownTerm}`);
    }
  }

  /** Leader completeness: a new leader's log holds every entry committed before its term. */
  checkLeaderCompleteness(node: NodeId, term: number, snapshotIndex: number, termAt: (index: number) => number | undefined): void {
    for (let index = snapshotIndex + 1; index <= this.committedTerms.length; index++) {
      const committedTerm = this.committedTerms[index - 1] as number;
      if (committedTerm >= term) continue;
      const held = termAt(index);
      if (held !== committedTerm) {
        throw new SimViolation(
          'leader completeness',
          `${node} leads term ${term} without committed index ${index} (term ${committedTerm}; it holds ${held ?? 'nothing'})`,
        );
      }
    }
  }

  /** State machine safety: no two members apply different entries at one index. */
  observeApplied(node: NodeId, index: number, hash: number): void {
    const known = this.appliedHashes[index - 1];
    if (known === undefined) {
      if (index - 1 > this.appliedHashes.length) this.appliedHashes.length = index - 1;
      this.appliedHashes[index - 1] = hash;
      return;
    }
    if (known !== hash) throw new SimViolation('state machine safety', `${node} applied a different entry at index ${index}`);
  }
}
