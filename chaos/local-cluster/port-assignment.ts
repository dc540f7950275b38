import { findFreePort, findFreePorts } from '../../common/index.ts';

/** Attempts at an ingress port distinct from the others before taking what the host gives. */
const ingressPickAttemptsMax = 20;

/** Ports for the plan (on 127.0.0.1), and an ingress port free on every address of the host. */
export async function assignPorts(count: number): Promise<{ ports: number[]; ingressHttpPort: number }> {
  const ports = await findFreePorts(count);
  // Free on the wildcard address means no socket holds it on any address, so every node's own
  // 127.0.0.x address can bind it.
  let ingressHttpPort = await findFreePort('0.0.0.0');
  for (let attempt = 0; attempt < ingressPickAttemptsMax && ports.includes(ingressHttpPort); attempt++) ingressHttpPort = await findFreePort('0.0.0.0');
  return { ports, ingressHttpPort };
}
