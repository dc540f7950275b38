import { Command } from 'commander';

type RegisterCommand = (program: Command, setExitCode: (code: number) => void) => void;

/**
 * Every command's module, in the order --help lists them. Only the module of the command being run
 * is loaded (each pulls in its options' helpers): what a long-running agent or server never runs
 * costs it no memory (~2 MB of an idle agent's RSS). Help, `help X` and unknown commands load all.
 */
export const commandModules: ReadonlyArray<readonly [name: string, load: () => Promise<RegisterCommand>]> = [
  ['up', async () => (await import('./up-command.ts')).registerUpCommand],
  ['down', async () => (await import('./down-command.ts')).registerDownCommand],
  ['sim', async () => (await import('./sim-command.ts')).registerSimCommand],
  ['bench', async () => (await import('./bench-command.ts')).registerBenchCommand],
  ['server', async () => (await import('./server-command.ts')).registerServerCommand],
  ['status', async () => (await import('./status-command.ts')).registerStatusCommand],
  ['chaos', async () => (await import('./chaos-command.ts')).registerChaosCommand],
  ['kubeconfig', async () => (await import('./kubeconfig-command.ts')).registerKubeconfigCommand],
  ['agent', async () => (await import('./agent-command.ts')).registerAgentCommand],
  ['api-balancer', async () => (await import('./api-balancer-command.ts')).registerApiBalancerCommand],
  ['fault-relays', async () => (await import('./fault-relays-command.ts')).registerFaultRelaysCommand],
  ['proxy', async () => (await import('./proxy-command.ts')).registerProxyCommand],
  ['snapshot', async () => (await import('./snapshot-command.ts')).registerSnapshotCommand],
  ['recover', async () => (await import('./recover-command.ts')).registerRecoverCommand],
  ['init', async () => (await import('./init-command.ts')).registerInitCommand],
  ['join', async () => (await import('./join-command.ts')).registerJoinCommand],
  ['token', async () => (await import('./token-command.ts')).registerTokenCommand],
];

/** Parses the command line and runs one component's entry point; returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('flotilla')
    .description('Flotilla: a Kubernetes-style cluster runtime for homelabs, with its own Raft and chaos tooling.')
    .showHelpAfterError('(run with --help for usage)')
    // A parent's options are read only before its subcommand (`sim --seeds` vs `sim control-plane --seeds`).
    .enablePositionalOptions()
    .exitOverride();
  let exitCode = 0;
  const setExitCode = (code: number): void => {
    exitCode = code;
  };
  const named = commandModules.filter(([name]) => name === argv[2]);
  const registers = await Promise.all((named.length > 0 ? named : commandModules).map(([, load]) => load()));
  for (const register of registers) register(program, setExitCode);
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    return exitCodeOf(error);
  }
  return exitCode;
}

/** commander throws on --help, --version and usage errors once exitOverride is set; usage errors exit 2. */
function exitCodeOf(error: unknown): number {
  if (typeof error === 'object' && error !== null && 'exitCode' in error && typeof error.exitCode === 'number') {
    return error.exitCode === 0 ? 0 : 2;
  }
  throw error;
}
