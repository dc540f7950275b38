import { createPrng } from '../common/index.ts';

/** Latency samples in milliseconds, kept up to a bound (a reservoir past it). */
export class LatencyRecorder {
  private readonly samplesMs: number[] = [];
  private seen = 0;
  private readonly prng = createPrng(0x5eed);

  constructor(private readonly samplesMax = 200_000) {}

  record(latencyMs: number): void {
    this.seen += 1;
    if (this.samplesMs.length < this.samplesMax) {
      this.samplesMs.push(latencyMs);
      return;
    }
    // Reservoir sampling keeps the percentiles honest without unbounded memory.
    const slot = this.prng.nextInt(0, this.seen);
    if (slot < this.samplesMax) this.samplesMs[slot] = latencyMs;
  }

  count(): number {
    return this.seen;
  }

  percentileMs(fraction: number): number {
    if (this.samplesMs.length === 0) return Number.NaN;
    const sorted = [...this.samplesMs].sort((a, b) => a - b);
    const position = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
    return sorted[position] ?? Number.NaN;
  }
}
