import { EtcdWireClient } from '../../../store/index.ts';
import { readJoinToken } from './join-token-source.ts';

/** How often the waits below ask again. */
const pollIntervalMs = 1_000;

interface WireMembers {
  readonly members: ReadonlyArray<{ readonly name: string; readonly isLearner: boolean }>;
}

/** The join token once the new cluster has its CA and join record (asked through `etcdEndpoint`). */
export async function waitForJoinToken(etcdEndpoint: string, timeoutMs: number): Promise<string> {
  return poll(`the join token from ${etcdEndpoint}`, timeoutMs, () => readJoinToken(etcdEndpoint, { rotate: false }));
}

/** Resolves once `name` is listed as a voter by the member at `etcdEndpoint` (itself, once it runs). */
export async function waitForVoter(etcdEndpoint: string, name: string, timeoutMs: number): Promise<void> {
  await poll(`${name} to be promoted to a voter`, timeoutMs, async () => {
    const client = new EtcdWireClient(etcdEndpoint);
    try {
      const members = (await client.call<WireMembers>('Cluster', 'MemberList', {}, pollIntervalMs * 3)).members;
      if (members.some((member) => member.name === name && !member.isLearner)) return true;
      throw new Error(`${name} is ${members.some((member) => member.name === name) ? 'still a learner (catching up)' : 'not listed yet (starting)'}`);
    } finally {
      client.close();
    }
  });
}

async function poll<T>(what: string, timeoutMs: number, attempt: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no attempt';
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      last = (error as Error).message;
    }
    if (Date.now() >= deadline) throw new Error(`gave up waiting for ${what} after ${timeoutMs} ms (last: ${last})`);
    await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
  }
}
