/**
 * A connector's verification request on the real stack: a typed credential is sent to the
 * connector's API (a local upstream that accepts one key) before the connection is made. A good
 * credential connects; a rejected one, a provider that never answers and one that cannot be reached
 * fail the connect session with a reason the end user can read, and leave no connection, no
 * TokenIssued and no trace of the secret. An OAuth2 connector that asks for it checks the new access
 * token after the code exchange, against the sandbox provider's userinfo endpoint.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConnectionFailed, EVENT_CATALOG, TokenIssued } from '@cb/events';
import { collectMessages, MessageCollector, waitFor } from '../harness';
import { authorizeOverHttp, SandboxProvider, startSandboxProvider } from '../support/sandbox-provider';
import { RunningSystem, startSystem } from '../support/system';
import { activeConnector, Gateway, newWorkspace, openSession, OpenedSession, sessionReaches, withDb } from './connect-helpers';

const canary = (what: string): string => `canary-${what}-${randomBytes(6).toString('hex')}`;
const keys = { good: canary('good-key'), bad: canary('bad-key'), goodToken: canary('good-token'), badToken: canary('bad-token'), slow: canary('slow-key'), unreachable: canary('unreachable-key') };
const VERIFICATION_TIMEOUT_MS = 1500;

/** The provider's API: `/v1/me` answers 200 to the good credentials and 401, echoing what it got, to anything else; `/v1/slow` never answers. */
class Upstream {
  readonly received: Array<{ method: string; url: string; headers: IncomingMessage['headers'] }> = [];
  base = '';
  private server!: Server;

  async start(): Promise<void> {
    this.server = createServer((request, response) => this.handle(request, response));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    this.received.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers });
    const path = (request.url ?? '').split('?')[0];
    if (path === '/v1/slow') return; // never answers
    const good = request.headers['x-api-token'] === `Token ${keys.good}` || request.headers.authorization === `Bearer ${keys.goodToken}`;
    if (path === '/v1/me' && good) {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"me"}');
      return;
    }
    // A provider that echoes the credential it refused: the broker must never pass this body on.
    response.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'invalid key', got: request.headers }));
  }
}

describe('verification requests before a typed credential is connected', () => {
  let system: RunningSystem;
  let upstream: Upstream;
  let sandbox: SandboxProvider;
  let collector: MessageCollector;
  let gateway: Gateway;
  const connectors = { apiKey: '', bearer: '', slow: '', unreachable: '', oauthVerified: '', oauthWithoutOpenid: '' };
  const CLIENT_SECRET = canary('client-secret');
  const sessionAnswers: string[] = [];

  const submit = (session: OpenedSession, body: unknown) =>
    gateway.call('POST', '/v1/connect/credentials', { key: null, body, headers: { 'x-connect-session': session.sessionToken } });

  const eventsOf = (topic: string, connectionId: string) =>
    collector.messages.filter((m) => m.topic === system.topic(topic)).map((m) => JSON.parse(m.value) as Record<string, unknown>).filter((p) => p.connectionId === connectionId);

  const connectionRows = (connectionId: string) =>
    withDb(system, async (db) => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM token_issuance.connections WHERE id = $1', [connectionId])).rows[0]?.n);

  /** Connects with `body` and waits for the session's end; the session answer is kept for the secret check. */
  const connect = async (connectorId: string, body: unknown, status: 'completed' | 'failed') => {
    const session = await openSession(gateway, { connectorId, endUserId: `u-${randomBytes(4).toString('hex')}` });
    expect((await submit(session, body)).status).toBe(202);
    const view = await sessionReaches(gateway, session.sessionId, status);
    sessionAnswers.push(JSON.stringify(view));
    const ui = await gateway.call('GET', '/v1/connect/session', { key: null, headers: { 'x-connect-session': session.sessionToken } });
    sessionAnswers.push(ui.text);
    return { session, view };
  };

  /** A failed session left nothing behind: no connection row, no TokenIssued, one ConnectionFailed with the same reason. */
  const expectNothingConnected = async (connectionId: string, code: string) => {
    await waitFor(() => eventsOf(ConnectionFailed.topic, connectionId).length === 1, { timeoutMs: 15_000, description: `ConnectionFailed for ${connectionId}` });
    expect(eventsOf(ConnectionFailed.topic, connectionId)).toEqual([expect.objectContaining({ errorCode: code })]);
    expect(eventsOf(TokenIssued.topic, connectionId)).toEqual([]);
    expect(await connectionRows(connectionId)).toBe(0);
  };

  beforeAll(async () => {
    upstream = new Upstream();
    await upstream.start();
    system = await startSystem({ serviceEnv: { 'token-issuance': { VERIFICATION_TIMEOUT_MS: String(VERIFICATION_TIMEOUT_MS) } } });
    collector = await collectMessages({ brokers: system.kafkaBrokers, topics: EVENT_CATALOG.map((d) => system.topic(d.topic)), fromBeginning: true });
    ({ gateway } = await newWorkspace(system, 'Verification Co'));
    const apiKey = { mode: 'API_KEY', headerName: 'X-Api-Token', prefix: 'Token' };
    connectors.apiKey = await activeConnector(gateway, 'verified-key', { ...apiKey, apiBaseUrl: `${upstream.base}/v1`, verification: { method: 'GET', path: '/me?fields=id', expectedStatus: 200 } });
    connectors.bearer = await activeConnector(gateway, 'verified-bearer', { mode: 'BEARER', apiBaseUrl: `${upstream.base}/v1`, verification: { method: 'HEAD', path: '/me', expectedStatus: 200 } });
    connectors.slow = await activeConnector(gateway, 'verified-slow', { ...apiKey, apiBaseUrl: `${upstream.base}/v1`, verification: { method: 'GET', path: '/slow', expectedStatus: 200 } });
    // A port that was free a moment ago and that nothing listens on.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    connectors.unreachable = await activeConnector(gateway, 'verified-unreachable', { ...apiKey, apiBaseUrl: `http://127.0.0.1:${closedPort}/v1`, verification: { method: 'GET', path: '/me', expectedStatus: 200 } });

    sandbox = await startSandboxProvider({
      clients: [{ client_id: 'cb-verified', client_secret: CLIENT_SECRET, redirect_uris: [`${system.urls.gateway}/oauth/callback`], token_endpoint_auth_method: 'client_secret_basic' }],
    });
    const userinfo = new URL(sandbox.urls.userinfo);
    const oauth = (scopes: string[]) => ({
      mode: 'OAUTH2',
      authorizationUrl: sandbox.urls.authorization,
      tokenUrl: sandbox.urls.token,
      revocationUrl: sandbox.urls.revocation,
      clientId: 'cb-verified',
      clientSecret: CLIENT_SECRET,
      scopes,
      authorizationParams: { prompt: 'consent' },
      apiBaseUrl: userinfo.origin,
      verification: { method: 'GET', path: userinfo.pathname, expectedStatus: 200, afterOAuthExchange: true },
    });
    connectors.oauthVerified = await activeConnector(gateway, 'oauth-verified', oauth(['openid', 'offline_access']));
    // userinfo answers only a token issued with `openid`
    connectors.oauthWithoutOpenid = await activeConnector(gateway, 'oauth-without-openid', oauth(['offline_access']));
  });

  afterAll(async () => {
    await collector?.stop();
    await sandbox?.stop();
    await system?.stop();
    await upstream?.stop();
  });

  it('a credential the provider accepts is connected, and the check carried it as the proxy would', async () => {
    const { session, view } = await connect(connectors.apiKey, { apiKey: keys.good }, 'completed');
    expect(view.error).toBeNull();
    const check = upstream.received.find((r) => r.headers['x-api-token'] === `Token ${keys.good}`);
    expect(check).toMatchObject({ method: 'GET', url: '/v1/me?fields=id' });
    await waitFor(() => eventsOf(TokenIssued.topic, session.connectionId).length === 1, { timeoutMs: 15_000, description: 'TokenIssued for the verified connection' });
    expect(await connectionRows(session.connectionId)).toBe(1);

    const bearer = await connect(connectors.bearer, { token: keys.goodToken }, 'completed');
    expect(upstream.received.find((r) => r.headers.authorization === `Bearer ${keys.goodToken}`)).toMatchObject({ method: 'HEAD', url: '/v1/me' });
    expect(await connectionRows(bearer.session.connectionId)).toBe(1);
  });

  it("a credential the provider rejects fails the session with its status and a readable reason, and is connected nowhere", async () => {
    const { session, view } = await connect(connectors.apiKey, { apiKey: keys.bad }, 'failed');
    expect(view.error).toEqual({ code: 'credential_rejected', reason: 'The provider rejected the credential (401).' });
    expect(upstream.received.some((r) => r.headers['x-api-token'] === `Token ${keys.bad}`)).toBe(true);
    await expectNothingConnected(session.connectionId, 'credential_rejected');

    const bearer = await connect(connectors.bearer, { token: keys.badToken }, 'failed');
    expect(bearer.view.error).toEqual({ code: 'credential_rejected', reason: 'The provider rejected the credential (401).' });
    await expectNothingConnected(bearer.session.connectionId, 'credential_rejected');

    // The end user tries again with the right key, in a new session.
    const retried = await connect(connectors.apiKey, { apiKey: keys.good }, 'completed');
    expect(await connectionRows(retried.session.connectionId)).toBe(1);
  });

  it('a reconnect whose new credential is rejected leaves the connection with its old one', async () => {
    const first = await connect(connectors.apiKey, { apiKey: keys.good }, 'completed');
    const session = await openSession(gateway, { connectorId: connectors.apiKey, connectionId: first.session.connectionId });
    expect((await submit(session, { apiKey: keys.bad })).status).toBe(202);
    const view = await sessionReaches(gateway, session.sessionId, 'failed');
    sessionAnswers.push(JSON.stringify(view));
    expect(view.error).toEqual({ code: 'credential_rejected', reason: 'The provider rejected the credential (401).' });
    const read = await gateway.call<{ credentialVersion: number; credential: { apiKey: string } }>('POST', `/v1/connections/${first.session.connectionId}/credential`, { body: {} });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ credentialVersion: 1, credential: { apiKey: keys.good } });
    await waitFor(() => eventsOf(ConnectionFailed.topic, first.session.connectionId).length === 1 && eventsOf(TokenIssued.topic, first.session.connectionId).length > 0, {
      timeoutMs: 15_000,
      description: 'TokenIssued for the connect and ConnectionFailed for the reconnect',
    });
    expect(eventsOf(TokenIssued.topic, first.session.connectionId).map((event) => event.reason)).toEqual(['connect']);
  });

  it('a provider that does not answer in time fails the session as a timeout', async () => {
    const started = Date.now();
    const { session, view } = await connect(connectors.slow, { apiKey: keys.slow }, 'failed');
    expect(Date.now() - started).toBeGreaterThanOrEqual(VERIFICATION_TIMEOUT_MS);
    expect(view.error).toEqual({ code: 'verification_timeout', reason: 'The provider did not answer the credential check in time.' });
    await expectNothingConnected(session.connectionId, 'verification_timeout');
  });

  it('a provider that cannot be reached fails the session as unreachable', async () => {
    const { session, view } = await connect(connectors.unreachable, { apiKey: keys.unreachable }, 'failed');
    expect(view.error).toEqual({ code: 'verification_unreachable', reason: 'The provider could not be reached to check the credential.' });
    await expectNothingConnected(session.connectionId, 'verification_unreachable');
  });

  it('a verification request that could leave the base URL, or has no base URL, is refused when the connector is written', async () => {
    const errorsOf = async (config: Record<string, unknown>) => {
      const answer = await gateway.call<{ error: { code: string; details: { errors: Array<{ path: string; message: string }> } } }>('POST', '/v1/connectors', {
        body: { slug: `bad-${randomBytes(3).toString('hex')}`, name: 'Bad', config },
      });
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('validation_failed');
      return answer.body.error.details.errors;
    };
    expect(await errorsOf({ mode: 'BEARER', verification: { method: 'GET', path: '/me', expectedStatus: 200 } })).toEqual([
      { path: 'config.verification', message: expect.stringContaining('needs apiBaseUrl') },
    ]);
    expect(await errorsOf({ mode: 'BEARER', apiBaseUrl: 'https://api.example.com/v1', verification: { method: 'GET', path: '/%2e%2e/admin', expectedStatus: 200 } })).toEqual([
      { path: 'config.verification.path', message: expect.stringContaining('. or ..') },
    ]);
  });

  it('an OAuth2 connector with afterOAuthExchange checks the new access token before the connection is stored', async () => {
    const consent = async (connectorId: string, status: 'completed' | 'failed') => {
      const session = await openSession(gateway, { connectorId, endUserId: `u-${randomBytes(4).toString('hex')}` });
      const { callbackUrl } = await authorizeOverHttp(session.authorizationUrl as string);
      await (await fetch(callbackUrl, { redirect: 'manual' })).text();
      const view = await sessionReaches(gateway, session.sessionId, status);
      sessionAnswers.push(JSON.stringify(view));
      return { session, view };
    };
    const good = await consent(connectors.oauthVerified, 'completed');
    expect(await connectionRows(good.session.connectionId)).toBe(1);

    const refused = await consent(connectors.oauthWithoutOpenid, 'failed');
    expect(refused.view.error).toEqual({ code: 'credential_rejected', reason: expect.stringMatching(/^The provider rejected the credential \((401|403)\)\.$/) });
    await expectNothingConnected(refused.session.connectionId, 'credential_rejected');
  });

  it('no secret reaches a session answer, a log line or a Kafka message', () => {
    const logs = system.logs();
    const messages = collector.messages.map((m) => `${m.value} ${JSON.stringify(m.headers)}`).join('\n');
    const answers = sessionAnswers.join('\n');
    expect(sessionAnswers.length).toBeGreaterThanOrEqual(14);
    for (const secret of Object.values(keys)) {
      expect(logs).not.toContain(secret);
      expect(messages).not.toContain(secret);
      expect(answers).not.toContain(secret);
    }
  });
});
