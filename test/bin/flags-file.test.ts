/** `--config FILE` for commands whose flags have no commander defaults (flotilla agent). */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlagsFileError, mergeFlagsFile } from '../../bin/flags-file.ts';

describe('flags file', () => {
  let directory: string;
  const command = new Command('agent').option('--node-name <name>').option('--http-port <port>').option('--proxy').option('--config <file>');

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'flotilla-flags-file-'));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('reads flag names as keys; numbers become text, booleans stay; the command line wins', async () => {
    const file = join(directory, 'agent.yaml');
    await writeFile(file, 'node-name: from-file\nhttp-port: 8080\nproxy: true\n');
    expect(await mergeFlagsFile({ config: file }, file, command)).toEqual({ nodeName: 'from-file', httpPort: '8080', proxy: true });
    expect(await mergeFlagsFile({ config: file, nodeName: 'from-flag' }, file, command)).toMatchObject({ nodeName: 'from-flag' });
  });

  it('refuses unknown keys, nested values and files that are not mappings, naming what is wrong', async () => {
    const file = join(directory, 'bad.yaml');
    await writeFile(file, 'colour: blue\nnode-name: [a, b]\n');
    const error = await mergeFlagsFile({}, file, command).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(FlagsFileError);
    expect((error as Error).message).toContain('unknown key "colour"');
    expect((error as Error).message).toContain('"node-name" must be a string');
    await writeFile(file, '- a\n- b\n');
    await expect(mergeFlagsFile({}, file, command)).rejects.toThrow(/must be a mapping/);
    await expect(mergeFlagsFile({}, join(directory, 'missing.yaml'), command)).rejects.toThrow(/cannot read/);
  });
});
