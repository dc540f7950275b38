/** Small, fast 32-bit hashes for memoization keys. Not cryptographic; collisions are checked. */

/** FNV-1a over UTF-16 code units. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  }
  return hash >>> 0;
}

/** A bijective integer mixer (murmur3's finalizer): spreads nearby inputs far apart. */
export function mix32(value: number): number {
  let z = value >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

export function combineHashes(a: number, b: number): number {
  return mix32((a ^ Math.imul(b, 0x9e3779b1)) >>> 0);
}
