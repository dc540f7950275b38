import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePorts } from '../common/index.ts';

export interface LocalCluster {
  readonly name: string;
  readonly clientEndpoints: readonly string[];
  /** Process ids of the members, in order, for RSS readings. */
  pids(): number[];
  stop(): Promise<void>;
}

/**
 * Starts a 3-member etcd 3.4 cluster (Debian's etcd-server) on loopback ports: the anchor the
 * store benchmark measures Flotilla against, in the same run and on the same machine.
 */
export async function startEtcdCluster(members = 3): Promise<LocalCluster> {
  const dataRoot = await mkdtemp(join(tmpdir(), 'flotilla-bench-etcd-'));
  const ports = await findFreePorts(members * 2);
  const names = Array.from({ length: members }, (_, i) => `e${i + 1}`);
  const peerUrl = (i: number): string => `http://127.0.0.1:${ports[members + i]}`;
  const clientUrl = (i: number): string => `http://127.0.0.1:${ports[i]}`;
  const initialCluster = names.map((name, i) => `${name}=${peerUrl(i)}`).join(',');
  const children: ChildProcess[] = names.map((name, i) =>
    spawn(
      'etcd',
      [
        `--name=${name}`,
        `--data-dir=${join(dataRoot, name)}`,
        `--listen-client-urls=${clientUrl(i)}`,
        `--advertise-client-urls=${clientUrl(i)}`,
        `--listen-peer-urls=${peerUrl(i)}`,
        `--initial-advertise-peer-urls=${peerUrl(i)}`,
        `--initial-cluster=${initialCluster}`,
        '--initial-cluster-state=new',
        '--initial-cluster-token=flotilla-bench',
        '--pre-vote',
        '--logger=zap',
        '--log-level=error',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    ),
  );
  const endpoints = names.map((_, i) => `127.0.0.1:${ports[i]}`);
  return {
    name: 'etcd 3.4',
    clientEndpoints: endpoints,
    pids: () => children.map((child) => child.pid ?? 0),
    stop: async () => {
      await Promise.all(children.map(stopChild));
      await rm(dataRoot, { recursive: true, force: true });
    },
  };
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const killTimer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(killTimer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
