import type { Container } from './pod-types.ts';
import type { PortMapping } from './runtime.ts';

/**
 * The host port a probe or hook should reach for `port` (a number or a containerPort name). The
 * process listens on the host port it was given, not on its containerPort, so a declared port is
 * translated; an undeclared number is used as is (a process that binds a fixed port).
 */
export function resolveTargetPort(port: number | string, container: Container, mappings: readonly PortMapping[]): number | undefined {
  let containerPort: number | undefined;
  if (typeof port === 'number') containerPort = port;
  else if (/^\d+$/.test(port)) containerPort = Number(port);
  else containerPort = container.ports?.find((declared) => declared.name === port)?.containerPort;
  if (containerPort === undefined || containerPort <= 0 || containerPort > 65_535) return undefined;
  const mapped = mappings.find((mapping) => mapping.containerPort === containerPort && mapping.protocol === 'TCP');
  return mapped?.hostPort ?? containerPort;
}
