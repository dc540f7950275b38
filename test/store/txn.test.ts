import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../common/index.ts';
import { command, requestOp, type CommandResponse, type TxnResponse } from '../../store/index.ts';
import { bytes, StoreHarness, text } from './helpers.ts';

function txnOf(response: CommandResponse): TxnResponse {
  if (response.type !== 'txn') throw new Error(`expected txn, got ${response.type}`);
  return response.response;
}

describe('txn', () => {
  let harness: StoreHarness;
  beforeEach(async () => {
    harness = await StoreHarness.create();
  });
  afterEach(async () => {
    await harness.destroy();
  });

  it('runs the success branch when a modRevision compare holds (optimistic concurrency)', async () => {
    await harness.run(command.put(bytes('pod'), bytes('v1'))); // revision 2
    const cas = (expectedRevision: number, value: string) =>
      command.txn({
        compare: [{ key: bytes('pod'), rangeEnd: new Uint8Array(0), result: 'equal', target: 'mod', modRevision: expectedRevision }],
        success: [requestOp.put(bytes('pod'), bytes(value))],
        failure: [requestOp.range({ key: bytes('pod') })],
      });
    const first = txnOf(await harness.run(cas(2, 'v2')));
    expect(first.succeeded).toBe(true);
    expect(first.header.revision).toBe(3);
    const stale = txnOf(await harness.run(cas(2, 'v3')));
    expect(stale.succeeded).toBe(false);
    expect(stale.header.revision).toBe(3);
    const read = stale.responses[0];
    expect(read?.type === 'range' && text(read.response.kvs[0]?.value ?? new Uint8Array())).toBe('v2');
    expect(harness.store.revision).toBe(3);
  });

  it('compares a missing key as zeros, except value compares which fail', async () => {
    const create = (target: 'version' | 'value') =>
      command.txn({
        compare: [
          target === 'version'
            ? { key: bytes('new'), rangeEnd: new Uint8Array(0), result: 'equal', target, version: 0 }
            : { key: bytes('new'), rangeEnd: new Uint8Array(0), result: 'equal', target, value: new Uint8Array(0) },
        ],
        success: [requestOp.put(bytes('new'), bytes('x'))],
        failure: [],
      });
    expect(txnOf(await harness.run(create('value'))).succeeded).toBe(false);
    expect(txnOf(await harness.run(create('version'))).succeeded).toBe(true);
    expect(txnOf(await harness.run(create('version'))).succeeded).toBe(false);
  });

  it('evaluates range compares over every key and supports less/greater/notEqual', async () => {
    await harness.run(command.put(bytes('r/a'), bytes('1')));
    await harness.run(command.put(bytes('r/b'), bytes('2')));
    const compareAll = (result: 'less' | 'greater' | 'notEqual', value: string) =>
      command.txn({ compare: [{ key: bytes('r/'), rangeEnd: bytes('r0'), result, target: 'value', value: bytes(value) }], success: [], failure: [] });
    expect(txnOf(await harness.run(compareAll('less', '3'))).succeeded).toBe(true);
    expect(txnOf(await harness.run(compareAll('less', '2'))).succeeded).toBe(false);
    expect(txnOf(await harness.run(compareAll('greater', '0'))).succeeded).toBe(true);
    expect(txnOf(await harness.run(compareAll('notEqual', '1'))).succeeded).toBe(false);
  });

  it('gives all writes of a txn one revision with sub-revisions, and reads see earlier writes', async () => {
    await harness.run(command.put(bytes('gone'), bytes('x')));
    const response = txnOf(
      await harness.run(
        command.txn({
          compare: [],
          success: [
            requestOp.put(bytes('a'), bytes('1')),
            requestOp.put(bytes('b'), bytes('2')),
            requestOp.deleteRange(bytes('gone')),
            requestOp.range({ key: bytes('a'), rangeEnd: bytes('c') }),
          ],
          failure: [],
        }),
      ),
    );
    expect(response.header.revision).toBe(3);
    const read = response.responses[3];
    expect(read?.type === 'range' && read.response.kvs.map((kv) => text(kv.key))).toEqual(['a', 'b']);
    const { kvs } = await harness.store.range({ key: bytes('a'), rangeEnd: bytes('c') });
    expect(kvs.map((kv) => kv.modRevision)).toEqual([3, 3]);
  });

  it('does not bump the revision for a txn without writes', async () => {
    await harness.run(command.put(bytes('a'), bytes('1')));
    const response = txnOf(await harness.run(command.txn({ compare: [], success: [requestOp.range({ key: bytes('a') })], failure: [] })));
    expect(response.header.revision).toBe(2);
    expect(harness.store.revision).toBe(2);
  });

  it('supports nested txns, all compares evaluated before any write', async () => {
    await harness.run(command.put(bytes('flag'), bytes('on')));
    const response = txnOf(
      await harness.run(
        command.txn({
          compare: [{ key: bytes('flag'), rangeEnd: new Uint8Array(0), result: 'equal', target: 'value', value: bytes('on') }],
          success: [
            requestOp.put(bytes('flag'), bytes('off')),
            requestOp.txn({
              // Sees the state before the outer put: flag is still "on".
              compare: [{ key: bytes('flag'), rangeEnd: new Uint8Array(0), result: 'equal', target: 'value', value: bytes('on') }],
              success: [requestOp.put(bytes('inner'), bytes('yes'))],
              failure: [requestOp.put(bytes('inner'), bytes('no'))],
            }),
          ],
          failure: [],
        }),
      ),
    );
    expect(response.succeeded).toBe(true);
    const nested = response.responses[1];
    expect(nested?.type === 'txn' && nested.response.succeeded).toBe(true);
    const { kvs } = await harness.store.range({ key: bytes('inner') });
    expect(text(kvs[0]?.value ?? new Uint8Array())).toBe('yes');
  });

  it('refuses duplicate keys and unknown leases without any effect', async () => {
    await harness.run(command.put(bytes('a'), bytes('1')));
    await harness.expectRefused(
      command.txn({ compare: [], success: [requestOp.put(bytes('x'), bytes('1')), requestOp.put(bytes('x'), bytes('2'))], failure: [] }),
      ErrorCode.invalidArgument,
    );
    await harness.expectRefused(
      command.txn({ compare: [], success: [requestOp.deleteRange(bytes('a'), bytes('z')), requestOp.put(bytes('b'), bytes('2'))], failure: [] }),
      ErrorCode.invalidArgument,
    );
    await harness.expectRefused(
      command.txn({ compare: [], success: [requestOp.put(bytes('y'), bytes('1')), requestOp.put(bytes('z'), bytes('2'), { lease: 77 })], failure: [] }),
      ErrorCode.storeLeaseNotFound,
    );
    expect(harness.store.revision).toBe(2);
    expect((await harness.store.range({ key: bytes('a'), rangeEnd: new Uint8Array([0]) })).count).toBe(1);
  });

  it('refuses a range at a compacted or future revision inside a txn', async () => {
    await harness.run(command.put(bytes('a'), bytes('1')));
    await harness.run(command.put(bytes('a'), bytes('2')));
    await harness.run(command.compact(3));
    await harness.expectRefused(command.txn({ compare: [], success: [requestOp.range({ key: bytes('a'), revision: 2 })], failure: [] }), ErrorCode.storeCompacted);
    await harness.expectRefused(command.txn({ compare: [], success: [requestOp.range({ key: bytes('a'), revision: 9 })], failure: [] }), ErrorCode.storeFutureRevision);
  });
});
