/** The pure pieces of joining and of `flotilla status`'s quorum lines. */
import { describe, expect, it } from 'vitest';
import { decodeJoinToken, encodeJoinToken, JoinTokenError, quorumLines, quorumOf } from '../../control-plane/index.ts';
import { JoinHttpError, JoinServiceLimits, SecretGate } from '../../control-plane/server/join/join-http.ts';
import { mergeContribution, type JoinRecordContribution } from '../../control-plane/server/join/join-record.ts';

const token = { endpoints: ['10.0.0.1:6444', '10.0.0.2:6444'], caSha256: 'ab'.repeat(32), secret: 'S'.repeat(43) };

describe('join token', () => {
  it('round-trips and names what is wrong with a bad one', () => {
    expect(decodeJoinToken(`  ${encodeJoinToken(token)}\n`)).toEqual(token);
    const bad = (text: string) => () => decodeJoinToken(text);
    expect(bad('hello')).toThrow(/starts with "flotilla-join-v1\."/);
    expect(bad('flotilla-join-v1.abc def')).toThrow(/not base64url/);
    expect(bad(encodeJoinToken(token).slice(0, 40))).toThrow(JoinTokenError);
    expect(bad(encodeJoinToken({ ...token, caSha256: 'xyz' }))).toThrow(/CA fingerprint/);
    expect(bad(encodeJoinToken({ ...token, endpoints: [] }))).toThrow(/endpoints/);
    expect(bad(encodeJoinToken({ ...token, secret: 'short' }))).toThrow(/secret/);
  });
});

describe('join record merge', () => {
  const mine: JoinRecordContribution = { memberName: 'cp2', endpoint: '10.0.0.2:6444', natsUrls: ['nats://10.0.0.2:4222'], natsUser: 'u', natsPassword: 'p', clusterName: 'flotilla' };

  it('creates the record with a fresh secret, then adds each server once', () => {
    const created = mergeContribution(null, { ...mine, memberName: 'cp1', endpoint: '10.0.0.1:6444', natsUrls: ['nats://10.0.0.1:4222'] }, () => 'secret-1');
    expect(created).toMatchObject({ secret: 'secret-1', endpoints: { cp1: '10.0.0.1:6444' }, natsUser: 'u' });
    const merged = mergeContribution(created, mine, () => 'never');
    expect(merged?.secret).toBe('secret-1');
    expect(merged?.endpoints).toEqual({ cp1: '10.0.0.1:6444', cp2: '10.0.0.2:6444' });
    expect(merged?.natsUrls).toEqual(['nats://10.0.0.1:4222', 'nats://10.0.0.2:4222']);
    expect(mergeContribution(merged, mine, () => 'never')).toBeNull();
  });
});

describe('the join secret gate', () => {
  it('accepts the secret, refuses others, and shuts after too many wrong ones until the window ends', () => {
    let now = 1_000;
    const gate = new SecretGate({ nowMs: () => now });
    gate.check('Bearer right', 'right');
    const statusOf = (header: string | undefined): number => {
      try {
        gate.check(header, 'right');
        return 200;
      } catch (error) {
        return (error as JoinHttpError).status;
      }
    };
    for (let attempt = 0; attempt < JoinServiceLimits.failedAuthenticationsMax; attempt++) expect(statusOf('Bearer wrong')).toBe(401);
    expect(statusOf(undefined)).toBe(429);
    expect(statusOf('Bearer right')).toBe(429);
    now += JoinServiceLimits.failedAuthenticationWindowMs;
    expect(statusOf('Bearer right')).toBe(200);
  });
});

describe('quorum lines of flotilla status', () => {
  const members = [
    { id: 1n, name: 'cp1', clientUrls: ['http://10.0.0.1:2379'], isLearner: false },
    { id: 2n, name: 'cp2', clientUrls: ['http://10.0.0.2:2379'], isLearner: false },
    { id: 3n, name: 'cp3', clientUrls: ['http://10.0.0.3:2379'], isLearner: false },
    { id: 4n, name: 'cp4', clientUrls: [], isLearner: true },
  ];

  it('counts voters only', () => {
    expect(quorumOf(3)).toBe(2);
    expect(quorumOf(5)).toBe(3);
    expect(quorumLines({ members, answered: new Map([[1n, { commitIndex: 9 }], [2n, { commitIndex: 9 }], [3n, { commitIndex: 9 }]]), leaderId: 1n })).toEqual(['Quorum: 3 of 3 voters answer, 2 needed.']);
  });

  it('with a leader and a voter missing: the margin left', () => {
    const [line] = quorumLines({ members, answered: new Map([[1n, { commitIndex: 9 }], [2n, { commitIndex: 9 }]]), leaderId: 1n });
    expect(line).toBe('Quorum: 2 of 3 voters answer, 2 needed; one more failure stops writes. Missing: cp3 (http://10.0.0.3:2379).');
  });

  it('without quorum: who to bring back, and the survivor to recover', () => {
    const text = quorumLines({ members, answered: new Map([[2n, { commitIndex: 41 }]]), leaderId: null }).join('\n');
    expect(text).toContain('QUORUM LOST: only 1 of 3 voters answer, 2 needed. Writes and linearizable reads stop until 1 more of these are back:');
    expect(text).toContain('  - cp1 (http://10.0.0.1:2379)');
    expect(text).toContain('  - cp3 (http://10.0.0.3:2379)');
    expect(text).toContain('cp2 (highest commit index answering: 41)');
  });

  it('a majority without a leader is an election; nobody answering says so', () => {
    expect(quorumLines({ members, answered: new Map([[1n, { commitIndex: 1 }], [2n, { commitIndex: 1 }]]), leaderId: null })[0]).toMatch(/^No leader yet, but 2 of 3 voters answer/);
    expect(quorumLines({ members: null, answered: new Map(), leaderId: null })[0]).toMatch(/^NOTHING ANSWERED/);
  });
});
