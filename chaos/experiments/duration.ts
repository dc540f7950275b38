/** Durations in experiment files are text with a unit, so `500` cannot be misread as seconds. */
const units: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000 };

const durationPattern = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)\s*$/;

/** Milliseconds, or null when the text is not a duration like `300ms`, `1.5s`, `2m`. */
export function parseDuration(text: string): number | null {
  const match = durationPattern.exec(text);
  if (match === null) return null;
  const [, amount, unit] = match;
  const factor = units[unit ?? ''];
  if (amount === undefined || factor === undefined) return null;
  return Math.round(Number(amount) * factor);
}

/** The shortest readable form: `250 ms`, `1.5 s`, `2 min`. */
export function formatDuration(milliseconds: number): string {
  if (!Number.isFinite(milliseconds)) return '∞';
  const rounded = Math.round(milliseconds);
  if (Math.abs(rounded) < 1_000) return `${rounded} ms`;
  if (Math.abs(rounded) < 120_000) return `${trimZeros((rounded / 1_000).toFixed(rounded % 1_000 === 0 ? 0 : 2))} s`;
  return `${trimZeros((rounded / 60_000).toFixed(1))} min`;
}

function trimZeros(text: string): string {
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}
