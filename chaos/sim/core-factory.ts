import { RaftCore } from '../../raft/index.ts';
import type { CoreFactory } from './core-port.ts';

/** The production core, unchanged: the simulator special-cases nothing in raft/. */
export const createRaftCore: CoreFactory = (config) => new RaftCore(config);
