/**
 * Attacks on the authorization leg that test/connect does not already cover: a state reused after
 * a failed first use, a code injected into another session, a mix-up with a second authorization
 * server (RFC 9207), open redirects through the return URL or the callback's query, and a callback
 * flood. Two real oidc-provider servers stand in for honest and attacker-controlled providers.
 */
import { randomBytes } from 'node:crypto';
import { authorizeOverHttp, SandboxProvider, startSandboxProvider } from '../support/sandbox-provider';
import { waitFor } from '../harness';
import { RunningSystem, startSystem } from '../support/system';
import { activeConnector, call, changedTables, newWorkspace, openSession, sessionReaches, settledSnapshot, snapshotDatabase, withDb, Workspace } from './hostile-support';

const SECRET = `attack-secret-${randomBytes(6).toString('hex')}`;
const FLOOD = 300;

describe('attacks on the OAuth authorization leg', () => {
  let system: RunningSystem;
  let honest: SandboxProvider;
  let attacker: SandboxProvider;
  let workspace: Workspace;
  let connectorId: string;
  let gatewayOrigin: string;

  const stateOf = (authorizationUrl: string): string => new URL(authorizationUrl).searchParams.get('state') as string;
  const callback = (query: Record<string, string>): Promise<Response> =>
    fetch(`${system.urls.gateway}/oauth/callback?${new URLSearchParams(query).toString()}`, { redirect: 'manual', signal: AbortSignal.timeout(20_000) });
  const codeRedemptions = (): Promise<number> =>
    withDb(system.databaseUrl, async (db) => Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM token_issuance.code_redemptions')).rows[0]?.n));

  beforeAll(async () => {
    system = await startSystem({ serviceEnv: { gateway: { RATE_LIMIT_CALLBACK: '100,20' } } });
    gatewayOrigin = new URL(system.urls.gateway).origin;
    const client = { client_id: 'attack-client', client_secret: SECRET, redirect_uris: [`${system.urls.gateway}/oauth/callback`] };
    [honest, attacker] = await Promise.all([startSandboxProvider({ clients: [client] }), startSandboxProvider({ clients: [client] })]);
    workspace = await newWorkspace(system, 'Attacked Co');
    connectorId = await activeConnector(workspace, 'honest', {
      mode: 'OAUTH2',
      authorizationUrl: honest.urls.authorization,
      tokenUrl: honest.urls.token,
      clientId: 'attack-client',
      clientSecret: SECRET,
      issuer: honest.issuer,
      scopes: ['openid', 'offline_access'],
      authorizationParams: { prompt: 'consent' },
    });
  });

  afterAll(async () => {
    await Promise.all([honest?.stop(), attacker?.stop()]);
    await system?.stop();
  });

  it('a state is single use even when its first use failed: a later valid code is refused', async () => {
    const session = await openSession(workspace, { connectorId, endUserId: 'victim-1' });
    const first = await callback({ state: stateOf(session.authorizationUrl as string), error: 'access_denied', iss: honest.issuer });
    expect(first.status).toBe(400);
    const { callbackUrl } = await authorizeOverHttp(session.authorizationUrl as string);
    const second = await fetch(callbackUrl, { redirect: 'manual' });
    expect(second.status).toBe(400);
    expect(await second.text()).toContain('invalid_state');
    expect((await sessionReaches(workspace, session.sessionId, 'failed')).error?.code).toBe('access_denied');
  });

  it("a code injected into another session's callback is not redeemed for it (PKCE binds the code to its own flow)", async () => {
    const attackerSession = await openSession(workspace, { connectorId, endUserId: 'attacker' });
    const victimSession = await openSession(workspace, { connectorId, endUserId: 'victim-2' });
    // the attacker consents as themself and stops before the callback, keeping the code
    const { callbackUrl } = await authorizeOverHttp(attackerSession.authorizationUrl as string, { username: 'mallory' });
    const stolenCode = callbackUrl.searchParams.get('code') as string;
    const before = await honest.stats();
    const injected = await callback({ code: stolenCode, state: stateOf(victimSession.authorizationUrl as string), iss: honest.issuer });
    expect(injected.status).toBe(200); // the callback cannot tell; the token endpoint can
    const failed = await sessionReaches(workspace, victimSession.sessionId, 'failed');
    expect(failed.error?.code).toBe('invalid_grant');
    expect((await workspace.call('GET', `/v1/connections/${victimSession.connectionId}`)).status).toBe(404);
    expect((await honest.stats()).tokenRequests.total - before.tokenRequests.total).toBe(1);
  });

  it("mix-up: a response carrying another server's iss, or none, is refused before any code is redeemed", async () => {
    const redemptions = await codeRedemptions();
    const mixed = await openSession(workspace, { connectorId, endUserId: 'victim-3' });
    // the attacker's server issues a code for the same client id and answers with its own iss
    const { callbackUrl } = await authorizeOverHttp((mixed.authorizationUrl as string).replace(honest.urls.authorization, attacker.urls.authorization));
    expect(callbackUrl.searchParams.get('iss')).toBe(attacker.issuer);
    const answer = await fetch(callbackUrl, { redirect: 'manual' });
    expect(answer.status).toBe(400);
    expect((await sessionReaches(workspace, mixed.sessionId, 'failed')).error?.code).toBe('issuer_mismatch');

    const withoutIss = await openSession(workspace, { connectorId, endUserId: 'victim-4' });
    const honestAnswer = await authorizeOverHttp(withoutIss.authorizationUrl as string);
    const stripped = new URL(honestAnswer.callbackUrl);
    stripped.searchParams.delete('iss');
    expect((await fetch(stripped, { redirect: 'manual' })).status).toBe(400);
    expect((await sessionReaches(workspace, withoutIss.sessionId, 'failed')).error?.code).toBe('issuer_mismatch');
    expect(await codeRedemptions()).toBe(redemptions);
    expect((await attacker.stats()).tokenRequests.total).toBe(0);
  });

  it('no open redirect: return URLs off the allowed origins are refused, and the callback ignores redirect parameters', async () => {
    const refused = [
      'https://evil.example/landing',
      '//evil.example/landing',
      `http://user:pass@${new URL(gatewayOrigin).host}/done`,
      `${gatewayOrigin}@evil.example/`,
      `${gatewayOrigin}.evil.example/`,
      'javascript:alert(document.domain)',
      'data:text/html,<script>alert(1)</script>',
      `${gatewayOrigin.replace('http:', 'ftp:')}/done`,
      '/relative/path',
      'http://evil.example\\@127.0.0.1/',
    ];
    for (const returnUrl of refused) {
      const answer = await workspace.call<{ error: { code: string } }>('POST', '/v1/connect-sessions', { body: { connectorId, endUserId: 'redirect', returnUrl } });
      expect(`${returnUrl} → ${answer.status}`).toBe(`${returnUrl} → 400`);
      expect(answer.body.error.code).toBe('validation_failed');
    }
    const session = await openSession(workspace, { connectorId, endUserId: 'redirect-ok', returnUrl: `${gatewayOrigin}/done?x=1` });
    const { callbackUrl } = await authorizeOverHttp(session.authorizationUrl as string);
    callbackUrl.searchParams.set('redirect_uri', 'https://evil.example/');
    callbackUrl.searchParams.set('returnUrl', 'https://evil.example/');
    callbackUrl.searchParams.set('return_to', 'https://evil.example/');
    const answer = await fetch(callbackUrl, { redirect: 'manual' });
    expect(answer.status).toBe(303);
    const location = new URL(answer.headers.get('location') as string);
    expect(location.origin).toBe(gatewayOrigin);
    expect(location.pathname).toBe('/done');
    expect(location.searchParams.get('code')).toBeNull();
    await sessionReaches(workspace, session.sessionId, 'completed');
  });

  it(`a flood of ${FLOOD} forged callbacks: only 400 or 429, nothing written, and a real flow completes afterwards`, async () => {
    const before = await withDb(system.databaseUrl, (db) => settledSnapshot(db));
    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: FLOOD }, (_, i) =>
        call(system.urls.gateway, 'GET', `/oauth/callback?code=${i}&state=${randomBytes(32).toString('base64url')}&iss=${encodeURIComponent(honest.issuer)}`),
      ),
    );
    const elapsed = Date.now() - started;
    const statuses: Record<number, number> = {};
    for (const answer of answers) statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
    process.stdout.write(`callback flood: ${FLOOD} forged callbacks in ${elapsed} ms, statuses ${JSON.stringify(statuses)}\n`);
    expect(Object.keys(statuses).sort()).toEqual(['400', '429']);
    expect(Math.max(...answers.map((a) => a.elapsedMs))).toBeLessThan(10_000);
    expect(await withDb(system.databaseUrl, async (db) => changedTables(before, await snapshotDatabase(db)))).toEqual([]);

    // A refused callback changes nothing, so the real one is sent again until the limit lets it
    // through, which must happen within the Retry-After the flood was given.
    const retryAfter = Math.max(...answers.filter((a) => a.status === 429).map((a) => Number(a.headers.get('retry-after'))));
    const session = await openSession(workspace, { connectorId, endUserId: 'after-flood' });
    const { callbackUrl } = await authorizeOverHttp(session.authorizationUrl as string);
    const admitted = await waitFor(
      async () => {
        const status = (await fetch(callbackUrl, { redirect: 'manual' })).status;
        return status === 429 ? false : status;
      },
      { timeoutMs: retryAfter * 1000 + 2000, intervalMs: 250, description: 'the callback limit to admit the real callback after Retry-After' },
    );
    expect(admitted).toBe(200);
    await sessionReaches(workspace, session.sessionId, 'completed');
  });
});
