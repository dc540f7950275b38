import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import { EtcdRequestError } from './etcd-errors.ts';
import { snapshotHandler } from './snapshot-service.ts';
import { uint64ToWire } from './numbers.ts';
import { unaryHandler, wireHeader, type ServiceContext } from './service-support.ts';
import type { WireAlarmRequest } from './wire.ts';

/** etcdserverpb.Maintenance: Status, HashKV, Snapshot, and the alarm list (always empty: we raise no etcd alarms). */
export function maintenanceService(context: ServiceContext): UntypedServiceImplementation {
  const { backend } = context;
  return {
    Status: unaryHandler(context, 'Status', async (_wire: object, signal) => {
      const status = await backend.status({ signal });
      return {
        header: wireHeader(context, status.header),
        version: status.version,
        dbSize: status.dbSizeBytes,
        leader: uint64ToWire(status.leaderId),
        raftIndex: status.raftIndex,
        raftTerm: status.raftTerm,
        raftAppliedIndex: status.raftAppliedIndex,
        errors: [...status.errors],
        dbSizeInUse: status.dbSizeInUseBytes,
        isLearner: status.isLearner,
      };
    }),
    HashKV: unaryHandler(context, 'HashKV', async (wire: { revision?: string | number }, signal) => {
      const answer = await backend.hashKv(Number(wire.revision ?? 0), { signal });
      return { header: wireHeader(context, answer.header), hash: answer.hash, compactRevision: answer.compactRevision };
    }),
    Snapshot: snapshotHandler(context),
    Alarm: unaryHandler(context, 'Alarm', async (wire: WireAlarmRequest) => {
      // etcdctl endpoint health lists alarms (GET); disarming nothing is harmless; raising one
      // by hand would claim a condition (NOSPACE, CORRUPT) our store does not act on.
      if (wire.action === 'ACTIVATE') throw new EtcdRequestError('unsupported', 'raising alarms');
      return { header: wireHeader(context, backend.localHeader()), alarms: [] };
    }),
  };
}
