import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AgentError, AgentErrorCode } from './errors.ts';

export interface ContainerUser {
  readonly uid: number;
  readonly gid: number;
  readonly additionalGids: readonly number[];
  readonly home: string;
}

/**
 * The image's USER (`name`, `uid`, `name:group`, `uid:gid`), resolved against the image's own
 * /etc/passwd and /etc/group, as container engines do; an empty USER is root.
 */
export async function resolveImageUser(user: string, rootfs: string): Promise<ContainerUser> {
  const [userPart = '', groupPart] = user.split(':');
  const passwd = await readTable(join(rootfs, 'etc', 'passwd'));
  const groups = await readTable(join(rootfs, 'etc', 'group'));
  const entry = userPart === '' ? passwd.find((fields) => fields[2] === '0') : passwd.find((fields) => fields[0] === userPart || fields[2] === userPart);
  const uid = /^\d+$/.test(userPart) ? Number(userPart) : userPart === '' ? 0 : entry === undefined ? undefined : Number(entry[2]);
  if (uid === undefined) throw new AgentError(AgentErrorCode.containerConfig, `the image's user ${JSON.stringify(userPart)} is not in its /etc/passwd`);
  const groupEntry = groupPart === undefined ? undefined : groups.find((fields) => fields[0] === groupPart || fields[2] === groupPart);
  const gid = groupPart === undefined
    ? Number(entry?.[3] ?? 0)
    : /^\d+$/.test(groupPart) ? Number(groupPart) : groupEntry === undefined ? undefined : Number(groupEntry[2]);
  if (gid === undefined || !Number.isInteger(gid)) throw new AgentError(AgentErrorCode.containerConfig, `the image's group ${JSON.stringify(groupPart)} is not in its /etc/group`);
  const name = entry?.[0];
  const additionalGids = name === undefined ? [] : groups.filter((fields) => (fields[3] ?? '').split(',').includes(name)).map((fields) => Number(fields[2])).filter((id) => Number.isInteger(id) && id !== gid);
  return { uid, gid, additionalGids, home: entry?.[5] ?? (uid === 0 ? '/root' : '/') };
}

/** Colon-separated lines of /etc/passwd or /etc/group; none when the image has no such file. */
async function readTable(path: string): Promise<string[][]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.split('\n').filter((line) => line !== '' && !line.startsWith('#')).map((line) => line.split(':'));
}
