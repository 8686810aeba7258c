/**
 * The proxy on the real stack: a caller's request through the gateway and token-issuance to a local
 * upstream that records what it received, with each auth mode's credential applied and never shown
 * to the caller, bodies streamed both ways, the broker's limits and refusals, one refresh on a 401,
 * retries only where they are safe, and the audit.
 */
import { randomBytes } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CredentialBrokerClient, CredentialBrokerError } from '@cb/sdk';
import { waitFor } from '../harness';
import { authorizeOverHttp, SandboxProvider, startSandboxProvider } from '../support/sandbox-provider';
import { RunningSystem, startSystem } from '../support/system';
import { activeConnector, Gateway, newWorkspace, openSession, sessionReaches, withDb } from '../connect/connect-helpers';

const canary = (what: string): string => `canary-${what}-${randomBytes(6).toString('hex')}`;
const secrets = { password: canary('basic'), apiKey: canary('api-key'), queryKey: canary('query-key'), bearer: canary('bearer'), custom: canary('custom'), clientSecret: canary('client-secret') };
const MIB = 1024 * 1024;

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/** The provider's API: records every request, and answers by path. */
class Upstream {
  readonly received: Received[] = [];
  staleToken: string | undefined;
  firstUploadBytes = 0;
  releaseDownload: (() => void) | undefined;
  downloadFinished = false;
  private readonly flaky = new Map<string, number>();
  private busyAnswered = 0;
  private readonly dropped = new Map<string, number>();
  private server!: Server;
  base = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  hits(path: string): Received[] {
    return this.received.filter((r) => r.url.split('?')[0] === path);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '').split('?')[0] ?? '';
    if (path === '/api/upload') return this.upload(request, response);
    if (path === '/api/slow') return; // never answers
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const received = { method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks) };
    this.received.push(received);
    if (path === '/api/download') return this.download(response);
    if (path === '/api/too-big') {
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(40 * MIB) });
      response.write(Buffer.alloc(1024));
      return;
    }
    if (path === '/api/redirect-here' || path === '/api/redirect-away') {
      response.writeHead(302, { location: path === '/api/redirect-here' ? '/api/elsewhere' : 'http://169.254.169.254/latest/meta-data' }).end();
      return;
    }
    if (path === '/api/rate-limited') {
      response.writeHead(429, { 'retry-after': '7', 'content-type': 'application/json' }).end('{"error":"slow down"}');
      return;
    }
    if (path === '/api/drop') {
      const key = new URL(received.url, this.base).searchParams.get('key') ?? '';
      const seen = (this.dropped.get(key) ?? 0) + 1;
      this.dropped.set(key, seen);
      if (seen <= 2) {
        request.socket.destroy();
        return;
      }
    }
    if (path === '/api/flaky') {
      const key = new URL(received.url, this.base).searchParams.get('key') ?? '';
      const seen = (this.flaky.get(key) ?? 0) + 1;
      this.flaky.set(key, seen);
      if (seen <= 2) {
        response.writeHead(503, { 'retry-after': '0' }).end('busy');
        return;
      }
    }
    if (path === '/api/oauth-busy') {
      if (request.headers.authorization === `Bearer ${this.staleToken}`) {
        response.writeHead(401).end();
        return;
      }
      this.busyAnswered += 1;
      if (this.busyAnswered === 1) {
        response.writeHead(503, { 'retry-after': '0' }).end('busy');
        return;
      }
    }
    if (path === '/api/oauth' && request.headers.authorization === `Bearer ${this.staleToken}`) {
      response.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' }).end();
      return;
    }
    // An API that echoes what it received (its caller's own credential included) would show it; this one leaves it out.
    const { authorization: _authorization, 'x-api-token': _apiToken, 'x-custom-auth': _customAuth, ...headers } = request.headers;
    response.writeHead(200, {
      'content-type': 'application/json',
      etag: '"v1"',
      'x-ratelimit-remaining': '41',
      'set-cookie': 'provider-session=1',
      location: 'https://elsewhere.example.com/',
      server: 'upstream',
    });
    response.end(JSON.stringify({ method: request.method, url: request.url, headers, bodyLength: received.body.length, body: received.body.toString('utf8').slice(0, 200) }));
  }

  private download(response: ServerResponse): void {
    response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(20 * MIB) });
    response.write(Buffer.alloc(MIB, 1));
    this.releaseDownload = () => {
      for (let i = 1; i < 20; i++) response.write(Buffer.alloc(MIB, 1));
      response.end(() => (this.downloadFinished = true));
    };
  }

  private async upload(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let bytes = 0;
    for await (const chunk of request) {
      bytes += (chunk as Buffer).length;
      this.firstUploadBytes ||= bytes;
    }
    this.received.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: Buffer.alloc(0) });
    response.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ bytes }));
  }
}

describe('the proxy', () => {
  let system: RunningSystem;
  let sandbox: SandboxProvider;
  let gateway: Gateway;
  let proxyGateway: Gateway;
  let upstream: Upstream;
  let workspaceId: string;
  const connections: Record<string, string> = {};
  let bearerConnector: string;

  const submit = (sessionToken: string, body: unknown) => gateway.call('POST', '/v1/connect/credentials', { key: null, body, headers: { 'x-connect-session': sessionToken } });

  async function typedConnection(connectorId: string, endUserId: string, credential: Record<string, unknown>): Promise<string> {
    const session = await openSession(gateway, { connectorId, endUserId });
    expect((await submit(session.sessionToken, credential)).status).toBe(202);
    await sessionReaches(gateway, session.sessionId, 'completed');
    return session.connectionId;
  }

  const proxy = (method: string, connectionId: string, path: string, init: { headers?: Record<string, string>; body?: Buffer | string | ReadableStream<Uint8Array>; key?: string } = {}) =>
    fetch(`${system.urls.gateway}/v1/proxy/${connectionId}${path}`, {
      method,
      headers: { authorization: `Bearer ${init.key ?? proxyGateway.apiKey}`, ...init.headers },
      redirect: 'manual',
      ...(init.body === undefined ? {} : { body: init.body, duplex: 'half' }),
      signal: AbortSignal.timeout(30_000),
    });

  /** Sends the path exactly as written (fetch's URL parser would resolve `%2e%2e` and friends first). */
  const rawProxy = (connectionId: string, path: string): Promise<{ status: number; header: string | undefined; body: string }> =>
    new Promise((resolve, reject) => {
      const url = new URL(system.urls.gateway);
      const sent = httpRequest({ host: url.hostname, port: url.port, method: 'GET', path: `/v1/proxy/${connectionId}${path}`, headers: { authorization: `Bearer ${proxyGateway.apiKey}` } }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, header: response.headers['x-broker-error'] as string | undefined, body: Buffer.concat(chunks).toString() }));
      });
      sent.on('error', reject);
      sent.end();
    });

  beforeAll(async () => {
    system = await startSystem({
      serviceEnv: {
        'token-issuance': { PROXY_TIMEOUT_MS: '3000', PROXY_MAX_REQUEST_BYTES: String(MIB), PROXY_MAX_RESPONSE_BYTES: String(32 * MIB) },
        gateway: { RATE_LIMIT_PROXY: 'off' },
      },
    });
    upstream = new Upstream();
    await upstream.start();
    sandbox = await startSandboxProvider({
      clients: [{ client_id: 'cb-proxy', client_secret: secrets.clientSecret, redirect_uris: [`${system.urls.gateway}/oauth/callback`], token_endpoint_auth_method: 'client_secret_basic' }],
    });
    ({ gateway, workspaceId } = await newWorkspace(system, 'Proxy Co'));
    const key = await gateway.call<{ apiKey: string }>('POST', '/v1/api-keys', { body: { name: 'proxy', scopes: ['proxy', 'credentials:read'] } });
    expect(key.status).toBe(201);
    proxyGateway = new Gateway(system.urls.gateway, key.body.apiKey);
    const api = `${upstream.base}/api`;

    const basic = await activeConnector(gateway, 'basic', { mode: 'BASIC', apiBaseUrl: api });
    const apiKey = await activeConnector(gateway, 'api-key', { mode: 'API_KEY', headerName: 'X-Api-Token', prefix: 'Token', apiBaseUrl: api });
    const queryKey = await activeConnector(gateway, 'query-key', { mode: 'API_KEY', placement: 'query', queryParam: 'key', apiBaseUrl: api });
    const bearer = await activeConnector(gateway, 'bearer', { mode: 'BEARER', apiBaseUrl: api });
    bearerConnector = bearer;
    const custom = await activeConnector(gateway, 'custom', {
      mode: 'CUSTOM',
      fields: [{ key: 'apiKey', label: 'API key', type: 'password', required: true }, { key: 'account', label: 'Account', type: 'text', required: true }],
      placement: { headers: { 'X-Custom-Auth': 'Key {fields.apiKey}' }, query: { account: '{fields.account}' } },
      apiBaseUrl: api,
    });
    const unconfigured = await activeConnector(gateway, 'no-base-url', { mode: 'BEARER' });
    const oauth = await activeConnector(gateway, 'oauth', {
      mode: 'OAUTH2',
      authorizationUrl: sandbox.urls.authorization,
      tokenUrl: sandbox.urls.token,
      clientId: 'cb-proxy',
      clientSecret: secrets.clientSecret,
      scopes: ['openid', 'offline_access'],
      authorizationParams: { prompt: 'consent' },
      apiBaseUrl: api,
    });

    connections.basic = await typedConnection(basic, 'u-basic', { username: 'ana', password: secrets.password });
    connections.apiKey = await typedConnection(apiKey, 'u-key', { apiKey: secrets.apiKey });
    connections.queryKey = await typedConnection(queryKey, 'u-query', { apiKey: secrets.queryKey });
    connections.bearer = await typedConnection(bearer, 'u-bearer', { token: secrets.bearer });
    connections.custom = await typedConnection(custom, 'u-custom', { values: { apiKey: secrets.custom, account: 'acct-7' } });
    connections.unconfigured = await typedConnection(unconfigured, 'u-none', { token: canary('unconfigured') });

    const session = await openSession(gateway, { connectorId: oauth, endUserId: 'u-oauth' });
    const { callbackUrl } = await authorizeOverHttp(session.authorizationUrl as string);
    expect((await fetch(callbackUrl, { redirect: 'manual' })).status).toBe(200);
    await sessionReaches(gateway, session.sessionId, 'completed');
    connections.oauth = session.connectionId;
  });

  afterAll(async () => {
    await sandbox?.stop();
    await upstream?.stop();
    await system?.stop();
  });

  it.each([
    ['basic', 'authorization', () => `Basic ${Buffer.from(`ana:${secrets.password}`).toString('base64')}`],
    ['apiKey', 'x-api-token', () => `Token ${secrets.apiKey}`],
    ['bearer', 'authorization', () => `Bearer ${secrets.bearer}`],
    ['custom', 'x-custom-auth', () => `Key ${secrets.custom}`],
  ])('%s: applies the credential in %s, forwards method, path, query and body, and never shows the credential', async (name, header, expected) => {
    const before = upstream.received.length;
    const answer = await proxy('POST', connections[name] as string, '/items/a%20b?page=2&q=x', {
      headers: { 'content-type': 'application/json', cookie: 'broker=1', 'x-api-key': 'nope', 'user-agent': 'caller/1.0', 'if-match': '"v0"' },
      body: JSON.stringify({ hello: name }),
    });
    const text = await answer.text();
    expect(answer.status).toBe(200);
    const seen = upstream.received[before] as Received;
    expect(seen.method).toBe('POST');
    expect(seen.url).toBe(name === 'custom' ? '/api/items/a%20b?page=2&q=x&account=acct-7' : '/api/items/a%20b?page=2&q=x');
    expect(seen.headers[header]).toBe(expected());
    if (header !== 'authorization') expect(seen.headers.authorization).toBeUndefined();
    expect(seen.headers.cookie).toBeUndefined();
    expect(seen.headers['x-api-key']).toBeUndefined();
    expect(seen.headers['if-match']).toBe('"v0"');
    expect(seen.headers['user-agent']).toBe('credential-broker-proxy caller/1.0');
    expect(seen.body.toString()).toBe(JSON.stringify({ hello: name }));
    for (const secret of Object.values(secrets)) expect(text).not.toContain(secret);
    expect(text).not.toContain(proxyGateway.apiKey);
    expect(answer.headers.get('etag')).toBe('"v1"');
    expect(answer.headers.get('x-ratelimit-remaining')).toBe('41');
    expect(answer.headers.get('set-cookie')).toBeNull();
    expect(answer.headers.get('location')).toBeNull();
    expect(answer.headers.get('server')).not.toBe('upstream');
    expect(answer.headers.get('x-broker-error')).toBeNull();
  });

  it('puts a query-placed API key in the query string', async () => {
    const before = upstream.received.length;
    expect((await proxy('GET', connections.queryKey as string, '/things?a=1')).status).toBe(200);
    expect(upstream.received[before]?.url).toBe(`/api/things?a=1&key=${secrets.queryKey}`);
  });

  it('requires the proxy scope, and answers 404 for a connection of another workspace', async () => {
    const connectOnly = await gateway.call<{ apiKey: string }>('POST', '/v1/api-keys', { body: { name: 'connect only', scopes: ['connect', 'credentials:read'] } });
    const withoutScope = await proxy('GET', connections.bearer as string, '/x', { key: connectOnly.body.apiKey });
    expect(withoutScope.status).toBe(403);
    expect(withoutScope.headers.get('x-broker-error')).toBe('true');
    const other = await newWorkspace(system, 'Other Co');
    const otherKey = await other.gateway.call<{ apiKey: string }>('POST', '/v1/api-keys', { body: { name: 'p', scopes: ['proxy'] } });
    const foreign = await proxy('GET', connections.bearer as string, '/x', { key: otherKey.body.apiKey });
    expect(foreign.status).toBe(404);
    expect(((await foreign.json()) as { error: { code: string } }).error.code).toBe('not_found');
    expect(foreign.headers.get('x-broker-error')).toBe('true');
  });

  it('refuses paths that could leave the base URL, naming the problem', async () => {
    for (const [path, problem] of [
      ['/a/%2e%2e/admin', 'dot_segment'],
      ['/a%2F..%2Fadmin', 'encoded_slash'],
      ['/a%5Cb', 'backslash'],
      ['//evil.example.com/x', 'double_slash'],
      ['/https:%2F%2Fevil.example.com', 'encoded_slash'],
      ['/http:evil', 'absolute_url'],
      ['/a/../../../internal/v1/x', 'dot_segment'],
      ['/a\\b', 'backslash'],
    ]) {
      const before = upstream.received.length;
      const answer = await rawProxy(connections.bearer as string, path as string);
      expect({ path, status: answer.status, header: answer.header }).toEqual({ path, status: 400, header: 'true' });
      const body = JSON.parse(answer.body) as { error: { code: string; details: { problem: string } } };
      expect(body.error).toMatchObject({ code: 'proxy_path_refused', details: { problem } });
      expect(upstream.received.length).toBe(before);
    }
  });

  it('answers a connector without apiBaseUrl with a broker error', async () => {
    const answer = await proxy('GET', connections.unconfigured as string, '/x');
    expect(answer.status).toBe(409);
    expect(answer.headers.get('x-broker-error')).toBe('true');
    expect(((await answer.json()) as { error: { code: string } }).error.code).toBe('proxy_not_configured');
  });

  it("sends a connection's credential only to the API origin it was issued for, whatever the connector says later", async () => {
    const elsewhere = new Upstream();
    await elsewhere.start();
    try {
      const moving = await activeConnector(gateway, 'moving-api', { mode: 'BEARER', apiBaseUrl: `${upstream.base}/api` });
      const token = canary('moving');
      const connectionId = await typedConnection(moving, 'u-moving', { token });
      expect((await proxy('GET', connectionId, '/before')).status).toBe(200);
      const patch = async (apiBaseUrl: string) => expect((await gateway.call('PATCH', `/v1/connectors/${moving}`, { body: { config: { mode: 'BEARER', apiBaseUrl } } })).status).toBe(200);

      // another path on the same origin is followed
      await patch(`${upstream.base}/api/v2`);
      await waitFor(async () => ((await proxy('GET', connectionId, '/same-origin')).status === 200 && upstream.hits('/api/v2/same-origin').length > 0 ? true : undefined), {
        timeoutMs: 30_000,
        description: 'the new path to be used',
      });

      // another origin is refused once token-issuance knows of it, and nothing reaches that origin
      await patch(`${elsewhere.base}/api`);
      const refused = await waitFor(
        async () => {
          const answer = await proxy('GET', connectionId, '/after');
          return answer.status === 409 ? answer : undefined;
        },
        { timeoutMs: 30_000, description: 'the moved origin to be refused' },
      );
      expect(refused.headers.get('x-broker-error')).toBe('true');
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('proxy_api_origin_changed');
      expect(elsewhere.received).toHaveLength(0);

      // a connection made after the move is bound to the new origin
      const later = await typedConnection(moving, 'u-moving-later', { token: canary('later') });
      expect((await proxy('GET', later, '/new-home')).status).toBe(200);
      expect(elsewhere.hits('/api/new-home')).toHaveLength(1);
      expect(JSON.stringify(elsewhere.received)).not.toContain(token);
    } finally {
      await elsewhere.stop();
    }
  });

  it('asks for a typed connector\'s required attribute the app left out, and fills it into the base URL', async () => {
    const connectorId = await activeConnector(gateway, 'per-account', {
      mode: 'BEARER',
      apiBaseUrl: `${upstream.base}/api/accounts/{attr.account}`,
      requiredAttributes: [{ key: 'account', label: 'Account', pattern: '[a-z]+' }],
    });
    const session = await openSession(gateway, { connectorId, endUserId: 'u-per-account' });
    expect(session.missingAttributes).toEqual(['account']);
    const token = canary('per-account');
    const early = await submit(session.sessionToken, { token });
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ error: { code: 'attributes_required', details: { missing: ['account'] } } });

    const attributes = (value: string) => gateway.call<{ authorizationUrl?: string; error?: { code: string } }>('POST', '/v1/connect/attributes', { key: null, body: { attributes: { account: value } }, headers: { 'x-connect-session': session.sessionToken } });
    const refused = await attributes('Not An Account');
    expect(refused.status).toBe(400);
    expect(refused.body.error?.code).toBe('validation_failed');
    const accepted = await attributes('acme');
    expect(accepted.status).toBe(200);
    expect(accepted.body.authorizationUrl).toBeUndefined();

    expect((await submit(session.sessionToken, { token })).status).toBe(202);
    await sessionReaches(gateway, session.sessionId, 'completed');
    const connection = await gateway.call<{ attributes: Record<string, string> }>('GET', `/v1/connections/${session.connectionId}`);
    expect(connection.body.attributes).toEqual({ account: 'acme' });
    const before = upstream.received.length;
    expect((await proxy('GET', session.connectionId, '/invoices')).status).toBe(200);
    expect(upstream.received[before]).toMatchObject({ url: '/api/accounts/acme/invoices', headers: { authorization: `Bearer ${token}` } });
  });

  it('streams a 20 MB download: the answer begins before the provider has finished sending it', async () => {
    const answer = await proxy('GET', connections.bearer as string, '/download');
    expect(answer.status).toBe(200);
    const reader = (answer.body as ReadableStream<Uint8Array>).getReader();
    let bytes = 0;
    const first = await reader.read();
    bytes += first.value?.length ?? 0;
    expect(upstream.downloadFinished).toBe(false);
    await waitFor(() => upstream.releaseDownload, { timeoutMs: 5000, description: 'the download to be under way' });
    upstream.releaseDownload?.();
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      bytes += next.value.length;
    }
    expect(bytes).toBe(20 * MIB);
  });

  it('streams an upload: the provider receives the first bytes before the caller has sent the rest', async () => {
    let sendRest!: () => void;
    const rest = new Promise<void>((resolve) => (sendRest = resolve));
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(new Uint8Array(256 * 1024));
        await rest;
        controller.enqueue(new Uint8Array(256 * 1024));
        controller.close();
      },
    });
    const answering = proxy('PUT', connections.bearer as string, '/upload', { headers: { 'content-type': 'application/octet-stream' }, body });
    await waitFor(() => upstream.firstUploadBytes > 0, { timeoutMs: 10_000, description: 'the provider to receive the first part of the upload' });
    sendRest();
    const answer = await answering;
    expect(answer.status).toBe(201);
    expect(await answer.json()).toEqual({ bytes: 512 * 1024 });
  });

  it('refuses a request body over PROXY_MAX_REQUEST_BYTES and an answer over PROXY_MAX_RESPONSE_BYTES', async () => {
    const before = upstream.received.length;
    const tooLarge = await proxy('POST', connections.bearer as string, '/echo', { headers: { 'content-type': 'application/octet-stream' }, body: Buffer.alloc(MIB + 1) });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.headers.get('x-broker-error')).toBe('true');
    expect(((await tooLarge.json()) as { error: { code: string } }).error.code).toBe('proxy_request_too_large');
    expect(upstream.received.length).toBe(before);

    const tooBig = await proxy('GET', connections.bearer as string, '/too-big');
    expect(tooBig.status).toBe(502);
    expect(((await tooBig.json()) as { error: { code: string } }).error.code).toBe('proxy_response_too_large');
  });

  it('answers 504 when the provider does not answer within PROXY_TIMEOUT_MS', async () => {
    const started = Date.now();
    const answer = await proxy('GET', connections.bearer as string, '/slow');
    expect(answer.status).toBe(504);
    expect(answer.headers.get('x-broker-error')).toBe('true');
    expect(((await answer.json()) as { error: { code: string } }).error.code).toBe('proxy_upstream_timeout');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('passes a redirect through without following it, with Location only when it stays on the base URL origin', async () => {
    const here = await proxy('GET', connections.bearer as string, '/redirect-here');
    expect(here.status).toBe(302);
    expect(here.headers.get('location')).toBe('/api/elsewhere');
    const away = await proxy('GET', connections.bearer as string, '/redirect-away');
    expect(away.status).toBe(302);
    expect(away.headers.get('location')).toBeNull();
    expect(upstream.hits('/api/elsewhere')).toHaveLength(0);
  });

  it("passes the provider's 429 through with Retry-After, not as a broker error", async () => {
    const answer = await proxy('GET', connections.bearer as string, '/rate-limited');
    expect(answer.status).toBe(429);
    expect(answer.headers.get('retry-after')).toBe('7');
    expect(answer.headers.get('x-broker-error')).toBeNull();
    expect(await answer.text()).toBe('{"error":"slow down"}');
  });

  it('X-Retries repeats a GET on 503 but never a POST', async () => {
    const get = await proxy('GET', connections.bearer as string, '/flaky?key=get', { headers: { 'x-retries': '2' } });
    expect(get.status).toBe(200);
    expect(upstream.received.filter((r) => r.url === '/api/flaky?key=get')).toHaveLength(3);

    const post = await proxy('POST', connections.bearer as string, '/flaky?key=post', { headers: { 'x-retries': '2', 'content-type': 'application/json' }, body: '{}' });
    expect(post.status).toBe(503);
    expect(upstream.received.filter((r) => r.url === '/api/flaky?key=post')).toHaveLength(1);

    const invalid = await proxy('GET', connections.bearer as string, '/flaky?key=bad', { headers: { 'x-retries': '9' } });
    expect(invalid.status).toBe(400);
  });

  it('X-Retries repeats a GET after a dropped connection; without it the broker answers 502 proxy_upstream_unreachable', async () => {
    const retried = await proxy('GET', connections.bearer as string, '/drop?key=retried', { headers: { 'x-retries': '3' } });
    expect(retried.status).toBe(200);
    expect(upstream.received.filter((r) => r.url === '/api/drop?key=retried')).toHaveLength(3);

    const once = await proxy('GET', connections.bearer as string, '/drop?key=once');
    expect(once.status).toBe(502);
    expect(once.headers.get('x-broker-error')).toBe('true');
    expect(((await once.json()) as { error: { code: string; details: { reason: string } } }).error).toMatchObject({ code: 'proxy_upstream_unreachable', details: { reason: 'unreachable' } });
    expect(upstream.received.filter((r) => r.url === '/api/drop?key=once')).toHaveLength(1);
  });

  it('an upstream 401 on an OAuth connection refreshes once and retries once with the new token', async () => {
    const read = async () => (await proxyGateway.call<{ credentialVersion: number; credential: { accessToken: string } }>('POST', `/v1/connections/${connections.oauth}/credential`, { body: {} })).body;
    const before = await read();
    upstream.staleToken = before.credential.accessToken;
    const refreshesBefore = (await sandbox.stats()).tokenRequests.byGrantType.refresh_token ?? 0;

    const answer = await proxy('GET', connections.oauth as string, '/oauth');
    expect(answer.status).toBe(200);
    const hits = upstream.hits('/api/oauth');
    expect(hits).toHaveLength(2);
    expect(hits[0]?.headers.authorization).toBe(`Bearer ${before.credential.accessToken}`);
    const after = await read();
    expect(after.credentialVersion).toBe(before.credentialVersion + 1);
    expect(hits[1]?.headers.authorization).toBe(`Bearer ${after.credential.accessToken}`);
    expect(((await sandbox.stats()).tokenRequests.byGrantType.refresh_token ?? 0) - refreshesBefore).toBe(1);
    const userinfo = await fetch(sandbox.urls.userinfo, { headers: { authorization: `Bearer ${after.credential.accessToken}` } });
    expect(userinfo.status).toBe(200);
  });

  it("the 401 refresh does not spend the caller's X-Retries: 401, refresh, 503, retried, 200", async () => {
    const read = async () => (await proxyGateway.call<{ credential: { accessToken: string } }>('POST', `/v1/connections/${connections.oauth}/credential`, { body: {} })).body;
    upstream.staleToken = (await read()).credential.accessToken;

    const answer = await proxy('GET', connections.oauth as string, '/oauth-busy', { headers: { 'x-retries': '1' } });
    expect(answer.status).toBe(200);
    const hits = upstream.hits('/api/oauth-busy');
    expect(hits).toHaveLength(3);
    const renewed = (await read()).credential.accessToken;
    expect(hits.map((hit) => hit.headers.authorization)).toEqual([`Bearer ${upstream.staleToken}`, `Bearer ${renewed}`, `Bearer ${renewed}`]);
  });

  it("the SDK's proxy methods answer with the provider's Response and throw the broker's own errors", async () => {
    const broker = new CredentialBrokerClient({ baseUrl: system.urls.gateway, apiKey: proxyGateway.apiKey });
    const before = upstream.received.length;
    const answer = await broker.proxy.put(connections.bearer as string, '/sdk/items/1', { query: { v: '2' }, headers: { 'content-type': 'application/json' }, body: '{"n":1}' });
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { method: string }).method).toBe('PUT');
    expect(upstream.received[before]).toMatchObject({ method: 'PUT', url: '/api/sdk/items/1?v=2' });
    expect(upstream.received[before]?.headers.authorization).toBe(`Bearer ${secrets.bearer}`);
    expect((await broker.proxy.get(connections.bearer as string, '/rate-limited')).status).toBe(429);
    const refused = await broker.proxy.get(connections.unconfigured as string, '/x').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(CredentialBrokerError);
    expect(refused).toMatchObject({ code: 'proxy_not_configured', status: 409 });
  });

  it('records every call without its query string', async () => {
    const marker = `/audited/${randomBytes(4).toString('hex')}`;
    expect((await proxy('GET', connections.bearer as string, `${marker}?secret=${canary('query')}`)).status).toBe(200);
    const rows = await waitFor(
      () =>
        withDb(system, async (db) => {
          const result = await db.query<{ path: string; method: string; status: number; api_key_id: string; workspace_id: string; response_bytes: string }>(
            'SELECT path, method, status, api_key_id, workspace_id, response_bytes FROM token_issuance.proxy_calls WHERE connection_id = $1 AND path = $2',
            [connections.bearer, marker],
          );
          return result.rows.length > 0 ? result.rows : undefined;
        }),
      { timeoutMs: 5000, description: 'the audit row of the call' },
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ path: marker, method: 'GET', status: 200, workspace_id: workspaceId });
    expect(Number(rows[0]?.response_bytes)).toBeGreaterThan(0);
    const all = await withDb(system, (db) => db.query<{ path: string }>('SELECT path FROM token_issuance.proxy_calls'));
    expect(all.rows.some((row) => row.path.includes('?'))).toBe(false);
    const view = await proxyGateway.call<{ proxyCalls: number }>('GET', `/v1/connections/${connections.bearer}`);
    const counted = await withDb(system, (db) => db.query<{ n: number }>('SELECT count(*)::int AS n FROM token_issuance.proxy_calls WHERE connection_id = $1', [connections.bearer]));
    expect(view.body.proxyCalls).toBe(counted.rows[0]?.n);
    expect(view.body.proxyCalls).toBeGreaterThan(10);
    const brokerErrors = await withDb(system, (db) => db.query<{ error_code: string; status: number }>('SELECT DISTINCT error_code, status FROM token_issuance.proxy_calls WHERE error_code IS NOT NULL'));
    expect(brokerErrors.rows).toEqual(expect.arrayContaining([{ error_code: 'proxy_upstream_timeout', status: 504 }]));
    // Refusals before any credential was used record nothing, like refused credential reads.
    expect(brokerErrors.rows.map((row) => row.error_code)).not.toContain('proxy_not_configured');
  });

  describe('a connection kept in memory by token-issuance', () => {
    const read = (connectionId: string) => proxyGateway.call('POST', `/v1/connections/${connectionId}/credential`, { body: {} });
    const statuses = async (connectionId: string): Promise<number[]> => [(await read(connectionId)).status, (await proxy('GET', connectionId, '/items/kept')).status];
    const changeBySql = (sql: string, connectionId: string) => withDb(system, (db) => db.query(sql, [connectionId]));

    it('is dropped as soon as anyone changes or deletes the row, SQL included', async () => {
      const connectionId = await typedConnection(bearerConnector, 'u-kept', { token: canary('kept') });
      expect(await statuses(connectionId)).toEqual([200, 200]);
      expect(await statuses(connectionId)).toEqual([200, 200]);
      await changeBySql("UPDATE token_issuance.connections SET status = 'needs_reconnect' WHERE id = $1", connectionId);
      // Kept for up to a minute otherwise: only the change's notice makes this quick.
      await waitFor(async () => (await statuses(connectionId)).every((status) => status === 409), { timeoutMs: 3000, intervalMs: 20, description: 'the marked connection to be refused' });
      await changeBySql("UPDATE token_issuance.connections SET status = 'active' WHERE id = $1", connectionId);
      await waitFor(async () => (await statuses(connectionId)).every((status) => status === 200), { timeoutMs: 3000, intervalMs: 20, description: 'the restored connection to be served' });
      await changeBySql('DELETE FROM token_issuance.connections WHERE id = $1', connectionId);
      await waitFor(async () => (await statuses(connectionId)).every((status) => status === 404), { timeoutMs: 3000, intervalMs: 20, description: 'the deleted connection to be unknown' });
    });

    it('is forgotten, every row at once, when the connection that follows changes is lost', async () => {
      const connectionId = await typedConnection(bearerConnector, 'u-kept-lost', { token: canary('kept-lost') });
      expect(await statuses(connectionId)).toEqual([200, 200]);
      await withDb(system, async (db) => {
        const terminated = await db.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'token-issuance-connection-changes'");
        expect(terminated.rowCount).toBeGreaterThan(0);
        await db.query("UPDATE token_issuance.connections SET status = 'needs_reconnect' WHERE id = $1", [connectionId]);
      });
      await waitFor(async () => (await statuses(connectionId)).every((status) => status === 409), { timeoutMs: 3000, intervalMs: 20, description: 'the connection changed while nobody listened to be refused' });
    });
  });

  it('never writes a credential, or the query string that carried one, to any log', () => {
    const logs = system.logs();
    expect(logs).toContain('/v1/proxy/:connectionId/*');
    expect(Object.values(secrets).filter((secret) => logs.includes(secret))).toEqual([]);
    expect(logs).not.toContain(proxyGateway.apiKey);
  });
});

describe('the proxy under the production outbound policy', () => {
  let system: RunningSystem;
  let upstream: Upstream;

  beforeAll(async () => {
    // connector-config accepts the loopback base URL (development); token-issuance enforces production's outbound policy.
    system = await startSystem({ serviceEnv: { 'token-issuance': { RUN_MODE: 'production' } } });
    upstream = new Upstream();
    await upstream.start();
  });

  afterAll(async () => {
    await upstream?.stop();
    await system?.stop();
  });

  it('refuses a base URL that resolves to an internal address before anything is sent', async () => {
    const { gateway } = await newWorkspace(system, 'Policy Co');
    const connectorId = await activeConnector(gateway, 'internal-api', { mode: 'BEARER', apiBaseUrl: `${upstream.base}/api` });
    const session = await openSession(gateway, { connectorId, endUserId: 'u-internal' });
    expect((await gateway.call('POST', '/v1/connect/credentials', { key: null, body: { token: canary('internal') }, headers: { 'x-connect-session': session.sessionToken } })).status).toBe(202);
    await sessionReaches(gateway, session.sessionId, 'completed');
    const answer = await fetch(`${system.urls.gateway}/v1/proxy/${session.connectionId}/metadata`, { headers: { authorization: `Bearer ${gateway.apiKey}` } });
    expect(answer.status).toBe(502);
    expect(answer.headers.get('x-broker-error')).toBe('true');
    expect(((await answer.json()) as { error: { code: string; details: { reason: string } } }).error).toMatchObject({ code: 'proxy_upstream_unreachable', details: { reason: 'refused_destination' } });
    expect(upstream.received).toHaveLength(0);
  });
});
