/**
 * The gateway routes an SDK and the connect dialog lean on: a long-polled session status, a fresh
 * authorization URL from the session token, disconnect, and a caller-reported 401.
 */
import { authorizeOverHttp, SandboxProvider, startSandboxProvider } from '../support/sandbox-provider';
import { RunningSystem, startSystem } from '../support/system';
import { activeConnector, Gateway, newWorkspace, OpenedSession, openSession, withDb } from './connect-helpers';

describe('connect session API', () => {
  let system: RunningSystem;
  let sandbox: SandboxProvider;
  let gateway: Gateway;
  let connectorId: string;

  beforeAll(async () => {
    system = await startSystem();
    sandbox = await startSandboxProvider({
      clients: [{ client_id: 'session-api', client_secret: 'session-api-secret', redirect_uris: [system.env.OAUTH_REDIRECT_URI ?? ''] }],
    });
    ({ gateway } = await newWorkspace(system, 'session-api'));
    connectorId = await activeConnector(gateway, 'sandbox', {
      mode: 'OAUTH2',
      authorizationUrl: sandbox.urls.authorization,
      tokenUrl: sandbox.urls.token,
      revocationUrl: sandbox.urls.revocation,
      issuer: sandbox.issuer,
      clientId: 'session-api',
      clientSecret: 'session-api-secret',
      scopes: ['openid', 'offline_access'],
      authorizationParams: { prompt: 'consent' },
    });
  });

  afterAll(async () => {
    await sandbox?.stop();
    await system?.stop();
  });

  it('long-polls a session until it completes, with a fresh authorization URL taken from the session token', async () => {
    const session = await openSession(gateway, { connectorId, endUserId: 'poller' });
    const fresh = await gateway.call<{ authorizationUrl: string }>('POST', '/v1/connect/authorize', { key: null, headers: { 'x-connect-session': session.sessionToken } });
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get('cache-control')).toBe('no-store');
    expect(new URL(fresh.body.authorizationUrl).searchParams.get('state')).not.toBe(new URL(session.authorizationUrl ?? '').searchParams.get('state'));

    const pending = await gateway.call<{ status: string }>('GET', `/v1/connect-sessions/${session.sessionId}`);
    expect(pending.body.status).toBe('pending');
    const held = gateway.call<{ status: string; connectionId: string }>('GET', `/v1/connect-sessions/${session.sessionId}?waitSeconds=20`);
    const { callbackUrl } = await authorizeOverHttp(fresh.body.authorizationUrl);
    expect(callbackUrl.searchParams.get('iss')).toBe(sandbox.issuer);
    expect((await fetch(callbackUrl, { redirect: 'manual' })).status).toBe(200);
    const completed = await held;
    expect(completed.body).toMatchObject({ status: 'completed', connectionId: session.connectionId });
  });

  it('reads a session past its expiry as expired, and an expired session cannot be completed', async () => {
    const session = await openSession(gateway, { connectorId, endUserId: 'late' });
    // Time passing, without waiting for the 30-minute lifetime.
    await withDb(system, (db) => db.query(`UPDATE oauth_authorization.connect_sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [session.sessionId]));

    const view = await gateway.call<{ status: string; error: { code: string; reason: string } }>('GET', `/v1/connect-sessions/${session.sessionId}`);
    expect(view.body.status).toBe('expired');
    expect(view.body.error.code).toBe('session_expired');
    expect(view.body.error.reason).toMatch(/expired/);
    const fresh = await gateway.call<{ error: { code: string } }>('POST', '/v1/connect/authorize', { key: null, headers: { 'x-connect-session': session.sessionToken } });
    expect(fresh.status).toBe(409);
    expect(fresh.body.error.code).toBe('session_not_pending');
  });

  it('answers a retried opening with the same Idempotency-Key with the session it opened, under a new token', async () => {
    const body = { connectorId, endUserId: 'retrier' };
    const headers = { 'idempotency-key': `open-${Date.now()}` };
    const first = await gateway.call<OpenedSession>('POST', '/v1/connect-sessions', { body, headers });
    expect(first.status).toBe(201);
    const retries = await Promise.all([1, 2, 3].map(() => gateway.call<OpenedSession>('POST', '/v1/connect-sessions', { body, headers })));
    for (const retry of retries) {
      expect(retry.status).toBe(201);
      expect(retry.body).toMatchObject({ sessionId: first.body.sessionId, connectionId: first.body.connectionId });
      expect(retry.body.sessionToken).not.toBe(first.body.sessionToken);
      expect(new URL(retry.body.authorizationUrl ?? '').searchParams.get('state')).toBeTruthy();
    }
    const sessions = await withDb(system, async (db) => (await db.query(`SELECT id FROM oauth_authorization.connect_sessions WHERE end_user_id = 'retrier'`)).rows);
    expect(sessions).toEqual([{ id: first.body.sessionId }]);
    // only the newest token opens the dialog's view
    const tokens = [first.body.sessionToken, ...retries.map((retry) => retry.body.sessionToken)];
    const views = await Promise.all(tokens.map((token) => gateway.call('GET', '/v1/connect/session', { key: null, headers: { 'x-connect-session': token } })));
    expect(views.map((view) => view.status).sort()).toEqual([200, 401, 401, 401]);

    // first attempts that race each other still open one session
    const raceHeaders = { 'idempotency-key': `race-${Date.now()}` };
    const raced = await Promise.all([1, 2, 3, 4].map(() => gateway.call<OpenedSession>('POST', '/v1/connect-sessions', { body: { connectorId, endUserId: 'racer' }, headers: raceHeaders })));
    expect(raced.map((answer) => answer.status)).toEqual([201, 201, 201, 201]);
    expect(new Set(raced.map((answer) => answer.body.sessionId)).size).toBe(1);

    const reused = await gateway.call<{ error: { code: string } }>('POST', '/v1/connect-sessions', { body: { connectorId, endUserId: 'someone-else' }, headers });
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe('idempotency_key_reused');
    const malformed = await gateway.call<{ error: { code: string; details: { errors: Array<{ path: string }> } } }>('POST', '/v1/connect-sessions', { body, headers: { 'idempotency-key': 'has spaces' } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.details.errors[0]?.path).toBe('Idempotency-Key');
  });

  it('connects a connector right after its activation answers, every time', async () => {
    for (let i = 0; i < 7; i++) {
      const created = await gateway.call<{ id: string }>('POST', '/v1/connectors', { body: { slug: `fresh-${i}`, name: `fresh-${i}`, config: { mode: 'API_KEY', headerName: 'X-Key' } } });
      const activated = await gateway.call<{ connectable: boolean; version: number }>('POST', `/v1/connectors/${created.body.id}/activate`);
      expect(activated.status).toBe(200);
      expect(activated.body.connectable).toBe(true);
      const opened = await gateway.call('POST', '/v1/connect-sessions', { body: { connectorId: created.body.id, endUserId: `fresh-user-${i}` } });
      expect(opened.status).toBe(201);
    }
  });

  it('answers 503 connector_not_ready with Retry-After while the connect path has not seen an activation, never 404', async () => {
    const created = await gateway.call<{ id: string }>('POST', '/v1/connectors', { body: { slug: 'behind', name: 'behind', config: { mode: 'BEARER' } } });
    const draft = await gateway.call<{ error: { code: string } }>('POST', '/v1/connect-sessions', { body: { connectorId: created.body.id, endUserId: 'early' } });
    expect(draft.status).toBe(409);
    expect(draft.body.error.code).toBe('connector_not_active');

    expect((await gateway.call('POST', `/v1/connectors/${created.body.id}/activate`)).status).toBe(200);
    // the projection falls behind: as if ConnectorActivated were still on its way
    await withDb(system, (db) => db.query('DELETE FROM oauth_authorization.connectors WHERE connector_id = $1', [created.body.id]));
    const behind = await gateway.call<{ error: { code: string } }>('POST', '/v1/connect-sessions', { body: { connectorId: created.body.id, endUserId: 'early' } });
    expect(behind.status).toBe(503);
    expect(behind.body.error.code).toBe('connector_not_ready');
    expect(behind.headers.get('retry-after')).toBe('1');

    const unknown = await gateway.call<{ error: { code: string } }>('POST', '/v1/connect-sessions', { body: { connectorId: '00000000-0000-4000-8000-000000000000', endUserId: 'early' } });
    expect(unknown.status).toBe(404);
  });

  it('refuses a fresh authorization URL without a valid session token', async () => {
    const answer = await gateway.call('POST', '/v1/connect/authorize', { key: null, headers: { 'x-connect-session': 'not-a-session' } });
    expect(answer.status).toBe(401);
  });

  it('refreshes on a reported 401, then disconnects: revoked at the provider and gone from the API', async () => {
    const session = await openSession(gateway, { connectorId, endUserId: 'leaver' });
    const { callbackUrl } = await authorizeOverHttp(session.authorizationUrl ?? '');
    await fetch(callbackUrl, { redirect: 'manual' });
    const done = await gateway.call<{ status: string }>('GET', `/v1/connect-sessions/${session.sessionId}?waitSeconds=20`);
    expect(done.body.status).toBe('completed');
    const before = await gateway.call<{ credentialVersion: number; credential: { refreshToken: string } }>('POST', `/v1/connections/${session.connectionId}/credential`, { body: { includeRefreshToken: true } });

    const reported = await gateway.call<{ outcome: string; credentialVersion: number }>('POST', `/v1/connections/${session.connectionId}/report-unauthorized`, { body: {} });
    expect(reported.status).toBe(200);
    expect(reported.body.outcome).toBe('refreshed');
    expect(reported.body.credentialVersion).toBe(before.body.credentialVersion + 1);

    const after = await gateway.call<{ credential: { refreshToken: string } }>('POST', `/v1/connections/${session.connectionId}/credential`, { body: { includeRefreshToken: true } });
    const deleted = await gateway.call<{ revocation: string }>('DELETE', `/v1/connections/${session.connectionId}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.revocation).toBe('revoked');
    expect((await gateway.call('GET', `/v1/connections/${session.connectionId}`)).status).toBe(404);
    const refreshAtProvider = await fetch(sandbox.urls.token, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('session-api:session-api-secret').toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: after.body.credential.refreshToken }),
    });
    expect(refreshAtProvider.status).toBe(400);
  });
});
