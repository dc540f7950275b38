import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { parse } from 'yaml';

/** A config file that cannot be used; the message names the file and the key. */
export class FlagsFileError extends Error {
  override readonly name = 'FlagsFileError';
}

/**
 * `--config FILE` for a command whose options have no commander defaults: a YAML mapping whose
 * keys are the long flag names (`node-name: worker-1`), merged under the flags given on the command
 * line (those win). Unknown keys are errors, so a typo is not silently ignored.
 */
export async function mergeFlagsFile<Flags extends object>(given: Flags, path: string, command: Command): Promise<Flags> {
  let value: unknown;
  try {
    value = parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new FlagsFileError(`--config: cannot read ${path} as YAML (${(error as Error).message})`);
  }
  if (value === null || value === undefined) return given;
  if (typeof value !== 'object' || Array.isArray(value)) throw new FlagsFileError(`--config: ${path} must be a mapping of settings (key: value)`);
  const known = new Map(command.options.map((option) => [option.long?.replace(/^--/, '') ?? '', option.attributeName()] as const).filter(([name]) => name !== '' && name !== 'config'));
  const fromFile: Record<string, string | boolean> = {};
  const problems: string[] = [];
  for (const [key, entry] of Object.entries(value)) {
    const attribute = known.get(key);
    if (attribute === undefined) problems.push(`unknown key "${key}" (known: ${[...known.keys()].join(', ')})`);
    else if (typeof entry === 'boolean') fromFile[attribute] = entry;
    else if (typeof entry === 'string' || typeof entry === 'number') fromFile[attribute] = String(entry);
    else problems.push(`"${key}" must be a string, a number or true/false`);
  }
  if (problems.length > 0) throw new FlagsFileError(`--config: ${path}: ${problems.join('; ')}`);
  const defined = Object.fromEntries(Object.entries(given).filter(([name, entry]) => entry !== undefined && name !== 'config'));
  return { ...fromFile, ...defined } as Flags;
}
