import { Command, InvalidArgumentError } from 'commander';
import { parseIntegerOption } from './integer-option.ts';

function parseConcurrencies(value: string): number[] {
  const levels = value.split(',').map(Number);
  if (levels.some((level) => !Number.isInteger(level) || level < 1 || level > 4096)) {
    throw new InvalidArgumentError(`--concurrency takes whole numbers from 1 to 4096 separated by commas, got "${value}".`);
  }
  return levels;
}

/** `flotilla bench kv|failover|api|scheduler|proxy|pods`: benchmarks with their anchor measured in the same run. */
export function registerBenchCommand(program: Command, setExitCode: (code: number) => void): void {
  const bench = program.command('bench').description('Benchmarks, each with its anchor (etcd, HAProxy) measured in the same run.');
  bench
    .command('kv')
    .description('3 Flotilla replicas vs 3 etcd 3.4 members through the same etcd3 client.')
    .option('--duration-ms <ms>', 'length of each phase', parseIntegerOption('--duration-ms', 500, 600_000), 5_000)
    .option('--concurrency <list>', 'client concurrency levels', parseConcurrencies, [1, 64, 256])
    .action(async (flags: { durationMs: number; concurrency: number[] }) => {
      const { runKvBench } = await import('../bench/index.ts');
      await runKvBench({ durationMs: flags.durationMs, concurrencies: flags.concurrency }, (line) => console.log(line));
      setExitCode(0);
    });
  bench
    .command('api')
    .description('Kubernetes API on 3 replicas: create ConfigMaps with many clients, list them, fan events out to many watches.')
    .option('--objects <n>', 'ConfigMaps to create', parseIntegerOption('--objects', 1, 1_000_000), 10_000)
    .option('--clients <n>', 'concurrent creating clients', parseIntegerOption('--clients', 1, 4096), 64)
    .option('--watches <n>', 'concurrent watches', parseIntegerOption('--watches', 1, 10_000), 1_000)
    .option('--fanout-writes <n>', 'writes whose events fan out to every watch', parseIntegerOption('--fanout-writes', 1, 100_000), 100)
    .action(async (flags: { objects: number; clients: number; watches: number; fanoutWrites: number }) => {
      const { runApiBench } = await import('../bench/index.ts');
      await runApiBench(flags, (line) => console.log(line));
      setExitCode(0);
    });
  bench
    .command('scheduler')
    .description('100 simulated nodes, 10,000 pods as 100 Deployments: pods bound per second and create→bound latency.')
    .option('--nodes <n>', 'simulated nodes', parseIntegerOption('--nodes', 1, 10_000), 100)
    .option('--deployments <n>', 'deployments', parseIntegerOption('--deployments', 1, 10_000), 100)
    .option('--replicas <n>', 'replicas per deployment', parseIntegerOption('--replicas', 1, 10_000), 100)
    .action(async (flags: { nodes: number; deployments: number; replicas: number }) => {
      const { runSchedulerBench } = await import('../bench/index.ts');
      await runSchedulerBench({ ...flags, timeoutMs: 600_000 }, (line) => console.log(line));
      setExitCode(0);
    });
  bench
    .command('proxy')
    .description('wrk against one HTTP backend: direct, through HAProxy and through the Flotilla proxy (service L4 and ingress L7, keep-alive and new connections).')
    .option('--duration-seconds <s>', 'length of each wrk run', parseIntegerOption('--duration-seconds', 1, 600), 5)
    .option('--connections <n>', 'wrk connections', parseIntegerOption('--connections', 1, 10_000), 50)
    .option('--threads <n>', 'wrk threads', parseIntegerOption('--threads', 1, 64), 2)
    .action(async (flags: { durationSeconds: number; connections: number; threads: number }) => {
      const { runProxyBench } = await import('../bench/index.ts');
      await runProxyBench(flags, (line) => console.log(line));
      setExitCode(0);
    });
  bench
    .command('pods')
    .description('3 servers, nats-server and 2 real agents: agent RSS idle; then 100 pause-like pods and 100 HTTP-server pods, create→bound/Running/Ready p50/p99/max, agent RSS under each load.')
    .option('--pods <n>', 'pods to create', parseIntegerOption('--pods', 1, 2000), 100)
    .option('--agents <n>', 'agents (nodes)', parseIntegerOption('--agents', 1, 16), 2)
    .option('--concurrency <n>', 'pod creations in flight', parseIntegerOption('--concurrency', 1, 256), 10)
    .option('--timeout-seconds <s>', 'how long the pods may take to become Ready', parseIntegerOption('--timeout-seconds', 10, 3600), 300)
    .option('--readiness-probe-seconds <s>', 'give each pod an HTTP readiness probe with this period (default: none)', parseIntegerOption('--readiness-probe-seconds', 1, 300))
    .action(async (flags: { pods: number; agents: number; concurrency: number; timeoutSeconds: number; readinessProbeSeconds?: number }) => {
      const { runPodsBench } = await import('../bench/index.ts');
      const probe = flags.readinessProbeSeconds === undefined ? {} : { readinessProbeSeconds: flags.readinessProbeSeconds };
      await runPodsBench({ pods: flags.pods, agents: flags.agents, concurrency: flags.concurrency, timeoutMs: flags.timeoutSeconds * 1000, ...probe }, (line) => console.log(line));
      setExitCode(0);
    });
  bench
    .command('failover')
    .description('kill -9 the leader repeatedly under a light write load; time to the first successful write.')
    .option('--kills <n>', 'how many leader kills', parseIntegerOption('--kills', 1, 1000), 20)
    .action(async (flags: { kills: number }) => {
      const { runFailoverBench } = await import('../bench/index.ts');
      await runFailoverBench(flags.kills, (line) => console.log(line));
      setExitCode(0);
    });
}
