/** Kubernetes resource quantities ("500m", "1.5", "128Mi", "1G", "2e3") as plain numbers. Pure. */

const suffixMultipliers: Readonly<Record<string, number>> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

const quantityPattern = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]))?$/;

/** The quantity in base units (cores, bytes, count); undefined when it is not a quantity. */
export function parseQuantity(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = quantityPattern.exec(value.trim());
  if (match === null) return undefined;
  const mantissa = Number(match[1]);
  if (match[2] !== undefined) return mantissa * 10 ** Number(match[2].slice(1));
  return mantissa * (suffixMultipliers[match[3] ?? ''] ?? 1);
}

/** CPU in millicores, rounded up as Kubernetes does (MilliValue). */
export function milliCpu(value: unknown): number {
  const cores = parseQuantity(value);
  return cores === undefined ? 0 : Math.ceil(Math.round(cores * 1e9) / 1e6);
}

export function bytes(value: unknown): number {
  const amount = parseQuantity(value);
  return amount === undefined ? 0 : Math.ceil(amount);
}
