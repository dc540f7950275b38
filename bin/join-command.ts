import { readFile, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { addServerMachineOptions, enableSystemdUnit, localClientEndpoint, parseStartMode, serverMachineOf, UsageError, withoutEmpty, type ServerMachineFlags, type StartMode } from './machine-options.ts';

interface JoinFlags extends ServerMachineFlags {
  readonly token?: string;
  readonly tokenFile?: string;
  readonly role?: string;
  readonly replace?: boolean;
  readonly nodeName?: string;
  readonly nodeIp?: string;
  readonly agentDataDir: string;
  readonly agentConfigOut: string;
  readonly proxy?: boolean;
}

/** The token's other source: an environment variable is not shown in process listings. */
const tokenVariable = 'FLOTILLA_JOIN_TOKEN';

/**
 * `flotilla join --role server|agent`: one command on a new machine. A server is added as a learner
 * through a join service of the token's cluster, writes its config (auto-promote on) and starts;
 * it catches up (by snapshot when the log was compacted) and promotes itself. An agent gets the
 * NATS settings and writes its config. Nothing is sent before the cluster's CA matched the token.
 */
export function registerJoinCommand(program: Command, setExitCode: (code: number) => void): void {
  const command = program
    .command('join')
    .description('Join this machine to a cluster with a token from `flotilla init` / `flotilla token`: --role server (a control-plane VM) or agent (a worker).');
  command
    .option('--token-file <file>', `file holding the join token (or set ${tokenVariable}; both stay out of process listings)`)
    .option('--token <token>', 'the join token itself (visible to other users in process listings: prefer --token-file)')
    .option('--role <role>', 'server or agent');
  addServerMachineOptions(command)
    .option('--replace', 'server: a member with this name or address exists (a rebuilt VM): remove it first')
    .option('--node-name <name>', 'agent: the Node name (default: this host name, lowercase)')
    .option('--node-ip <ip>', 'agent: the address Endpoints and probes use (default: the agent picks the first non-loopback IPv4)')
    .option('--agent-data-dir <dir>', 'agent: where pods and their logs live', '/var/lib/flotilla/agent')
    .option('--agent-config-out <file>', 'agent: where to write the agent\'s config file', '/etc/flotilla/agent.yaml')
    .option('--proxy', 'agent: also run the node proxy in the agent process (flotilla agent --proxy)')
    .action(async (flags: JoinFlags) => {
      try {
        setExitCode(await runJoin(flags));
      } catch (error) {
        const usage = error instanceof UsageError || (error as Error).name === 'JoinTokenError';
        process.stderr.write(`flotilla join: ${(error as Error).message}\n${usage ? '(run flotilla join --help for usage)\n' : ''}`);
        setExitCode(usage ? 2 : 1);
      }
    });
}

async function runJoin(flags: JoinFlags): Promise<number> {
  if (flags.role !== 'server' && flags.role !== 'agent') throw new UsageError('--role server or --role agent is required');
  const start = parseStartMode(flags.start);
  const { decodeJoinToken } = await import('../control-plane/index.ts');
  const token = decodeJoinToken(await tokenText(flags));
  return flags.role === 'server' ? joinServer(flags, start, token) : joinAgent(flags, start, token);
}

async function tokenText(flags: JoinFlags): Promise<string> {
  if (flags.tokenFile !== undefined) return readFile(flags.tokenFile, 'utf8').catch((error: Error) => Promise.reject(new UsageError(`cannot read --token-file: ${error.message}`)));
  const fromEnvironment = process.env[tokenVariable];
  if (fromEnvironment !== undefined && fromEnvironment !== '') return fromEnvironment;
  if (flags.token !== undefined) {
    process.stderr.write('flotilla join: warning: --token is visible in process listings while this runs; prefer --token-file\n');
    return flags.token;
  }
  throw new UsageError(`give the join token: --token-file FILE, ${tokenVariable}, or --token`);
}

async function joinServer(flags: JoinFlags, start: StartMode, token: import('../control-plane/index.ts').JoinToken): Promise<number> {
  const machine = serverMachineOf(flags);
  if ((await stat(join(machine.dataDir, 'member.json')).catch(() => null)) !== null) {
    throw new UsageError(`${machine.dataDir} already holds a server's data: a joining server starts empty (if it belongs to an old membership, remove it)`);
  }
  if ((await stat(flags.configOut).catch(() => null)) !== null) throw new UsageError(`${flags.configOut} exists already: this machine looks configured (remove it to join again)`);
  const { requestJoin, joinServerSettings, writeConfigFile, waitForVoter } = await import('../control-plane/index.ts');
  const peerUrl = `http://${localClientEndpoint(machine.address, machine.ports.peer)}`;
  const { endpoint, answer } = await requestJoin<import('../control-plane/index.ts').ServerJoinAnswer>(token, '/join/v1/server', { name: machine.name, peerUrl, replace: flags.replace === true });
  process.stdout.write(`${endpoint} added ${machine.name} (${peerUrl}) as a learner, member ID ${answer.memberId}.\n`);
  await writeConfigFile(flags.configOut, withoutEmpty(joinServerSettings(machine, answer)), `flotilla server config written by flotilla join (${machine.name}).\nKeys: docs/homelab.md "Config file reference". Run: flotilla server --config ${flags.configOut}`);
  process.stdout.write(`Wrote ${flags.configOut}.\n`);
  const clientEndpoint = localClientEndpoint(machine.address, machine.ports.client);
  const promoted = async (): Promise<void> => {
    await waitForVoter(clientEndpoint, machine.name, flags.waitTimeoutMs);
    process.stdout.write(`${machine.name} caught up and is a voter now.\n`);
  };
  if (start === 'none') {
    process.stdout.write(`Start it: systemctl enable --now flotilla-server (or flotilla server --config ${flags.configOut}); it promotes itself once caught up.\n`);
    return 0;
  }
  if (start === 'systemd') {
    enableSystemdUnit('flotilla-server.service');
    await promoted();
    return 0;
  }
  void promoted().catch((error: unknown) => process.stderr.write(`flotilla join: ${(error as Error).message}\n`));
  const { main } = await import('./main.ts');
  return main(['node', 'flotilla', 'server', '--config', flags.configOut]);
}

async function joinAgent(flags: JoinFlags, start: StartMode, token: import('../control-plane/index.ts').JoinToken): Promise<number> {
  const nodeName = flags.nodeName ?? hostname().toLowerCase();
  if ((await stat(flags.agentConfigOut).catch(() => null)) !== null) throw new UsageError(`${flags.agentConfigOut} exists already: this machine looks configured (remove it to join again)`);
  const { requestJoin, joinAgentSettings, writeConfigFile } = await import('../control-plane/index.ts');
  const { endpoint, answer } = await requestJoin<import('../control-plane/index.ts').AgentJoinAnswer>(token, '/join/v1/agent', { nodeName });
  const settings = joinAgentSettings({ nodeName, dataDir: flags.agentDataDir, nodeIp: flags.nodeIp ?? null, proxy: flags.proxy === true }, answer);
  await writeConfigFile(flags.agentConfigOut, settings, `flotilla agent config written by flotilla join (${nodeName}).\nKeys: docs/homelab.md "Config file reference". Run: flotilla agent --config ${flags.agentConfigOut}`);
  process.stdout.write(`${endpoint} accepted ${nodeName}; wrote ${flags.agentConfigOut} (NATS ${answer.natsUrls.join(', ')}).\n`);
  if (start === 'none') {
    process.stdout.write(`Start it: systemctl enable --now flotilla-agent (or flotilla agent --config ${flags.agentConfigOut}).\n`);
    return 0;
  }
  if (start === 'systemd') {
    enableSystemdUnit('flotilla-agent.service');
    return 0;
  }
  const { main } = await import('./main.ts');
  return main(['node', 'flotilla', 'agent', '--config', flags.agentConfigOut]);
}
