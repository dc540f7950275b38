import { fc, test as propertyTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { decode, encode } from '../../common/index.ts';
import {
  clusterNameProblem, decodeConfigChange, decodeEventsRecordRequest, decodeExecOpenRequest, decodeLeaseRenewRequest, decodeLogOpenRequest, decodePodEvent,
  decodePodsStatusRequest, decodeReply, decodeStreamFrame, encodeMessage, failureReply, okReply, parseNatsSettings, ProtocolError, ProtocolLimits,
  protocolVersion, readPodsListResult, SequenceTracker, Subjects,
} from '../../control-plane/nats/index.ts';

describe('subjects', () => {
  const subjects = new Subjects('home');

  it('puts everything under flotilla.<cluster>, with a node name as one token', () => {
    expect(subjects.operation('pods.status')).toBe('flotilla.home.api.pods.status');
    expect(subjects.allOperations()).toBe('flotilla.home.api.>');
    expect(subjects.nodePods('worker-1.home.lan')).toBe('flotilla.home.node.worker-1_home_lan.pods');
    expect(subjects.nodeLogs('w')).toBe('flotilla.home.node.w.logs');
    expect(subjects.configChanges()).toBe('flotilla.home.config');
  });

  it('knows the operation of a request subject, and refuses unknown ones', () => {
    expect(subjects.operationOf('flotilla.home.api.lease.renew')).toBe('lease.renew');
    expect(subjects.operationOf('flotilla.home.api.lease.steal')).toBeNull();
    expect(subjects.operationOf('flotilla.other.api.lease.renew')).toBeNull();
  });

  it('refuses a cluster name that cannot be a subject token', () => {
    expect(clusterNameProblem('home-lab_2')).toBeNull();
    expect(clusterNameProblem('home.lab')).toContain('NATS subject token');
    expect(() => new Subjects('a b')).toThrow(/cluster name/);
  });
});

describe('message codecs', () => {
  it('round-trips requests through msgpack with their version', () => {
    const lease = { version: protocolVersion, nodeName: 'w', renewTime: '2026-01-01T00:00:00.000000Z', leaseDurationSeconds: 40 };
    expect(decodeLeaseRenewRequest(encodeMessage(lease))).toEqual(lease);
    const status = { version: protocolVersion, nodeName: 'w', updates: [{ namespace: 'default', name: 'p', uid: 'u', status: { phase: 'Running' }, hostPorts: { 8080: 31000 } }] };
    expect(decodePodsStatusRequest(encodeMessage(status))).toEqual({ ...status, updates: [{ ...status.updates[0], hostPorts: { '8080': 31000 } }] });
    const events = { version: protocolVersion, nodeName: 'w', events: [{ name: 'p.1', namespace: 'default', involvedObject: { kind: 'Pod', apiVersion: 'v1', namespace: 'default', name: 'p', uid: 'u', fieldPath: '' }, type: 'Normal', reason: 'Started', message: 'Started container web', count: 2, firstTimestamp: 't', lastTimestamp: 't' }] };
    expect(decodeEventsRecordRequest(encodeMessage(events))).toEqual(events);
  });

  it('names the field that is wrong, and where', () => {
    const bad = encodeMessage({ version: protocolVersion, nodeName: 'w', updates: [{ namespace: 'default', name: 'p', uid: 7, status: {}, hostPorts: {} }] });
    expect(() => decodePodsStatusRequest(bad)).toThrow(new ProtocolError('pods.status: updates[0]: uid must be a string, got number'));
    expect(() => decodeLeaseRenewRequest(encodeMessage({ version: protocolVersion, nodeName: 'w', renewTime: 't', leaseDurationSeconds: 0 }))).toThrow(/leaseDurationSeconds must be a whole number from 1 to 3600/);
    expect(() => decodeLeaseRenewRequest(encode(['not', 'a', 'map']))).toThrow(/expected a msgpack map, got a list/);
    expect(() => decodeLeaseRenewRequest(new Uint8Array([0x81]))).toThrow(/not msgpack/);
  });

  it('refuses another protocol version, saying which side to upgrade', () => {
    expect(() => decodeLeaseRenewRequest(encodeMessage({ version: 2, nodeName: 'w' }))).toThrow(/protocol version 2 is not spoken here \(this side speaks 1\); upgrade the older side/);
    expect(() => decodeLeaseRenewRequest(encodeMessage({ nodeName: 'w' }))).toThrow(/protocol version undefined/);
  });

  it('bounds lists and whole messages', () => {
    const pods = Array.from({ length: ProtocolLimits.podsPerListPageMax + 1 }, () => ({}));
    const reply = okReply({ revision: 1, pods, continueAfter: '' });
    expect(() => decodeReply(reply, 'pods.list', readPodsListResult)).toThrow(/pods has 101 entries; at most 100 are allowed/);
    expect(() => encodeMessage({ version: 1, blob: 'x'.repeat(ProtocolLimits.messageBytesMax) })).toThrow(/send it in smaller batches/);
  });

  it('decodes failures as code, reason and message', () => {
    expect(decodeReply(failureReply({ code: 404, reason: 'NotFound', message: 'nodes "x" not found' }), 'node.status', () => ({}))).toEqual({ ok: false, error: { code: 404, reason: 'NotFound', message: 'nodes "x" not found' } });
    expect(decodeReply(okReply({}), 'lease.renew', () => ({ done: true }))).toEqual({ ok: true, result: { done: true } });
  });

  it('decodes pod events and config notices, progress included', () => {
    expect(decodePodEvent(encodeMessage({ version: 1, kind: 'progress', epoch: 'e', sequence: 4, revision: 10, since: 2 }))).toEqual({ version: 1, kind: 'progress', epoch: 'e', sequence: 4, revision: 10, since: 2 });
    expect(decodePodEvent(encodeMessage({ version: 1, kind: 'change', type: 'deleted', epoch: 'e', sequence: 5, revision: 11, since: 2, pod: { metadata: { name: 'p' } } }))).toMatchObject({ type: 'deleted', pod: { metadata: { name: 'p' } } });
    expect(() => decodePodEvent(encodeMessage({ version: 1, kind: 'change', type: 'moved', epoch: 'e', sequence: 5, revision: 11, since: 2, pod: {} }))).toThrow(/type must be one of added, updated, deleted/);
    expect(() => decodePodEvent(encodeMessage({ version: 1, kind: 'progress', epoch: 'e', sequence: 4, revision: 10 }))).toThrow(/since must be a whole number/);
    expect(decodeConfigChange(encodeMessage({ version: 1, kind: 'change', objectKind: 'Secret', namespace: 'n', name: 's', epoch: 'e', sequence: 1, revision: 3, since: 1 }))).toMatchObject({ objectKind: 'Secret', name: 's' });
  });

  it('decodes stream openings and frames, refusing oversized data', () => {
    const subjects = { toControlPlane: '_INBOX.a', toAgent: '_INBOX.b' };
    expect(decodeLogOpenRequest(encodeMessage({ version: 1, namespace: 'n', name: 'p', uid: 'u', container: 'c', follow: true, previous: false, tailLines: -1, subjects, windowChunks: 16 }))).toMatchObject({ follow: true, tailLines: -1, subjects });
    expect(decodeExecOpenRequest(encodeMessage({ version: 1, namespace: 'n', name: 'p', uid: 'u', container: 'c', command: ['sh', '-c', 'id'], stdin: true, tty: false, subjects, windowChunks: 16 })).command).toEqual(['sh', '-c', 'id']);
    const frame = decodeStreamFrame(encodeMessage({ version: 1, sequence: 1, kind: 'data', channel: 2, data: new Uint8Array([104, 105]) }));
    expect(frame).toMatchObject({ version: 1, sequence: 1, kind: 'data', channel: 2 });
    expect(frame.kind === 'data' ? Array.from(frame.data) : []).toEqual([104, 105]);
    expect(() => decodeStreamFrame(encodeMessage({ version: 1, sequence: 1, kind: 'data', channel: 1, data: new Uint8Array(64 * 1024) }))).toThrow(/at most 32768/);
    expect(() => decodeStreamFrame(encodeMessage({ version: 1, sequence: 0, kind: 'keepalive' }))).toThrow(/sequence must be a whole number from 1/);
  });

  it('uses common/codec: any msgpack reader can read a message', () => {
    expect(decode(encodeMessage({ version: 1, nodeName: 'w' }))).toEqual({ version: 1, nodeName: 'w' });
  });
});

describe('SequenceTracker (the gap and epoch detector)', () => {
  it('takes the first message as the baseline, then wants consecutive numbers', () => {
    const tracker = new SequenceTracker();
    expect(tracker.observe('a', 7)).toBe('first');
    expect(tracker.observe('a', 8)).toBe('next');
    expect(tracker.observe('a', 8)).toBe('stale');
    expect(tracker.observe('a', 10)).toBe('gap');
    expect(tracker.observe('a', 11)).toBe('next');
    expect(tracker.observe('b', 1)).toBe('newEpoch');
    expect(tracker.observe('b', 2)).toBe('next');
    tracker.reset();
    expect(tracker.observe('b', 9)).toBe('first');
    expect(SequenceTracker.needsRelist('gap') && SequenceTracker.needsRelist('newEpoch') && !SequenceTracker.needsRelist('next')).toBe(true);
  });

  propertyTest.prop([fc.array(fc.boolean(), { minLength: 2, maxLength: 200 })])('asks for a re-list exactly when a message was lost', (delivered) => {
    const tracker = new SequenceTracker();
    let lostSinceLastSeen = false;
    let seenAny = false;
    delivered.forEach((isDelivered, index) => {
      if (!isDelivered) {
        lostSinceLastSeen = seenAny;
        return;
      }
      const verdict = tracker.observe('epoch', index + 1);
      expect(SequenceTracker.needsRelist(verdict)).toBe(lostSinceLastSeen);
      lostSinceLastSeen = false;
      seenAny = true;
    });
  });
});

describe('NATS flags', () => {
  it('accepts servers, credentials and TLS files', () => {
    const problems: string[] = [];
    expect(parseNatsSettings({ nats: 'nats://10.0.0.1:4222, 10.0.0.2:4222', natsUser: 'agent', natsPassword: 'pw', natsTlsCa: '/ca.pem', clusterName: 'lab' }, problems)).toEqual({
      servers: ['nats://10.0.0.1:4222', '10.0.0.2:4222'], clusterName: 'lab', user: 'agent', password: 'pw', tls: { caFile: '/ca.pem' },
    });
    expect(problems).toEqual([]);
  });

  it('lists every problem with what to do', () => {
    const problems: string[] = [];
    expect(parseNatsSettings({ nats: 'http://x', natsPassword: 'pw', natsNkeySeedFile: '/seed', natsUser: 'u', natsTlsCert: '/c.pem', clusterName: 'a.b' }, problems)).not.toBeNull();
    expect(problems).toEqual([
      '--cluster-name: "a.b" must be 1-63 letters, digits, "_" or "-" (it becomes a NATS subject token)',
      '--nats: expected HOST:PORT or nats://HOST:PORT (comma-separated for a NATS cluster), got "http://x"',
      'use either --nats-user/--nats-password or --nats-nkey-seed-file, not both',
      '--nats-tls-cert and --nats-tls-key go together (a client certificate needs its key)',
    ]);
    const without: string[] = [];
    expect(parseNatsSettings({ natsUser: 'u' }, without)).toBeNull();
    expect(without).toEqual(['NATS credentials or TLS files were given without --nats URL[,URL]']);
  });
});
