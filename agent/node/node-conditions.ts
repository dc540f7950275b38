import type { HostFacts } from './host-facts.ts';

/**
 * Pressure thresholds, as kubelet's default hard eviction thresholds: memory.available < 100Mi,
 * nodefs.available < 10%, and (kubelet has none by default) fewer than 10% of pids free.
 */
export const PressureThresholds = {
  memoryAvailableBytesMin: 100 * 1024 * 1024,
  diskAvailableFractionMin: 0.1,
  processesFreeFractionMin: 0.1,
} as const;

export type NodeConditionType = 'Ready' | 'MemoryPressure' | 'DiskPressure' | 'PIDPressure';

export interface NodeCondition {
  readonly type: NodeConditionType;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
  readonly lastHeartbeatTime: string;
  readonly lastTransitionTime: string;
}

/**
 * kubelet's four node conditions from what the host shows, pure. A condition keeps its
 * lastTransitionTime while its status stays; every report moves lastHeartbeatTime. Ready is
 * False when the runtime cannot run pods (`runtimeProblem`).
 */
export function computeNodeConditions(facts: HostFacts, runtimeProblem: string | null, previous: readonly NodeCondition[], nowIso: string): NodeCondition[] {
  const memoryLow = facts.memoryAvailableBytes < PressureThresholds.memoryAvailableBytesMin;
  const diskLow = facts.diskTotalBytes > 0 && facts.diskAvailableBytes / facts.diskTotalBytes < PressureThresholds.diskAvailableFractionMin;
  const processesLow = facts.processMax > 0 && (facts.processMax - facts.processCount) / facts.processMax < PressureThresholds.processesFreeFractionMin;
  const make = (type: NodeConditionType, on: boolean, reasons: readonly [string, string], messages: readonly [string, string]): NodeCondition => {
    const status = on ? 'True' : 'False';
    const before = previous.find((condition) => condition.type === type);
    return {
      type, status, reason: on ? reasons[0] : reasons[1], message: on ? messages[0] : messages[1],
      lastHeartbeatTime: nowIso, lastTransitionTime: before !== undefined && before.status === status ? before.lastTransitionTime : nowIso,
    };
  };
  return [
    make('MemoryPressure', memoryLow, ['KubeletHasInsufficientMemory', 'KubeletHasSufficientMemory'], ['kubelet has insufficient memory available', 'kubelet has sufficient memory available']),
    make('DiskPressure', diskLow, ['KubeletHasDiskPressure', 'KubeletHasNoDiskPressure'], ['kubelet has disk pressure', 'kubelet has no disk pressure']),
    make('PIDPressure', processesLow, ['KubeletHasInsufficientPID', 'KubeletHasSufficientPID'], ['kubelet has insufficient PID available', 'kubelet has sufficient PID available']),
    make('Ready', runtimeProblem === null, ['KubeletReady', 'KubeletNotReady'], ['kubelet is posting ready status', runtimeProblem ?? '']),
  ];
}

/** Whether two condition lists differ in anything but heartbeat times (a change is reported at once). */
export function conditionsChanged(left: readonly NodeCondition[], right: readonly NodeCondition[]): boolean {
  if (left.length !== right.length) return true;
  return left.some((condition, index) => {
    const other = right[index];
    return other === undefined || other.type !== condition.type || other.status !== condition.status || other.reason !== condition.reason || other.message !== condition.message;
  });
}
