import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lockDataDirectory } from '../../agent/index.ts';
import { makeTempDirectory, removeDirectory } from './helpers.ts';

let directory: string;

beforeEach(async () => {
  directory = await makeTempDirectory();
});

afterEach(async () => {
  await removeDirectory(directory);
});

describe('one agent per data directory (never two copies of a pod)', () => {
  it('refuses a data directory another live agent holds, naming it', async () => {
    // pid 1 is always alive: it stands for another agent here.
    await writeFile(join(directory, 'agent.pid'), '1\n');
    await expect(lockDataDirectory(directory)).rejects.toThrow(`another flotilla agent (pid 1) uses ${directory}; stop it first, or give this one its own --data-dir`);
  });

  it('takes over the lock of an agent that died, and releases it', async () => {
    await writeFile(join(directory, 'agent.pid'), '999999999\n');
    const lock = await lockDataDirectory(directory);
    expect((await readFile(join(directory, 'agent.pid'), 'utf8')).trim()).toBe(String(process.pid));
    await lock.release();
    await expect(readFile(join(directory, 'agent.pid'))).rejects.toThrow();
  });
});
