import { connect } from 'node:http2';
import { status as GrpcStatus, type ClientDuplexStream } from '@grpc/grpc-js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { describeRealClients } from './etcd-api-clients.ts';
import { bytes, eventually, startHarness, type Harness } from './etcd-api-harness.ts';
import { ReferenceBackend } from './reference-backend.ts';

/**
 * The API mapping layer, driven over real gRPC against the in-memory reference backend: wire
 * shapes, etcd's validation and error statuses, and the Watch / LeaseKeepAlive stream protocols.
 */

interface WatchResponse {
  watch_id: string;
  created: boolean;
  canceled: boolean;
  compact_revision: string;
  cancel_reason: string;
  header: { revision: string };
  events: { type: string; kv: { key: Buffer; value: Buffer; mod_revision: string }; prev_kv: { value: Buffer } | null }[];
}

let backend: ReferenceBackend;
let harness: Harness;

beforeEach(async () => {
  backend = new ReferenceBackend();
  harness = await startHarness(backend, { progressRequestWaitMs: 1_000 });
});

afterEach(async () => {
  await harness.close();
});

const put = (key: string, value: string, extra: object = {}) => harness.raw.call('KV', 'Put', { key: bytes(key), value: bytes(value), ...extra });

describe('KV', () => {
  it('fills the header with cluster, member, revision and term', async () => {
    const response = await put('a', '1');
    expect(response['header']).toEqual({ cluster_id: String(0xfeedbeefcafef00dn), member_id: String(0xabcdef), revision: '2', raft_term: '7' });
  });

  it('range: linearizable by default, serializable when asked', async () => {
    await put('a', '1');
    await harness.raw.call('KV', 'Range', { key: bytes('a') });
    await harness.raw.call('KV', 'Range', { key: bytes('a'), serializable: true });
    expect(backend.calls.filter((call) => call.method === 'range').map((call) => call.serializable)).toEqual([false, true]);
  });

  it('range: prefix, limit, count_only, keys_only, descending', async () => {
    for (const key of ['p/a', 'p/b', 'p/c', 'q']) await put(key, `v-${key}`);
    const limited = await harness.raw.call<{ kvs: { key: Buffer }[]; more: boolean; count: string }>('KV', 'Range', {
      key: bytes('p/'),
      range_end: bytes('p0'),
      limit: 2,
      sort_order: 'DESCEND',
    });
    expect(limited.kvs.map((kv) => kv.key.toString())).toEqual(['p/c', 'p/b']);
    expect(limited.more).toBe(true);
    expect(limited.count).toBe('3');
    const counted = await harness.raw.call<{ kvs: unknown[]; count: string }>('KV', 'Range', { key: bytes('\0'), range_end: bytes('\0'), count_only: true });
    expect(counted).toMatchObject({ kvs: [], count: '4' });
    const keysOnly = await harness.raw.call<{ kvs: { value: Buffer }[] }>('KV', 'Range', { key: bytes('q'), keys_only: true });
    expect(keysOnly.kvs[0]?.value.length).toBe(0);
  });

  it('txn: nested responses carry only the revision in their header, as etcd', async () => {
    await put('t', 'x');
    const response = await harness.raw.call<{ succeeded: boolean; responses: { response_range?: { header: object } }[] }>('KV', 'Txn', {
      compare: [{ key: bytes('t'), target: 'VALUE', result: 'EQUAL', value: bytes('x') }],
      success: [{ request_range: { key: bytes('t') } }],
    });
    expect(response.succeeded).toBe(true);
    expect(response.responses[0]?.response_range?.header).toEqual({ cluster_id: '0', member_id: '0', revision: '2', raft_term: '0' });
  });

  it('put with prev_kv returns the previous pair', async () => {
    await put('k', 'old');
    const response = await harness.raw.call<{ prev_kv: { value: Buffer } }>('KV', 'Put', { key: bytes('k'), value: bytes('new'), prev_kv: true });
    expect(response.prev_kv.value.toString()).toBe('old');
  });
});

describe('errors: etcd statuses and messages', () => {
  const cases: [string, () => Promise<unknown>, number, string][] = [
    ['empty key', () => harness.raw.callError('KV', 'Put', { key: bytes(''), value: bytes('v') }), GrpcStatus.INVALID_ARGUMENT, 'etcdserver: key is not provided'],
    ['empty range key', () => harness.raw.callError('KV', 'Range', {}), GrpcStatus.INVALID_ARGUMENT, 'etcdserver: key is not provided'],
    [
      'key over the limit',
      () => harness.raw.callError('KV', 'Put', { key: Buffer.alloc(1537, 'k'), value: bytes('v') }),
      GrpcStatus.INVALID_ARGUMENT,
      'etcdserver: key is too large (1537 bytes, limit 1536)',
    ],
    [
      'value over the request limit (below the gRPC limit)',
      () => harness.raw.callError('KV', 'Put', { key: bytes('k'), value: Buffer.alloc(1.5 * 1024 * 1024 + 10) }),
      GrpcStatus.INVALID_ARGUMENT,
      'etcdserver: request is too large',
    ],
    ['ignore_value with a value', () => harness.raw.callError('KV', 'Put', { key: bytes('k'), value: bytes('v'), ignore_value: true }), GrpcStatus.INVALID_ARGUMENT, 'etcdserver: value is provided'],
    ['ignore_lease with a lease', () => harness.raw.callError('KV', 'Put', { key: bytes('k'), lease: 5, ignore_lease: true }), GrpcStatus.INVALID_ARGUMENT, 'etcdserver: lease is provided'],
    ['put with an unknown lease', () => harness.raw.callError('KV', 'Put', { key: bytes('k'), lease: 999 }), GrpcStatus.NOT_FOUND, 'etcdserver: requested lease not found'],
    ['put with a lease ID beyond 2^53', () => harness.raw.callError('KV', 'Put', { key: bytes('k'), lease: '9007199254740993' }), GrpcStatus.NOT_FOUND, 'etcdserver: requested lease not found'],
    ['future revision', () => harness.raw.callError('KV', 'Range', { key: bytes('k'), revision: 50 }), GrpcStatus.OUT_OF_RANGE, 'etcdserver: mvcc: required revision is a future revision'],
    [
      'too many txn ops',
      () => harness.raw.callError('KV', 'Txn', { success: Array.from({ length: 129 }, (_, i) => ({ request_put: { key: bytes(`k${i}`) } })) }),
      GrpcStatus.INVALID_ARGUMENT,
      'etcdserver: too many operations in txn request',
    ],
    [
      'duplicate key in a txn branch',
      () => harness.raw.callError('KV', 'Txn', { success: [{ request_put: { key: bytes('d') } }, { request_put: { key: bytes('d') } }] }),
      GrpcStatus.INVALID_ARGUMENT,
      'etcdserver: duplicate key given in txn request',
    ],
    [
      'put inside a deleted range in a txn branch',
      () =>
        harness.raw.callError('KV', 'Txn', {
          success: [{ request_delete_range: { key: bytes('a'), range_end: bytes('z') } }, { request_put: { key: bytes('m') } }],
        }),
      GrpcStatus.INVALID_ARGUMENT,
      'etcdserver: duplicate key given in txn request',
    ],
    ['revoke an unknown lease', () => harness.raw.callError('Lease', 'LeaseRevoke', { ID: 77 }), GrpcStatus.NOT_FOUND, 'etcdserver: requested lease not found'],
    ['lease TTL too large', () => harness.raw.callError('Lease', 'LeaseGrant', { TTL: '9000000001' }), GrpcStatus.OUT_OF_RANGE, 'etcdserver: too large lease TTL'],
    ['remove an unknown member', () => harness.raw.callError('Cluster', 'MemberRemove', { ID: 5 }), GrpcStatus.NOT_FOUND, 'etcdserver: member not found'],
    ['add a member with a bad URL', () => harness.raw.callError('Cluster', 'MemberAdd', { peerURLs: ['ftp://x'] }), GrpcStatus.INVALID_ARGUMENT, 'etcdserver: given member URLs are invalid'],
    ['promote a voter', () => harness.raw.callError('Cluster', 'MemberPromote', { ID: 0xabcdef }), GrpcStatus.FAILED_PRECONDITION, 'etcdserver: can only promote a learner member'],
  ];

  it.each(cases)('%s', async (_name, run, code, message) => {
    const error = (await run()) as { code: number; details: string };
    expect({ code: error.code, details: error.details }).toEqual({ code, details: message });
  });

  it('compacted revision', async () => {
    await put('c', '1');
    await put('c', '2');
    await harness.raw.call('KV', 'Compact', { revision: 3 });
    const error = await harness.raw.callError('KV', 'Range', { key: bytes('c'), revision: 2 });
    expect([error.code, error.details]).toEqual([GrpcStatus.OUT_OF_RANGE, 'etcdserver: mvcc: required revision has been compacted']);
  });

  it('a message over the gRPC limit is refused before decoding, and the server keeps serving', async () => {
    const error = await harness.raw.callError('KV', 'Put', { key: bytes('k'), value: Buffer.alloc(2 * 1024 * 1024 + 1) });
    expect(error.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    expect(error.details).toMatch(/larger than max/);
    await put('after', 'ok');
  });

  it('an unknown method answers UNIMPLEMENTED', async () => {
    const error = await rawHttp2Call(harness.endpoint, '/etcdserverpb.Maintenance/Defragment', Buffer.from([0, 0, 0, 0, 0]));
    expect(error.status).toBe(String(GrpcStatus.UNIMPLEMENTED));
  });

  it('a malformed frame gets an error status, and the server keeps serving', async () => {
    // Field 1 (key) declared as 100 bytes long with only 3 present: not decodable protobuf.
    const garbage = Buffer.from([0x0a, 0x64, 0x61, 0x62, 0x63]);
    const frame = Buffer.concat([Buffer.from([0, 0, 0, 0, garbage.length]), garbage]);
    const answer = await rawHttp2Call(harness.endpoint, '/etcdserverpb.KV/Put', frame);
    expect(answer.status).not.toBe(String(GrpcStatus.OK));
    expect(answer.message).not.toBe('');
    await put('after', 'ok');
  });
});

/** One gRPC call over a bare HTTP/2 session, so that tests can send bytes no client would. */
function rawHttp2Call(endpoint: string, path: string, body: Buffer): Promise<{ status: string; message: string }> {
  return new Promise((resolve, reject) => {
    const session = connect(`http://${endpoint}`);
    session.on('error', reject);
    const request = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers' });
    let status = '';
    let message = '';
    const record = (headers: Record<string, unknown>): void => {
      if (headers['grpc-status'] !== undefined) status = String(headers['grpc-status']);
      if (headers['grpc-message'] !== undefined) message = decodeURIComponent(String(headers['grpc-message']));
    };
    request.on('response', record);
    request.on('trailers', record);
    request.on('data', () => undefined);
    request.on('close', () => {
      session.close();
      resolve({ status, message });
    });
    request.end(body);
  });
}

describe('Watch stream protocol', () => {
  let stream: ClientDuplexStream<object, WatchResponse>;
  let responses: WatchResponse[];

  beforeEach(() => {
    const client = harness.raw.client('Watch') as unknown as { Watch(): ClientDuplexStream<object, WatchResponse> };
    stream = client.Watch();
    responses = [];
    stream.on('data', (response: WatchResponse) => responses.push(response));
    stream.on('error', () => undefined);
  });

  afterEach(() => {
    stream.cancel();
  });

  const waitFor = (count: number) => eventually(() => responses.length >= count, 5_000, `${count} watch responses`);

  it('created comes first with auto IDs from 0, then events; cancel is acknowledged', async () => {
    stream.write({ create_request: { key: bytes('w') } });
    stream.write({ create_request: { key: bytes('w'), prev_kv: true } });
    await waitFor(2);
    expect(responses.map((r) => [r.watch_id, r.created])).toEqual([['0', true], ['1', true]]);
    await put('w', 'a');
    await put('w', 'b');
    await waitFor(6);
    const events = responses.slice(2).map((r) => [r.watch_id, r.events[0]?.kv.value.toString(), r.events[0]?.prev_kv?.value.toString() ?? null]);
    expect(events).toEqual([['0', 'a', null], ['1', 'a', null], ['0', 'b', null], ['1', 'b', 'a']]);
    stream.write({ cancel_request: { watch_id: 0 } });
    await waitFor(7);
    expect(responses[6]).toMatchObject({ watch_id: '0', canceled: true });
  });

  it('a watch from an old revision replays history after created', async () => {
    await put('h', '1');
    await put('h', '2');
    stream.write({ create_request: { key: bytes('h'), start_revision: 2 } });
    await waitFor(3);
    expect(responses[0]?.created).toBe(true);
    expect(responses.slice(1).map((r) => r.events[0]?.kv.value.toString())).toEqual(['1', '2']);
  });

  it('refused creates: duplicate ID, empty range — created+canceled with watch_id -1 and etcd\'s reason', async () => {
    stream.write({ create_request: { key: bytes('x'), watch_id: 7 } });
    stream.write({ create_request: { key: bytes('x'), watch_id: 7 } });
    stream.write({ create_request: { key: bytes('z'), range_end: bytes('a') } });
    await waitFor(3);
    expect(responses.map((r) => [r.watch_id, r.created, r.canceled, r.cancel_reason])).toEqual([
      ['7', true, false, ''],
      ['-1', true, true, 'mvcc: duplicate watch ID provided on the WatchStream'],
      ['-1', true, true, 'mvcc: watcher range is empty'],
    ]);
  });

  it('a compacted start revision: created, then canceled with compact_revision', async () => {
    await put('c', '1');
    await put('c', '2');
    await put('c', '3');
    await harness.raw.call('KV', 'Compact', { revision: 3 });
    stream.write({ create_request: { key: bytes('c'), start_revision: 2 } });
    await waitFor(2);
    expect(responses.map((r) => [r.watch_id, r.created, r.canceled, r.compact_revision])).toEqual([
      ['0', true, false, '0'],
      ['0', false, true, '3'],
    ]);
  });

  it('filters drop puts or deletes server-side', async () => {
    stream.write({ create_request: { key: bytes('f'), filters: ['NOPUT'] } });
    await waitFor(1);
    await put('f', '1');
    await harness.raw.call('KV', 'DeleteRange', { key: bytes('f') });
    await waitFor(2);
    expect(responses[1]?.events.map((event) => event.type)).toEqual(['DELETE']);
  });

  it('a progress request is answered with watch_id -1 and the synced revision', async () => {
    await put('p', '1');
    stream.write({ create_request: { key: bytes('p') } });
    await waitFor(1);
    stream.write({ progress_request: {} });
    await waitFor(2);
    expect(responses[1]).toMatchObject({ watch_id: '-1', created: false, canceled: false, events: [] });
    expect(responses[1]?.header.revision).toBe('2');
  });

  it('a watcher the backend cuts off is canceled with the reason', async () => {
    stream.write({ create_request: { key: bytes('s') } });
    await waitFor(1);
    backend.closeAllWatchers('flotilla: watcher fell behind');
    await waitFor(2);
    expect(responses[1]).toMatchObject({ watch_id: '0', canceled: true, cancel_reason: 'flotilla: watcher fell behind' });
  });
});

describe('Watch stream limits and periodic progress', () => {
  let limited: Harness;
  let limitedBackend: ReferenceBackend;

  beforeEach(async () => {
    limitedBackend = new ReferenceBackend();
    limited = await startHarness(limitedBackend, { progressNotifyIntervalMs: 100, watchStreamQueuedResponsesMax: 4 });
  });

  afterEach(async () => {
    await limited.close();
  });

  const openWatch = () => {
    const client = limited.raw.client('Watch') as unknown as { Watch(): ClientDuplexStream<object, WatchResponse> };
    return client.Watch();
  };

  it('progress_notify: an idle watcher hears its revision periodically', async () => {
    const stream = openWatch();
    const responses: WatchResponse[] = [];
    stream.on('data', (response: WatchResponse) => responses.push(response));
    stream.on('error', () => undefined);
    stream.write({ create_request: { key: bytes('idle'), progress_notify: true } });
    await eventually(() => responses.length >= 2, 3_000, 'a progress notification');
    expect(responses[1]).toMatchObject({ watch_id: '0', created: false, canceled: false, events: [] });
    stream.cancel();
  });

  it('a client that stops reading is cut off with UNAVAILABLE instead of buffering without bound', async () => {
    const stream = openWatch();
    let failure: { code: number; details: string } | null = null;
    stream.on('error', (error: { code: number; details: string }) => (failure = error));
    let created = false;
    stream.once('data', () => {
      created = true;
      stream.pause();
    });
    stream.write({ create_request: { key: bytes('big') } });
    await eventually(() => created, 3_000, 'the watch to be created');
    const value = Buffer.alloc(256 * 1024, 1);
    for (let i = 0; i < 40 && failure === null; i += 1) {
      await limited.raw.call('KV', 'Put', { key: bytes('big'), value });
    }
    stream.resume();
    stream.on('data', () => undefined);
    await eventually(() => failure !== null, 5_000, 'the stream to be cut off');
    expect(failure).toMatchObject({ code: GrpcStatus.UNAVAILABLE, details: 'etcdserver: watch stream fell behind; resume from the last received revision' });
  });
});

describe('LeaseKeepAlive stream', () => {
  it('answers in order; an unknown lease gets TTL 0', async () => {
    const granted = await harness.raw.call<{ ID: string; TTL: string }>('Lease', 'LeaseGrant', { TTL: 30 });
    const client = harness.raw.client('Lease') as unknown as { LeaseKeepAlive(): ClientDuplexStream<object, { ID: string; TTL: string }> };
    const stream = client.LeaseKeepAlive();
    const answers: [string, string][] = [];
    stream.on('data', (response: { ID: string; TTL: string }) => answers.push([response.ID, response.TTL]));
    stream.write({ ID: granted.ID });
    stream.write({ ID: 424242 });
    stream.write({ ID: granted.ID });
    await eventually(() => answers.length === 3, 5_000, 'keep-alive answers');
    expect(answers).toEqual([[granted.ID, '30'], ['424242', '0'], [granted.ID, '30']]);
    stream.end();
  });

  it('time-to-live of an unknown lease is TTL -1, as etcd', async () => {
    const response = await harness.raw.call<{ TTL: string }>('Lease', 'LeaseTimeToLive', { ID: 99 });
    expect(response.TTL).toBe('-1');
  });
});

describe('Cluster and Maintenance', () => {
  it('member add, promote, remove', async () => {
    const added = await harness.raw.call<{ member: { ID: string; isLearner: boolean }; members: unknown[] }>('Cluster', 'MemberAdd', {
      peerURLs: ['http://10.0.0.2:2380'],
      isLearner: true,
    });
    expect(added.member.isLearner).toBe(true);
    expect(BigInt(added.member.ID)).toBeGreaterThan(2n ** 53n);
    expect(added.members).toHaveLength(2);
    await harness.raw.call('Cluster', 'MemberPromote', { ID: added.member.ID });
    const removed = await harness.raw.call<{ members: unknown[] }>('Cluster', 'MemberRemove', { ID: added.member.ID });
    expect(removed.members).toHaveLength(1);
  });

  it('status and an empty alarm list', async () => {
    const status = await harness.raw.call<{ version: string; leader: string; raftIndex: string }>('Maintenance', 'Status', {});
    expect(status).toMatchObject({ version: '3.4.0', leader: String(0xabcdef), raftIndex: '42' });
    expect(await harness.raw.call('Maintenance', 'Alarm', {})).toMatchObject({ alarms: [] });
  });
});

describe('shutdown', () => {
  let extra: Harness;
  beforeAll(async () => {
    extra = await startHarness(new ReferenceBackend());
  });
  afterAll(async () => {
    await extra.close();
  });

  it('close() ends open watch streams', async () => {
    const client = extra.raw.client('Watch') as unknown as { Watch(): ClientDuplexStream<object, WatchResponse> };
    const stream = client.Watch();
    let ended = false;
    stream.on('data', () => undefined);
    stream.on('error', () => (ended = true));
    stream.on('end', () => (ended = true));
    stream.write({ create_request: { key: bytes('x') } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await extra.server.close({ graceMs: 500 });
    await eventually(() => ended, 3_000, 'the watch stream to end');
  });
});

describeRealClients('reference backend', async () => ({ backend: new ReferenceBackend(), close: async () => undefined }));
