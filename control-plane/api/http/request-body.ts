import type { IncomingMessage } from 'node:http';
import { errors } from '../status.ts';

/** Named limit: the largest request body accepted (Kubernetes' default is 3 MiB). */
export const requestBodyBytesMax = 3 * 1024 * 1024;

/** Reads the whole body, refusing (413) as soon as it is larger than the limit, without buffering more. */
export async function readBody(request: IncomingMessage, bytesMax: number = requestBodyBytesMax): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? '0');
  if (declared > bytesMax) throw tooLarge(bytesMax);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    total += buffer.length;
    if (total > bytesMax) throw tooLarge(bytesMax);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

function tooLarge(bytesMax: number) {
  return errors.tooLarge(`the request body is larger than ${bytesMax} bytes; split the object (ConfigMaps and Secrets hold at most 1 MiB of data)`);
}
