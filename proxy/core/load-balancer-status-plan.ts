/**
 * The status.loadBalancer.ingress IPs once this node's address is in them, or null when it already
 * is. Each node's proxy adds itself (k3s ServiceLB lists every node that serves the port); the list
 * is kept sorted so that all proxies write the same value.
 */
export function planLoadBalancerIngress(current: readonly string[], nodeAddress: string): string[] | null {
  if (current.includes(nodeAddress)) return null;
  return [...new Set([...current, nodeAddress])].sort();
}
