import type { ServerResponse } from 'node:http';

/**
 * The answers an ingress controller gives itself: 404 when no rule and no default backend match,
 * 502 when no backend could be connected (or one broke the response), 503 when the Service has no
 * ready endpoint (or does not exist), 504 when the backend did not answer in time.
 */
export const ingressErrors = {
  noRoute: { status: 404, text: 'default backend - 404' },
  badGateway: { status: 502, text: 'Bad Gateway' },
  unavailable: { status: 503, text: 'Service Temporarily Unavailable' },
  timeout: { status: 504, text: 'Gateway Timeout' },
} as const;

export type IngressError = (typeof ingressErrors)[keyof typeof ingressErrors];

export function sendIngressError(response: ServerResponse, error: IngressError, detail?: string): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const body = `${error.status} ${error.text}\n`;
  response.writeHead(error.status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), ...(detail === undefined ? {} : { 'x-flotilla-reason': detail.replace(/[^\x20-\x7e]/g, '?').slice(0, 200) }) });
  response.end(body);
}

/** The same answers on a raw socket (a refused WebSocket upgrade has no ServerResponse). */
export function rawIngressError(error: IngressError): string {
  const body = `${error.status} ${error.text}\n`;
  return `HTTP/1.1 ${error.status} ${error.text}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}
