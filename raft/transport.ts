import type { Message } from './types.ts';

/**
 * Carries Raft messages between members. Delivery is best effort: messages may be dropped (a full
 * queue, a peer that is down), and the core recovers by retrying. Never blocks the caller.
 */
export interface Transport {
  start(): Promise<void>;
  /** Closes every connection; messages still queued are dropped. */
  stop(): Promise<void>;
  /** Queues messages for their `to` member; implementations batch what is queued in one turn. */
  send(messages: readonly Message[]): void;
  /** The one handler for messages addressed to this member (set before `start`). */
  onMessage(handler: (message: Message) => void): void;
}
