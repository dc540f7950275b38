/**
 * Kubernetes resource quantities ("500m", "128Mi", "1.5G", "2e3") as plain numbers, enough for
 * resourceFieldRef env values. Precision is a double's: fine for cpu and memory sizes.
 */
const suffixFactors: Readonly<Record<string, number>> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

const quantityPattern = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?)$/;

/** The quantity's value in base units (cores, bytes), or undefined when it does not parse. */
export function parseQuantity(quantity: string | number): number | undefined {
  if (typeof quantity === 'number') return Number.isFinite(quantity) ? quantity : undefined;
  const match = quantityPattern.exec(quantity.trim());
  if (match === null) return undefined;
  const mantissa = Number(match[1]);
  if (match[2] !== undefined) return mantissa * 10 ** Number(match[2].slice(1));
  const factor = suffixFactors[match[3] ?? ''];
  return factor === undefined ? undefined : mantissa * factor;
}
