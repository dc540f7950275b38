import type { Command } from 'commander';

interface KubeconfigFlags {
  readonly endpoints: string;
  readonly dataDir?: string;
  readonly etcdEndpoint?: string;
  readonly out?: string;
}

/** `flotilla kubeconfig`: writes (or prints) an admin kubeconfig for the cluster's Kubernetes API. */
export function registerKubeconfigCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('kubeconfig')
    .description('Write a kubeconfig for the cluster admin: server = the first endpoint, one extra context per other endpoint.')
    .requiredOption('--endpoints <list>', 'Kubernetes API endpoints HOST:PORT (each server\'s --api-listen), comma-separated')
    .option('--data-dir <dir>', 'a server\'s --data-dir on this machine (reads its CA certificate and admin token)')
    .option('--etcd-endpoint <host:port>', 'or a server\'s --client-listen: read the cluster CA and token from the replicated store')
    .option('--out <file>', 'write here (mode 0600) instead of printing')
    .action(async (flags: KubeconfigFlags) => {
      const { runKubeconfig } = await import('../control-plane/index.ts');
      const endpoints = flags.endpoints.split(',').map((endpoint) => endpoint.trim()).filter((endpoint) => endpoint !== '');
      try {
        await runKubeconfig(
          {
            endpoints,
            ...(flags.dataDir === undefined ? {} : { dataDir: flags.dataDir }),
            ...(flags.etcdEndpoint === undefined ? {} : { etcdEndpoint: flags.etcdEndpoint }),
            out: flags.out ?? null,
          },
          (text) => process.stdout.write(text),
        );
      } catch (error) {
        process.stderr.write(`flotilla kubeconfig: ${(error as Error).message}\n`);
        setExitCode(2);
      }
    });
}
