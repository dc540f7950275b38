import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, isFlotillaError } from '../../common/index.ts';
import { Limits } from '../../common/index.ts';
import { command, requestOp, StoreLimits, validateCommand, type Command } from '../../store/index.ts';
import { bytes, StoreHarness } from './helpers.ts';

function validationCode(value: Command): string | null {
  try {
    validateCommand(value);
    return null;
  } catch (error) {
    return isFlotillaError(error) ? error.code : 'not a FlotillaError';
  }
}

describe('limits', () => {
  let harness: StoreHarness;
  beforeEach(async () => {
    harness = await StoreHarness.create();
  });
  afterEach(async () => {
    await harness.destroy();
  });

  it('refuses oversized keys and values before proposing', () => {
    expect(validationCode(command.put(new Uint8Array(Limits.keyBytesMax + 1), bytes('v')))).toBe(ErrorCode.storeKeyTooLarge);
    expect(validationCode(command.put(new Uint8Array(Limits.keyBytesMax), bytes('v')))).toBeNull();
    expect(validationCode(command.put(bytes('k'), new Uint8Array(Limits.valueBytesMax + 1)))).toBe(ErrorCode.storeValueTooLarge);
    expect(validationCode(command.put(new Uint8Array(0), bytes('v')))).toBe(ErrorCode.invalidArgument);
    expect(validationCode(command.leaseGrant(1, 0))).toBe(ErrorCode.invalidArgument);
    expect(validationCode(command.leaseGrant(0, 10))).toBe(ErrorCode.invalidArgument);
    const tooMany = Array.from({ length: StoreLimits.txnOpsMax + 1 }, (_, index) => requestOp.put(bytes(`k${index}`), bytes('v')));
    expect(validationCode(command.txn({ compare: [], success: tooMany, failure: [] }))).toBe(ErrorCode.invalidArgument);
  });

  it('refuses the same deterministically on apply, and on range', async () => {
    // A payload that skipped validation (another version, a buggy proposer) must fail the same everywhere.
    const { encode } = await import('../../common/codec.ts');
    const outcomes = await harness.store.apply([
      { type: 'normal', term: 1, index: 1, data: encode(command.put(new Uint8Array(Limits.keyBytesMax + 1), bytes('v'))) },
    ]);
    expect(outcomes.get(1)).toMatchObject({ ok: false, error: { code: ErrorCode.storeKeyTooLarge } });
    const error = await harness.store.range({ key: new Uint8Array(Limits.keyBytesMax + 1) }).catch((caught: unknown) => caught);
    expect(isFlotillaError(error, ErrorCode.storeKeyTooLarge)).toBe(true);
    expect(harness.store.revision).toBe(1);
  });
});
