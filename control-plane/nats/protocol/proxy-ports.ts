import { isJsonObject } from '../../api/json.ts';

// The `flotilla.io/proxy-ports` annotation (messages.ts proxyPortsAnnotation): node proxies write
// it (through the control plane), proxies and agents read it. One reader, so that both sides agree
// on which entries count.

/** A proxy-ports key: `<port>/<protocol>`. */
export const proxyPortKeyPattern = /^\d{1,5}\/(TCP|UDP|SCTP)$/;

export function proxyPortKey(port: number, protocol: string): string {
  return `${port}/${protocol}`;
}

export function isPortNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65_535;
}

/**
 * The annotation's `port/protocol` → proxy port entries. A value that is not JSON is ignored as a
 * whole (the proxy then assigns, and rewrites, the ports); a malformed entry is ignored alone.
 */
export function parseProxyPorts(raw: string | undefined): Map<string, number> {
  const ports = new Map<string, number>();
  if (raw === undefined) return ports;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return ports;
  }
  if (!isJsonObject(parsed)) return ports;
  for (const [key, value] of Object.entries(parsed)) {
    if (proxyPortKeyPattern.test(key) && isPortNumber(value)) ports.set(key, value);
  }
  return ports;
}
