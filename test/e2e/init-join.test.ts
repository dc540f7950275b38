/**
 * `flotilla init`, `flotilla token` and `flotilla join` on real processes (loopback, distinct
 * ports per "VM"): the first server's config and token; two servers joining as learners that
 * catch up by snapshot and promote themselves; an agent's config; tokens that must be refused
 * (wrong secret, wrong CA pin, garbage, rotated); a rebuilt VM joining again with --replace.
 */
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ServerProcess } from '../../chaos/cluster/index.ts';
import { findFreePorts } from '../../common/index.ts';
import { decodeJoinToken, encodeJoinToken } from '../../control-plane/index.ts';
import { flotilla, holdsKeys, memberList, putKeys, readPrefix, waitFor } from './homelab-helpers.ts';

const host = '127.0.0.1';

interface Vm {
  readonly name: string;
  readonly dataDir: string;
  readonly config: string;
  readonly ports: { peer: number; client: number; api: number; join: number };
  readonly args: string[];
}

describe('flotilla init / token / join', () => {
  let root: string;
  let tokenFile: string;
  const vms = new Map<string, Vm>();
  const processes: ServerProcess[] = [];

  async function vm(name: string): Promise<Vm> {
    const [peer, client, api, joinPort] = (await findFreePorts(4)) as [number, number, number, number];
    const dataDir = join(root, name);
    const config = join(root, `${name}.yaml`);
    const args = ['--name', name, '--address', host, '--data-dir', dataDir, '--config-out', config, '--nats', 'none', '--metrics-port', '0',
      '--peer-port', String(peer), '--client-port', String(client), '--api-port', String(api), '--join-port', String(joinPort)];
    const machine = { name, dataDir, config, ports: { peer, client, api, join: joinPort }, args };
    vms.set(name, machine);
    return machine;
  }

  const endpointOf = (machine: Vm): string => `${host}:${machine.ports.client}`;

  function run(name: string, args: string[]): ServerProcess {
    const process = new ServerProcess({ name, args, logPath: join(root, `${name}.log`) });
    processes.push(process);
    process.start();
    return process;
  }

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'flotilla-init-join-'));
    tokenFile = join(root, 'token');
  });

  afterAll(async () => {
    for (const process of processes) await process.stop();
    if (process.env['FLOTILLA_TEST_KEEP'] === undefined) await rm(root, { recursive: true, force: true });
  }, 30_000);

  it('init writes the first server\'s config (a new cluster, the join service on); token prints the join token once it runs', async () => {
    const cp1 = await vm('cp1');
    const written = await flotilla(['init', ...cp1.args, '--nats-advertise', `nats://${host}:4222`]);
    expect(written.code, written.stderr).toBe(0);
    expect(written.stdout).toContain('flotilla token --config');
    const settings = parse(await readFile(cp1.config, 'utf8')) as Record<string, unknown>;
    expect(settings).toMatchObject({ name: 'cp1', 'initial-cluster-state': 'new', 'initial-cluster': `cp1=${host}:${cp1.ports.peer}`, 'join-listen': `0.0.0.0:${cp1.ports.join}` });
    expect(String(settings['cluster-token'])).toMatch(/^flotilla-[0-9a-f]{32}$/);
    // Learners must catch up by snapshot: compact the log often.
    await appendFile(cp1.config, 'snapshot-entries: 20\n');
    run('cp1', ['server', '--config', cp1.config]);
    const printed = await waitFor('flotilla token', 60_000, async () => {
      const result = await flotilla(['token', '--config', cp1.config]);
      return result.code === 0 ? result.stdout.trim() : null;
    });
    const token = decodeJoinToken(printed);
    expect(token.endpoints).toEqual([`${host}:${cp1.ports.join}`]);
    await writeFile(tokenFile, `${printed}\n`, { mode: 0o600 });
    await putKeys(endpointOf(cp1), 'before-join/', 60);
    // Run again on the same VM: refused, with the way to the token.
    const again = await flotilla(['init', ...cp1.args]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already holds a server');
  }, 90_000);

  it('refuses tokens that are malformed, carry a wrong secret, or pin another CA — before sending anything', async () => {
    const token = decodeJoinToken(await readFile(tokenFile, 'utf8'));
    const intruder = await vm('intruder');
    const attempt = (text: string) => flotilla(['join', '--role', 'server', ...intruder.args, '--token', text]);
    const garbage = await attempt('flotilla-join-v1.not*base64');
    expect(garbage.code).toBe(2);
    expect(garbage.stderr).toContain('not base64url');
    const wrongSecret = await attempt(encodeJoinToken({ ...token, secret: 'A'.repeat(43) }));
    expect(wrongSecret.code).toBe(1);
    expect(wrongSecret.stderr).toContain('the join secret is wrong');
    const wrongPin = await attempt(encodeJoinToken({ ...token, caSha256: '0'.repeat(64) }));
    expect(wrongPin.code).toBe(1);
    expect(wrongPin.stderr).toContain('not the cluster the token was made for');
    expect((await memberList(endpointOf(vms.get('cp1') as Vm))).map((member) => member.name)).toEqual(['cp1']);
  }, 60_000);

  it('two servers join with one command each: learners, caught up by snapshot, promoted by themselves', async () => {
    const joiners = [await vm('cp2'), await vm('cp3')];
    // Both at once: the cluster makes one membership change at a time, and the second join retries.
    for (const machine of joiners) run(machine.name, ['join', '--token-file', tokenFile, '--role', 'server', ...machine.args, '--start', 'foreground']);
    for (const machine of joiners) {
      const name = machine.name;
      await waitFor(`${name} a voter`, 60_000, async () => ((await memberList(endpointOf(machine))).some((member) => member.name === name && !member.isLearner) ? true : null));
      await waitFor(`${name} holding every key`, 10_000, async () => (holdsKeys(await readPrefix(endpointOf(machine), 'before-join/', 's'), 'before-join/', 60) ? true : null));
      const settings = parse(await readFile(machine.config, 'utf8')) as Record<string, unknown>;
      expect(settings).toMatchObject({ 'initial-cluster-state': 'existing', 'auto-promote': 'true', 'cluster-name': 'flotilla' });
    }
    const log = await waitFor('cp3\'s join to report the promotion', 10_000, async () => {
      const text = await readFile(join(root, 'cp3.log'), 'utf8');
      return text.includes('cp3 caught up and is a voter now') ? text : null;
    });
    expect(log).toContain('replica restored from snapshot');
    const voters = (await memberList(endpointOf(vms.get('cp1') as Vm))).filter((member) => !member.isLearner).map((member) => member.name);
    expect(voters.sort()).toEqual(['cp1', 'cp2', 'cp3']);
    // The token now lists every server's join service.
    const token = decodeJoinToken((await flotilla(['token', '--etcd-endpoint', endpointOf(vms.get('cp2') as Vm)])).stdout);
    expect(token.endpoints).toHaveLength(3);
  }, 150_000);

  it('an agent gets its config (NATS URLs, cluster name, node name), which flotilla agent --config reads', async () => {
    const agentConfig = join(root, 'agent.yaml');
    const joined = await flotilla(['join', '--token-file', tokenFile, '--role', 'agent', '--node-name', 'worker-1', '--agent-config-out', agentConfig, '--agent-data-dir', join(root, 'agent')]);
    expect(joined.code, joined.stderr).toBe(0);
    const settings = parse(await readFile(agentConfig, 'utf8')) as Record<string, unknown>;
    expect(settings).toMatchObject({ 'node-name': 'worker-1', nats: `nats://${host}:4222`, 'cluster-name': 'flotilla', 'data-dir': join(root, 'agent') });
    // The agent reads the file (a bad value in it is reported like a bad flag: exit 2).
    await appendFile(agentConfig, 'runtime: bogus\n');
    const agent = await flotilla(['agent', '--config', agentConfig], { timeoutMs: 20_000 });
    expect(agent.code).toBe(2);
    expect(agent.stderr).toContain('runtime');
  }, 60_000);

  it('a rebuilt VM joins again only with --replace; a rotated token stops the old one', async () => {
    const cp3 = vms.get('cp3') as Vm;
    await processes.find((process) => process.spec.name === 'cp3')?.kill();
    await rm(cp3.dataDir, { recursive: true, force: true });
    await rm(cp3.config, { force: true });
    const refused = await flotilla(['join', '--token-file', tokenFile, '--role', 'server', ...cp3.args]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--replace');
    run('cp3-rebuilt', ['join', '--token-file', tokenFile, '--role', 'server', ...cp3.args, '--replace', '--start', 'foreground']);
    await waitFor('cp3 a voter again', 60_000, async () => ((await memberList(endpointOf(cp3))).filter((member) => member.name === 'cp3' && !member.isLearner).length === 1 ? true : null));
    expect((await memberList(endpointOf(vms.get('cp1') as Vm))).filter((member) => !member.isLearner)).toHaveLength(3);
    // Same address, so the same Raft id: replaying its old removal must not stop the rebuilt member.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect((await memberList(endpointOf(cp3))).some((member) => member.name === 'cp3')).toBe(true);
    expect(await readFile(join(root, 'cp3-rebuilt.log'), 'utf8')).not.toContain('flotilla server shutting down');

    const rotated = await flotilla(['token', '--config', (vms.get('cp1') as Vm).config, '--rotate']);
    expect(rotated.code, rotated.stderr).toBe(0);
    const intruder = vms.get('intruder') as Vm;
    const stale = await flotilla(['join', '--token-file', tokenFile, '--role', 'server', ...intruder.args]);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('the join secret is wrong');
  }, 120_000);
});
