import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  buildIntrospectionRequest,
  buildRevocationRequest,
  buildTokenRequest,
  requestIntrospection,
  requestRevocation,
  requestToken,
  type TokenError,
  type TokenRequest,
} from '@cb/oauth-client';

type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => void;

/** A local token endpoint whose behaviour each test sets. */
class FakeTokenEndpoint {
  handler: Handler = (_request, _body, response) => response.end();
  readonly received: Array<{ headers: IncomingMessage['headers']; body: string }> = [];
  private readonly server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      this.received.push({ headers: request.headers, body });
      this.handler(request, body, response);
    });
  });

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/token`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** The fake endpoint listens on loopback, which only development mode admits. */
const LOCAL = { admitInternalAddresses: true, allowedHosts: [], allowedCidrs: [] };

const endpoint = new FakeTokenEndpoint();
beforeAll(() => endpoint.start());
afterAll(() => endpoint.stop());

function exchange(code = 'code-SECRET-1'): TokenRequest {
  return buildTokenRequest({
    tokenUrl: endpoint.url,
    client: { clientId: 'client', clientSecret: 'secret-SECRET-2' },
    grant: { grantType: 'authorization_code', code, redirectUri: 'https://app.example.com/cb', codeVerifier: 'verifier-SECRET-3' },
  });
}

function reply(status: number, body: unknown, headers: Record<string, string> = {}): Handler {
  return (_request, _body, response) => {
    response.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    response.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
}

async function failed(promise: Promise<{ ok: boolean }>): Promise<TokenError> {
  const result = await promise;
  if (result.ok) throw new Error('expected an error');
  return result as TokenError;
}

describe('requestToken', () => {
  it('sends the request and parses the answer', async () => {
    endpoint.handler = reply(200, { access_token: 'at', token_type: 'Bearer', expires_in: '60', instance_url: 'https://x.example.com' });
    const result = await requestToken(exchange(), { outbound: LOCAL, timeoutMs: 2000, metadataPaths: { instance_url: 'instance_url' } });
    expect(result).toEqual({ ok: true, accessToken: 'at', tokenType: 'Bearer', expiresIn: 60, metadata: { instance_url: 'https://x.example.com' } });
    const sent = endpoint.received.at(-1);
    expect(sent?.headers['authorization']).toMatch(/^Basic /);
    expect(sent?.headers['accept']).toBe('application/json');
    expect(new URLSearchParams(sent?.body).get('code')).toBe('code-SECRET-1');
  });

  it('passes the configured response paths on', async () => {
    endpoint.handler = reply(200, { ok: true, authed_user: { access_token: 'xoxp' } });
    await expect(requestToken(exchange(), { outbound: LOCAL, timeoutMs: 2000, responsePaths: { accessToken: 'authed_user.access_token' } })).resolves.toMatchObject({
      accessToken: 'xoxp',
    });
  });

  it('reports Retry-After on a transient error', async () => {
    endpoint.handler = reply(429, { error: 'rate_limited' }, { 'Retry-After': '30' });
    expect(await failed(requestToken(exchange(), { outbound: LOCAL, timeoutMs: 2000 }))).toMatchObject({ status: 429, retriable: true, retryAfterSeconds: 30, ambiguous: false });
  });

  it('removes the code, verifier and client secret it sent from an echoed description', async () => {
    endpoint.handler = reply(400, {
      error: 'invalid_grant',
      error_description: 'code code-SECRET-1 with verifier verifier-SECRET-3 for secret secret-SECRET-2 is invalid',
    });
    const error = await failed(requestToken(exchange(), { outbound: LOCAL, timeoutMs: 2000 }));
    expect(error).toMatchObject({ code: 'invalid_grant', reconnectRequired: true });
    expect(JSON.stringify(error)).not.toContain('SECRET');
  });

  it('does not follow a redirect with the credentials', async () => {
    endpoint.handler = (_request, _body, response) => {
      response.writeHead(307, { Location: 'https://elsewhere.example.com/token' });
      response.end();
    };
    expect(await failed(requestToken(exchange(), { outbound: LOCAL, timeoutMs: 2000 }))).toMatchObject({ code: 'invalid_token_response', status: 307, retriable: false });
  });

  it('reports a timeout after sending as retriable and ambiguous', async () => {
    endpoint.handler = () => undefined;
    const error = await failed(requestToken(exchange(), { outbound: LOCAL, timeoutMs: 100 }));
    expect(error).toMatchObject({ code: 'timeout', retriable: true, ambiguous: true });
    expect(error).not.toHaveProperty('status');
  });

  it('reports a connection dropped after sending as ambiguous', async () => {
    endpoint.handler = (request) => request.socket.destroy();
    expect(await failed(requestToken(exchange(), { outbound: LOCAL, timeoutMs: 2000 }))).toMatchObject({ code: 'network_error', retriable: true, ambiguous: true });
  });

  it('reports a refused connection as not ambiguous, with the cause only in the detail', async () => {
    const closed = new FakeTokenEndpoint();
    await closed.start();
    const url = closed.url;
    await closed.stop();
    const request = { ...exchange(), url };
    expect(await failed(requestToken(request, { outbound: LOCAL, timeoutMs: 2000 }))).toMatchObject({
      code: 'network_error',
      description: 'the provider could not be reached',
      detail: expect.stringContaining('ECONNREFUSED'),
      retriable: true,
      ambiguous: false,
    });
  });

  it('uses the fetch implementation it is given', async () => {
    const fetchImpl = jest.fn(() => Promise.resolve(new Response('{"access_token":"from-fake"}', { headers: { 'content-type': 'application/json' } })));
    await expect(requestToken(exchange(), { outbound: LOCAL, timeoutMs: 2000, fetchImpl })).resolves.toMatchObject({ accessToken: 'from-fake' });
    expect(fetchImpl).toHaveBeenCalledWith(endpoint.url, expect.objectContaining({ method: 'POST', redirect: 'manual' }));
  });
});

describe('requestRevocation', () => {
  const revoke = (): TokenRequest =>
    buildRevocationRequest({ revocationUrl: endpoint.url, client: { clientId: 'c', clientSecret: 's' }, token: 'rt', tokenTypeHint: 'refresh_token' });

  it('accepts any 2xx, with or without a body', async () => {
    endpoint.handler = reply(200, '');
    await expect(requestRevocation(revoke(), { outbound: LOCAL, timeoutMs: 2000 })).resolves.toEqual({ ok: true });
  });

  it('reports 503 as retriable and unsupported_token_type as permanent', async () => {
    endpoint.handler = reply(503, '', { 'Retry-After': '5' });
    expect(await failed(requestRevocation(revoke(), { outbound: LOCAL, timeoutMs: 2000 }))).toMatchObject({ retriable: true, retryAfterSeconds: 5 });
    endpoint.handler = reply(400, { error: 'unsupported_token_type' });
    expect(await failed(requestRevocation(revoke(), { outbound: LOCAL, timeoutMs: 2000 }))).toMatchObject({ code: 'unsupported_token_type', retriable: false });
  });
});

describe('requestIntrospection', () => {
  const introspect = (): TokenRequest =>
    buildIntrospectionRequest({ introspectionUrl: endpoint.url, client: { clientId: 'c', clientSecret: 's' }, token: 'access-SECRET-9', tokenTypeHint: 'access_token' });

  it('reads active and exp, from a number or a numeric string', async () => {
    endpoint.handler = reply(200, { active: true, exp: 1_900_000_000, scope: 'api' });
    await expect(requestIntrospection(introspect(), { outbound: LOCAL, timeoutMs: 2000 })).resolves.toEqual({ ok: true, active: true, exp: 1_900_000_000 });
    endpoint.handler = reply(200, { active: true, exp: '1900000000' });
    await expect(requestIntrospection(introspect(), { outbound: LOCAL, timeoutMs: 2000 })).resolves.toEqual({ ok: true, active: true, exp: 1_900_000_000 });
  });

  it('answers without exp when the server gives none or an unusable one', async () => {
    endpoint.handler = reply(200, { active: false });
    await expect(requestIntrospection(introspect(), { outbound: LOCAL, timeoutMs: 2000 })).resolves.toEqual({ ok: true, active: false });
    endpoint.handler = reply(200, { active: true, exp: 'soon' });
    await expect(requestIntrospection(introspect(), { outbound: LOCAL, timeoutMs: 2000 })).resolves.toEqual({ ok: true, active: true });
  });

  it('reports a body without a boolean active, an OAuth error and a 5xx, never echoing the token', async () => {
    endpoint.handler = reply(200, { exp: 1_900_000_000 });
    expect(await failed(requestIntrospection(introspect(), { outbound: LOCAL, timeoutMs: 2000 }))).toMatchObject({ code: 'invalid_token_response' });
    endpoint.handler = reply(401, { error: 'invalid_client', error_description: 'bad client for access-SECRET-9' });
    const refused = await failed(requestIntrospection(introspect(), { outbound: LOCAL, timeoutMs: 2000 }));
    expect(refused).toMatchObject({ code: 'invalid_client', retriable: false });
    expect(JSON.stringify(refused)).not.toContain('access-SECRET-9');
    endpoint.handler = reply(503, '');
    expect(await failed(requestIntrospection(introspect(), { outbound: LOCAL, timeoutMs: 2000 }))).toMatchObject({ retriable: true });
  });
});
