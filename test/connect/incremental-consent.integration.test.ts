/**
 * Scopes per connection against the sandbox oidc-provider: a connector's defaults plus an allow-list
 * of optional scopes; a connect session asks for some of them, a re-authorization of an existing
 * connection asks for more (incremental consent) and keeps the connection's id; anything outside the
 * allow-list is refused before a session opens.
 */
import { randomBytes } from 'node:crypto';
import { EVENT_CATALOG, TokenIssued } from '@cb/events';
import { CredentialBrokerClient, CredentialBrokerError } from '@cb/sdk';
import { collectMessages, MessageCollector, waitFor } from '../harness';
import { authorizeOverHttp, SandboxProvider, startSandboxProvider } from '../support/sandbox-provider';
import { RunningSystem, startSystem } from '../support/system';
import { activeConnector, Gateway, newWorkspace, sessionReaches, withDb } from './connect-helpers';

const CLIENT_SECRET = `canary-client-secret-${randomBytes(6).toString('hex')}`;
const DEFAULT_SCOPES = ['openid', 'offline_access'];

describe('scopes per connection and incremental consent', () => {
  let system: RunningSystem;
  let sandbox: SandboxProvider;
  let collector: MessageCollector;
  let gateway: Gateway;
  let broker: CredentialBrokerClient;
  let connectorId: string;

  const issued = (connectionId: string, reason: string) =>
    waitFor(
      () =>
        collector.messages
          .filter((m) => m.topic === system.topic(TokenIssued.topic))
          .map((m) => JSON.parse(m.value) as { connectionId: string; reason: string; scopes: string[]; credentialVersion: number })
          .find((p) => p.connectionId === connectionId && p.reason === reason),
      { timeoutMs: 20_000, description: `TokenIssued(${reason}) for ${connectionId}` },
    );

  /** Opens a session through the SDK, consents at the sandbox and follows the redirect to the gateway's callback. */
  const connect = async (body: Parameters<CredentialBrokerClient['connectSessions']['create']>[0]) => {
    const session = await broker.connectSessions.create(body);
    const askedFor = new URL(session.authorizationUrl as string).searchParams.get('scope')?.split(' ');
    const { callbackUrl } = await authorizeOverHttp(session.authorizationUrl as string);
    await (await fetch(callbackUrl, { redirect: 'manual' })).text();
    await sessionReaches(gateway, session.sessionId, 'completed');
    return { session, askedFor };
  };

  const connectionScopes = async (connectionId: string) => {
    const view = await gateway.call<{ scopes: string[] }>('GET', `/v1/connections/${connectionId}`);
    expect(view.status).toBe(200);
    return [...view.body.scopes].sort();
  };

  const userinfo = async (connectionId: string) => {
    const read = await gateway.call<{ credential: { accessToken: string; scopes: string[] } }>('POST', `/v1/connections/${connectionId}/credential`, { body: {} });
    expect(read.status).toBe(200);
    const answer = await fetch(sandbox.urls.userinfo, { headers: { authorization: `Bearer ${read.body.credential.accessToken}` } });
    expect(answer.status).toBe(200);
    return (await answer.json()) as Record<string, unknown>;
  };

  beforeAll(async () => {
    system = await startSystem();
    sandbox = await startSandboxProvider({
      clients: [{ client_id: 'cb-scopes', client_secret: CLIENT_SECRET, redirect_uris: [`${system.urls.gateway}/oauth/callback`], token_endpoint_auth_method: 'client_secret_basic' }],
    });
    collector = await collectMessages({ brokers: system.kafkaBrokers, topics: EVENT_CATALOG.map((d) => system.topic(d.topic)), fromBeginning: true });
    const workspace = await newWorkspace(system, 'Scopes Co');
    gateway = workspace.gateway;
    broker = new CredentialBrokerClient({ baseUrl: system.urls.gateway, apiKey: workspace.apiKey });
    connectorId = await activeConnector(gateway, 'sandbox-scopes', {
      mode: 'OAUTH2',
      authorizationUrl: sandbox.urls.authorization,
      tokenUrl: sandbox.urls.token,
      clientId: 'cb-scopes',
      clientSecret: CLIENT_SECRET,
      scopes: DEFAULT_SCOPES,
      optionalScopes: ['email', 'profile'],
      authorizationParams: { prompt: 'consent' },
    });
  });

  afterAll(async () => {
    await collector?.stop();
    await sandbox?.stop();
    await system?.stop();
  });

  it('connects with the defaults, then re-authorizes the same connection with an allowed extra scope', async () => {
    const first = await connect({ connectorId, endUserId: 'u-scopes' });
    expect(first.askedFor).toEqual(DEFAULT_SCOPES);
    expect(await connectionScopes(first.session.connectionId)).toEqual([...DEFAULT_SCOPES].sort());
    expect((await issued(first.session.connectionId, 'connect')).scopes.sort()).toEqual([...DEFAULT_SCOPES].sort());
    expect(await userinfo(first.session.connectionId)).not.toHaveProperty('email');

    const again = await connect({ connectorId, connectionId: first.session.connectionId, scopes: ['email'] });
    expect(again.session.connectionId).toBe(first.session.connectionId);
    expect(again.askedFor).toEqual([...DEFAULT_SCOPES, 'email']);
    const reissued = await issued(first.session.connectionId, 'reconnect');
    expect(reissued.credentialVersion).toBe(2);
    expect(reissued.scopes.sort()).toEqual(['email', ...DEFAULT_SCOPES].sort());
    expect(await connectionScopes(first.session.connectionId)).toEqual(['email', ...DEFAULT_SCOPES].sort());
    // The token itself carries the new scope: the provider's userinfo now answers with the e-mail claim.
    expect(await userinfo(first.session.connectionId)).toMatchObject({ email: expect.any(String) });
  });

  it('refuses a scope outside the allow-list, naming it, and opens no session', async () => {
    const refused = await broker.connectSessions.create({ connectorId, endUserId: 'u-greedy', scopes: ['email', 'api:write', 'admin'] }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(CredentialBrokerError);
    expect(refused).toMatchObject({ status: 400, code: 'validation_failed' });
    expect((refused as CredentialBrokerError).fieldErrors).toEqual([{ path: 'scopes', message: expect.stringMatching(/not allowed.*: api:write, admin$/) }]);

    const malformed = await gateway.call<{ error: { details: { errors: Array<{ path: string }> } } }>('POST', '/v1/connect-sessions', { body: { connectorId, endUserId: 'u-greedy', scopes: ['two words'] } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.details.errors.map((e) => e.path)).toEqual(['scopes']);
    const sessions = await withDb(system, async (db) => (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM oauth_authorization.connect_sessions WHERE end_user_id = 'u-greedy'")).rows[0]?.n);
    expect(sessions).toBe(0);
  });

  it("a fresh sign-in address keeps the session's extra scopes while the connector allows them, and drops one it no longer allows", async () => {
    const config = { mode: 'OAUTH2', authorizationUrl: sandbox.urls.authorization, tokenUrl: sandbox.urls.token, clientId: 'cb-scopes', scopes: DEFAULT_SCOPES };
    const connector = await activeConnector(gateway, 'sandbox-scopes-edited', { ...config, clientSecret: CLIENT_SECRET, optionalScopes: ['email', 'profile'] });
    const session = await broker.connectSessions.create({ connectorId: connector, endUserId: 'u-edited', scopes: ['email', 'profile'] });
    const scopeOf = (url: string) => new URL(url).searchParams.get('scope');
    expect(scopeOf(session.authorizationUrl as string)).toBe('openid offline_access email profile');
    const fresh = async () => {
      const answer = await gateway.call<{ authorizationUrl: string }>('POST', '/v1/connect/authorize', { key: null, headers: { 'x-connect-session': session.sessionToken } });
      expect(answer.status).toBe(200);
      return scopeOf(answer.body.authorizationUrl);
    };
    expect(await fresh()).toBe('openid offline_access email profile');

    const edited = await gateway.call('PATCH', `/v1/connectors/${connector}`, { body: { config: { ...config, optionalScopes: ['email'] } } });
    expect(edited.status).toBe(200);
    await waitFor(async () => (await fresh()) === 'openid offline_access email', { timeoutMs: 15_000, intervalMs: 200, description: 'the fresh address without the scope no longer allowed' });
  });

  it('refuses scopes for a connector that is not OAuth2 authorization code', async () => {
    const bearer = await activeConnector(gateway, 'bearer-scopes', { mode: 'BEARER' });
    const refused = await gateway.call<{ error: { details: { errors: Array<{ path: string; message: string }> } } }>('POST', '/v1/connect-sessions', {
      body: { connectorId: bearer, endUserId: 'u-bearer', scopes: ['email'] },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details.errors).toEqual([{ path: 'scopes', message: expect.stringContaining('only with an OAuth2 authorization code connector') }]);
  });
});
