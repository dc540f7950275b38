/**
 * Kubernetes' FitError text: "0/3 nodes are available: 1 node(s) had untolerated taint {k: v},
 * 2 Insufficient cpu." — each reason with the number of nodes that gave it, sorted as strings.
 */
/** A refusal before any node is looked at (a PreFilter's, e.g. a missing claim): "0/3 nodes are available: <message>." */
export function preFilterFailureMessage(totalNodes: number, message: string): string {
  return `0/${totalNodes} nodes are available: ${message}.`;
}

export function failureMessage(totalNodes: number, reasonCounts: ReadonlyMap<string, number>): string {
  const reasons = [...reasonCounts].map(([reason, count]) => `${count} ${reason}`).sort();
  return `0/${totalNodes} nodes are available${reasons.length === 0 ? '' : `: ${reasons.join(', ')}`}.`;
}
