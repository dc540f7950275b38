import { assert, decode, encode } from '../../common/index.ts';
import type { Entry } from '../../raft/index.ts';

/** A client write as it travels through the log. Short field names keep entries small. */
export type KvCommand =
  | { readonly t: 'put'; readonly c: number; readonly o: number; readonly k: string; readonly v: string }
  | { readonly t: 'cas'; readonly c: number; readonly o: number; readonly k: string; readonly e: string | null; readonly v: string }
  /** The liveness probe proposed after the final heal. */
  | { readonly t: 'probe'; readonly n: number };

export type KvApplyOutput = { readonly kind: 'put' } | { readonly kind: 'cas'; readonly swapped: boolean } | { readonly kind: 'probe' };

export interface AppliedCommand {
  readonly command: KvCommand;
  readonly output: KvApplyOutput;
}

export function encodeCommand(command: KvCommand): Uint8Array {
  return encode(command);
}

interface SnapshotImage {
  readonly index: number;
  readonly pairs: readonly (readonly [string, string])[];
}

/**
 * The simulated application: a KV map. Applying is deterministic, so every replica that applies
 * the same log reaches the same map; its snapshot is the encoded map, restored on install and on
 * restart (the map itself is volatile, like a process's memory).
 */
export class KvStateMachine {
  private readonly map = new Map<string, string>();
  private applied = 0;

  get appliedIndex(): number {
    return this.applied;
  }

  get(key: string): string | null {
    return this.map.get(key) ?? null;
  }

  /** Entries must arrive in order with no gap: a violation is the core's bug, caught here. */
  apply(entry: Entry): AppliedCommand | null {
    assert(entry.index === this.applied + 1, () =>
      `state machine: applying index ${entry.index} after ${this.applied} (gap or repeat)`,
    );
    this.applied = entry.index;
    if (entry.type !== 'normal') return null;
    const command = decode<KvCommand>(entry.data);
    return { command, output: this.execute(command) };
  }

  private execute(command: KvCommand): KvApplyOutput {
    switch (command.t) {
      case 'put':
        this.map.set(command.k, command.v);
        return { kind: 'put' };
      case 'cas': {
        const swapped = (this.map.get(command.k) ?? null) === command.e;
        if (swapped) this.map.set(command.k, command.v);
        return { kind: 'cas', swapped };
      }
      case 'probe':
        return { kind: 'probe' };
    }
  }

  takeSnapshot(): Uint8Array {
    const image: SnapshotImage = { index: this.applied, pairs: [...this.map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) };
    return encode(image);
  }

  restore(data: Uint8Array, index: number): void {
    const image = decode<SnapshotImage>(data);
    assert(image.index === index, () => `snapshot bytes are of index ${image.index}, metadata says ${index}`);
    this.map.clear();
    for (const [key, value] of image.pairs) this.map.set(key, value);
    this.applied = index;
  }

  /** For the convergence check: equal maps encode equally (keys sorted). */
  fingerprint(): string {
    return [...this.map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${k}=${v}`).join(';');
  }
}
