import { assert } from '../common/index.ts';
import { appendEntries } from './core-leader.ts';
import type { CoreState } from './core-state.ts';
import { Role, type CommandResult, type ForwardedProposalResult, type Message, type ProposalRefusal, type ProposeResult } from './types.ts';

/** Why this node cannot take a proposal itself right now, or null when it can. */
export function leaderRefusal(state: CoreState): ProposalRefusal | null {
  if (state.role !== Role.leader) return { code: 'RAFT_NOT_LEADER', leaderHint: state.leaderId };
  if (state.transferee !== null) return { code: 'RAFT_TRANSFER_IN_PROGRESS', transferee: state.transferee };
  return null;
}

function sizeRefusal(state: CoreState, sizeBytes: number): ProposalRefusal | null {
  const { proposalBytesMax } = state.options;
  return sizeBytes > proposalBytesMax ? { code: 'RAFT_PROPOSAL_TOO_LARGE', sizeBytes, limitBytes: proposalBytesMax } : null;
}

/** Appends a proposal on the leader, after the size and back-pressure checks. */
export function propose(state: CoreState, data: Uint8Array): ProposeResult {
  const refusal = leaderRefusal(state) ?? sizeRefusal(state, data.byteLength);
  if (refusal !== null) return { ok: false, refusal };
  const size = data.byteLength;
  const { uncommittedBytesMax } = state.options;
  // Back-pressure; a lone proposal always fits so that a large one cannot block forever.
  if (state.uncommittedBytes > 0 && state.uncommittedBytes + size > uncommittedBytesMax) {
    return { ok: false, refusal: { code: 'RAFT_UNCOMMITTED_LIMIT', uncommittedBytes: state.uncommittedBytes, limitBytes: uncommittedBytesMax } };
  }
  state.uncommittedBytes += size;
  const [entry] = appendEntries(state, [{ type: 'normal', data }]);
  assert(entry !== undefined, 'one entry appended');
  return { ok: true, index: entry.index, term: entry.term };
}

/**
 * A follower's proposal goes to the leader it knows (etcd's MsgProp); the answer arrives as
 * `Ready.forwardedProposals`. Proposals forwarded between two Readys share one message.
 */
export function forwardProposal(state: CoreState, id: string, data: Uint8Array): CommandResult {
  if (state.role === Role.leader || state.leaderId === null) {
    return { ok: false, refusal: { code: 'RAFT_NOT_LEADER', leaderHint: state.leaderId } };
  }
  const refusal = sizeRefusal(state, data.byteLength);
  if (refusal !== null) return { ok: false, refusal };
  state.proposalsToForward.push({ id, data });
  return { ok: true };
}

/** Called from `ready()`: sends the proposals gathered since the last one, or refuses them. */
export function flushForwardedProposals(state: CoreState): void {
  if (state.proposalsToForward.length === 0) return;
  const proposals = state.proposalsToForward;
  state.proposalsToForward = [];
  const leaderId = state.leaderId;
  if (state.role === Role.leader || leaderId === null) {
    // Leadership moved while they waited: the driver retries or fails them.
    const refusal: ProposalRefusal = { code: 'RAFT_NOT_LEADER', leaderHint: leaderId };
    for (const { id } of proposals) state.forwardedProposals.push({ id, ok: false, refusal });
    return;
  }
  state.send({ type: 'propose', from: state.id, to: leaderId, term: state.term, proposals });
}

/**
 * Forwarded proposals this node has appended, remembered so that a duplicated `propose` message
 * is not appended twice (a write applied twice breaks linearizability: the simulator showed it).
 * TCP does not duplicate, so a window this size covers every realistic redelivery.
 */
export const forwardedIdsRememberedMax = 8192;

/** The leader appends forwarded proposals and says where; anyone else refuses them with a hint. */
export function onPropose(state: CoreState, message: Extract<Message, { type: 'propose' }>): void {
  const results: ForwardedProposalResult[] = [];
  for (const { id, data } of message.proposals) {
    const key = `${message.from}/${id}`;
    if (state.appendedForwardedIds.has(key)) continue;
    const outcome = propose(state, data);
    if (!outcome.ok) {
      results.push({ id, ok: false, refusal: outcome.refusal });
      continue;
    }
    rememberForwardedId(state, key);
    results.push({ id, ok: true, index: outcome.index, term: outcome.term });
  }
  if (results.length > 0) state.send({ type: 'propose-response', from: state.id, to: message.from, term: state.term, results });
}

function rememberForwardedId(state: CoreState, key: string): void {
  state.appendedForwardedIds.add(key);
  if (state.appendedForwardedIds.size <= forwardedIdsRememberedMax) return;
  // A Set iterates in insertion order: the first key is the oldest.
  const oldest = state.appendedForwardedIds.values().next().value;
  if (oldest !== undefined) state.appendedForwardedIds.delete(oldest);
}

export function onProposeResponse(state: CoreState, message: Extract<Message, { type: 'propose-response' }>): void {
  state.forwardedProposals.push(...message.results);
}
