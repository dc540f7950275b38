import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Where ports are picked from: below the kernel's ephemeral range, so no outgoing connection takes one. */
const pickRangeStart = 10_000;
/** Attempts to find a free port before giving up (each one is a bind on the host). */
const pickAttemptsMax = 50;

/**
 * A TCP port on the host that was free a moment ago. Tests and `flotilla up` hand these to child
 * processes, which bind them a little later. A port from the OS (`listen(0)`) comes from the
 * ephemeral range, where every outgoing connection also takes its local port: under load one of
 * them can grab the port in that gap (seen: a server failing EADDRINUSE in a chaos test). So the
 * port is picked at random below the ephemeral range and checked by binding it.
 */
export async function findFreePort(host = '127.0.0.1'): Promise<number> {
  const ephemeralStart = ephemeralRangeStart();
  if (ephemeralStart - pickRangeStart >= 1_000) {
    for (let attempt = 0; attempt < pickAttemptsMax; attempt++) {
      const port = randomInt(pickRangeStart, ephemeralStart);
      if (await canListen(host, port)) return port;
    }
  }
  return await osAssignedPort(host);
}

/** Several distinct free ports. */
export async function findFreePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await findFreePort(host));
  return [...ports];
}

function ephemeralRangeStart(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    const value = Number(low);
    return Number.isInteger(value) && value > 0 ? value : 32_768;
  } catch {
    return 32_768; // not Linux: the IANA range starts at 49152, Linux's default at 32768
  }
}

function canListen(host: string, port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

function osAssignedPort(host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}
