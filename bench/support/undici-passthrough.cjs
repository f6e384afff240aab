// The floor for a Node gateway: an http server that forwards each request through an undici pool and
// pipes the answer back, doing nothing else. Started by gateway.bench.ts with the upstream URL and a port.
const http = require('node:http');
const { Pool } = require('undici');

const [upstream, port] = process.argv.slice(2);
const pool = new Pool(upstream, { connections: 128 });
http
  .createServer((request, response) => {
    const chunks = [];
    request.on('data', (c) => chunks.push(c));
    request.on('end', async () => {
      try {
        const answer = await pool.request({
          path: request.url,
          method: request.method,
          headers: {
            'content-type': 'application/json',
            'anthropic-version': '2023-06-01',
            'x-api-key': 'k',
          },
          body: Buffer.concat(chunks),
        });
        const headers = { ...answer.headers };
        delete headers['transfer-encoding'];
        delete headers.connection;
        delete headers['keep-alive'];
        response.writeHead(answer.statusCode, headers);
        answer.body.pipe(response);
      } catch (error) {
        response.writeHead(502);
        response.end(String(error));
      }
    });
  })
  .listen(Number(port), '127.0.0.1', () => process.send?.('ready'));
// Exits normally on SIGTERM, so a CPU profile (GATEWAY_BENCH_PROFILE) is written.
process.on('SIGTERM', () => process.exit(0));
