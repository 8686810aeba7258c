/**
 * The provider API behind the proxy scenario: a bare Node HTTP server that checks the bearer token
 * and answers a small JSON document. The proxy and its floor (the same request sent straight here,
 * with the credential in hand) call the same server.
 *
 *   GET /health             ok
 *   GET /api/items/<n>      200 with ~1 KiB of JSON when `Authorization: Bearer $UPSTREAM_TOKEN`, else 401
 *
 * Environment: PORT, UPSTREAM_TOKEN.
 */
import { createServer } from 'node:http';

const expected = `Bearer ${process.env.UPSTREAM_TOKEN ?? ''}`;
const ITEM = /^\/api\/items\/(\d+)$/;
const filler = 'x'.repeat(900);

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    if (req.url === '/health') {
      res.writeHead(200).end('ok');
      return;
    }
    const item = ITEM.exec(req.url ?? '');
    if (req.method !== 'GET' || !item) {
      res.writeHead(404).end();
      return;
    }
    if (req.headers.authorization !== expected) {
      res.writeHead(401).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', etag: `"${item[1]}"` }).end(JSON.stringify({ id: Number(item[1]), filler }));
  });
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
