import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readProcessStat } from '../../agent/index.ts';
import { readContainerProcesses } from '../../chaos/e2e/node-processes.ts';

/**
 * The orphan check's eyes: container processes found through the runtime's state.json (pid and
 * start time must name a live process) and through the process table (working directory inside a
 * container's directory), on a real `sleep` laid out the way the process runtime lays it out.
 */
describe('e2e chaos node processes', () => {
  const children: ChildProcess[] = [];
  const directories: string[] = [];

  afterEach(async () => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    for (const directory of directories.splice(0)) await rm(directory, { recursive: true, force: true });
  });

  async function agentDirectory(): Promise<string> {
    const directory = await mkdtemp(join(tmpdir(), 'flotilla-e2e-node-'));
    directories.push(directory);
    return directory;
  }

  async function runContainer(agent: string, podUid: string, record: (pid: number, startTicks: string) => object): Promise<number> {
    const containerDirectory = join(agent, 'pods', podUid, 'containers', 'web');
    await mkdir(join(containerDirectory, 'root'), { recursive: true });
    const child = spawn('sleep', ['30'], { cwd: join(containerDirectory, 'root'), stdio: 'ignore' });
    children.push(child);
    const pid = child.pid ?? 0;
    let stat = await readProcessStat(pid);
    for (let attempt = 0; stat === undefined && attempt < 50; attempt++) stat = await readProcessStat(pid);
    await writeFile(join(containerDirectory, 'state.json'), JSON.stringify(record(pid, stat?.startTicks ?? '')));
    return pid;
  }

  it('finds a live container both ways', async () => {
    const agent = await agentDirectory();
    const pid = await runContainer(agent, 'uid-live', (processId, startTicks) => ({ version: 1, pid: processId, startTicks }));
    const found = await readContainerProcesses('node-1', agent);
    expect(found).toEqual(expect.arrayContaining([
      { node: 'node-1', podUid: 'uid-live', container: 'web', pid, seenBy: 'state-file' },
      { node: 'node-1', podUid: 'uid-live', container: 'web', pid, seenBy: 'process-table' },
    ]));
  });

  it('finds a process the runtime forgot (its state.json records an exit or another start time) through the process table only', async () => {
    const agent = await agentDirectory();
    const exited = await runContainer(agent, 'uid-exited', (processId, startTicks) => ({ version: 1, pid: processId, startTicks, exit: { code: 0 } }));
    const reused = await runContainer(agent, 'uid-reused', (processId) => ({ version: 1, pid: processId, startTicks: '1' }));
    const found = await readContainerProcesses('node-2', agent);
    expect(found.filter((process) => process.seenBy === 'state-file')).toEqual([]);
    expect(found.map((process) => process.pid).sort()).toEqual([exited, reused].sort());
  });

  it('finds nothing once the process is gone, and nothing in an empty data directory', async () => {
    const agent = await agentDirectory();
    await runContainer(agent, 'uid-dead', (processId, startTicks) => ({ version: 1, pid: processId, startTicks }));
    const child = children.pop();
    const exited = new Promise((resolve) => child?.once('exit', resolve));
    child?.kill('SIGKILL');
    await exited;
    expect(await readContainerProcesses('node-1', agent)).toEqual([]);
    expect(await readContainerProcesses('node-1', join(agent, 'missing'))).toEqual([]);
  });
});
