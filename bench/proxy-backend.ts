// The benchmark's backend, run as its own process: a small keep-alive HTTP server that answers
// every request with 200 and a 13-byte body. Usage: tsx bench/proxy-backend.ts PORT
import { createServer } from 'node:http';

const port = Number(process.argv[2]);
const body = Buffer.from('hello, proxy\n');
const server = createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
  response.end(body);
});
server.keepAliveTimeout = 30_000;
server.listen(port, '127.0.0.1', () => process.stdout.write(`listening ${port}\n`));
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
