/**
 * Connections that carry what a product needs: the end user's details from the connect session
 * (through CodeReceived and CredentialsSubmitted), the tenant and attributes they were made with,
 * metadata and tags set by PATCH, and a list filtered by all of these and paged by cursor.
 */
import { randomBytes } from 'node:crypto';
import { authorizeOverHttp, SandboxProvider, startSandboxProvider } from '../support/sandbox-provider';
import { RunningSystem, startSystem } from '../support/system';
import { activeConnector, Gateway, newWorkspace, OpenedSession, openSession, sessionReaches } from '../connect/connect-helpers';

interface ConnectionBody {
  connectionId: string;
  endUserId: string;
  endUser: { id: string; displayName: string | null; email: string | null; organizationId: string | null };
  tenant: string | null;
  attributes: Record<string, string>;
  metadata: Record<string, unknown>;
  tags: Record<string, string>;
  createdAt: string;
}
interface PageBody {
  items: ConnectionBody[];
  total: number;
  nextCursor: string | null;
  nextOffset: number | null;
}
interface ErrorBody {
  error: { code: string; message: string; details?: { errors: Array<{ path: string; message: string }> } };
}

const unique = randomBytes(4).toString('hex');
const email = (who: string): string => `${who}.${unique}@example.com`;

describe('connection profiles: end users, metadata, tags and filters', () => {
  let system: RunningSystem;
  let sandbox: SandboxProvider;
  let gateway: Gateway;
  let oauthConnector: string;
  let bearerConnector: string;

  /** A bearer-token connection through the connect dialog's form (CredentialsSubmitted). */
  const bearerConnection = async (body: Record<string, unknown>): Promise<string> => {
    const session = await openSession(gateway, { connectorId: bearerConnector, ...body });
    const submitted = await gateway.call('POST', '/v1/connect/credentials', { key: null, body: { token: `token-${unique}` }, headers: { 'x-connect-session': session.sessionToken } });
    expect(submitted.status).toBe(202);
    return (await sessionReaches(gateway, session.sessionId, 'completed')).connectionId;
  };
  const connection = async (id: string): Promise<ConnectionBody> => (await gateway.call<ConnectionBody>('GET', `/v1/connections/${id}`)).body;
  const list = (query: string) => gateway.call<PageBody & ErrorBody>('GET', `/v1/connections?${query}`);
  const patch = (id: string, body: unknown) => gateway.call<ConnectionBody & ErrorBody>('PATCH', `/v1/connections/${id}`, { body });

  beforeAll(async () => {
    system = await startSystem();
    sandbox = await startSandboxProvider({
      clients: [{ client_id: 'profiles', client_secret: 'profiles-secret', redirect_uris: [system.env.OAUTH_REDIRECT_URI ?? ''] }],
    });
    ({ gateway } = await newWorkspace(system, 'profiles'));
    oauthConnector = await activeConnector(gateway, 'sandbox', {
      mode: 'OAUTH2',
      authorizationUrl: sandbox.urls.authorization,
      tokenUrl: sandbox.urls.token,
      issuer: sandbox.issuer,
      clientId: 'profiles',
      clientSecret: 'profiles-secret',
      scopes: ['openid', 'offline_access'],
      authorizationParams: { prompt: 'consent' },
      requiredAttributes: [{ key: 'region', label: 'Region', pattern: '[a-z]{2}' }],
    });
    bearerConnector = await activeConnector(gateway, 'bearer', { mode: 'BEARER' });
  });

  afterAll(async () => {
    await sandbox?.stop();
    await system?.stop();
  });

  it("carries the end user's name, e-mail and organization, the tenant and the attributes from an OAuth session to the connection", async () => {
    const session: OpenedSession = await openSession(gateway, {
      connectorId: oauthConnector,
      endUser: { id: 'ada', displayName: 'Ada Lovelace', email: email('ada'), organizationId: 'org-analytical' },
      tenant: 'acme',
      attributes: { region: 'eu' },
    });
    const { callbackUrl } = await authorizeOverHttp(session.authorizationUrl ?? '');
    expect((await fetch(callbackUrl, { redirect: 'manual' })).status).toBe(200);
    await sessionReaches(gateway, session.sessionId, 'completed');

    expect(await connection(session.connectionId)).toMatchObject({
      endUserId: 'ada',
      endUser: { id: 'ada', displayName: 'Ada Lovelace', email: email('ada'), organizationId: 'org-analytical' },
      tenant: 'acme',
      attributes: { region: 'eu' },
      metadata: {},
      tags: {},
    });
    // Personal data: kept and returned, never logged by any service.
    expect(system.logs()).not.toContain(email('ada'));
  });

  it('keeps the details through typed credentials, and a reconnect that gives new ones replaces them', async () => {
    const id = await bearerConnection({ endUserId: 'grace', endUser: { id: 'grace', displayName: 'Grace', email: email('grace') } });
    expect((await connection(id)).endUser).toEqual({ id: 'grace', displayName: 'Grace', email: email('grace'), organizationId: null });

    const again = await openSession(gateway, { connectorId: bearerConnector, connectionId: id, endUser: { id: 'grace', organizationId: 'org-navy' } });
    await gateway.call('POST', '/v1/connect/credentials', { key: null, body: { token: `token-2-${unique}` }, headers: { 'x-connect-session': again.sessionToken } });
    await sessionReaches(gateway, again.sessionId, 'completed');
    expect((await connection(id)).endUser).toEqual({ id: 'grace', displayName: 'Grace', email: email('grace'), organizationId: 'org-navy' });
  });

  it('refuses end user details that are malformed, naming each field', async () => {
    const badEmail = await gateway.call<ErrorBody>('POST', '/v1/connect-sessions', { body: { connectorId: bearerConnector, endUser: { id: 'x', email: 'not-an-address' } } });
    expect(badEmail.status).toBe(400);
    expect(badEmail.body.error.code).toBe('validation_failed');
    expect(JSON.stringify(badEmail.body.error)).toContain('email');

    const mismatch = await gateway.call<ErrorBody>('POST', '/v1/connect-sessions', { body: { connectorId: bearerConnector, endUserId: 'a', endUser: { id: 'b' } } });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.error.details?.errors.map((e) => e.path)).toEqual(['endUser.id']);

    const tooLong = await gateway.call<ErrorBody>('POST', '/v1/connect-sessions', { body: { connectorId: bearerConnector, endUser: { id: 'x', displayName: 'n'.repeat(257) } } });
    expect(tooLong.status).toBe(400);
  });

  it('merges metadata and tags with PATCH, and refuses what goes past the limits without changing anything', async () => {
    const id = await bearerConnection({ endUserId: 'patched' });
    const first = await patch(id, { metadata: { plan: 'pro', limits: { seats: 5, sso: true } }, tags: { plan: 'pro', region: 'eu' } });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ metadata: { plan: 'pro', limits: { seats: 5, sso: true } }, tags: { plan: 'pro', region: 'eu' } });

    const merged = await patch(id, { metadata: { limits: { sso: null, seats: 10 } }, tags: { region: null, team: 'core' }, endUser: { displayName: 'Patched User' } });
    expect(merged.status).toBe(200);
    expect(merged.body.metadata).toEqual({ plan: 'pro', limits: { seats: 10 } });
    expect(merged.body.tags).toEqual({ plan: 'pro', team: 'core' });
    expect(merged.body.endUser.displayName).toBe('Patched User');

    const tooBig = await patch(id, { metadata: { blob: 'x'.repeat(17 * 1024) } });
    expect(tooBig.status).toBe(400);
    expect(tooBig.body.error.details?.errors[0]?.path).toBe('metadata');
    const tooMany = await patch(id, { tags: Object.fromEntries(Array.from({ length: 19 }, (_, i) => [`t${i}`, 'v'])) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.details?.errors[0]?.message).toMatch(/at most 20 tags/);
    const badKey = await patch(id, { tags: { 'bad key': 'v' } });
    expect(badKey.body.error.details?.errors.map((e) => e.path)).toEqual(['tags.bad key']);
    const notEditable = await patch(id, { status: 'active' });
    expect(notEditable.body.error.details?.errors.map((e) => e.path)).toEqual(['status']);

    expect(await connection(id)).toMatchObject({ metadata: { plan: 'pro', limits: { seats: 10 } }, tags: { plan: 'pro', team: 'core' } });
    const cleared = await patch(id, { metadata: null, tags: null, endUser: { displayName: null } });
    expect(cleared.body).toMatchObject({ metadata: {}, tags: {}, endUser: { displayName: null } });

    expect((await patch('00000000-0000-4000-8000-000000000000', { tags: { a: 'b' } })).status).toBe(404);
    const other = await newWorkspace(system, 'profiles-other');
    expect((await other.gateway.call('PATCH', `/v1/connections/${id}`, { body: { tags: { a: 'b' } } })).status).toBe(404);
  });

  it('filters by tags (AND), end user, organization, connector, status and creation time, paging by cursor', async () => {
    const { gateway: own } = await newWorkspace(system, 'profiles-list');
    const connector = await activeConnector(own, 'bearer-list', { mode: 'BEARER' });
    const made: string[] = [];
    const shapes = [
      { user: 'u1', org: 'org-a', tags: { plan: 'pro', region: 'eu' } },
      { user: 'u2', org: 'org-a', tags: { plan: 'pro', region: 'us' } },
      { user: 'u3', org: 'org-b', tags: { plan: 'free', region: 'eu' } },
      { user: 'u4', org: 'org-b', tags: { plan: 'pro', region: 'eu' } },
      { user: 'u5', org: null, tags: {} },
    ];
    for (const shape of shapes) {
      const session = await openSession(own, { connectorId: connector, endUser: { id: shape.user, ...(shape.org ? { organizationId: shape.org } : {}) } });
      await own.call('POST', '/v1/connect/credentials', { key: null, body: { token: `t-${shape.user}` }, headers: { 'x-connect-session': session.sessionToken } });
      await sessionReaches(own, session.sessionId, 'completed');
      if (Object.keys(shape.tags).length > 0) expect((await own.call('PATCH', `/v1/connections/${session.connectionId}`, { body: { tags: shape.tags } })).status).toBe(200);
      made.push(session.connectionId);
    }
    const ids = async (query: string): Promise<string[]> => {
      const answer = await own.call<PageBody>('GET', `/v1/connections?${query}`);
      expect(answer.status).toBe(200);
      return answer.body.items.map((item) => item.connectionId);
    };

    expect(await ids('tag=plan:pro')).toEqual([made[0], made[1], made[3]]);
    expect(await ids('tag=plan:pro&tag=region:eu')).toEqual([made[0], made[3]]);
    expect(await ids('tag=plan:pro&tag=plan:free')).toEqual([]);
    expect(await ids('organizationId=org-b')).toEqual([made[2], made[3]]);
    expect(await ids('organizationId=org-b&tag=plan:pro')).toEqual([made[3]]);
    expect(await ids('endUserId=u5')).toEqual([made[4]]);
    expect(await ids(`connectorId=${connector}&status=active`)).toEqual(made);
    expect(await ids('status=needs_reconnect')).toEqual([]);

    const created = await Promise.all(made.map(async (id) => (await own.call<ConnectionBody>('GET', `/v1/connections/${id}`)).body.createdAt));
    expect(await ids(`createdAfter=${encodeURIComponent(created[1] ?? '')}`)).toEqual(made.slice(2));
    expect(await ids(`createdBefore=${encodeURIComponent(created[1] ?? '')}`)).toEqual(made.slice(0, 1));

    // Cursor paging: every connection once, in (createdAt, id) order, and the old offset paging still works.
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { body: PageBody } = await own.call<PageBody>('GET', `/v1/connections?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.body.total).toBe(5);
      seen.push(...page.body.items.map((item) => item.connectionId));
      cursor = page.body.nextCursor;
      pages += 1;
    } while (cursor !== null && pages < 10);
    expect(seen).toEqual(made);
    expect(pages).toBe(3);
    const byOffset = await own.call<PageBody>('GET', '/v1/connections?limit=2&offset=2');
    expect(byOffset.body.items.map((item) => item.connectionId)).toEqual(made.slice(2, 4));
    expect(byOffset.body.nextOffset).toBe(4);
  });

  it('answers an invalid filter with 400 naming the parameter', async () => {
    const cases: Array<[string, string]> = [
      ['tag=plan', 'tag'],
      ['tag=:pro', 'tag'],
      ['createdAfter=yesterday', 'createdAfter'],
      ['createdBefore=2026-13-01T00:00:00Z', 'createdBefore'],
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['status=sleeping', 'status'],
      ['connectorId=nope', 'connectorId'],
      ['cursor=not-a-cursor', 'cursor'],
      ['cursor=abc&offset=2', 'offset'],
      [Array.from({ length: 11 }, (_, i) => `tag=k${i}:v`).join('&'), 'tag'],
    ];
    for (const [query, parameter] of cases) {
      const answer = await list(query);
      expect({ query, status: answer.status }).toEqual({ query, status: 400 });
      expect(answer.body.error.code).toBe('validation_failed');
      expect({ query, paths: answer.body.error.details?.errors.map((e) => e.path) }).toEqual({ query, paths: [parameter] });
    }
  });
});
