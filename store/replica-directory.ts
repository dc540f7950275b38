import type { AbstractSublevel } from 'abstract-level';
import { decode, encode, ErrorCode, FlotillaError } from '../common/index.ts';
import type { Entry, NodeId } from '../raft/index.ts';
import type { LevelBatch, RaftDatabase } from './level-raft-keys.ts';

/**
 * The replicated member directory: what a Raft membership entry does not carry (it only has ids)
 * — each member's name, peer URLs and client URLs, as etcd's member attributes. It changes only
 * through Raft entries of its own (`directoryEntryData`), applied in the same batch as the store's
 * writes, and travels in snapshots ahead of the store's data (see replica-state-machine.ts).
 */
export interface MemberRecord {
  readonly nodeId: NodeId;
  /** Empty until the member has started and published itself (etcd: "unstarted"). */
  readonly name: string;
  readonly peerUrls: readonly string[];
  readonly clientUrls: readonly string[];
}

export type DirectoryCommand =
  /** Records a member: by MemberAdd (peer URLs only) or by the member itself on start (all attributes). */
  | { readonly type: 'member-put'; readonly member: MemberRecord }
  | { readonly type: 'member-delete'; readonly nodeId: NodeId };

/**
 * Entry payloads starting with this byte are directory commands. 0xc1 is the one byte msgpack
 * never uses, so no store command (a msgpack map) can start with it.
 */
const directoryMarker = 0xc1;
/** Bounds what one record may hold (a directory entry is tiny; anything larger is a bug or an attack). */
const urlsPerMemberMax = 16;
const textBytesMax = 1024;

export function directoryEntryData(command: DirectoryCommand): Uint8Array {
  const body = encode(command);
  const data = new Uint8Array(body.length + 1);
  data[0] = directoryMarker;
  data.set(body, 1);
  return data;
}

export function isDirectoryEntry(entry: Entry): entry is Extract<Entry, { type: 'normal' }> {
  return entry.type === 'normal' && entry.data[0] === directoryMarker;
}

/** Decodes a directory entry; null (logged by the caller) when it is malformed. */
export function decodeDirectoryCommand(data: Uint8Array): DirectoryCommand | null {
  let value: unknown;
  try {
    value = decode<unknown>(data.subarray(1));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const command = value as Record<string, unknown>;
  if (command['type'] === 'member-delete' && isText(command['nodeId'])) return { type: 'member-delete', nodeId: command['nodeId'] };
  if (command['type'] !== 'member-put') return null;
  const member = parseMemberRecord(command['member']);
  return member === null ? null : { type: 'member-put', member };
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.length <= textBytesMax;
}

function isTextList(value: unknown): value is string[] {
  return Array.isArray(value) && value.length <= urlsPerMemberMax && value.every(isText);
}

export function parseMemberRecord(value: unknown): MemberRecord | null {
  if (typeof value !== 'object' || value === null) return null;
  const record = value as Record<string, unknown>;
  const { nodeId, name, peerUrls, clientUrls } = record;
  if (!isText(nodeId) || nodeId === '' || !isText(name) || !isTextList(peerUrls) || !isTextList(clientUrls)) return null;
  return { nodeId, name, peerUrls, clientUrls };
}

export function sameMember(left: MemberRecord | undefined, right: MemberRecord): boolean {
  return (
    left !== undefined &&
    left.nodeId === right.nodeId &&
    left.name === right.name &&
    left.peerUrls.join(' ') === right.peerUrls.join(' ') &&
    left.clientUrls.join(' ') === right.clientUrls.join(' ')
  );
}

type DirectorySublevel = AbstractSublevel<RaftDatabase, string | Buffer | Uint8Array, string, Uint8Array>;

const sublevelName = 'replica-members';

function openSublevel(db: RaftDatabase): DirectorySublevel {
  return db.sublevel<string, Uint8Array>(sublevelName, { keyEncoding: 'utf8', valueEncoding: 'view' });
}

/** Staged changes of one apply batch, published by `commit` once the batch is written. */
export interface StagedDirectoryChanges {
  readonly changed: boolean;
  commit(): void;
}

export class MemberDirectory {
  private readonly members = new Map<NodeId, MemberRecord>();

  private constructor(private sublevel: DirectorySublevel) {}

  static async open(db: RaftDatabase): Promise<MemberDirectory> {
    const directory = new MemberDirectory(openSublevel(db));
    await directory.load();
    return directory;
  }

  /** After a snapshot install swapped the database. */
  async reopen(db: RaftDatabase): Promise<void> {
    this.sublevel = openSublevel(db);
    await this.load();
  }

  private async load(): Promise<void> {
    this.members.clear();
    for await (const [key, value] of this.sublevel.iterator()) {
      const record = parseMemberRecord(safeDecode(value));
      if (record === null || record.nodeId !== key) {
        throw new FlotillaError(ErrorCode.storeCorrupt, `member directory record ${JSON.stringify(key)} is corrupt`);
      }
      this.members.set(key, record);
    }
  }

  get(nodeId: NodeId): MemberRecord | undefined {
    return this.members.get(nodeId);
  }

  list(): MemberRecord[] {
    return [...this.members.values()];
  }

  /** Stages commands into the apply batch; memory follows only on `commit`. */
  stage(batch: LevelBatch, commands: readonly DirectoryCommand[]): StagedDirectoryChanges {
    const next = new Map(this.members);
    for (const command of commands) {
      if (command.type === 'member-put') {
        next.set(command.member.nodeId, command.member);
        batch.put(command.member.nodeId, encode(command.member), { sublevel: this.sublevel });
      } else {
        next.delete(command.nodeId);
        batch.del(command.nodeId, { sublevel: this.sublevel });
      }
    }
    return {
      changed: commands.length > 0,
      commit: () => {
        if (commands.length === 0) return;
        this.members.clear();
        for (const [id, record] of next) this.members.set(id, record);
      },
    };
  }

  /** The directory as snapshot payload. */
  snapshotRecords(): MemberRecord[] {
    return this.list();
  }
}

/** Writes records into a fresh (staging) database, for a snapshot install. */
export async function writeDirectoryRecords(db: RaftDatabase, records: readonly MemberRecord[]): Promise<void> {
  const sublevel = openSublevel(db);
  const batch = db.batch();
  for (const record of records) batch.put(record.nodeId, encode(record), { sublevel });
  await batch.write();
}

function safeDecode(bytes: Uint8Array): unknown {
  try {
    return decode<unknown>(bytes);
  } catch {
    return null;
  }
}
