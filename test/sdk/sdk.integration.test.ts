/**
 * @cb/sdk against the running system (five services, real Kafka and PostgreSQL, the sandbox
 * oidc-provider): every client method, waiting for sessions that complete, fail, time out or are
 * aborted, and the token event subscription with CloudEvents headers decoded.
 */
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { TokenExpired, TokenIssued } from '@cb/events';
import {
  ConnectSessionFailedError,
  CredentialBrokerClient,
  CredentialBrokerError,
  decodeTokenEvent,
  EVENT_CONTRACTS,
  subscribeToTokenEvents,
  WaitTimeoutError,
  type ConnectionDeletedPayload,
  type ConnectSession,
  type CreateConnectSessionRequest,
  type TokenEventEnvelope,
  type TokenExpiredPayload,
  type TokenIssuedPayload,
  type TokenEventSubscription,
} from '@cb/sdk';
import { createWorkspaceWithAdminKey } from '../../apps/gateway/src/workspaces/create-workspace';
import { uniqueName, waitFor } from '../harness';
import { OpenApiConformance } from '../support/openapi-conformance';
import { authorizeOverHttp, SandboxProvider, startSandboxProvider } from '../support/sandbox-provider';
import { RunningSystem, startSystem } from '../support/system';

const CLIENT_SECRET = `sdk-client-secret-${randomBytes(8).toString('hex')}`;

/** Thrown by `expectRejection` when the promise resolved. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, but the promise resolved');
}

describe('@cb/sdk against the running system', () => {
  let system: RunningSystem;
  let sandbox: SandboxProvider;
  let broker: CredentialBrokerClient;
  let base: string;
  let subscription: TokenEventSubscription;
  const issued: Array<TokenEventEnvelope<TokenIssuedPayload>> = [];
  const expired: Array<TokenEventEnvelope<TokenExpiredPayload>> = [];
  const deleted: Array<TokenEventEnvelope<ConnectionDeletedPayload>> = [];
  const sessionGets: string[] = [];
  /** Every answer the calls below receive is checked against docs/openapi.json. */
  const conformance = new OpenApiConformance();
  const checkedFetch = conformance.checkingFetch();
  let oauthConnectorId: string;
  let customConnectorId: string;
  let customConnectionId: string;
  let oauthConnectionId: string;
  let deletedConnectionId: string;

  const openSession = (request: CreateConnectSessionRequest): Promise<ConnectSession> => broker.connectSessions.create(request);

  /** What the connect dialog does for typed credentials. */
  const submitCredentials = async (session: ConnectSession, body: unknown): Promise<number> => {
    const response = await checkedFetch(`${base}/v1/connect/credentials`, {
      method: 'POST',
      headers: { authorization: `Bearer ${session.sessionToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return response.status;
  };

  /** The browser's part of an OAuth connect: consent (or denial) at the sandbox, then the callback. */
  const authorize = async (session: ConnectSession, options: { deny?: boolean } = {}): Promise<void> => {
    const { callbackUrl } = await authorizeOverHttp(session.authorizationUrl as string, options);
    await (await fetch(callbackUrl, { redirect: 'manual' })).text();
  };

  let apiKey: string;

  beforeAll(async () => {
    system = await startSystem();
    base = system.urls.gateway;
    sandbox = await startSandboxProvider({ clients: [{ client_id: 'cb-sdk', client_secret: CLIENT_SECRET, redirect_uris: [`${base}/oauth/callback`] }] });
    ({ apiKey } = await createWorkspaceWithAdminKey(system.app('gateway').get(DataSource), 'SDK Co'));
    const countingFetch: typeof fetch = (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      if (/\/v1\/connect-sessions\/[0-9a-f-]{36}$/.test(new URL(url).pathname)) sessionGets.push(url);
      return checkedFetch(input, init);
    };
    broker = new CredentialBrokerClient({ baseUrl: base, apiKey, fetch: countingFetch });
    subscription = await subscribeToTokenEvents({
      brokers: system.kafkaBrokers,
      groupId: uniqueName('sdk-test'),
      topicPrefix: system.topicPrefix,
      fromBeginning: true,
      onTokenIssued: (event) => void issued.push(event),
      onTokenExpired: (event) => void expired.push(event),
      onConnectionDeleted: (event) => void deleted.push(event),
    });
  });

  afterAll(async () => {
    await subscription?.stop();
    await sandbox?.stop();
    await system?.stop();
  });

  describe('connectors', () => {
    it('lists the templates', async () => {
      const templates = await broker.connectors.templates();
      expect(templates.map((t) => t.id)).toEqual(expect.arrayContaining(['microsoft', 'google', 'slack', 'github', 'salesforce']));
      expect(templates.find((t) => t.id === 'google')).toEqual(expect.objectContaining({ mode: 'OAUTH2', defaultScopes: expect.any(Array), docsUrl: expect.stringMatching(/^https:/), overridden: false }));
      expect(templates.find((t) => t.id === 'stripe')).toEqual(expect.objectContaining({ mode: 'API_KEY', defaultScopes: [], verification: { method: 'GET', path: '/v1/balance', expectedStatus: 200 } }));
    });

    it('creates from a template and from scratch, gets, lists with filters, updates and deletes', async () => {
      const fromTemplate = await broker.connectors.create({ templateId: 'github', clientId: 'gh-client', clientSecret: 'gh-secret-value', scopes: ['repo'] });
      expect(fromTemplate).toMatchObject({ slug: 'github', mode: 'OAUTH2', status: 'draft', templateId: 'github', config: { clientId: 'gh-client', clientSecret: { isSet: true }, scopes: ['repo'] } });
      expect(JSON.stringify(fromTemplate)).not.toContain('gh-secret-value');

      const bearer = await broker.connectors.create({ slug: 'acme-bearer', name: 'Acme bearer', config: { mode: 'BEARER', label: 'Personal access token' } });
      expect(await broker.connectors.get(bearer.id)).toMatchObject({ id: bearer.id, mode: 'BEARER', status: 'draft' });
      const page = await broker.connectors.list({ mode: 'BEARER' });
      expect(page.items.map((c) => c.id)).toEqual([bearer.id]);
      const all: string[] = [];
      for await (const connector of broker.connectors.listAll({ limit: 1 })) all.push(connector.id);
      expect(all.sort()).toEqual([fromTemplate.id, bearer.id].sort());

      const renamed = await broker.connectors.update(bearer.id, { name: 'Acme (bearer)' });
      expect(renamed.name).toBe('Acme (bearer)');
      expect((await broker.connectors.activate(bearer.id)).status).toBe('active');
      expect((await broker.connectors.deactivate(bearer.id)).status).toBe('inactive');
      await broker.connectors.delete(bearer.id);
      await broker.connectors.delete(fromTemplate.id);
      const gone = await rejectionOf(broker.connectors.get(bearer.id));
      expect(gone).toBeInstanceOf(CredentialBrokerError);
      expect(gone).toMatchObject({ code: 'not_found', status: 404, retriable: false });
    });

    it('raises typed errors carrying the API code and every field path', async () => {
      const invalid = await rejectionOf(broker.connectors.create({ slug: 'Not A Slug', name: 'x', config: { mode: 'OAUTH2', authorizationUrl: 'ftp://nope' } }));
      expect(invalid).toMatchObject({ code: 'validation_failed', status: 400 });
      expect((invalid as CredentialBrokerError).fieldErrors.map((e) => e.path)).toEqual(expect.arrayContaining(['slug', 'config.authorizationUrl']));

      const draft = await broker.connectors.create({ slug: 'incomplete', name: 'Incomplete', config: { mode: 'OAUTH2' } });
      const refused = await rejectionOf(broker.connectors.activate(draft.id));
      expect(refused).toMatchObject({ code: 'activation_refused', status: 422 });
      expect((refused as CredentialBrokerError).fieldErrors.map((e) => e.path)).toEqual(expect.arrayContaining(['config.authorizationUrl', 'config.tokenUrl', 'config.clientId']));

      const unauthorized = await rejectionOf(new CredentialBrokerClient({ baseUrl: base, apiKey: 'cbk_nope' }).connectors.list());
      expect(unauthorized).toMatchObject({ code: 'unauthorized', status: 401 });
      const unreachable = await rejectionOf(new CredentialBrokerClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'cbk_x' }).connectors.list());
      expect(unreachable).toMatchObject({ code: 'network_error', status: 0, retriable: true });
    });
  });

  describe('connect sessions and connections', () => {
    beforeAll(async () => {
      const oauth = await broker.connectors.create({
        slug: 'sandbox',
        name: 'Sandbox',
        config: {
          mode: 'OAUTH2',
          authorizationUrl: sandbox.urls.authorization,
          tokenUrl: sandbox.urls.token,
          revocationUrl: sandbox.urls.revocation,
          clientId: 'cb-sdk',
          clientSecret: CLIENT_SECRET,
          scopes: ['openid', 'profile', 'email', 'offline_access'],
          authorizationParams: { prompt: 'consent' },
        },
      });
      oauthConnectorId = (await broker.connectors.activate(oauth.id)).id;
      const custom = await broker.connectors.create({
        slug: 'acme-custom',
        name: 'Acme custom',
        config: { mode: 'CUSTOM', fields: [{ key: 'apiKey', label: 'API key', type: 'password', required: true }], expiry: { lifetimeSeconds: 2 } },
      });
      customConnectorId = (await broker.connectors.activate(custom.id)).id;
    });

    it('waits for a typed-credential session to complete without busy polling', async () => {
      const session = await openSession({ connectorId: customConnectorId, endUserId: 'sdk-user-custom' });
      expect(session).toMatchObject({ mode: 'CUSTOM', sessionToken: expect.stringMatching(/^cbs_/) });
      expect(session.authorizationUrl).toBeUndefined();
      expect(await broker.connectSessions.get(session.sessionId)).toMatchObject({ status: 'pending', endUserId: 'sdk-user-custom' });

      sessionGets.length = 0;
      const started = Date.now();
      const waiting = broker.connectSessions.waitForCompletion(session.sessionId, { timeoutMs: 30_000 });
      expect(await submitCredentials(session, { values: { apiKey: 'acme-key-123' } })).toBe(202);
      const done = await waiting;
      expect(done).toMatchObject({ status: 'completed', sessionId: session.sessionId });
      customConnectionId = done.connectionId;
      // 250 ms doubling: a completion within a few seconds costs a handful of requests.
      const seconds = (Date.now() - started) / 1000;
      expect(sessionGets.length).toBeLessThanOrEqual(Math.ceil(Math.log2(seconds * 4 + 1)) + 2);

      const connection = await broker.connections.get(customConnectionId);
      expect(connection).toMatchObject({ connectionId: customConnectionId, connectorId: customConnectorId, mode: 'CUSTOM', endUserId: 'sdk-user-custom', status: 'active' });
      expect(await broker.connections.getCredential(customConnectionId)).toMatchObject({ credential: { type: 'custom', fields: { apiKey: 'acme-key-123' } } });
    });

    it('imports connections, merges their metadata and tags, and finds them by tag and organization page after page', async () => {
      const connector = await broker.connectors.create({ slug: 'sdk-api-key', name: 'SDK API key', config: { mode: 'API_KEY', headerName: 'X-Key' } });
      await broker.connectors.activate(connector.id);
      const imported = [];
      for (const user of ['sdk-a', 'sdk-b', 'sdk-c']) {
        imported.push(
          await broker.connections.import({
            connectorId: connector.id,
            endUser: { id: user, displayName: user.toUpperCase(), organizationId: user === 'sdk-c' ? 'org-other' : 'org-sdk' },
            tags: { source: 'sdk' },
            credential: { apiKey: `key-of-${user}` },
          }),
        );
      }
      expect(imported[0]).toMatchObject({ mode: 'API_KEY', endUser: { id: 'sdk-a', displayName: 'SDK-A', email: null, organizationId: 'org-sdk' }, tags: { source: 'sdk' } });

      const updated = await broker.connections.update(imported[1]?.connectionId ?? '', { metadata: { plan: 'pro' }, tags: { tier: 'gold' } });
      expect(updated).toMatchObject({ metadata: { plan: 'pro' }, tags: { source: 'sdk', tier: 'gold' } });

      const seen = [];
      for await (const connection of broker.connections.listAll({ tag: ['source:sdk'], organizationId: 'org-sdk', limit: 1 })) seen.push(connection.endUserId);
      expect(seen).toEqual(['sdk-a', 'sdk-b']);
      expect((await broker.connections.list({ tag: ['source:sdk', 'tier:gold'] })).items.map((c) => c.endUserId)).toEqual(['sdk-b']);
      expect(await rejectionOf(broker.connections.list({ tag: ['no-colon'] }))).toMatchObject({ code: 'validation_failed', status: 400 });
    });

    it('reads the audit of those imports page after page, with its filters', async () => {
      const imports = [];
      for await (const entry of broker.audit.listAll({ kind: ['connection_import'], limit: 2 })) imports.push(entry);
      expect(imports).toHaveLength(3);
      expect(imports.every((entry) => entry.kind === 'connection_import' && entry.details.mode === 'API_KEY')).toBe(true);
      const page = await broker.audit.list({ connectorId: imports[0]?.connectorId ?? '', limit: 50 });
      expect(new Set(page.items.map((entry) => entry.kind))).toEqual(new Set(['connection_import', 'connector_change']));
      expect(JSON.stringify(page)).not.toContain('key-of-sdk');
      expect(await rejectionOf(broker.audit.list({ cursor: 'nonsense' }))).toMatchObject({ code: 'validation_failed', status: 400 });
    });

    it('waits for an OAuth session, then reads the credential with and without the refresh token', async () => {
      const session = await openSession({ connectorId: oauthConnectorId, endUserId: 'sdk-user-oauth' });
      expect(session.authorizationUrl).toMatch(new RegExp(`^${sandbox.urls.authorization}\\?`));
      const waiting = broker.connectSessions.waitForCompletion(session.sessionId, { timeoutMs: 30_000 });
      await authorize(session);
      const done = await waiting;
      oauthConnectionId = done.connectionId;

      const credential = await broker.connections.getCredential(oauthConnectionId);
      expect(credential.credential).toMatchObject({ type: 'oauth2', tokenType: expect.stringMatching(/^bearer$/i), accessToken: expect.any(String) });
      expect(credential.credential).not.toHaveProperty('refreshToken');
      const withRefresh = await broker.connections.getCredential(oauthConnectionId, { includeRefreshToken: true });
      expect(withRefresh.credential).toHaveProperty('refreshToken', expect.any(String));

      const listed = await broker.connections.list({ connectorId: oauthConnectorId });
      expect(listed.items.map((c) => c.connectionId)).toEqual([oauthConnectionId]);
      expect(listed.total).toBe(1);
    });

    it('reports a refused credential: refreshed once, and a report about the old version is superseded', async () => {
      const before = await broker.connections.getCredential(oauthConnectionId);
      const refreshed = await broker.connections.reportUnauthorized(oauthConnectionId, before.credentialVersion);
      expect(refreshed).toEqual({ connectionId: oauthConnectionId, outcome: 'refreshed', credentialVersion: before.credentialVersion + 1, status: 'active' });
      const after = await broker.connections.getCredential(oauthConnectionId);
      expect(after.credentialVersion).toBe(refreshed.credentialVersion);
      expect(after.credential).not.toEqual(before.credential);
      expect(await broker.connections.reportUnauthorized(oauthConnectionId, before.credentialVersion)).toMatchObject({ outcome: 'superseded', credentialVersion: refreshed.credentialVersion });
    });

    it('rejects with ConnectSessionFailedError carrying the provider code when consent is denied', async () => {
      const session = await openSession({ connectorId: oauthConnectorId, endUserId: 'sdk-user-denies' });
      const waiting = broker.connectSessions.waitForCompletion(session.sessionId, { timeoutMs: 30_000 });
      await authorize(session, { deny: true });
      const failure = await rejectionOf(waiting);
      expect(failure).toBeInstanceOf(ConnectSessionFailedError);
      expect(failure).toMatchObject({ code: 'access_denied', sessionId: session.sessionId, sessionStatus: 'failed', reason: expect.stringMatching(/declined|not granted/i) });
    });

    it('paces its polls when the gateway answers them at once instead of holding them', async () => {
      const session = await openSession({ connectorId: customConnectorId, endUserId: 'sdk-user-unheld' });
      // a gateway instance that holds none of the workspace's long polls
      const { url } = await system.startExtraInstance('gateway', { LONG_POLLS_PER_WORKSPACE: '0' });
      const asked: number[] = [];
      const unheld = new CredentialBrokerClient({ baseUrl: url, apiKey, fetch: (input, init) => (asked.push(Date.now()), fetch(input, init)) });
      const started = Date.now();
      expect(await rejectionOf(unheld.connectSessions.waitForCompletion(session.sessionId, { timeoutMs: 3000 }))).toBeInstanceOf(WaitTimeoutError);
      // 250, 500, 1000, 2000 ms apart: five polls in 3 s, not one per round trip
      expect(asked.length).toBeLessThanOrEqual(6);
      expect(asked[1] as number - started).toBeGreaterThanOrEqual(200);
    });

    it('gives up at the deadline with WaitTimeoutError, and stops when aborted', async () => {
      const session = await openSession({ connectorId: customConnectorId, endUserId: 'sdk-user-idle' });
      const timedOut = await rejectionOf(broker.connectSessions.waitForCompletion(session.sessionId, { timeoutMs: 600 }));
      expect(timedOut).toBeInstanceOf(WaitTimeoutError);
      expect(timedOut).toMatchObject({ code: 'wait_timeout', sessionId: session.sessionId });

      const controller = new AbortController();
      const waitStarted = Date.now();
      const waiting = broker.connectSessions.waitForCompletion(session.sessionId, { timeoutMs: 30_000, signal: controller.signal });
      controller.abort();
      const aborted = await rejectionOf(waiting);
      expect((aborted as Error).name).toBe('AbortError');
      // Stopped by the abort, not by its 30 s deadline.
      expect(Date.now() - waitStarted).toBeLessThan(10_000);
    });

    it('deletes a connection', async () => {
      const session = await openSession({ connectorId: customConnectorId, endUserId: 'sdk-user-leaves' });
      expect(await submitCredentials(session, { values: { apiKey: 'to-be-deleted' } })).toBe(202);
      deletedConnectionId = (await broker.connectSessions.waitForCompletion(session.sessionId, { timeoutMs: 30_000 })).connectionId;
      const result = await broker.connections.delete(deletedConnectionId);
      expect(result).toMatchObject({ connectionId: deletedConnectionId, revocation: expect.stringMatching(/^(not_supported|nothing_to_revoke)$/) });
      expect(await rejectionOf(broker.connections.get(deletedConnectionId))).toMatchObject({ code: 'not_found', status: 404 });
    });
  });

  describe('token events', () => {
    it('delivers TokenIssued with its CloudEvents attributes and a validated payload', async () => {
      const event = await waitFor(() => issued.find((e) => e.data.connectionId === customConnectionId), { timeoutMs: 20_000, description: 'TokenIssued for the custom connection' });
      expect(event).toMatchObject({
        type: TokenIssued.type,
        source: '/credential-broker/token-issuance',
        subject: customConnectionId,
        specversion: '1.0',
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        kafka: { topic: system.topic(TokenIssued.topic), key: customConnectionId },
      });
      expect(Number.isNaN(Date.parse(event.time))).toBe(false);
      expect(event.data).toMatchObject({ connectorId: customConnectorId, endUserId: 'sdk-user-custom', mode: 'CUSTOM', reason: 'connect' });
      expect(JSON.stringify(event)).not.toContain('acme-key-123');
    });

    it('delivers TokenExpired when a custom credential runs out, and ConnectionDeleted', async () => {
      const event = await waitFor(() => expired.find((e) => e.data.connectionId === customConnectionId), { timeoutMs: 30_000, description: 'TokenExpired for the custom connection' });
      expect(event.type).toBe(TokenExpired.type);
      expect(event.data.reason).toBe('expired');
      await waitFor(() => deleted.find((e) => e.data.connectionId === deletedConnectionId), { timeoutMs: 20_000, description: 'ConnectionDeleted for the deleted connection' });
    });

    it('knows the topics and types the services publish, from docs/asyncapi.yaml', () => {
      expect(EVENT_CONTRACTS.TokenIssued).toMatchObject({ topic: TokenIssued.topic, type: TokenIssued.type });
      expect(EVENT_CONTRACTS.TokenExpired).toMatchObject({ topic: TokenExpired.topic, type: TokenExpired.type });
    });

    it('reports a message that is not a valid event instead of handing it over', () => {
      const decoded = decodeTokenEvent('TokenIssued', 'topic', 0, { offset: '7', key: null, value: Buffer.from('{"connectionId":"nope"}'), headers: { ce_specversion: '1.0', ce_id: 'x', ce_type: TokenIssued.type, ce_source: '/x', ce_time: new Date().toISOString() } });
      expect(decoded).toMatchObject({ topic: 'topic', offset: '7', problems: expect.arrayContaining([expect.stringMatching(/connectionId/)]) });
      const wrongType = decodeTokenEvent('TokenIssued', 'topic', 0, { offset: '8', key: null, value: Buffer.from('{}'), headers: { ce_type: 'other' } });
      expect((wrongType as { problems: string[] }).problems).toEqual(expect.arrayContaining(['missing header ce_id', `ce_type is other, expected ${TokenIssued.type}`]));
    });
  });
  it('manages workspaces and their keys with an operator key, and a workspace its own keys', async () => {
    const ops = await createWorkspaceWithAdminKey(system.app('gateway').get(DataSource), 'SDK Ops', { operator: true });
    const operator = new CredentialBrokerClient({ baseUrl: base, apiKey: ops.apiKey, fetch: checkedFetch });
    const workspace = await operator.workspaces.create({ name: 'SDK Tenant' });
    expect((await operator.workspaces.list()).map((w) => w.id)).toContain(workspace.id);
    const first = await operator.workspaces.createApiKey(workspace.id, { name: 'first', scopes: ['admin'] });
    expect(first.apiKey).toMatch(/^cbk_/);
    const tenant = new CredentialBrokerClient({ baseUrl: base, apiKey: first.apiKey, fetch: checkedFetch });
    const second = await tenant.apiKeys.create({ name: 'second', scopes: ['connect'] });
    expect((await tenant.apiKeys.list()).map((k) => k.name)).toEqual(['first', 'second']);
    await tenant.apiKeys.revoke(second.id);
    expect(await rejectionOf(tenant.apiKeys.create({ name: 'escalation', scopes: ['operator'] }))).toMatchObject({ code: 'forbidden', status: 403 });
    expect(await rejectionOf(tenant.workspaces.list())).toMatchObject({ code: 'forbidden', status: 403 });
    await operator.workspaces.revokeApiKey(workspace.id, first.id);
    expect((await operator.workspaces.listApiKeys(workspace.id)).every((k) => k.revokedAt !== null)).toBe(true);
    expect(await rejectionOf(tenant.apiKeys.list())).toMatchObject({ code: 'unauthorized', status: 401 });
  });

  it('got only answers that docs/openapi.json describes, member for member', () => {
    expect(conformance.violations).toEqual([]);
    expect([...conformance.seen].sort()).toEqual(
      expect.arrayContaining([
        'DELETE /v1/connections/{id}',
        'GET /v1/connect-sessions/{id}',
        'GET /v1/connections',
        'GET /v1/connectors/{id}',
        'PATCH /v1/connectors/{id}',
        'POST /v1/connect-sessions',
        'POST /v1/connect/credentials',
        'POST /v1/connections/{id}/credential',
        'POST /v1/connections/{id}/report-unauthorized',
        'POST /v1/connectors',
        'POST /v1/connectors/{id}/activate',
      ]),
    );
  });
});
