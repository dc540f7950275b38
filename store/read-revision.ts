import { ErrorCode, FlotillaError } from '../common/index.ts';

/**
 * A read at `revision` (0 = current) needs it to be neither ahead of the store nor compacted away.
 * Reading exactly at the compact revision is allowed: compaction keeps each key's state there.
 */
export function checkReadRevision(state: { readonly revision: number; readonly compactRevision: number }, revision: number): void {
  if (revision > state.revision) {
    throw new FlotillaError(ErrorCode.storeFutureRevision, `revision ${revision} is ahead of the store (${state.revision})`);
  }
  if (revision > 0 && revision < state.compactRevision) {
    throw new FlotillaError(ErrorCode.storeCompacted, `revision ${revision} has been compacted (compacted up to ${state.compactRevision})`, {
      details: { compactRevision: state.compactRevision },
    });
  }
}
