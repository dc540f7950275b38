import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ServerProcess } from '../../chaos/cluster/index.ts';
import type { NatsOptions } from '../../control-plane/nats/index.ts';

/**
 * A real `flotilla agent` child process (through the `flotilla` launcher), its log in its data
 * directory's parent. SIGTERM stops it the way an operator does (containers keep running);
 * SIGKILL is a crash; `start()` again re-adopts.
 */
export class AgentProcess {
  readonly process: ServerProcess;

  private constructor(readonly nodeName: string, readonly dataDir: string, process: ServerProcess) {
    this.process = process;
  }

  static async create(root: string, nodeName: string, nats: NatsOptions, extraArgs: readonly string[] = [], nodeIp = '127.0.0.1'): Promise<AgentProcess> {
    const dataDir = join(root, `agent-${nodeName}`);
    await mkdir(dataDir, { recursive: true });
    const args = [
      'agent', '--node-name', nodeName, '--nats', nats.servers.join(','), '--cluster-name', nats.clusterName,
      '--data-dir', dataDir, '--node-ip', nodeIp, ...extraArgs,
    ];
    return new AgentProcess(nodeName, dataDir, new ServerProcess({ name: nodeName, args, logPath: join(root, `agent-${nodeName}.log`) }));
  }

  start(): void {
    this.process.start();
  }

  async stop(): Promise<void> {
    await this.process.stop();
  }

  async kill(): Promise<void> {
    await this.process.kill();
  }
}
