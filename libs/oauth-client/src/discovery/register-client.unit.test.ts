import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DiscoveryError } from './discovery-error';
import { updateClientRegistration } from './register-client';

const LOCAL = { admitInternalAddresses: true, allowedHosts: [], allowedCidrs: [] };

describe('updateClientRegistration (RFC 7592)', () => {
  let server: Server;
  let base = '';
  let answer: { status: number; body: unknown } = { status: 200, body: {} };
  const sent: Array<{ method: string; body: string }> = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        sent.push({ method: request.method ?? '', body });
        const reply = request.method === 'GET' ? { status: 200, body: { client_id: 'c1', client_secret: 'old-secret', client_secret_expires_at: 100, redirect_uris: ['https://cb.example/cb'] } } : answer;
        response.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/reg/c1`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const update = () => updateClientRegistration(base, 'registration-token', { outbound: LOCAL, timeoutMs: 2000 });
  const problemOf = (error: unknown) => (error instanceof DiscoveryError ? error.problem : String(error));

  it('sends the registration back without the secret and answers the renewed client', async () => {
    answer = { status: 200, body: { client_id: 'c1', client_secret: 'new-secret', client_secret_expires_at: 200 } };
    expect(await update()).toEqual({ clientId: 'c1', clientSecret: 'new-secret', clientSecretExpiresAt: new Date(200_000) });
    const put = sent.filter((request) => request.method === 'PUT').at(-1);
    expect(JSON.parse(put?.body ?? '{}')).toEqual({ client_id: 'c1', redirect_uris: ['https://cb.example/cb'] });
  });

  it('tells a refusal (the broker registers anew) from a server error (it waits and tries again)', async () => {
    answer = { status: 404, body: { error: 'invalid_client_metadata' } };
    expect(problemOf(await update().catch((error: unknown) => error))).toBe('registration_failed');
    answer = { status: 503, body: {} };
    expect(problemOf(await update().catch((error: unknown) => error))).toBe('unreachable');
  });
});
