import type { RelayFault } from '../../relay/fault-relay.ts';

/** What one fault does to one directed link; several faults may hold the same link at once. */
export type LinkEffect = { readonly kind: 'cut' } | { readonly kind: 'delay'; readonly delayMs: number } | { readonly kind: 'loss'; readonly rate: number };

/** Linux's minimum TCP retransmission timeout: how late a lost segment arrives on a fast network. */
export const retransmitDelayMs = 200;

/**
 * The relay setting for a link held by several faults at once: a cut wins; otherwise the longest
 * delay and the highest loss rate apply together; nothing left is a clean link. Healing one of
 * two overlapping faults thus leaves the other in force.
 */
export function combineLinkEffects(effects: readonly LinkEffect[]): RelayFault {
  if (effects.some((effect) => effect.kind === 'cut')) return { kind: 'blackhole' };
  const delayMs = Math.max(0, ...effects.map((effect) => (effect.kind === 'delay' ? effect.delayMs : 0)));
  const rate = Math.max(0, ...effects.map((effect) => (effect.kind === 'loss' ? effect.rate : 0)));
  if (rate > 0) return { kind: 'loss', rate, retransmitDelayMs, delayMs };
  if (delayMs > 0) return { kind: 'delay', delayMs };
  return { kind: 'pass' };
}

export function linkKey(from: string, to: string): string {
  return `${from}>${to}`;
}

/** Every directed link between two different replicas. */
export function allLinks(servers: readonly string[]): [string, string][] {
  return servers.flatMap((from) => servers.filter((to) => to !== from).map((to): [string, string] => [from, to]));
}
