import type { ClusterState } from './cluster-state.ts';
import type { ComponentStatus } from './local-cluster.ts';

/** Pure: the `flotilla status --dir` table: one row per component, then the addresses that matter. */
export function formatComponentStatus(state: ClusterState, components: readonly ComponentStatus[]): string {
  const rows = [['COMPONENT', 'KIND', 'STATE', 'PID', 'LISTENS'], ...components.map((component) => [
    component.name, component.kind, component.state, component.pid === null ? '-' : String(component.pid), component.listens.slice(0, 2).join(',') || '-',
  ])];
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  const table = rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()).join('\n');
  const running = components.filter((component) => component.state !== 'stopped').length;
  return [
    table,
    '',
    `${running} of ${components.length} components running in ${state.directory} (logs in ${state.directory}/logs)`,
    `Kubernetes API (stable address): https://${state.apiBalancer.endpoint}   kubeconfig: ${state.kubeconfigPath}`,
    `Nodes: ${state.nodes.map((node) => `${node.name} ${node.address} (ingress :${node.ingressHttpPort})`).join(', ')}`,
    '',
  ].join('\n');
}
