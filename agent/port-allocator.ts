import { createServer } from 'node:net';
import { findFreePort } from '../common/index.ts';
import type { Protocol } from './pod-types.ts';
import type { PortMapping } from './runtime.ts';

/** Attempts to find a port that is free and not reserved, before giving up (a full host). */
const allocationAttemptsMax = 64;

/**
 * Hands out host ports for declared containerPorts. A port is reserved from allocation until it is
 * released, so two containers never get the same port in the window before either binds it. A
 * restarted container asks for its previous ports first, so its Endpoints stay the same.
 */
export class PortAllocator {
  private readonly reserved = new Set<number>();

  constructor(private readonly bindHost = '0.0.0.0') {}

  async allocate(
    ports: readonly { readonly name?: string; readonly containerPort: number; readonly protocol?: Protocol }[],
    previous: readonly PortMapping[] = [],
  ): Promise<PortMapping[]> {
    const mappings: PortMapping[] = [];
    for (const port of ports) {
      const protocol = port.protocol ?? 'TCP';
      const before = previous.find((mapping) => mapping.containerPort === port.containerPort && mapping.protocol === protocol);
      const hostPort = before !== undefined && !this.reserved.has(before.hostPort) && (await this.isFree(before.hostPort))
        ? before.hostPort
        : await this.freshPort();
      this.reserved.add(hostPort);
      mappings.push(port.name === undefined ? { containerPort: port.containerPort, hostPort, protocol } : { name: port.name, containerPort: port.containerPort, hostPort, protocol });
    }
    return mappings;
  }

  /** Marks ports as taken (re-adopted containers keep theirs). */
  reserve(mappings: readonly PortMapping[]): void {
    for (const mapping of mappings) this.reserved.add(mapping.hostPort);
  }

  release(mappings: readonly PortMapping[]): void {
    for (const mapping of mappings) this.reserved.delete(mapping.hostPort);
  }

  private async freshPort(): Promise<number> {
    for (let attempt = 0; attempt < allocationAttemptsMax; attempt++) {
      const port = await findFreePort(this.bindHost);
      if (!this.reserved.has(port)) return port;
    }
    throw new Error(`no free host port after ${allocationAttemptsMax} attempts`);
  }

  private async isFree(port: number): Promise<boolean> {
    return await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.unref();
      server.once('error', () => resolve(false));
      server.listen(port, this.bindHost, () => server.close(() => resolve(true)));
    });
  }
}
