import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DiscoveryError, documentFetcher } from '@cb/oauth-client';

describe('documentFetcher', () => {
  let server: Server;
  let base: string;
  let requests = 0;

  beforeAll(async () => {
    server = createServer((request, response) => {
      requests += 1;
      if (request.url === '/redirect') response.writeHead(302, { location: '/doc' }).end();
      else if (request.url === '/huge') response.writeHead(200, { 'content-type': 'application/json' }).end(`{"x":"${'a'.repeat(70 * 1024)}"}`);
      else response.writeHead(200, { 'content-type': 'application/json' }).end('{"issuer":"x"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const development = documentFetcher({ outbound: { admitInternalAddresses: true, allowedHosts: [], allowedCidrs: [] }, timeoutMs: 2000 });
  const production = documentFetcher({ outbound: { admitInternalAddresses: false, allowedHosts: [], allowedCidrs: [] }, timeoutMs: 2000 });

  it('refuses a private address in production before anything is sent', async () => {
    const before = requests;
    const error = await production(`${base}/doc`).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DiscoveryError);
    expect((error as DiscoveryError).problem).toBe('refused_destination');
    expect(requests).toBe(before);
  });

  it('reads a JSON document, never follows a redirect, and refuses one larger than 64 KiB', async () => {
    expect(await development(`${base}/doc`)).toMatchObject({ status: 200, json: { issuer: 'x' } });
    expect(await development(`${base}/redirect`)).toMatchObject({ status: 302, json: undefined });
    expect(((await development(`${base}/huge`).catch((caught: unknown) => caught)) as DiscoveryError).problem).toBe('document_too_large');
  });
});
