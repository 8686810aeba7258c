/**
 * Metadata and tags given when a connect session opens: checked with the bounds of the PATCH,
 * carried by CodeReceived and CredentialsSubmitted, and on the connection the session creates; a
 * re-authorization merges them into what is stored.
 */
import { randomBytes } from 'node:crypto';
import { authorizeOverHttp, SandboxProvider, startSandboxProvider } from '../support/sandbox-provider';
import { RunningSystem, startSystem } from '../support/system';
import { activeConnector, Gateway, newWorkspace, openSession, sessionReaches, withDb } from '../connect/connect-helpers';

interface ConnectionBody {
  connectionId: string;
  metadata: Record<string, unknown>;
  tags: Record<string, string>;
}
interface ErrorBody {
  error: { code: string; details?: { errors: Array<{ path: string; message: string }> } };
}

const unique = randomBytes(4).toString('hex');

describe('metadata and tags set when a connect session opens', () => {
  let system: RunningSystem;
  let sandbox: SandboxProvider;
  let gateway: Gateway;
  let oauthConnector: string;
  let bearerConnector: string;

  const connection = async (id: string): Promise<ConnectionBody> => (await gateway.call<ConnectionBody>('GET', `/v1/connections/${id}`)).body;
  const submitToken = async (sessionToken: string): Promise<void> => {
    const submitted = await gateway.call('POST', '/v1/connect/credentials', { key: null, body: { token: `token-${unique}` }, headers: { 'x-connect-session': sessionToken } });
    expect(submitted.status).toBe(202);
  };

  beforeAll(async () => {
    system = await startSystem();
    sandbox = await startSandboxProvider({ clients: [{ client_id: 'session-profile', client_secret: 'session-profile-secret', redirect_uris: [system.env.OAUTH_REDIRECT_URI ?? ''] }] });
    ({ gateway } = await newWorkspace(system, 'session profiles'));
    oauthConnector = await activeConnector(gateway, 'sandbox', {
      mode: 'OAUTH2',
      authorizationUrl: sandbox.urls.authorization,
      tokenUrl: sandbox.urls.token,
      issuer: sandbox.issuer,
      clientId: 'session-profile',
      clientSecret: 'session-profile-secret',
      scopes: ['openid', 'offline_access'],
    });
    bearerConnector = await activeConnector(gateway, 'bearer', { mode: 'BEARER' });
  });

  afterAll(async () => {
    await sandbox?.stop();
    await system?.stop();
  });

  it('puts them on the connection an OAuth session creates (CodeReceived), where the list finds it by tag', async () => {
    const metadata = { crm: { accountId: `acct-${unique}`, seats: 12 }, flags: ['beta'] };
    const session = await openSession(gateway, { connectorId: oauthConnector, endUserId: 'ada', metadata, tags: { plan: 'enterprise', source: `oauth-${unique}` } });
    const { callbackUrl } = await authorizeOverHttp(session.authorizationUrl ?? '');
    expect((await fetch(callbackUrl, { redirect: 'manual' })).status).toBe(200);
    await sessionReaches(gateway, session.sessionId, 'completed');

    expect(await connection(session.connectionId)).toMatchObject({ metadata, tags: { plan: 'enterprise', source: `oauth-${unique}` } });
    const found = await gateway.call<{ items: ConnectionBody[] }>('GET', `/v1/connections?tag=${encodeURIComponent(`source:oauth-${unique}`)}`);
    expect(found.body.items.map((c) => c.connectionId)).toEqual([session.connectionId]);
  });

  it('puts them on the connection a typed-credential session creates (CredentialsSubmitted), and a re-authorization merges new ones in', async () => {
    const session = await openSession(gateway, { connectorId: bearerConnector, endUserId: 'grace', metadata: { team: 'navy', level: 1 }, tags: { plan: 'free' } });
    await submitToken(session.sessionToken);
    await sessionReaches(gateway, session.sessionId, 'completed');
    expect(await connection(session.connectionId)).toMatchObject({ metadata: { team: 'navy', level: 1 }, tags: { plan: 'free' } });

    const again = await openSession(gateway, { connectorId: bearerConnector, connectionId: session.connectionId, endUserId: 'grace', metadata: { level: 2 }, tags: { region: 'eu' } });
    await submitToken(again.sessionToken);
    await sessionReaches(gateway, again.sessionId, 'completed');
    expect(await connection(session.connectionId)).toMatchObject({ metadata: { team: 'navy', level: 2 }, tags: { plan: 'free', region: 'eu' } });

    // a session without them leaves what is stored alone
    const plain = await openSession(gateway, { connectorId: bearerConnector, connectionId: session.connectionId, endUserId: 'grace' });
    await submitToken(plain.sessionToken);
    await sessionReaches(gateway, plain.sessionId, 'completed');
    expect(await connection(session.connectionId)).toMatchObject({ metadata: { team: 'navy', level: 2 }, tags: { plan: 'free', region: 'eu' } });
  });

  it('refuses metadata and tags beyond the bounds of the PATCH, naming each, and opens no session', async () => {
    const sessions = () => withDb(system, async (db) => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM oauth_authorization.connect_sessions')).rows[0]?.n);
    const before = await sessions();
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 6; i++) deep = { deeper: deep };
    const tooManyTags = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v']));
    for (const [body, paths] of [
      [{ tags: { 'bad key': 'x', good: '' } }, ['tags.bad key', 'tags.good']],
      [{ tags: tooManyTags }, ['tags']],
      [{ tags: { plan: 42 } }, ['tags.plan']],
      [{ tags: ['plan:free'] }, ['tags']],
      [{ metadata: deep }, ['metadata']],
      [{ metadata: { blob: 'x'.repeat(17 * 1024) } }, ['metadata']],
      [{ metadata: 'not an object' }, ['metadata']],
    ] as const) {
      const answer = await gateway.call<ErrorBody>('POST', '/v1/connect-sessions', { body: { connectorId: bearerConnector, endUserId: 'refused', ...body } });
      expect(`${JSON.stringify(body).slice(0, 60)}: ${answer.status}`).toBe(`${JSON.stringify(body).slice(0, 60)}: 400`);
      expect(answer.body.error.code).toBe('validation_failed');
      expect([...new Set(answer.body.error.details?.errors.map((e) => e.path))].sort()).toEqual([...paths].sort());
    }
    expect(await sessions()).toBe(before);
  });
});
