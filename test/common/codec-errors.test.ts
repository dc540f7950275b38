import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { assert, AssertionFailure, decode, encode, ErrorCode, FlotillaError, isFlotillaError } from '../../common/index.ts';

describe('codec', () => {
  // msgpack, like JSON, has one zero: -0 comes back as 0, so compare with the JSON round trip.
  test.prop([fc.jsonValue()])('round-trips JSON values', (value) => {
    expect(decode(encode(value))).toEqual(JSON.parse(JSON.stringify(value)));
  });

  it('round-trips bytes as bytes', () => {
    const value = { data: new Uint8Array([1, 2, 3, 255]) };
    const decoded = decode<{ data: Uint8Array }>(encode(value));
    expect(decoded.data).toBeInstanceOf(Uint8Array);
    expect([...decoded.data]).toEqual([1, 2, 3, 255]);
  });
});

describe('errors', () => {
  it('keeps a stable code, details and cause', () => {
    const cause = new Error('disk full');
    const error = new FlotillaError(ErrorCode.storeCompacted, 'revision 3 was compacted', { cause, details: { revision: 3 } });
    expect(isFlotillaError(error, ErrorCode.storeCompacted)).toBe(true);
    expect(isFlotillaError(error, ErrorCode.raftNotLeader)).toBe(false);
    expect(error.cause).toBe(cause);
    expect(error.details).toEqual({ revision: 3 });
  });

  it('assert throws an AssertionFailure with the message', () => {
    expect(() => assert(false, () => 'broken invariant')).toThrow(AssertionFailure);
    expect(() => assert(1 + 1 === 2, 'fine')).not.toThrow();
  });
});
