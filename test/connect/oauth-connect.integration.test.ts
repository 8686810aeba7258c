/**
 * The OAuth connect flow end to end: gateway, oauth-authorization, token-issuance, real Kafka and
 * PostgreSQL, and the sandbox oidc-provider as the authorization server.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { CodeReceived, DEAD_LETTER_TOPIC, EVENT_CATALOG, TokenIssued } from '@cb/events';
import { collectMessages, MessageCollector, waitFor } from '../harness';
import { authorizeOverHttp, SandboxProvider, startSandboxProvider } from '../support/sandbox-provider';
import { RunningSystem, startSystem } from '../support/system';
import { activeConnector, Gateway, newWorkspace, openSession, seenResponses, sessionReaches, withDb } from './connect-helpers';

const canary = (what: string): string => `canary-${what}-${randomBytes(6).toString('hex')}`;
const BASIC_SECRET = canary('basic-client-secret');
const POST_SECRET = canary('post-client-secret');
const WRONG_SECRET = canary('wrong-client-secret');
const SCOPES = ['openid', 'profile', 'email', 'offline_access'];

interface CredentialBody {
  connectionId: string;
  mode: string;
  credentialVersion: number;
  credential: { type: string; accessToken: string; tokenType: string; expiresAt: string | null; scopes: string[]; metadata: object; refreshToken?: string };
}

describe('OAuth connect flow', () => {
  let system: RunningSystem;
  let sandbox: SandboxProvider;
  let collector: MessageCollector;
  let gateway: Gateway;
  let apiKeyId: string;
  let basicConnectorId: string;
  let postConnectorId: string;
  const secretsSeen = new Set<string>([BASIC_SECRET, POST_SECRET, WRONG_SECRET]);
  /** Values only the credential read may return. */
  const tokensSeen = new Set<string>();

  const oauthConfig = (clientId: string, clientSecret: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    mode: 'OAUTH2',
    authorizationUrl: sandbox.urls.authorization,
    tokenUrl: sandbox.urls.token,
    clientId,
    clientSecret,
    scopes: SCOPES,
    authorizationParams: { prompt: 'consent' },
    ...extra,
  });

  const eventsFor = (topic: string, connectionId: string): Array<{ value: string; headers: Record<string, string>; payload: Record<string, unknown> }> =>
    collector.messages
      .filter((m) => m.topic === system.topic(topic))
      .map((m) => ({ value: m.value, headers: m.headers, payload: JSON.parse(m.value) as Record<string, unknown> }))
      .filter((m) => m.payload.connectionId === connectionId);

  const codeReceivedRows = (sessionId?: string): Promise<number> =>
    withDb(system, async (db) => {
      const result = await db.query(`SELECT count(*)::int AS n FROM oauth_authorization.outbox WHERE topic = $1 ${sessionId ? `AND payload->>'sessionId' = $2` : ''}`, [
        system.topic(CodeReceived.topic),
        ...(sessionId ? [sessionId] : []),
      ]);
      return (result.rows[0] as { n: number }).n;
    });

  /** Authorizes at the sandbox over HTTP and follows the redirect to the gateway's callback. */
  const connect = async (body: Record<string, unknown>, options: { deny?: boolean; username?: string } = {}) => {
    const session = await openSession(gateway, body);
    const { callbackUrl } = await authorizeOverHttp(session.authorizationUrl as string, options);
    const code = callbackUrl.searchParams.get('code');
    if (code) secretsSeen.add(code);
    const callback = await fetch(callbackUrl, { redirect: 'manual' });
    return { session, callbackUrl, callback, page: await callback.text() };
  };

  const readCredential = async (connectionId: string, includeRefreshToken = false) => {
    const answer = await gateway.call<CredentialBody>('POST', `/v1/connections/${connectionId}/credential`, { body: { includeRefreshToken } });
    if (answer.status === 200) {
      tokensSeen.add(answer.body.credential.accessToken);
      if (answer.body.credential.refreshToken) tokensSeen.add(answer.body.credential.refreshToken);
    }
    return answer;
  };

  beforeAll(async () => {
    system = await startSystem({ serviceEnv: { 'token-issuance': { TOKEN_REQUEST_TIMEOUT_MS: '2000' } } });
    const redirectUri = `${system.urls.gateway}/oauth/callback`;
    sandbox = await startSandboxProvider({
      clients: [
        { client_id: 'cb-basic', client_secret: BASIC_SECRET, redirect_uris: [redirectUri], token_endpoint_auth_method: 'client_secret_basic' },
        { client_id: 'cb-post', client_secret: POST_SECRET, redirect_uris: [redirectUri], token_endpoint_auth_method: 'client_secret_post' },
      ],
    });
    collector = await collectMessages({
      brokers: system.kafkaBrokers,
      topics: [...EVENT_CATALOG.map((d) => system.topic(d.topic)), system.topic(DEAD_LETTER_TOPIC)],
      fromBeginning: true,
    });
    const workspace = await newWorkspace(system, 'Connect Co');
    gateway = workspace.gateway;
    apiKeyId = workspace.apiKeyId;
    basicConnectorId = await activeConnector(gateway, 'sandbox-basic', oauthConfig('cb-basic', BASIC_SECRET));
    postConnectorId = await activeConnector(gateway, 'sandbox-post', oauthConfig('cb-post', POST_SECRET, { clientAuthMethod: 'client_secret_post' }));
  });

  afterAll(async () => {
    await collector?.stop();
    await sandbox?.stop();
    await system?.stop();
  });

  it('connects end to end: authorization URL, consent, callback, CodeReceived then TokenIssued, credential read, userinfo', async () => {
    const { session, callbackUrl, callback, page } = await connect({ connectorId: basicConnectorId, endUserId: 'user-1' });

    const authorizationUrl = new URL(session.authorizationUrl as string);
    expect(`${authorizationUrl.origin}${authorizationUrl.pathname}`).toBe(sandbox.urls.authorization);
    const params = authorizationUrl.searchParams;
    expect(params.get('response_type')).toBe('code');
    expect(params.get('client_id')).toBe('cb-basic');
    expect(params.get('redirect_uri')).toBe(`${system.urls.gateway}/oauth/callback`);
    expect(params.get('scope')).toBe(SCOPES.join(' '));
    expect(params.get('prompt')).toBe('consent');
    expect(params.get('code_challenge_method')).toBe('S256');
    expect(params.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(params.get('state') ?? '', 'base64url').length).toBeGreaterThanOrEqual(16);
    expect(session.sessionToken).toMatch(/^cbs_/);

    expect(`${callbackUrl.origin}${callbackUrl.pathname}`).toBe(`${system.urls.gateway}/oauth/callback`);
    expect(callback.status).toBe(200);
    expect(callback.headers.get('referrer-policy')).toBe('no-referrer');
    expect(callback.headers.get('cache-control')).toBe('no-store');
    expect(callback.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(page).toContain('postMessage');
    expect(page).toContain(JSON.stringify(system.urls.gateway));
    expect(page).not.toMatch(/postMessage\([^)]*'\*'/);
    expect(page).not.toMatch(/<(script|link|img)[^>]+(src|href)=/i);
    expect(page).not.toContain(callbackUrl.searchParams.get('code') as string);

    const issued = await waitFor(() => eventsFor(TokenIssued.topic, session.connectionId)[0], { timeoutMs: 30_000, description: 'TokenIssued' });
    const received = eventsFor(CodeReceived.topic, session.connectionId);
    expect(received).toHaveLength(1);
    expect(received[0]?.payload).toMatchObject({ sessionId: session.sessionId, connectorId: basicConnectorId, endUserId: 'user-1', reconnect: false, redirectUri: `${system.urls.gateway}/oauth/callback` });
    expect(String(received[0]?.payload.sealedCode)).toMatch(/^v1\./);
    expect(String(received[0]?.payload.sealedCodeVerifier)).toMatch(/^v1\./);
    expect(collector.messages.findIndex((m) => m.value === received[0]?.value)).toBeLessThan(collector.messages.findIndex((m) => m.value === issued.value));
    expect(issued.payload).toMatchObject({ reason: 'connect', sessionId: session.sessionId, mode: 'OAUTH2', refreshable: true, credentialVersion: 1, refreshMarginSeconds: 300 });
    expect((issued.payload.scopes as string[]).sort()).toEqual([...SCOPES].sort());
    expect(issued.payload.expiresAt).toEqual(expect.any(String));

    const completed = await sessionReaches(gateway, session.sessionId, 'completed');
    expect(completed.connectionId).toBe(session.connectionId);
    const byToken = await gateway.call<{ status: string }>('GET', '/v1/connect/session', { key: null, headers: { authorization: `Bearer ${session.sessionToken}` } });
    expect(byToken.body.status).toBe('completed');

    const connection = await gateway.call<Record<string, unknown>>('GET', `/v1/connections/${session.connectionId}`);
    expect(connection.status).toBe(200);
    expect(connection.body).toMatchObject({ connectionId: session.connectionId, connectorId: basicConnectorId, endUserId: 'user-1', status: 'active', mode: 'OAUTH2', credentialVersion: 1 });
    const list = await gateway.call<{ items: Array<{ connectionId: string }> }>('GET', `/v1/connections?connectorId=${basicConnectorId}&endUserId=user-1`);
    expect(list.body.items.map((c) => c.connectionId)).toContain(session.connectionId);

    const credential = await readCredential(session.connectionId);
    expect(credential.status).toBe(200);
    expect(credential.headers.get('cache-control')).toBe('no-store');
    expect(credential.body).toMatchObject({ connectionId: session.connectionId, mode: 'OAUTH2', credential: { type: 'oauth2', tokenType: 'Bearer' } });
    expect(credential.body.credential.refreshToken).toBeUndefined();
    const withRefresh = await readCredential(session.connectionId, true);
    expect(withRefresh.body.credential.refreshToken).toEqual(expect.any(String));

    const userinfo = await fetch(sandbox.urls.userinfo, { headers: { authorization: `Bearer ${credential.body.credential.accessToken}` } });
    expect(userinfo.status).toBe(200);
    expect(await userinfo.json()).toMatchObject({ sub: 'alice' });

    const audit = await withDb(system, (db) => db.query('SELECT api_key_id, include_refresh_token FROM token_issuance.credential_reads WHERE connection_id = $1 ORDER BY id', [session.connectionId]));
    expect(audit.rows).toEqual([
      { api_key_id: apiKeyId, include_refresh_token: false },
      { api_key_id: apiKeyId, include_refresh_token: true },
    ]);
    const raw = await withDb(system, (db) => db.query('SELECT sealed_credential FROM token_issuance.connections WHERE id = $1', [session.connectionId]));
    expect(String(raw.rows[0].sealed_credential)).not.toContain(credential.body.credential.accessToken);

    // the same callback again: the state was used once and is refused; nothing more is emitted
    const replay = await fetch(callbackUrl, { redirect: 'manual' });
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain('invalid_state');
    expect((await sessionReaches(gateway, session.sessionId, 'completed')).status).toBe('completed');
    expect(await codeReceivedRows(session.sessionId)).toBe(1);
  });

  it('authenticates with client_secret_post and re-authorizes an existing connection', async () => {
    const first = await connect({ connectorId: postConnectorId, endUserId: 'user-2' });
    expect(first.callback.status).toBe(200);
    await sessionReaches(gateway, first.session.sessionId, 'completed');

    const again = await connect({ connectorId: postConnectorId, connectionId: first.session.connectionId }, { username: 'bob' });
    expect(again.session.connectionId).toBe(first.session.connectionId);
    await sessionReaches(gateway, again.session.sessionId, 'completed');
    const reissued = await waitFor(() => eventsFor(TokenIssued.topic, first.session.connectionId).find((e) => e.payload.reason === 'reconnect'), { description: 'TokenIssued reconnect' });
    expect(reissued.payload).toMatchObject({ credentialVersion: 2, sessionId: again.session.sessionId, endUserId: 'user-2' });
    const credential = await readCredential(first.session.connectionId);
    const userinfo = await fetch(sandbox.urls.userinfo, { headers: { authorization: `Bearer ${credential.body.credential.accessToken}` } });
    expect(await userinfo.json()).toMatchObject({ sub: 'bob' });

    const unknown = await gateway.call<{ error: { code: string } }>('POST', '/v1/connect-sessions', { body: { connectorId: postConnectorId, connectionId: randomUUID() } });
    expect(unknown.status).toBe(404);
  });

  it('refuses a forged state with a clear page, failing nothing and emitting nothing', async () => {
    const before = await codeReceivedRows();
    const response = await fetch(`${system.urls.gateway}/oauth/callback?code=${canary('code')}&state=${randomBytes(32).toString('base64url')}`, { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    const page = await response.text();
    expect(page).toContain('invalid_state');
    expect(page).toMatch(/does not belong to a connection attempt/);
    const missingState = await fetch(`${system.urls.gateway}/oauth/callback?code=abc`, { redirect: 'manual' });
    expect(missingState.status).toBe(400);
    expect(await codeReceivedRows()).toBe(before);
  });

  it('refuses an expired state and fails its session', async () => {
    const session = await openSession(gateway, { connectorId: basicConnectorId, endUserId: 'user-3' });
    const state = new URL(session.authorizationUrl as string).searchParams.get('state') as string;
    await withDb(system, (db) =>
      db.query(`UPDATE oauth_authorization.oauth_states SET expires_at = now() - interval '1 second' WHERE state_hash = $1`, [createHash('sha256').update(state).digest('hex')]),
    );
    const response = await fetch(`${system.urls.gateway}/oauth/callback?code=${canary('code')}&state=${encodeURIComponent(state)}&iss=${encodeURIComponent(sandbox.issuer)}`, { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('state_expired');
    const failed = await sessionReaches(gateway, session.sessionId, 'failed');
    expect(failed.error).toMatchObject({ code: 'state_expired', reason: expect.stringMatching(/expired/) });
    expect(await codeReceivedRows(session.sessionId)).toBe(0);
  });

  it('ends a denied consent with a failed session and no event', async () => {
    const { session, callbackUrl, callback, page } = await connect({ connectorId: basicConnectorId, endUserId: 'user-4' }, { deny: true });
    expect(callbackUrl.searchParams.get('error')).toBe('access_denied');
    expect(callback.status).toBe(400);
    expect(page).toContain('access_denied');
    const failed = await sessionReaches(gateway, session.sessionId, 'failed');
    expect(failed.error?.code).toBe('access_denied');
    expect(await codeReceivedRows(session.sessionId)).toBe(0);
  });

  it('checks iss against the expected issuer and needs a code', async () => {
    await withDb(system, (db) =>
      db.query(`UPDATE oauth_authorization.connectors SET config = config || '{"issuer":"https://issuer.invalid"}'::jsonb WHERE connector_id = $1`, [postConnectorId]),
    );
    try {
      const mixedUp = await connect({ connectorId: postConnectorId, endUserId: 'user-5' });
      expect(mixedUp.callbackUrl.searchParams.get('iss')).toBe(sandbox.issuer);
      expect(mixedUp.callback.status).toBe(400);
      expect((await sessionReaches(gateway, mixedUp.session.sessionId, 'failed')).error?.code).toBe('issuer_mismatch');
      expect(await codeReceivedRows(mixedUp.session.sessionId)).toBe(0);
    } finally {
      await withDb(system, (db) => db.query(`UPDATE oauth_authorization.connectors SET config = config - 'issuer' WHERE connector_id = $1`, [postConnectorId]));
    }
    const session = await openSession(gateway, { connectorId: basicConnectorId, endUserId: 'user-6' });
    const state = new URL(session.authorizationUrl as string).searchParams.get('state') as string;
    const noCode = await fetch(`${system.urls.gateway}/oauth/callback?state=${encodeURIComponent(state)}`, { redirect: 'manual' });
    expect(noCode.status).toBe(400);
    expect((await sessionReaches(gateway, session.sessionId, 'failed')).error?.code).toBe('missing_code');
  });

  it('expands {tenant} in the issuer: a realm-based server whose issuer names the tenant connects, another realm or the raw template is refused', async () => {
    const realmSecret = canary('realm-client-secret');
    secretsSeen.add(realmSecret);
    const realm = await startSandboxProvider({
      basePath: '/realms/acme',
      clients: [{ client_id: 'cb-realm', client_secret: realmSecret, redirect_uris: [`${system.urls.gateway}/oauth/callback`] }],
    });
    try {
      const server = `http://127.0.0.1:${realm.port}/realms/{tenant}`;
      const realmConnectorId = await activeConnector(gateway, 'sandbox-realm', {
        ...oauthConfig('cb-realm', realmSecret),
        authorizationUrl: `${server}/auth`,
        tokenUrl: `${server}/token`,
        issuer: server,
      });
      const { session, callbackUrl, callback } = await connect({ connectorId: realmConnectorId, endUserId: 'user-realm', tenant: 'acme' });
      expect(callbackUrl.searchParams.get('iss')).toBe(realm.issuer);
      expect(callback.status).toBe(200);
      await sessionReaches(gateway, session.sessionId, 'completed');
      const stored = await withDb(system, (db) => db.query('SELECT DISTINCT expected_issuer FROM oauth_authorization.oauth_states s JOIN oauth_authorization.connect_sessions c ON c.id = s.session_id WHERE c.id = $1', [session.sessionId]));
      expect(stored.rows).toEqual([{ expected_issuer: realm.issuer }]);
      const credential = await readCredential(session.connectionId);
      expect((await fetch(realm.urls.userinfo, { headers: { authorization: `Bearer ${credential.body.credential.accessToken}` } })).status).toBe(200);

      for (const [endUserId, iss] of [['user-realm-2', `http://127.0.0.1:${realm.port}/realms/globex`], ['user-realm-3', server]] as const) {
        const attempt = await openSession(gateway, { connectorId: realmConnectorId, endUserId, tenant: 'acme' });
        const answered = (await authorizeOverHttp(attempt.authorizationUrl as string)).callbackUrl;
        secretsSeen.add(answered.searchParams.get('code') as string);
        answered.searchParams.set('iss', iss);
        expect((await fetch(answered, { redirect: 'manual' })).status).toBe(400);
        expect((await sessionReaches(gateway, attempt.sessionId, 'failed')).error?.code).toBe('issuer_mismatch');
        expect(await codeReceivedRows(attempt.sessionId)).toBe(0);
      }
    } finally {
      await realm.stop();
    }
  });

  it('fails the session with invalid_client when the client secret is wrong, storing nothing', async () => {
    const wrongConnectorId = await activeConnector(gateway, 'sandbox-wrong-secret', oauthConfig('cb-basic', WRONG_SECRET));
    const { session, callback } = await connect({ connectorId: wrongConnectorId, endUserId: 'user-7' });
    expect(callback.status).toBe(200);
    const failed = await sessionReaches(gateway, session.sessionId, 'failed');
    expect(failed.error).toMatchObject({ code: 'invalid_client', reason: expect.stringMatching(/client/) });
    const failure = await waitFor(() => eventsFor('credential-broker.connection-failed.v1', session.connectionId)[0], { description: 'ConnectionFailed' });
    expect(failure.payload).toMatchObject({ errorCode: 'invalid_client', sessionId: session.sessionId });
    expect((await gateway.call('GET', `/v1/connections/${session.connectionId}`)).status).toBe(404);
    expect(eventsFor(TokenIssued.topic, session.connectionId)).toHaveLength(0);
  });

  it('redeems a code once when CodeReceived is delivered twice', async () => {
    const { session } = await connect({ connectorId: basicConnectorId, endUserId: 'user-8' });
    await waitFor(() => eventsFor(TokenIssued.topic, session.connectionId)[0], { timeoutMs: 30_000, description: 'TokenIssued' });
    const original = eventsFor(CodeReceived.topic, session.connectionId)[0];
    if (!original) throw new Error('no CodeReceived');
    const before = await sandbox.stats();

    const duplicateId = randomUUID();
    const producer = new Kafka({ clientId: 'duplicate', brokers: system.kafkaBrokers, logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    await producer.send({ topic: system.topic(CodeReceived.topic), messages: [{ key: session.connectionId, value: original.value, headers: { ...original.headers, ce_id: duplicateId } }] });
    await producer.disconnect();

    await waitFor(
      () => withDb(system, async (db) => (await db.query('SELECT 1 FROM token_issuance.inbox WHERE event_id = $1', [duplicateId])).rowCount === 1),
      { timeoutMs: 20_000, description: 'token-issuance to handle the duplicate' },
    );
    const after = await sandbox.stats();
    expect(after.tokenRequests.byGrantType.authorization_code).toBe(before.tokenRequests.byGrantType.authorization_code);
    const redemptions = await withDb(system, (db) => db.query('SELECT status FROM token_issuance.code_redemptions WHERE session_id = $1', [session.sessionId]));
    expect(redemptions.rows).toEqual([{ status: 'succeeded' }]);
    expect(eventsFor(TokenIssued.topic, session.connectionId)).toHaveLength(1);
    expect((await gateway.call<{ credentialVersion: number }>('GET', `/v1/connections/${session.connectionId}`)).body.credentialVersion).toBe(1);
  });

  it('fails the session on a 5xx or a timeout at the token endpoint, and never presents the code again', async () => {
    await sandbox.setTokenFault({ mode: 'status', status: 503, count: 1 });
    const unavailable = await connect({ connectorId: basicConnectorId, endUserId: 'user-9' });
    expect((await sessionReaches(gateway, unavailable.session.sessionId, 'failed')).error?.code).toBe('temporarily_unavailable');

    await sandbox.reset();
    await sandbox.setTokenFault({ mode: 'slow', delayMs: 4000, count: 1 });
    const slow = await connect({ connectorId: basicConnectorId, endUserId: 'user-10' });
    const failed = await sessionReaches(gateway, slow.session.sessionId, 'failed');
    expect(failed.error).toMatchObject({ code: 'timeout', reason: expect.stringMatching(/in time/) });
    const redemptions = await withDb(system, (db) => db.query('SELECT status, error_code FROM token_issuance.code_redemptions WHERE session_id = $1', [slow.session.sessionId]));
    expect(redemptions.rows).toEqual([{ status: 'failed', error_code: 'timeout' }]);
    const stats = await sandbox.stats();
    expect({ requests: stats.tokenRequests.total, faults: stats.faultsInjected }).toEqual({ requests: 1, faults: 1 });
    expect((await gateway.call('GET', `/v1/connections/${slow.session.connectionId}`)).status).toBe(404);
    await sandbox.reset();
  });

  it('leaks no secret: client secrets, codes and tokens appear in no log, Kafka message or API response but the credential read', () => {
    expect(tokensSeen.size).toBeGreaterThan(2);
    const logs = system.logs();
    const messages = collector.messages.map((m) => `${m.key} ${m.value} ${JSON.stringify(m.headers)}`).join('\n');
    const responses = seenResponses.filter((r) => !/\/credential$/.test(r.route)).map((r) => r.text).join('\n');
    for (const secret of [...secretsSeen, ...tokensSeen]) {
      expect(logs.includes(secret) ? `log holds ${secret.slice(0, 12)}…` : 'clean').toBe('clean');
      expect(messages.includes(secret) ? `kafka holds ${secret.slice(0, 12)}…` : 'clean').toBe('clean');
      expect(responses.includes(secret) ? `a response holds ${secret.slice(0, 12)}…` : 'clean').toBe('clean');
    }
    expect(logs).not.toMatch(/code=|state=/);
  });
});
