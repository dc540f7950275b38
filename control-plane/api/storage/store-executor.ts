import type { Command, CommandResponse, MvccStore } from '../../../store/index.ts';

/**
 * How a `KvObjectStore` reaches the store: the only part that differs between one in-process
 * store and a Raft replica. Commands come from `object-commands.ts` either way.
 */
export interface StoreExecutor {
  /** Runs one write command to its outcome (applied locally, or proposed through Raft); a refusal is thrown as a FlotillaError. */
  execute(command: Command): Promise<CommandResponse>;
  /** Runs a read on the store once it is safe to (a replica first confirms a ReadIndex: linearizable). */
  read<T>(run: (store: MvccStore) => Promise<T>): Promise<T>;
  /** Runs a read on the local store as it is now (serializable: no ReadIndex). */
  readLocal<T>(run: (store: MvccStore) => Promise<T>): Promise<T>;
  /** The store whose applied stream serves watches now (a replica's store is replaced by a snapshot install). */
  watchStore(): MvccStore;
}
