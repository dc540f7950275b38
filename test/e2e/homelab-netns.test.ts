/**
 * The homelab path across hosts, for real, on one machine: four network namespaces with their own
 * addresses on a bridge (test/e2e/network-lab.ts) stand for 3 control-plane VMs and 1 worker. Each
 * control-plane host runs nats-server (deploy/nats/nats-server.conf, routes between the three) and
 * `flotilla server` — `flotilla init` on the first, `flotilla join --role server` on the others —
 * and the worker runs `flotilla join --role agent`. kubectl in the root namespace sees the node
 * Ready and a pod Running; then the Raft leader's host loses its link, and the cluster keeps
 * working: a new leader, writes, the worker Ready again and running a new pod. Runs as root (CI
 * does); skipped with the reason otherwise.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flotillaBin } from '../../chaos/cluster/index.ts';
import { runProcess } from '../control-plane/harness.ts';
import { flotilla, memberList, memberStatus, waitFor } from './homelab-helpers.ts';
import { NetworkLab, networkLabUnavailable } from './network-lab.ts';

const unavailable = networkLabUnavailable();
const servers = ['cp1', 'cp2', 'cp3'] as const;
const natsPassword = 'lab-nats-password';

const podManifest = (name: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: default}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: none
    command: [sh, -c, 'echo up; exec sleep 3600']
`;

if (unavailable !== null) process.stderr.write(`homelab-netns.test.ts skipped: ${unavailable}\n`);

describe.skipIf(unavailable !== null)('homelab on network namespaces: 3 control-plane hosts and a worker', () => {
  let lab: NetworkLab;
  let root: string;
  let kubeconfig: string;

  const address = (host: string): string => lab.address(host);
  const clientEndpoint = (host: string): string => `${address(host)}:2379`;
  const kubectl = (context: string, args: readonly string[], input?: string) =>
    runProcess('kubectl', ['--kubeconfig', kubeconfig, '--context', context, '--request-timeout=10s', ...args], {
      env: { ...process.env, HOME: root },
      ...(input === undefined ? {} : { input }),
    });
  const kubectlEventually = (context: string, args: readonly string[], accept: (stdout: string) => boolean, timeoutMs = 90_000) =>
    waitFor(`kubectl ${args.join(' ')} on ${context}`, timeoutMs, async () => {
      const result = await kubectl(context, args);
      return result.code === 0 && accept(result.stdout) ? result.stdout : null;
    });

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'flotilla-netns-'));
    lab = NetworkLab.create(`fl${process.pid % 1000}`, 20 + (process.pid % 200), [...servers, 'w1']);
    const natsTemplate = await readFile(new URL('../../deploy/nats/nats-server.conf', import.meta.url), 'utf8');
    for (const host of servers) {
      // What docs/homelab.md has every control-plane VM install (deploy/sysctl/), per namespace here.
      for (const line of (await readFile(new URL('../../deploy/sysctl/90-flotilla-control-plane.conf', import.meta.url), 'utf8')).split('\n')) {
        const setting = /^([a-z0-9_.]+)\s*=\s*(\S+)$/.exec(line.trim());
        if (setting !== null) lab.sysctl(host, setting[1] ?? '', setting[2] ?? '');
      }
      const natsConfig = natsTemplate
        .replace('server_name: cp1', `server_name: ${host}`)
        .replace('10.0.0.1', address('cp1')).replace('10.0.0.2', address('cp2')).replace('10.0.0.3', address('cp3'))
        .replace('http: 127.0.0.1:8222', '');
      await writeFile(join(root, `nats-${host}.conf`), natsConfig);
      lab.run(host, 'nats-server', ['-c', join(root, `nats-${host}.conf`)], join(root, `nats-${host}.log`), { NATS_PASSWORD: natsPassword });
    }
    await writeFile(join(root, 'nats-password'), `${natsPassword}\n`, { mode: 0o600 });
  }, 30_000);

  afterAll(async () => {
    await lab?.destroy();
    if (root !== undefined && process.env['FLOTILLA_TEST_KEEP'] === undefined) await rm(root, { recursive: true, force: true });
  }, 60_000);

  /** The host whose server says it leads, among `hosts`. */
  const leaderOf = (hosts: readonly string[], timeoutMs = 30_000): Promise<string> =>
    waitFor(`a leader among ${hosts.join(', ')}`, timeoutMs, async () => {
      for (const host of hosts) {
        const status = await memberStatus(clientEndpoint(host));
        if (status !== null && status.leader !== '0' && status.leader === status.header.member_id) return host;
      }
      return null;
    });
  /** The kubeconfig context of a host's API (flotilla kubeconfig names them flotilla, flotilla-2, ...). */
  const contextOf = (host: string): string => (servers.indexOf(host as (typeof servers)[number]) === 0 ? 'flotilla' : `flotilla-${servers.indexOf(host as (typeof servers)[number]) + 1}`);

  const serverArgs = (host: string) => ['--name', host, '--address', address(host), '--data-dir', join(root, host), '--config-out', join(root, `${host}.yaml`)];

  it('init on the first host, join on the others and on the worker: three voters, the node Ready, a pod Running', async () => {
    const token = join(root, 'token');
    lab.run('cp1', process.execPath, [flotillaBin, 'init', ...serverArgs('cp1'), '--nats-user', 'flotilla', '--nats-password-file', join(root, 'nats-password'), '--start', 'foreground', '--token-out', token], join(root, 'cp1.log'));
    await waitFor('the join token', 90_000, async () => ((await readFile(token, 'utf8')).trim() || null));
    // Both at once: the cluster makes one membership change at a time, and the second join retries.
    for (const host of ['cp2', 'cp3']) {
      lab.run(host, process.execPath, [flotillaBin, 'join', '--token-file', token, '--role', 'server', ...serverArgs(host), '--start', 'foreground'], join(root, `${host}.log`));
    }
    for (const host of ['cp2', 'cp3']) {
      await waitFor(`${host} a voter`, 90_000, async () => ((await memberList(clientEndpoint('cp1'))).some((member) => member.name === host && !member.isLearner) ? true : null));
    }
    lab.run('w1', process.execPath, [flotillaBin, 'join', '--token-file', token, '--role', 'agent', '--node-name', 'w1', '--node-ip', address('w1'),
      '--agent-data-dir', join(root, 'agent'), '--agent-config-out', join(root, 'agent.yaml'), '--start', 'foreground'], join(root, 'w1.log'));

    kubeconfig = join(root, 'kubeconfig');
    const written = await flotilla(['kubeconfig', '--endpoints', servers.map((host) => `${address(host)}:6443`).join(','), '--etcd-endpoint', clientEndpoint('cp1'), '--out', kubeconfig]);
    expect(written.code, written.stderr).toBe(0);
    await kubectlEventually('flotilla', ['get', 'node', 'w1', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'], (stdout) => stdout === 'True');
    expect((await kubectl('flotilla', ['get', 'node', 'w1', '-o', 'jsonpath={.status.addresses[?(@.type=="InternalIP")].address}'])).stdout).toBe(address('w1'));
    expect((await kubectl('flotilla', ['apply', '-f', '-'], podManifest('first'))).code).toBe(0);
    await kubectlEventually('flotilla', ['get', 'pod', 'first', '-o', 'jsonpath={.status.phase} {.spec.nodeName}'], (stdout) => stdout === 'Running w1');
    const agentConfig = await readFile(join(root, 'agent.yaml'), 'utf8');
    for (const host of servers) expect(agentConfig).toContain(`nats://${address(host)}:4222`);
  }, 300_000);

  it('the leader\'s host loses its link: the other two elect a leader, writes work, the worker is back Ready and runs a new pod', async () => {
    const leader = await leaderOf(servers);
    lab.cut(leader);
    const cutAtMs = Date.now();
    const survivors = servers.filter((host) => host !== leader);
    const context = contextOf(survivors[0] ?? 'cp1');
    await leaderOf(survivors, 60_000);
    await kubectlEventually(context, ['create', 'configmap', 'after-cut', '--from-literal=ok=yes'], () => true, 60_000);
    // An agent whose NATS connection went to the cut host needs its NATS client to notice and move
    // to another server; until then the node misses heartbeats (and its pods may be evicted: the
    // node lifecycle's grace is seconds, the agent's NATS failover can take tens of seconds).
    // Back for real: a lease renewed after the cut (a new leader's node controller starts by trusting the last status for a few seconds).
    await kubectlEventually(context, ['get', 'lease', 'w1', '-n', 'kube-node-lease', '-o', 'jsonpath={.spec.renewTime}'], (stdout) => Date.parse(stdout) > cutAtMs + 2_000, 120_000);
    await kubectlEventually(context, ['get', 'node', 'w1', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status} {.spec.taints}'], (stdout) => /^True( \[\])?$/.test(stdout.trim()), 120_000).catch(async (error: unknown) => {
      const node = await kubectl(context, ['get', 'node', 'w1', '-o', 'jsonpath={.status.conditions} {.spec.taints}']);
      throw new Error(`${(error as Error).message}; the node now: ${node.stdout}`);
    });
    expect((await kubectl(context, ['apply', '-f', '-'], podManifest('second'))).code).toBe(0);
    await kubectlEventually(context, ['get', 'pod', 'second', '-o', 'jsonpath={.status.phase} {.spec.nodeName}'], (stdout) => stdout === 'Running w1', 90_000);
    const status = await flotilla(['status', '--endpoints', servers.map(clientEndpoint).join(','), '--timeout-ms', '1500']);
    expect(status.stdout).toContain(`Quorum: 2 of 3 voters answer, 2 needed; one more failure stops writes. Missing: ${leader}`);
  }, 300_000);
});
