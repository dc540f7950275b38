import { InvalidArgumentError } from 'commander';

/** A commander option parser for a whole number in [min, max]; a bad value is a usage error naming the flag. */
export function parseIntegerOption(name: string, min: number, max: number): (value: string) => number {
  return (value: string) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
      throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}, got "${value}".`);
    }
    return parsed;
  };
}
