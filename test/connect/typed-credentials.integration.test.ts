/**
 * Connecting without the OAuth redirect: Basic, API key, bearer and custom input credentials typed by
 * the end user, and a client-credentials connector that needs no user at all.
 */
import { randomBytes } from 'node:crypto';
import { DEAD_LETTER_TOPIC, EVENT_CATALOG, TokenIssued } from '@cb/events';
import { collectMessages, MessageCollector, waitFor } from '../harness';
import { SandboxProvider, startSandboxProvider } from '../support/sandbox-provider';
import { RunningSystem, startSystem } from '../support/system';
import { activeConnector, Gateway, newWorkspace, openSession, OpenedSession, seenResponses, sessionReaches, withDb } from './connect-helpers';

const canary = (what: string): string => `canary-${what}-${randomBytes(6).toString('hex')}`;
const secrets = {
  basicPassword: canary('basic-password'),
  apiKey: canary('api-key'),
  bearer: canary('bearer-token'),
  customApiKey: canary('custom-api-key'),
  customDefault: canary('custom-secret-default'),
  clientSecret: canary('cc-client-secret'),
};

describe('typed credentials and client credentials', () => {
  let system: RunningSystem;
  let sandbox: SandboxProvider;
  let collector: MessageCollector;
  let gateway: Gateway;
  let workspaceId: string;
  const connectors: Record<string, string> = {};
  const tokensSeen = new Set<string>();

  const submit = (session: OpenedSession, body: unknown, header: 'bearer' | 'x-connect-session' = 'x-connect-session') =>
    gateway.call<{ error?: { code: string; details?: { errors: Array<{ path: string; message: string }> } } }>('POST', '/v1/connect/credentials', {
      key: null,
      body,
      headers: header === 'bearer' ? { authorization: `Bearer ${session.sessionToken}` } : { 'x-connect-session': session.sessionToken },
    });

  const credentialOf = async (connectionId: string) => {
    const answer = await gateway.call<{ mode: string; credential: Record<string, unknown> }>('POST', `/v1/connections/${connectionId}/credential`, { body: {} });
    expect(answer.status).toBe(200);
    return answer.body;
  };

  const issuedFor = (connectionId: string) =>
    waitFor(
      () => collector.messages.map((m) => (m.topic === system.topic(TokenIssued.topic) ? (JSON.parse(m.value) as Record<string, unknown>) : undefined)).find((p) => p?.connectionId === connectionId),
      { timeoutMs: 20_000, description: `TokenIssued for ${connectionId}` },
    );

  beforeAll(async () => {
    system = await startSystem();
    sandbox = await startSandboxProvider({
      clients: [{ client_id: 'cb-machine', client_secret: secrets.clientSecret, redirect_uris: [`${system.urls.gateway}/oauth/callback`], token_endpoint_auth_method: 'client_secret_post' }],
    });
    collector = await collectMessages({ brokers: system.kafkaBrokers, topics: [...EVENT_CATALOG.map((d) => system.topic(d.topic)), system.topic(DEAD_LETTER_TOPIC)], fromBeginning: true });
    ({ gateway, workspaceId } = await newWorkspace(system, 'Typed Co'));
    connectors.basic = await activeConnector(gateway, 'basic', { mode: 'BASIC' });
    connectors.apiKey = await activeConnector(gateway, 'api-key', { mode: 'API_KEY', headerName: 'X-Api-Token', prefix: 'Token' });
    connectors.bearer = await activeConnector(gateway, 'bearer', { mode: 'BEARER' });
    connectors.custom = await activeConnector(gateway, 'custom', {
      mode: 'CUSTOM',
      fields: [
        { key: 'apiKey', label: 'API key', type: 'password', required: true },
        { key: 'account', label: 'Account', type: 'text', required: true },
        { key: 'region', label: 'Region', type: 'text', default: 'eu' },
        { key: 'expires_in', label: 'Expires in', type: 'number', default: 100000, hidden: true, disabled: true },
        { key: 'signingSecret', label: 'Signing secret', type: 'password', default: secrets.customDefault, hidden: true, disabled: true },
      ],
      expiry: { fromField: 'expires_in' },
    });
    connectors.machine = await activeConnector(gateway, 'machine', {
      mode: 'OAUTH2',
      grantType: 'client_credentials',
      tokenUrl: sandbox.urls.token,
      clientId: 'cb-machine',
      clientSecret: secrets.clientSecret,
      clientAuthMethod: 'client_secret_post',
      scopes: ['api:read'],
    });
  });

  afterAll(async () => {
    await collector?.stop();
    await sandbox?.stop();
    await system?.stop();
  });

  it('Basic: the form, the submission, TokenIssued and the credential', async () => {
    const session = await openSession(gateway, { connectorId: connectors.basic, endUserId: 'u-basic' });
    expect(session.authorizationUrl).toBeUndefined();
    const view = await gateway.call<{ status: string; connector: { mode: string; form: object } }>('GET', '/v1/connect/session', { key: null, headers: { 'x-connect-session': session.sessionToken } });
    expect(view.body).toMatchObject({ status: 'pending', connector: { mode: 'BASIC', form: { usernameLabel: 'Username', passwordLabel: 'Password' } } });

    expect((await submit(session, { username: 'ana', password: secrets.basicPassword }, 'bearer')).status).toBe(202);
    await sessionReaches(gateway, session.sessionId, 'completed');
    expect(await issuedFor(session.connectionId)).toMatchObject({ mode: 'BASIC', reason: 'connect', refreshable: false, expiresAt: null, credentialVersion: 1 });
    expect(await credentialOf(session.connectionId)).toEqual({
      connectionId: session.connectionId,
      connectorId: connectors.basic,
      mode: 'BASIC',
      credentialVersion: 1,
      credential: { type: 'basic', username: 'ana', password: secrets.basicPassword },
    });

    const again = await submit(session, { username: 'ana', password: 'other' });
    expect(again.status).toBe(409);
  });

  it('API key and bearer token: placement travels with the key', async () => {
    const apiKeySession = await openSession(gateway, { connectorId: connectors.apiKey, endUserId: 'u-key' });
    expect((await submit(apiKeySession, { apiKey: ` ${secrets.apiKey} ` })).status).toBe(202);
    const bearerSession = await openSession(gateway, { connectorId: connectors.bearer, endUserId: 'u-bearer' });
    expect((await submit(bearerSession, { token: secrets.bearer })).status).toBe(202);
    await sessionReaches(gateway, apiKeySession.sessionId, 'completed');
    await sessionReaches(gateway, bearerSession.sessionId, 'completed');

    expect((await credentialOf(apiKeySession.connectionId)).credential).toEqual({ type: 'api_key', apiKey: secrets.apiKey, placement: 'header', headerName: 'X-Api-Token', prefix: 'Token' });
    expect((await credentialOf(bearerSession.connectionId)).credential).toEqual({ type: 'bearer', token: secrets.bearer });

    const wrongShape = await submit(await openSession(gateway, { connectorId: connectors.bearer, endUserId: 'u-bearer-2' }), { apiKey: 'x' });
    expect(wrongShape.status).toBe(400);
    expect(wrongShape.body.error?.details?.errors.map((e) => e.path).sort()).toEqual(['apiKey', 'token']);
  });

  it('the credential read checks its request at both hops, as every other route does', async () => {
    const session = await openSession(gateway, { connectorId: connectors.bearer, endUserId: 'u-read-checks' });
    expect((await submit(session, { token: canary('read-checks') })).status).toBe(202);
    await sessionReaches(gateway, session.sessionId, 'completed');
    const path = `/v1/connections/${session.connectionId}/credential`;
    const errorOf = (answer: { status: number; body: unknown }) => [answer.status, (answer.body as { error?: { code: string } }).error?.code];

    expect(errorOf(await gateway.call('POST', path, { key: null, body: {} }))).toEqual([401, 'unauthorized']);
    expect(errorOf(await gateway.call('POST', '/v1/connections/not-a-uuid/credential', { body: {} }))).toEqual([404, 'not_found']);
    const invalid = await gateway.call<{ error: { code: string; details: { errors: Array<{ path: string }> } } }>('POST', path, { body: { includeRefreshToken: 'yes', extra: 1 } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.details.errors.map((e) => e.path).sort()).toEqual(['extra', 'includeRefreshToken']);
    const answered = await gateway.call('POST', path, { body: { includeRefreshToken: false } });
    expect(answered.status).toBe(200);
    expect(answered.headers.get('cache-control')).toBe('no-store');
    expect(answered.headers.get('content-type')).toMatch(/^application\/json/);

    const internal = (headers: Record<string, string>, body = '{}', workspace = workspaceId) =>
      fetch(`${system.urls['token-issuance']}/internal/v1/workspaces/${workspace}/connections/${session.connectionId}/credential`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const codeOf = async (answer: Response) => [answer.status, ((await answer.json()) as { error?: { code: string } }).error?.code];
    const token = { 'x-internal-token': system.internalToken };
    expect(await codeOf(await internal({ 'x-api-key-id': 'test' }))).toEqual([401, 'unauthorized']);
    expect(await codeOf(await internal({ ...token, 'x-internal-token': `${system.internalToken}x`, 'x-api-key-id': 'test' }))).toEqual([401, 'unauthorized']);
    expect(await codeOf(await internal({ ...token, 'x-api-key-id': 'test' }, '{}', 'not-a-uuid'))).toEqual([404, 'not_found']);
    expect(await codeOf(await internal(token))).toEqual([400, 'caller_unknown']);
    expect(await codeOf(await internal({ ...token, 'x-api-key-id': 'test' }, '{"includeRefreshToken":1}'))).toEqual([400, 'validation_failed']);
    expect(await codeOf(await internal({ ...token, 'x-api-key-id': 'test' }, '[]'))).toEqual([400, 'validation_failed']);
  });

  it("an edited connector's key placement reaches the next credential read on every token-issuance instance", async () => {
    const second = await system.startExtraInstance('token-issuance');
    const session = await openSession(gateway, { connectorId: connectors.apiKey, endUserId: 'u-key-edited' });
    expect((await submit(session, { apiKey: secrets.apiKey })).status).toBe(202);
    await sessionReaches(gateway, session.sessionId, 'completed');
    const headerNameOn = async (url: string): Promise<unknown> => {
      const answer = await fetch(`${url}/internal/v1/workspaces/${workspaceId}/connections/${session.connectionId}/credential`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-internal-token': system.internalToken, 'x-api-key-id': 'typed-credentials-test' },
        body: '{}',
      });
      expect(answer.status).toBe(200);
      return ((await answer.json()) as { credential: { headerName?: string } }).credential.headerName;
    };
    const instances = [system.urls['token-issuance'], second.url];
    for (const url of instances) expect(await headerNameOn(url)).toBe('X-Api-Token');

    const edited = await gateway.call('PATCH', `/v1/connectors/${connectors.apiKey}`, { body: { config: { mode: 'API_KEY', headerName: 'X-Edited-Token', prefix: 'Token' } } });
    expect(edited.status).toBe(200);
    for (const url of instances) {
      await waitFor(async () => (await headerNameOn(url)) === 'X-Edited-Token', { timeoutMs: 15_000, intervalMs: 100, description: `the edited placement on ${url}` });
    }
  });

  it('Custom input: names a missing or unknown field, applies defaults (secret ones too) and keeps the expiry', async () => {
    const session = await openSession(gateway, { connectorId: connectors.custom, endUserId: 'u-custom' });
    const view = await gateway.call<{ connector: { form: { fields: Array<Record<string, unknown>> } } }>('GET', '/v1/connect/session', { key: null, headers: { 'x-connect-session': session.sessionToken } });
    expect(view.text).not.toContain(secrets.customDefault);
    expect(view.body.connector.form.fields.map((f) => f.key)).toEqual(['apiKey', 'account', 'region', 'expires_in', 'signingSecret']);

    const missing = await submit(session, { values: { account: 'acme' } });
    expect(missing.status).toBe(400);
    expect(missing.body.error?.code).toBe('validation_failed');
    expect(missing.body.error?.details?.errors).toEqual([{ path: 'values.apiKey', message: expect.stringMatching(/required/) }]);

    const unknown = await submit(session, { values: { apiKey: secrets.customApiKey, account: 'acme', color: 'blue' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error?.details?.errors.map((e) => e.path)).toEqual(['values.color']);
    expect(unknown.text).not.toContain(secrets.customApiKey);

    const wrongType = await submit(session, { values: { apiKey: secrets.customApiKey, account: 'acme', expires_in: 5 } });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error?.details?.errors.map((e) => e.path)).toEqual(['values.expires_in']);

    const submittedAt = Date.now();
    expect((await submit(session, { values: { apiKey: secrets.customApiKey, account: 'acme' } })).status).toBe(202);
    await sessionReaches(gateway, session.sessionId, 'completed');
    const credential = (await credentialOf(session.connectionId)).credential as { fields: Record<string, unknown>; expiresAt: string };
    expect(credential.fields).toEqual({ apiKey: secrets.customApiKey, account: 'acme', region: 'eu', expires_in: 100000, signingSecret: secrets.customDefault });
    expect(Math.abs(Date.parse(credential.expiresAt) - (submittedAt + 100000 * 1000))).toBeLessThan(30_000);
    expect(await issuedFor(session.connectionId)).toMatchObject({ mode: 'CUSTOM', expiresAt: credential.expiresAt });
  });

  it('refuses a missing or unknown session token', async () => {
    const noToken = await gateway.call('POST', '/v1/connect/credentials', { key: null, body: { token: 'x' } });
    expect(noToken.status).toBe(401);
    const badToken = await gateway.call('GET', '/v1/connect/session', { key: null, headers: { 'x-connect-session': 'cbs_nope' } });
    expect(badToken.status).toBe(401);
  });

  it('client credentials: the token comes without a user, on connect', async () => {
    const session = await openSession(gateway, { connectorId: connectors.machine, endUserId: 'service-account' });
    expect(session.authorizationUrl).toBeUndefined();
    await sessionReaches(gateway, session.sessionId, 'completed');
    expect(await issuedFor(session.connectionId)).toMatchObject({ mode: 'OAUTH2', reason: 'connect', scopes: ['api:read'], refreshable: false });
    const credential = (await credentialOf(session.connectionId)).credential as { accessToken: string; type: string };
    expect(credential.type).toBe('oauth2');
    tokensSeen.add(credential.accessToken);
    const whoami = await fetch(`${sandbox.issuer}/api/whoami`, { headers: { authorization: `Bearer ${credential.accessToken}` } });
    expect(whoami.status).toBe(200);
    expect(await whoami.json()).toMatchObject({ client_id: 'cb-machine', scope: 'api:read' });
  });

  it('leaks no typed secret: not in logs, Kafka, the database in plaintext or any response but the credential read', async () => {
    const logs = system.logs();
    const messages = collector.messages.map((m) => `${m.value} ${JSON.stringify(m.headers)}`).join('\n');
    const responses = seenResponses.filter((r) => !/\/credential$/.test(r.route)).map((r) => r.text).join('\n');
    const database = await withDb(system, async (db) => {
      const rows = await db.query(`SELECT sealed_credential AS v FROM token_issuance.connections UNION ALL SELECT payload::text FROM oauth_authorization.outbox UNION ALL SELECT payload::text FROM token_issuance.outbox UNION ALL SELECT config::text FROM token_issuance.connectors UNION ALL SELECT config::text FROM oauth_authorization.connectors`);
      return rows.rows.map((r: { v: string }) => r.v).join('\n');
    });
    for (const secret of [...Object.values(secrets), ...tokensSeen]) {
      for (const [where, text] of Object.entries({ logs, messages, responses, database })) {
        expect(text.includes(secret) ? `${where} holds ${secret.slice(0, 20)}…` : 'clean').toBe('clean');
      }
    }
  });
});
