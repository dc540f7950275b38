import type { Command } from 'commander';
import { parseIntegerOption } from './main.ts';

interface StatusFlags {
  readonly endpoints: string;
  readonly timeoutMs: number;
}

/** `flotilla status`: role, term, commit/applied index, leader and lag of every member (via Maintenance.Status). */
export function registerStatusCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('status')
    .description('Print each member\'s role, term, commit and applied index, leader and lag; exit 1 if there is no leader or a member is unreachable.')
    .requiredOption('--endpoints <list>', 'client endpoints HOST:PORT, comma-separated')
    .option('--timeout-ms <ms>', 'per-endpoint timeout', parseIntegerOption('--timeout-ms', 100, 600_000), 3_000)
    .action(async (flags: StatusFlags) => {
      const { runStatus } = await import('../control-plane/index.ts');
      const endpoints = flags.endpoints.split(',').map((endpoint) => endpoint.trim().replace(/^https?:\/\//, '')).filter((endpoint) => endpoint !== '');
      if (endpoints.length === 0) {
        process.stderr.write('flotilla status: --endpoints needs at least one HOST:PORT\n');
        setExitCode(2);
        return;
      }
      setExitCode(await runStatus(endpoints, { timeoutMs: flags.timeoutMs, write: (text) => process.stdout.write(text) }));
    });
}
