import type { Command } from 'commander';

/**
 * `flotilla fault-relays --state FILE` (hidden: `flotilla up` starts it): the fault relays between
 * a local cluster's replicas, steered by chaos experiments through its control endpoint.
 */
export function registerFaultRelaysCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('fault-relays', { hidden: true })
    .description('Run the fault relays between the replicas of a local cluster (started by flotilla up).')
    .option('--state <file>', 'the cluster\'s state.json')
    .action(async (flags: { readonly state?: string }) => {
      if (flags.state === undefined) {
        process.stderr.write('flotilla fault-relays: --state needs the cluster\'s state.json\n');
        setExitCode(2);
        return;
      }
      // The relays' own module, not the library's index: this long-running process loads only what it runs.
      const { runRelayHost } = await import('../chaos/local-cluster/relay-host.ts');
      const { createLogger } = await import('../common/index.ts');
      const abort = new AbortController();
      for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => abort.abort());
      setExitCode(await runRelayHost(flags.state, createLogger('fault-relays'), abort.signal));
    });
}
