import { resolve } from 'node:path';
import type { Command } from 'commander';

interface UpFlags {
  readonly servers?: string;
  readonly agents?: string;
  readonly natsServers?: string;
  readonly dir: string;
  readonly demo?: boolean;
  readonly detach?: boolean;
  readonly ingressHttpPort?: string;
  readonly timeoutSeconds: string;
}

interface UpSettings {
  readonly servers?: 3 | 5;
  readonly agents?: number;
  readonly natsServers?: 1 | 3;
  readonly ingressHttpPort?: number;
  readonly timeoutMs: number;
}

/** Agents one machine is allowed (LocalClusterLimits.agentsMax; repeated here so a bad flag loads nothing). */
const agentsMax = 20;

/**
 * `flotilla up`: the whole cluster on this machine (chaos/local-cluster/run-up.ts). Flags are
 * checked here, all at once: a bad one exits 2 with what to fix.
 */
export function registerUpCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('up')
    .description('Start a whole cluster on this machine (NATS, 3 or 5 servers, agents with proxies, a stable API address) and wait until it is healthy.')
    .option('--servers <count>', 'control-plane replicas: 3 or 5 (default 3; fixed once the directory holds a cluster)')
    .option('--agents <count>', `worker nodes, each an agent and a proxy: 1 to ${agentsMax} (default 2)`)
    .option('--nats-servers <count>', '1 nats-server, or 3 with routes between them (default 1)')
    .option('--dir <dir>', 'where the state, data, logs and kubeconfig live; the same dir later is the same cluster', '.flotilla')
    .option('--demo', 'deploy examples/hello (Deployment, Service, Ingress) and print its URL')
    .option('--detach', 'exit once healthy and leave the cluster running (flotilla down stops it); default: stay in the foreground, Ctrl-C stops it')
    .option('--ingress-http-port <port>', 'ingress HTTP port on every node address (default: a free port; 80 needs root)')
    .option('--timeout-seconds <seconds>', 'how long to wait for the cluster (and the demo) to be healthy', '180')
    .action(async (flags: UpFlags) => {
      const parsed = parseUpFlags(flags);
      if (typeof parsed === 'string') {
        process.stderr.write(`flotilla up: ${parsed}\n(run flotilla up --help for usage)\n`);
        setExitCode(2);
        return;
      }
      const { runUp } = await import('../chaos/local-cluster/index.ts');
      const { createLogger, realEnv } = await import('../common/index.ts');
      const stop = new AbortController();
      const onSignal = (): void => {
        if (stop.signal.aborted) process.stdout.write('Still stopping: each component gets up to 10 s before SIGKILL.\n');
        else process.stdout.write('\nStopping…\n');
        stop.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      // The command's own log lines (not the components': those are in <dir>/logs) go to stderr at warn and above.
      const logger = createLogger('flotilla-up', { level: 'warn' });
      try {
        setExitCode(await runUp({
          ...parsed, directory: resolve(flags.dir), demo: flags.demo === true, detach: flags.detach === true,
          env: realEnv(), logger, write: (text) => process.stdout.write(text), stop: stop.signal,
        }));
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}

/** The settings, or what to fix (every problem, joined). */
export function parseUpFlags(flags: UpFlags): UpSettings | string {
  const problems: string[] = [];
  const whole = (name: string, value: string | undefined, allowed: (number: number) => boolean, expectation: string): number | undefined => {
    if (value === undefined) return undefined;
    const number = Number(value);
    if (!Number.isInteger(number) || !allowed(number)) problems.push(`${name} must be ${expectation}, got "${value}"`);
    return number;
  };
  const servers = whole('--servers', flags.servers, (number) => number === 3 || number === 5, '3 or 5');
  const agents = whole('--agents', flags.agents, (number) => number >= 1 && number <= agentsMax, `a whole number from 1 to ${agentsMax}`);
  const natsServers = whole('--nats-servers', flags.natsServers, (number) => number === 1 || number === 3, '1 or 3');
  const ingressHttpPort = whole('--ingress-http-port', flags.ingressHttpPort, (number) => number >= 1 && number <= 65_535, 'a port from 1 to 65535');
  const timeoutSeconds = whole('--timeout-seconds', flags.timeoutSeconds, (number) => number >= 10 && number <= 3_600, 'from 10 to 3600') ?? 180;
  if (ingressHttpPort !== undefined && ingressHttpPort < 1024 && process.getuid?.() !== 0) {
    problems.push(`--ingress-http-port ${ingressHttpPort} is a privileged port: run as root (sudo) or pick one from 1024 up`);
  }
  if (flags.dir.trim() === '') problems.push('--dir must name a directory');
  if (problems.length > 0) return problems.join('; ');
  return {
    ...(servers === 3 || servers === 5 ? { servers } : {}),
    ...(agents === undefined ? {} : { agents }),
    ...(natsServers === 1 || natsServers === 3 ? { natsServers } : {}),
    ...(ingressHttpPort === undefined ? {} : { ingressHttpPort }),
    timeoutMs: timeoutSeconds * 1_000,
  };
}
