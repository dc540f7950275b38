import { createHash, type Hash } from 'node:crypto';

/** Trace lines kept for printing; later ones are still hashed and counted, not kept. */
export const traceLinesMax = 4_000;

/**
 * The run's event log: every action, fault, leadership change and kubelet decision, stamped with
 * virtual time. Its hash (over every line, kept or not) is what two runs of one seed must share.
 */
export class Trace {
  private readonly kept: string[] = [];
  private readonly hash: Hash = createHash('sha256');
  private count = 0;

  constructor(private readonly elapsedMs: () => number) {}

  add(line: string): void {
    const stamped = `${formatElapsed(this.elapsedMs())} ${line}`;
    this.hash.update(stamped).update('\n');
    this.count++;
    if (this.kept.length < traceLinesMax) this.kept.push(stamped);
  }

  get lineCount(): number {
    return this.count;
  }

  get lines(): readonly string[] {
    return this.kept;
  }

  /** The hash of every line so far plus `extra` (e.g. the store's content hash); ends the trace. */
  digest(extra: string): string {
    return this.hash.update(extra).digest('hex');
  }
}

/** Virtual seconds since the run's start, to the millisecond: `t=12.345s`. */
export function formatElapsed(elapsedMs: number): string {
  return `t=${(elapsedMs / 1000).toFixed(3)}s`;
}
