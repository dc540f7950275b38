import { resolve } from 'node:path';
import type { Command } from 'commander';

/** `flotilla down`: stops the local cluster `flotilla up` started in a directory (its data stays). */
export function registerDownCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('down')
    .description('Stop everything flotilla up started in a directory (a foreground flotilla up exits too); the data stays for the next up.')
    .option('--dir <dir>', 'the directory given to flotilla up', '.flotilla')
    .action(async (flags: { readonly dir: string }) => {
      const { runDown } = await import('../chaos/local-cluster/index.ts');
      const { createLogger, realEnv } = await import('../common/index.ts');
      try {
        setExitCode(await runDown(resolve(flags.dir), realEnv(), createLogger('flotilla-down', { level: 'warn' }), (text) => process.stdout.write(text)));
      } catch (error) {
        process.stderr.write(`flotilla down: ${(error as Error).message}\n`);
        setExitCode(1);
      }
    });
}
