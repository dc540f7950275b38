import { randomBytes } from 'node:crypto';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { addServerMachineOptions, enableSystemdUnit, localClientEndpoint, parseStartMode, readSecretFile, serverMachineOf, UsageError, withoutEmpty, type ServerMachineFlags } from './machine-options.ts';

interface InitFlags extends ServerMachineFlags {
  readonly clusterName: string;
  readonly natsUser?: string;
  readonly natsPasswordFile?: string;
  readonly tokenOut?: string;
}

/**
 * `flotilla init` on the first control-plane VM: writes its server config (a one-member cluster
 * with a random cluster token, the join service on), starts it (or says how), and prints the join
 * token the other machines use with `flotilla join`.
 */
export function registerInitCommand(program: Command, setExitCode: (code: number) => void): void {
  const command = program
    .command('init')
    .description('First control-plane VM: write the server config of a new one-member cluster, start it, print the join token for the other machines.');
  addServerMachineOptions(command)
    .option('--cluster-name <name>', 'NATS subject prefix flotilla.<name>, shared by servers and agents', 'flotilla')
    .option('--nats-user <user>', 'NATS user of the servers and agents (with --nats-password-file)')
    .option('--nats-password-file <file>', 'file holding the NATS password (kept out of process listings)')
    .option('--token-out <file>', 'also write the join token here (mode 0600)')
    .action(async (flags: InitFlags) => {
      try {
        setExitCode(await runInit(flags));
      } catch (error) {
        if (!(error instanceof UsageError)) {
          process.stderr.write(`flotilla init: ${(error as Error).message}\n`);
          return setExitCode(1);
        }
        process.stderr.write(`flotilla init: ${error.message}\n(run flotilla init --help for usage)\n`);
        setExitCode(2);
      }
    });
}

async function runInit(flags: InitFlags): Promise<number> {
  const start = parseStartMode(flags.start);
  const machine = serverMachineOf(flags);
  if ((await stat(join(machine.dataDir, 'member.json')).catch(() => null)) !== null) {
    throw new UsageError(`${machine.dataDir} already holds a server: this VM is initialized (flotilla token --config ${flags.configOut} prints the join token)`);
  }
  const { initServerSettings, resolveServerConfig, ConfigError, writeConfigFile } = await import('../control-plane/index.ts');
  const natsPassword = await readSecretFile(flags.natsPasswordFile);
  const settings = withoutEmpty(initServerSettings(machine, {
    clusterToken: `flotilla-${randomBytes(16).toString('hex')}`,
    clusterName: flags.clusterName,
    natsUser: flags.natsUser ?? null,
    natsPassword,
  }));
  try {
    resolveServerConfig(settings);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
  await writeConfigFile(flags.configOut, settings, `flotilla server config written by flotilla init (${machine.name}, a new cluster).\nKeys: docs/homelab.md "Config file reference". Run: flotilla server --config ${flags.configOut}`);
  process.stdout.write(`Wrote ${flags.configOut} (a one-member cluster: ${machine.name} at ${machine.address}).\n`);
  const endpoint = localClientEndpoint(machine.address, machine.ports.client);
  if (start === 'none') {
    process.stdout.write(
      `Start the server:  systemctl enable --now flotilla-server   (unit: deploy/systemd/flotilla-server.service)\n` +
        `               or  flotilla server --config ${flags.configOut}\n` +
        `Then print the join token for the other machines:  flotilla token --config ${flags.configOut}\n`,
    );
    return 0;
  }
  if (start === 'systemd') {
    enableSystemdUnit('flotilla-server.service');
    await printToken(endpoint, flags);
    return 0;
  }
  // Foreground: this process becomes the server; the token is printed once the cluster has made it.
  void printToken(endpoint, flags).catch((error: unknown) => process.stderr.write(`flotilla init: ${(error as Error).message}\n`));
  const { main } = await import('./main.ts');
  return main(['node', 'flotilla', 'server', '--config', flags.configOut]);
}

async function printToken(endpoint: string, flags: InitFlags): Promise<void> {
  const { waitForJoinToken } = await import('../control-plane/index.ts');
  const token = await waitForJoinToken(endpoint, flags.waitTimeoutMs);
  if (flags.tokenOut !== undefined) await writeFile(flags.tokenOut, `${token}\n`, { mode: 0o600 });
  process.stdout.write(
    `\nJoin token (keep it secret: it lets a machine join this cluster):\n${token}\n\n` +
      'On each other machine, with the token in a file (not on the command line):\n' +
      '  flotilla join --token-file TOKEN --role server --name cp2 --address <its IP> --start systemd\n' +
      '  flotilla join --token-file TOKEN --role agent --start systemd\n',
  );
}
