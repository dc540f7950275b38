import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';

interface TokenFlags {
  readonly config?: string;
  readonly etcdEndpoint?: string;
  readonly rotate?: boolean;
  readonly out?: string;
}

/** `flotilla token`: prints (or rotates) the cluster's join token, read from the replicated store. */
export function registerTokenCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('token')
    .description('Print the join token of the cluster (endpoints, CA fingerprint, secret) for flotilla join; --rotate makes every older token stop working.')
    .option('--config <file>', 'a flotilla server config file on this VM (its client-listen is asked)')
    .option('--etcd-endpoint <host:port>', 'or any server\'s client endpoint (--client-listen)')
    .option('--rotate', 'replace the join secret first (tokens printed before stop working)')
    .option('--out <file>', 'write the token here (mode 0600) instead of printing it')
    .action(async (flags: TokenFlags) => {
      const endpoint = flags.etcdEndpoint ?? (flags.config === undefined ? undefined : await clientEndpointOf(flags.config));
      if (endpoint === undefined) {
        process.stderr.write('flotilla token: give --config FILE (a server config with client-listen) or --etcd-endpoint HOST:PORT\n(run flotilla token --help for usage)\n');
        return setExitCode(2);
      }
      const { readJoinToken } = await import('../control-plane/index.ts');
      try {
        const token = await readJoinToken(endpoint, { rotate: flags.rotate === true });
        if (flags.out === undefined) process.stdout.write(`${token}\n`);
        else await writeFile(flags.out, `${token}\n`, { mode: 0o600 });
      } catch (error) {
        process.stderr.write(`flotilla token: ${(error as Error).message}\n`);
        setExitCode(1);
      }
    });
}

/** The config's client-listen, with a wildcard host asked on loopback. */
async function clientEndpointOf(path: string): Promise<string | undefined> {
  const { parse } = await import('yaml');
  const value: unknown = parse(await readFile(path, 'utf8').catch(() => ''));
  const listen = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)['client-listen'] : undefined;
  if (typeof listen !== 'string') return undefined;
  return listen.replace(/^(0\.0\.0\.0|\[::\]):/, '127.0.0.1:');
}
