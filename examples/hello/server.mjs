#!/usr/bin/env node
// The demo app `flotilla up --demo` runs: a tiny HTTP server that says which pod and node answered.
// It needs nothing but Node.js, so the process runtime can run it as it is (from a ConfigMap volume).
//   GET /         "hello from <pod> on <node>"
//   GET /healthz  "ok" (the readiness probe)
// It listens on $PORT (the agent gives every declared containerPort a free host port) or 8080.
import { createServer } from 'node:http';
import { hostname } from 'node:os';

const port = Number(process.env.PORT ?? 8080);
const pod = process.env.POD_NAME ?? hostname();
const node = process.env.NODE_NAME ?? 'an unknown node';

const server = createServer((request, response) => {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  if (path === '/healthz') {
    response.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    return;
  }
  response.writeHead(200, { 'content-type': 'text/plain' }).end(`hello from ${pod} on ${node}\n`);
});

// Kubernetes stops a pod with SIGTERM: finish the requests in flight, then exit.
process.on('SIGTERM', () => server.close(() => process.exit(0)));

server.listen(port, () => console.log(`hello listening on ${port}`));
