import { createServer, type IncomingMessage, type Server } from 'node:http';
import { hostOf, portOf } from './cluster-plan.ts';

export interface ControlAnswer {
  readonly status: number;
  readonly body: unknown;
}

export type ControlHandler = (method: string, path: string, body: unknown) => Promise<ControlAnswer>;

/**
 * A tiny JSON-over-HTTP endpoint on loopback through which other processes steer a helper process
 * (the relays' faults, the balancer's status). Bodies are bounded; a handler's throw is a 400 with
 * its message, since every throw there is a bad request.
 */
export async function startControlServer(endpoint: string, bodyBytesMax: number, handler: ControlHandler): Promise<Server> {
  const server = createServer((request, response) => {
    void readBody(request, bodyBytesMax)
      .then((body) => handler(request.method ?? 'GET', new URL(request.url ?? '/', 'http://control').pathname, body))
      .catch((error: unknown) => ({ status: 400, body: { error: error instanceof Error ? error.message : String(error) } }))
      .then((answer) => {
        response.writeHead(answer.status, { 'content-type': 'application/json' });
        response.end(`${JSON.stringify(answer.body)}\n`);
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(portOf(endpoint), hostOf(endpoint), () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

async function readBody(request: IncomingMessage, bytesMax: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    bytes += buffer.length;
    if (bytes > bytesMax) throw new Error(`body over ${bytesMax} bytes`);
    chunks.push(buffer);
  }
  if (bytes === 0) return undefined;
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
}

export function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
