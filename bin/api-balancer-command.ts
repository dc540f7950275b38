import type { Command } from 'commander';

interface ApiBalancerFlags {
  readonly listen?: string;
  readonly backends?: string;
  readonly controlListen?: string;
}

const endpointPattern = /^[A-Za-z0-9.-]+:\d{1,5}$/;

/**
 * `flotilla api-balancer`: one stable Kubernetes API address in front of the replicas (k3s' agent
 * load balancer); `flotilla up` runs one. Bad flags exit 2 with what to fix; SIGTERM/SIGINT drain
 * and exit 0.
 */
export function registerApiBalancerCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('api-balancer')
    .description('Run a TCP balancer for the Kubernetes API: each connection goes to a replica whose /readyz answers.')
    .option('--listen <host:port>', 'where clients connect (the kubeconfig\'s server), e.g. 127.0.0.1:6443')
    .option('--backends <list>', 'every replica\'s --api-listen HOST:PORT, comma-separated')
    .option('--control-listen <host:port>', 'serve GET /status (health and open connections per replica) here')
    .action(async (flags: ApiBalancerFlags) => {
      const backends = (flags.backends ?? '').split(',').map((backend) => backend.trim()).filter((backend) => backend !== '');
      const problems = [
        ...(flags.listen === undefined || !endpointPattern.test(flags.listen) ? ['--listen needs HOST:PORT'] : []),
        ...(backends.length === 0 ? ['--backends needs at least one HOST:PORT'] : backends.filter((backend) => !endpointPattern.test(backend)).map((backend) => `--backends: "${backend}" is not HOST:PORT`)),
        ...(flags.controlListen !== undefined && !endpointPattern.test(flags.controlListen) ? ['--control-listen needs HOST:PORT'] : []),
      ];
      if (problems.length > 0 || flags.listen === undefined) {
        process.stderr.write(`flotilla api-balancer: ${problems.join('; ')}\n(run flotilla api-balancer --help for usage)\n`);
        setExitCode(2);
        return;
      }
      // The balancer's own module, not the library's index: this long-running process loads only what it runs.
      const { runApiBalancer } = await import('../chaos/local-cluster/api-balancer.ts');
      const { createLogger, realEnv } = await import('../common/index.ts');
      const abort = new AbortController();
      for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => abort.abort());
      setExitCode(await runApiBalancer({
        listen: flags.listen, backends, controlListen: flags.controlListen ?? null, env: realEnv(), logger: createLogger('api-balancer'), signal: abort.signal,
      }));
    });
}
