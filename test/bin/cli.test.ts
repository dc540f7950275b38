import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { commandModules, main } from '../../bin/index.ts';

/** The command line as a user meets it: help, and clear usage errors with exit code 2. */
describe('flotilla command line', () => {
  it('prints help and exits 0', async () => {
    expect(await main(['node', 'flotilla', '--help'])).toBe(0);
  });

  it('names each lazily loaded command as its module registers it (a wrong name would load the wrong module)', async () => {
    for (const [name, load] of commandModules) {
      const program = new Command('flotilla');
      (await load())(program, () => undefined);
      expect(program.commands.map((command) => command.name())).toEqual([name]);
    }
  });

  it('refuses a bad option value with exit code 2', async () => {
    expect(await main(['node', 'flotilla', 'sim', '--nodes', '4'])).toBe(2);
    expect(await main(['node', 'flotilla', 'sim', '--seeds', 'many'])).toBe(2);
  });

  it('refuses an unknown command with exit code 2', async () => {
    expect(await main(['node', 'flotilla', 'frobnicate'])).toBe(2);
  });

  it('replays one seed and exits 0 when it passes', async () => {
    expect(await main(['node', 'flotilla', 'sim', '--seed', '3', '--nodes', '3', '--steps', '100'])).toBe(0);
  });
});
