import { describe, expect, it } from 'vitest';
import { Network, bytes, drain, entriesWithTerms, ofType, singleCore, voters } from './helpers.ts';

const three = voters('n1', 'n2', 'n3');
const small = { snapshotEntriesThreshold: 10, snapshotTrailingEntries: 2, snapshotChunkBytes: 16 };

/** A cluster where n3 misses 30 entries and the leader compacts them away. */
function laggingFollower(): Network {
  const net = new Network(['n1', 'n2', 'n3'], { options: small });
  net.elect('n1');
  net.crash('n3');
  for (let i = 0; i < 30; i += 1) {
    net.propose('n1', `v${i}`);
    net.stabilize();
  }
  net.snapshot('n1');
  return net;
}

describe('log compaction and InstallSnapshot (§7)', () => {
  it('raises snapshotRequested once applied − snapshot index reaches the threshold', () => {
    const net = new Network(['n1'], { options: small });
    net.tickAll(25);
    for (let i = 0; i < 8; i += 1) net.propose('n1', `v${i}`);
    net.stabilize();
    expect(net.node('n1').snapshotsRequested).toBe(0);
    net.propose('n1', 'v8');
    net.stabilize();
    expect(net.node('n1').snapshotsRequested).toBe(1);
  });

  it('compaction trims the log keeping the trailing entries, metadata has term and membership', () => {
    const net = new Network(['n1', 'n2', 'n3'], { options: small });
    net.elect('n1');
    for (let i = 0; i < 10; i += 1) net.propose('n1', `v${i}`);
    net.stabilize();
    const metadata = net.snapshot('n1');
    expect(metadata).toMatchObject({ index: 11, term: 1, membership: three });
    expect(net.core('n1').status().snapshotIndex).toBe(11);
    // Entries 10 and 11 stay (trailing); a follower needing 10 still gets appends, not a snapshot.
    expect(() => net.core('n1').compact(11, 5)).toThrow();
    expect(() => net.core('n1').compact(12, 5)).toThrow();
  });

  it('a lagging follower receives the snapshot in chunks and catches up', () => {
    const net = laggingFollower();
    net.restart('n3');
    net.tickAll(5);
    const chunks = ofType(net.sent, 'install-snapshot');
    const size = chunks[0]?.metadata.sizeBytes ?? 0;
    expect(chunks.length).toBe(Math.ceil(size / 16));
    expect(chunks.map((m) => m.offset)).toEqual(chunks.map((_, i) => i * 16));
    expect(chunks.filter((m) => m.done)).toHaveLength(1);
    expect(net.node('n3').applied).toEqual(net.node('n1').applied);
    expect(net.core('n3').status()).toMatchObject({ snapshotIndex: 31, commitIndex: 31 });
    expect(net.core('n1').status().progress['n3']?.state).toBe('replicate');
    net.propose('n1', 'after');
    net.stabilize();
    expect(net.node('n3').applied.at(-1)).toBe('after');
  });

  it('the core leaves chunk data empty for the driver to fill', () => {
    const net = laggingFollower();
    net.restart('n3');
    net.tickAll(2);
    // Network.sent records messages as the core produced them, before the helper fills the data.
    const chunks = ofType(net.sent, 'install-snapshot');
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.every((m) => m.data.byteLength === 0 && m.length > 0)).toBe(true);
  });

  it('a dropped chunk is resent from the acknowledged offset (resumable transfer)', () => {
    const net = laggingFollower();
    net.restart('n3');
    let dropped = 0;
    net.dropRules.push((m) => m.type === 'install-snapshot' && m.offset === 32 && dropped++ < 2);
    net.tickAll(10);
    const offsets = ofType(net.sent, 'install-snapshot').map((m) => m.offset);
    expect(offsets.filter((offset) => offset === 0)).toHaveLength(1);
    expect(offsets.filter((offset) => offset === 32)).toHaveLength(3);
    expect(net.node('n3').applied).toEqual(net.node('n1').applied);
  });

  it('a chunk at an unexpected offset is answered with the offset the follower expects', () => {
    const metadata = { index: 10, term: 1, membership: three, sizeBytes: 40 };
    const core = singleCore('n3', three);
    const chunk = (offset: number, done = false) =>
      core.step({ type: 'install-snapshot', from: 'n1', to: 'n3', term: 1, metadata, offset, length: 16, data: new Uint8Array(16), done });
    chunk(16);
    expect(ofType(drain(core).messages, 'install-snapshot-response')[0]).toMatchObject({ nextOffset: 0, rejected: true });
    chunk(0);
    let ready = drain(core);
    expect(ready.snapshotChunks.map((c) => c.offset)).toEqual([0]);
    expect(ofType(ready.messages, 'install-snapshot-response')[0]).toMatchObject({ nextOffset: 16, rejected: false });
    chunk(0);
    ready = drain(core);
    expect(ready.snapshotChunks).toEqual([]);
    expect(ofType(ready.messages, 'install-snapshot-response')[0]).toMatchObject({ nextOffset: 16, rejected: true });
    chunk(16);
    core.step({ type: 'install-snapshot', from: 'n1', to: 'n3', term: 1, metadata, offset: 32, length: 8, data: new Uint8Array(8), done: true });
    ready = drain(core);
    expect(ready.snapshotToInstall).toEqual(metadata);
    expect(ready.mustSync).toBe(true);
    expect(core.status()).toMatchObject({ commitIndex: 10, appliedIndex: 10, lastIndex: 10, snapshotIndex: 10 });
  });

  it('a follower that already holds the snapshot entries acknowledges at once', () => {
    const core = singleCore('n2', three, { restore: { hardState: { term: 1, votedFor: null, commitIndex: 2 }, entries: entriesWithTerms([1, 1, 1]) } });
    const metadata = { index: 3, term: 1, membership: three, sizeBytes: 100 };
    core.step({ type: 'install-snapshot', from: 'n1', to: 'n2', term: 1, metadata, offset: 0, length: 16, data: new Uint8Array(16), done: false });
    const ready = drain(core);
    expect(ready.snapshotChunks).toEqual([]);
    expect(ofType(ready.messages, 'install-snapshot-response')[0]).toMatchObject({ nextOffset: 100, rejected: false });
    expect(core.status().commitIndex).toBe(3);
  });

  it('a follower restarts from an installed snapshot', () => {
    const net = laggingFollower();
    net.restart('n3');
    net.tickAll(5);
    net.propose('n1', 'later');
    net.stabilize();
    net.restart('n3');
    expect(net.core('n3').status()).toMatchObject({ snapshotIndex: 31, appliedIndex: 31, lastIndex: 32 });
    net.tickAll(2);
    expect(net.node('n3').applied).toEqual(net.node('n1').applied);
  });

  it('a leader restarts from its own snapshot and trailing log', () => {
    const net = laggingFollower();
    net.crash('n1');
    net.restart('n1');
    expect(net.core('n1').status()).toMatchObject({ snapshotIndex: 31, appliedIndex: 31, lastIndex: 31, commitIndex: 31 });
    net.restart('n3');
    net.tickAll(40);
    expect(net.leaders()).toHaveLength(1);
    net.propose(net.leaders()[0] ?? '', 'z');
    net.stabilize();
    for (const id of ['n1', 'n2', 'n3']) expect(net.node(id).applied.at(-1)).toBe('z');
    net.assertSafety();
  });

  it('compact keeps at most snapshotTrailingEntries before the snapshot index', () => {
    const core = singleCore('n1', voters('n1'), { options: { snapshotTrailingEntries: 3 } });
    for (let i = 0; i < 25 && core.status().role !== 'leader'; i += 1) core.tick();
    drain(core);
    for (let i = 0; i < 9; i += 1) core.propose(bytes(`v${i}`));
    drain(core);
    core.compact(8, 100);
    // Index 5 is the last compacted one: a follower at 5 can still be sent appends from 6.
    expect(core.status()).toMatchObject({ snapshotIndex: 8, lastIndex: 10 });
    core.checkInvariants();
  });
});
