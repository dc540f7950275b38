/**
 * The homelab path across hosts, for real, on one machine: four network namespaces with their own
 * addresses on a bridge (test/e2e/network-lab.ts) stand for 3 control-plane VMs and 1 worker. Each
 * control-plane host runs nats-server (deploy/nats/nats-server.conf, routes between the three) and
 * `flotilla server` — `flotilla init` on the first, `flotilla join --role server` on the others —
 * and the worker runs `flotilla join --role agent`. kubectl in the root namespace sees the node
 * Ready and a pod Running; then the Raft leader's host loses its link, and the cluster keeps
 * working. Runs as root (CI does); skipped with the reason otherwise.
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
      const conf = natsTemplate
        .replace('server_name: cp1', `server_name: ${host}`)
        .replace('10.0.0.1', address('cp1')).replace('10.0.0.2', address('cp2')).replace('10.0.0.3', address('cp3'))
        .replace('http: 127.0.0.1:8222', '');
      await writeFile(join(root, `nats-${host}.conf`), conf);
      lab.run(host, 'nats-server', ['-c', join(root, `nats-${host}.conf`)], join(root, `nats-${host}.log`), { NATS_PASSWORD: natsPassword });
    }
    await writeFile(join(root, 'nats-password'), `${natsPassword}\n`, { mode: 0o600 });
  }, 30_000);

  afterAll(async () => {
    await lab?.destroy();
    if (root !== undefined && process.env['FLOTILLA_TEST_KEEP'] === undefined) await rm(root, { recursive: true, force: true });
  }, 60_000);

  const serverArgs = (host: string) => ['--name', host, '--address', address(host), '--data-dir', join(root, host), '--config-out', join(root, `${host}.yaml`)];

  it('init on the first host, join on the others and on the worker: three voters, the node Ready, a pod Running', async () => {
    const token = join(root, 'token');
    lab.run('cp1', process.execPath, [flotillaBin, 'init', ...serverArgs('cp1'), '--nats-user', 'flotilla', '--nats-password-file', join(root, 'nats-password'), '--start', 'foreground', '--token-out', token], join(root, 'cp1.log'));
    await waitFor('the join token', 90_000, async () => ((await readFile(token, 'utf8')).trim() || null));
    for (const host of ['cp2', 'cp3']) {
      lab.run(host, process.execPath, [flotillaBin, 'join', '--token-file', token, '--role', 'server', ...serverArgs(host), '--start', 'foreground'], join(root, `${host}.log`));
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

  it('the leader\'s host loses its link: the other two elect a leader, writes work, a new pod runs, the node stays Ready', async () => {
    const leader = await waitFor('the leader', 30_000, async () => {
      for (const host of servers) {
        const status = await memberStatus(clientEndpoint(host));
        if (status !== null && status.leader !== '0' && status.leader === status.header.member_id) return host;
      }
      return null;
    });
    lab.cut(leader);
    const survivors = servers.filter((host) => host !== leader);
    const context = `flotilla${servers.indexOf(survivors[0] ?? 'cp1') === 0 ? '' : `-${servers.indexOf(survivors[0] ?? 'cp1') + 1}`}`;
    await waitFor('a new leader', 60_000, async () => {
      for (const host of survivors) {
        const status = await memberStatus(clientEndpoint(host));
        if (status !== null && status.leader !== '0' && status.leader === status.header.member_id) return host;
      }
      return null;
    });
    await kubectlEventually(context, ['create', 'configmap', 'after-cut', '--from-literal=ok=yes'], () => true, 60_000);
    expect((await kubectl(context, ['apply', '-f', '-'], podManifest('second'))).code).toBe(0);
    await kubectlEventually(context, ['get', 'pod', 'second', '-o', 'jsonpath={.status.phase} {.spec.nodeName}'], (stdout) => stdout === 'Running w1', 120_000);
    await kubectlEventually(context, ['get', 'node', 'w1', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'], (stdout) => stdout === 'True');
    const status = await flotilla(['status', '--endpoints', servers.map(clientEndpoint).join(','), '--timeout-ms', '1500']);
    expect(status.stdout).toContain(`Quorum: 2 of 3 voters answer, 2 needed; one more failure stops writes. Missing: ${leader}`);
  }, 300_000);
});
