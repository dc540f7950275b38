/**
 * A running hash of everything observable in a run (deliveries, faults, client outcomes). Two
 * runs of one seed must end with the same hash: that is the determinism test, and the summary
 * prints it so that a replay can be compared with the original at a glance.
 */
export class TraceHash {
  private h1 = 0x811c9dc5;
  private h2 = 0x01000193;

  number(value: number): void {
    // Two independent 32-bit lanes make accidental collisions between runs implausible.
    const low = value | 0;
    const high = Math.floor(value / 4294967296) | 0;
    this.h1 = Math.imul(this.h1 ^ low, 0x01000193);
    this.h1 = Math.imul(this.h1 ^ high, 0x01000193);
    this.h2 = Math.imul(this.h2 ^ low, 0x5bd1e995);
    this.h2 = Math.imul(this.h2 ^ (this.h2 >>> 15), 0x27d4eb2d);
  }

  string(value: string): void {
    for (let i = 0; i < value.length; i++) this.number(value.charCodeAt(i));
    this.number(value.length);
  }

  hex(): string {
    return (this.h1 >>> 0).toString(16).padStart(8, '0') + (this.h2 >>> 0).toString(16).padStart(8, '0');
  }
}

/** FNV-1a of bytes: identifies an entry's payload in the safety checkers. */
export function hashBytes(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let hash = seed;
  for (let i = 0; i < bytes.length; i++) hash = Math.imul(hash ^ (bytes[i] as number), 0x01000193);
  return hash >>> 0;
}
