import { Command, InvalidArgumentError } from 'commander';
import { registerAgentCommand } from './agent-command.ts';
import { registerApiBalancerCommand } from './api-balancer-command.ts';
import { registerBenchCommand } from './bench-command.ts';
import { registerChaosCommand } from './chaos-command.ts';
import { registerDownCommand } from './down-command.ts';
import { registerFaultRelaysCommand } from './fault-relays-command.ts';
import { registerKubeconfigCommand } from './kubeconfig-command.ts';
import { registerProxyCommand } from './proxy-command.ts';
import { registerServerCommand } from './server-command.ts';
import { registerInitCommand } from './init-command.ts';
import { registerJoinCommand } from './join-command.ts';
import { registerRecoverCommand } from './recover-command.ts';
import { registerSimCommand } from './sim-command.ts';
import { registerSnapshotCommand } from './snapshot-command.ts';
import { registerStatusCommand } from './status-command.ts';
import { registerTokenCommand } from './token-command.ts';
import { registerUpCommand } from './up-command.ts';

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
  registerUpCommand(program, setExitCode);
  registerDownCommand(program, setExitCode);
  registerSimCommand(program, setExitCode);
  registerBenchCommand(program, setExitCode);
  registerServerCommand(program, setExitCode);
  registerStatusCommand(program, setExitCode);
  registerChaosCommand(program, setExitCode);
  registerKubeconfigCommand(program, setExitCode);
  registerAgentCommand(program, setExitCode);
  registerApiBalancerCommand(program, setExitCode);
  registerFaultRelaysCommand(program, setExitCode);
  registerProxyCommand(program, setExitCode);
  registerSnapshotCommand(program, setExitCode);
  registerRecoverCommand(program, setExitCode);
  registerInitCommand(program, setExitCode);
  registerJoinCommand(program, setExitCode);
  registerTokenCommand(program, setExitCode);
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

export function parseIntegerOption(name: string, min: number, max: number): (value: string) => number {
  return (value: string) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
      throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}, got "${value}".`);
    }
    return parsed;
  };
}

// Run directly with tsx (npm run sim / npm run flotilla).
if (process.argv[1]?.endsWith('main.ts')) {
  process.exitCode = await main(process.argv);
}
