import type { Msg } from '@nats-io/transport-node';
import { failureReply, okReply, StreamLimits, type ProtocolFailure } from '../../control-plane/nats/protocol/index.ts';

/** The agent's answers when a stream cannot be opened (Kubernetes' codes, kubelet's words). */
export function refuse(message: Msg, code: number, reason: string, text: string): void {
  respond(message, failureReply({ code, reason, message: text } satisfies ProtocolFailure));
}

export function accept(message: Msg): void {
  respond(message, okReply({ windowChunks: StreamLimits.windowChunks }));
}

function respond(message: Msg, bytes: Uint8Array): void {
  try {
    message.respond(bytes);
  } catch {
    // The connection went away: the control plane times out and answers 503.
  }
}

/** Counts streams so that at most `streamsPerAgentMax` run at once. */
export class StreamSlots {
  private active = 0;

  tryTake(): boolean {
    if (this.active >= StreamLimits.streamsPerAgentMax) return false;
    this.active++;
    return true;
  }

  release(): void {
    this.active--;
  }

  get count(): number {
    return this.active;
  }
}
