/**
 * The access control matrix: every operation of the gateway's live OpenAPI document, tried with no
 * key, a malformed key, a revoked key, a key without the scope and another workspace's key. Each
 * answers 401, 403 or 404 with an error body, never data, and changes nothing. The refresh schedule
 * does not run, so workspace A also has an OAuth connection whose token is due: another workspace's
 * credential read or 401 report must not refresh it on demand.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '../harness';
import { authorizeOverHttp, SandboxProvider, startSandboxProvider } from '../support/sandbox-provider';
import { RunningSystem, startSystem } from '../support/system';
import {
  activeConnector,
  Answer,
  apiKeyConnection,
  call,
  changedTables,
  newWorkspace,
  oauthConnect,
  openApiOperations,
  OpenApiOperation,
  openSession,
  settledSnapshot,
  sessionReaches,
  snapshotDatabase,
  withDb,
  Workspace,
} from './hostile-support';

type Scope = 'admin' | 'connect' | 'credentials:read' | 'proxy' | 'operator';
type Rule =
  | { auth: 'key'; anyOf: Scope[]; idOf?: 'apiKey' | 'connector' | 'session' | 'connection' | 'webhookEndpoint' | 'workspace'; body?: () => unknown; templateId?: string }
  | { auth: 'session-token' }
  | { auth: 'public' };

/** What a workspace's own keys may hold; `operator` is given only by the CLI or another operator key. */
const ALL_SCOPES: Scope[] = ['admin', 'connect', 'credentials:read', 'proxy'];

describe('access control on every gateway endpoint', () => {
  let system: RunningSystem;
  let sandbox: SandboxProvider;
  let a: Workspace;
  let b: Workspace;
  let operations: OpenApiOperation[];
  const ids = { workspace: '', apiKey: '', connector: '', session: '', connection: '', sessionToken: '', dueConnection: '', webhookEndpoint: '', webhookDelivery: '' };
  let webhookReceiver: Server | undefined;
  const keys: Record<string, string> = {};
  /** Identifiers of workspace A that must never appear in an answer to anyone else. */
  let secretsOfA: string[];
  const tally = { cases: 0, byStatus: {} as Record<number, number> };

  const RULES: Record<string, Rule> = {
    'GET /v1/api-keys': { auth: 'key', anyOf: ['admin'] },
    'POST /v1/api-keys': { auth: 'key', anyOf: ['admin'], body: () => ({ name: 'intruder', scopes: ['admin'] }) },
    'DELETE /v1/api-keys/{id}': { auth: 'key', anyOf: ['admin'], idOf: 'apiKey' },
    'GET /v1/audit': { auth: 'key', anyOf: ['admin'] },
    'POST /v1/workspaces': { auth: 'key', anyOf: ['operator'], body: () => ({ name: 'intruder' }) },
    'GET /v1/workspaces': { auth: 'key', anyOf: ['operator'] },
    'GET /v1/workspaces/{id}/api-keys': { auth: 'key', anyOf: ['operator'], idOf: 'workspace' },
    'POST /v1/workspaces/{id}/api-keys': { auth: 'key', anyOf: ['operator'], idOf: 'workspace', body: () => ({ name: 'intruder', scopes: ['admin'] }) },
    'DELETE /v1/workspaces/{id}/api-keys/{keyId}': { auth: 'key', anyOf: ['operator'], idOf: 'workspace' },
    'POST /v1/connectors': { auth: 'key', anyOf: ['admin'], body: () => ({ slug: 'intruder', name: 'x', config: { mode: 'BEARER' } }) },
    'GET /v1/connectors': { auth: 'key', anyOf: ['admin'] },
    'GET /v1/connectors/{id}': { auth: 'key', anyOf: ['admin'], idOf: 'connector' },
    'PATCH /v1/connectors/{id}': { auth: 'key', anyOf: ['admin'], idOf: 'connector', body: () => ({ name: 'renamed' }) },
    'DELETE /v1/connectors/{id}': { auth: 'key', anyOf: ['admin'], idOf: 'connector' },
    'POST /v1/connectors/{id}/activate': { auth: 'key', anyOf: ['admin'], idOf: 'connector' },
    'POST /v1/connectors/{id}/deactivate': { auth: 'key', anyOf: ['admin'], idOf: 'connector' },
    'GET /v1/connectors/{id}/changes': { auth: 'key', anyOf: ['admin'], idOf: 'connector' },
    'GET /v1/connector-templates': { auth: 'key', anyOf: ['admin'] },
    // template ids are the same in every workspace; what B must not see is A's override of one
    'GET /v1/connector-templates/{id}': { auth: 'key', anyOf: ['admin'], templateId: 'stripe' },
    'PUT /v1/connector-templates/{id}/override': { auth: 'key', anyOf: ['admin'], templateId: 'stripe', body: () => ({ name: 'intruder' }) },
    'DELETE /v1/connector-templates/{id}/override': { auth: 'key', anyOf: ['admin'], templateId: 'stripe' },
    'POST /v1/connectors/discover': { auth: 'key', anyOf: ['admin'], body: () => ({ url: 'not a url' }) },
    'POST /v1/connectors/from-url': { auth: 'key', anyOf: ['admin'], body: () => ({ url: 'not a url', slug: 'intruder', name: 'x' }) },
    'POST /v1/connectors/{id}/rediscover': { auth: 'key', anyOf: ['admin'], idOf: 'connector' },
    'POST /v1/webhook-endpoints': { auth: 'key', anyOf: ['admin'], body: () => ({ url: 'https://intruder.example.com/', eventTypes: ['connection.created'] }) },
    'GET /v1/webhook-endpoints': { auth: 'key', anyOf: ['admin'] },
    'GET /v1/webhook-endpoints/{id}': { auth: 'key', anyOf: ['admin'], idOf: 'webhookEndpoint' },
    'PATCH /v1/webhook-endpoints/{id}': { auth: 'key', anyOf: ['admin'], idOf: 'webhookEndpoint', body: () => ({ url: 'https://intruder.example.com/' }) },
    'DELETE /v1/webhook-endpoints/{id}': { auth: 'key', anyOf: ['admin'], idOf: 'webhookEndpoint' },
    'POST /v1/webhook-endpoints/{id}/rotate-secret': { auth: 'key', anyOf: ['admin'], idOf: 'webhookEndpoint' },
    'GET /v1/webhook-endpoints/{id}/deliveries': { auth: 'key', anyOf: ['admin'], idOf: 'webhookEndpoint' },
    'GET /v1/webhook-endpoints/{id}/deliveries/{deliveryId}/attempts': { auth: 'key', anyOf: ['admin'], idOf: 'webhookEndpoint' },
    'POST /v1/webhook-endpoints/{id}/deliveries/{deliveryId}/replay': { auth: 'key', anyOf: ['admin'], idOf: 'webhookEndpoint' },
    'POST /v1/connect-sessions': { auth: 'key', anyOf: ['connect'], body: () => ({ connectorId: ids.connector, endUserId: 'intruder' }) },
    'GET /v1/connect-sessions/{id}': { auth: 'key', anyOf: ['connect'], idOf: 'session' },
    'GET /v1/connections': { auth: 'key', anyOf: ['connect', 'credentials:read'] },
    'GET /v1/connections/{id}': { auth: 'key', anyOf: ['connect', 'credentials:read'], idOf: 'connection' },
    'POST /v1/connections/{id}/credential': { auth: 'key', anyOf: ['credentials:read'], idOf: 'connection', body: () => ({ includeRefreshToken: true }) },
    'POST /v1/connections/{id}/report-unauthorized': { auth: 'key', anyOf: ['credentials:read'], idOf: 'connection', body: () => ({ credentialVersion: 1 }) },
    'DELETE /v1/connections/{id}': { auth: 'key', anyOf: ['connect'], idOf: 'connection' },
    'POST /v1/connections/import': { auth: 'key', anyOf: ['admin'], body: () => ({ connectorId: ids.connector, endUser: { id: 'intruder' }, credential: { apiKey: 'intruder-key' } }) },
    'PATCH /v1/connections/{id}': { auth: 'key', anyOf: ['connect'], idOf: 'connection', body: () => ({ tags: { intruder: 'yes' } }) },
    'GET /v1/proxy/{connectionId}/{path}': { auth: 'key', anyOf: ['proxy'], idOf: 'connection' },
    'POST /v1/proxy/{connectionId}/{path}': { auth: 'key', anyOf: ['proxy'], idOf: 'connection' },
    'PUT /v1/proxy/{connectionId}/{path}': { auth: 'key', anyOf: ['proxy'], idOf: 'connection' },
    'PATCH /v1/proxy/{connectionId}/{path}': { auth: 'key', anyOf: ['proxy'], idOf: 'connection' },
    'DELETE /v1/proxy/{connectionId}/{path}': { auth: 'key', anyOf: ['proxy'], idOf: 'connection' },
    'GET /v1/connect/session': { auth: 'session-token' },
    'POST /v1/connect/credentials': { auth: 'session-token' },
    'POST /v1/connect/authorize': { auth: 'session-token' },
    'POST /v1/connect/attributes': { auth: 'session-token' },
    'GET /oauth/callback': { auth: 'public' },
    'GET /oauth/client-metadata/{workspaceId}': { auth: 'public' },
    'GET /health/live': { auth: 'public' },
    'GET /health/ready': { auth: 'public' },
  };

  const pathFor = (operation: OpenApiOperation, rule: Rule): string =>
    rule.auth === 'key' && rule.templateId
      ? operation.path.replace('{id}', rule.templateId)
      : rule.auth === 'key' && rule.idOf
      ? operation.path.replace(/\{(id|connectionId)\}/, ids[rule.idOf]).replace('{path}', 'v1/items').replace('{deliveryId}', ids.webhookDelivery).replace('{keyId}', ids.apiKey)
      : // a workspace's client metadata document is public by design: B's is asked for, and must show nothing of A
        operation.path.replace('{workspaceId}', b.workspaceId);

  const send = async (operation: OpenApiOperation, rule: Rule, headers: Record<string, string>): Promise<Answer> => {
    const body = rule.auth === 'key' && rule.body ? rule.body() : operation.method === 'POST' || operation.method === 'PATCH' ? {} : undefined;
    const answer = await call(system.urls.gateway, operation.method, pathFor(operation, rule), { headers, ...(body === undefined ? {} : { body }) });
    tally.cases += 1;
    tally.byStatus[answer.status] = (tally.byStatus[answer.status] ?? 0) + 1;
    return answer;
  };

  /** An error body and nothing of workspace A beyond the id the caller put in the path. */
  const expectRefusal = (answer: Answer, status: number, code: string | RegExp, what: string, pathId?: string): void => {
    const summary = `${what}: ${answer.status} ${answer.text.slice(0, 200)}`;
    expect(`${what}: ${answer.status}`).toBe(`${what}: ${status}`);
    expect(answer.body).toEqual({ error: expect.objectContaining({ code: expect.stringMatching(code), message: expect.any(String) }) });
    const leaked = secretsOfA.filter((value) => value !== pathId && answer.text.includes(value));
    expect(leaked.length === 0 ? 'no data' : `${summary} holds ${leaked.join(', ')}`).toBe('no data');
  };

  beforeAll(async () => {
    system = await startSystem({ services: ['connector-config', 'oauth-authorization', 'token-issuance', 'gateway'] });
    sandbox = await startSandboxProvider({ accessTokenTtlSeconds: 2, clients: [{ client_id: 'matrix', client_secret: 'matrix-secret', redirect_uris: [`${system.urls.gateway}/oauth/callback`] }] });
    a = await newWorkspace(system, 'Workspace A');
    b = await newWorkspace(system, 'Workspace B');
    ids.workspace = a.workspaceId;
    // a webhook endpoint of A that accepts everything, so its one delivery settles before the snapshots
    webhookReceiver = createServer((_request, response) => void response.writeHead(204).end());
    await new Promise<void>((resolve) => webhookReceiver?.listen(0, '127.0.0.1', resolve));
    const endpoint = await a.call<{ id: string }>('POST', '/v1/webhook-endpoints', {
      body: { url: `http://127.0.0.1:${(webhookReceiver.address() as AddressInfo).port}/hooks`, eventTypes: ['connector.activated'] },
    });
    ids.webhookEndpoint = endpoint.body.id;
    ids.connector = await activeConnector(a, 'acme-api', { mode: 'API_KEY', headerName: 'X-Acme-Key' });
    ids.webhookDelivery = await waitFor(
      async () => {
        const listed = await a.call<{ items: Array<{ id: string; status: string }> }>('GET', `/v1/webhook-endpoints/${ids.webhookEndpoint}/deliveries`);
        return listed.body.items.find((d) => d.status === 'succeeded')?.id;
      },
      { timeoutMs: 30_000, description: "A's webhook delivery" },
    );
    const connection = await apiKeyConnection(system, a, ids.connector, 'user-a', 'acme-key-of-a');
    ids.connection = connection.connectionId;
    const oauthConnector = await activeConnector(a, 'acme-oauth', {
      mode: 'OAUTH2',
      authorizationUrl: sandbox.urls.authorization,
      tokenUrl: sandbox.urls.token,
      clientId: 'matrix',
      clientSecret: 'matrix-secret',
      scopes: ['openid', 'offline_access'],
      authorizationParams: { prompt: 'consent' },
    });
    const oauth = await oauthConnect(a, { connectorId: oauthConnector, endUserId: 'user-a-oauth' }, (url) => authorizeOverHttp(url));
    await sessionReaches(a, oauth.sessionId, 'completed');
    ids.dueConnection = oauth.connectionId;
    const override = await a.call('PUT', '/v1/connector-templates/stripe/override', { body: { name: 'Stripe of workspace A' } });
    if (override.status !== 200) throw new Error(`template override: ${override.status} ${override.text}`);
    const pending = await openSession(a, { connectorId: ids.connector, endUserId: 'user-a-2' });
    ids.session = pending.sessionId;
    ids.sessionToken = pending.sessionToken;

    const issue = async (name: string, scopes: Scope[]): Promise<{ id: string; apiKey: string }> => {
      const created = await a.call<{ id: string; apiKey: string }>('POST', '/v1/api-keys', { body: { name, scopes } });
      if (created.status !== 201) throw new Error(`create key: ${created.status} ${created.text}`);
      return created.body;
    };
    const victim = await issue('victim', ['connect']);
    ids.apiKey = victim.id;
    const revoked = await issue('revoked', ALL_SCOPES);
    expect((await a.call('DELETE', `/v1/api-keys/${revoked.id}`)).status).toBe(204);
    keys.revoked = revoked.apiKey;
    for (const scope of ALL_SCOPES) keys[`only:${scope}`] = (await issue(`only ${scope}`, [scope])).apiKey;
    for (const anyOf of new Set(Object.values(RULES).flatMap((rule) => (rule.auth === 'key' ? [rule.anyOf.join(',')] : [])))) {
      keys[`without:${anyOf}`] = (await issue(`without ${anyOf}`, ALL_SCOPES.filter((scope) => !anyOf.split(',').includes(scope)))).apiKey;
    }
    // both activations' webhook deliveries done, so that the worker changes nothing while the snapshots are compared
    await waitFor(
      async () => {
        const listed = await a.call<{ items: Array<{ status: string }> }>('GET', `/v1/webhook-endpoints/${ids.webhookEndpoint}/deliveries`);
        return listed.body.items.length === 2 && listed.body.items.every((d) => d.status === 'succeeded');
      },
      { timeoutMs: 30_000, description: "A's webhook deliveries of both activations to succeed" },
    );
    secretsOfA = [a.workspaceId, ids.webhookEndpoint, ids.webhookDelivery, ids.connector, ids.connection, ids.dueConnection, ids.session, ids.sessionToken, ids.apiKey, 'acme-key-of-a', 'acme-api', 'user-a', a.apiKeyId, 'Stripe of workspace A'];
    ({ operations } = await openApiOperations(system.urls.gateway));
  });

  afterAll(async () => {
    process.stdout.write(`access control: ${tally.cases} cases, statuses ${JSON.stringify(tally.byStatus)}\n`);
    await sandbox?.stop();
    await system?.stop();
    webhookReceiver?.closeAllConnections();
    await new Promise((resolve) => webhookReceiver?.close(resolve));
  });

  /** The key holding every scope except those that would let it in. */
  const keyWithoutScope = (anyOf: Scope[]): string => {
    const key = keys[`without:${anyOf.join(',')}`];
    if (key === undefined) throw new Error(`no key lacks ${anyOf.join(', ')}`);
    return key;
  };

  it('knows a rule for every documented operation, and the document marks every keyed route as secured', () => {
    expect(operations.length).toBeGreaterThanOrEqual(20);
    const documented = operations.map((o) => `${o.method} ${o.path}`).filter((name) => !name.startsWith('GET /docs'));
    expect(documented.filter((name) => !RULES[name])).toEqual([]);
    const keyed = operations.filter((o) => RULES[`${o.method} ${o.path}`]?.auth === 'key');
    expect(keyed.filter((o) => !o.secured).map((o) => `${o.method} ${o.path}`)).toEqual([]);
  });

  it('answers 401 to no key, a malformed key and a revoked key; 403 to a key without the scope; changes nothing', async () => {
    const db = await withDb(system.databaseUrl, async (client) => {
      const before = await settledSnapshot(client);
      for (const operation of operations) {
        const rule = RULES[`${operation.method} ${operation.path}`];
        if (rule?.auth !== 'key') continue;
        const what = `${operation.method} ${operation.path}`;
        const id = rule.idOf ? ids[rule.idOf] : undefined;
        expectRefusal(await send(operation, rule, {}), 401, 'unauthorized', `${what} without a key`, id);
        for (const malformed of ['Bearer', 'Bearer cbk_', `Bearer ${keys.revoked?.slice(0, -1)}`, `Basic ${Buffer.from('a:b').toString('base64')}`, `Bearer ${'x'.repeat(4000)}`, `bearer ${keys['only:admin']}x`]) {
          expectRefusal(await send(operation, rule, { authorization: malformed }), 401, 'unauthorized', `${what} with a malformed key`, id);
        }
        expectRefusal(await send(operation, rule, { authorization: `Bearer ${keys.revoked}` }), 401, 'unauthorized', `${what} with a revoked key`, id);
        expectRefusal(await send(operation, rule, { authorization: `Bearer ${keyWithoutScope(rule.anyOf)}` }), 403, 'forbidden', `${what} without the scope`, id);
      }
      return { before, after: await snapshotDatabase(client) };
    });
    expect(changedTables(db.before, db.after)).toEqual([]);
  });

  it("answers 404 to another workspace's key for every id of workspace A, and shows it none of A's data", async () => {
    const expired = (): Promise<boolean> =>
      withDb(system.databaseUrl, async (client) => (await client.query('SELECT 1 FROM token_issuance.connections WHERE id = $1 AND expires_at < now()', [ids.dueConnection])).rows.length === 1);
    await waitFor(expired, { timeoutMs: 10_000, description: "the token of A's OAuth connection to be due" });
    const before = await withDb(system.databaseUrl, (client) => settledSnapshot(client));
    for (const operation of operations) {
      const rule = RULES[`${operation.method} ${operation.path}`];
      if (rule?.auth !== 'key') continue;
      const what = `${operation.method} ${operation.path} with workspace B's key`;
      if (rule.anyOf.includes('operator')) {
        // B's admin key is no operator: A's workspace and its keys stay out of its reach
        expectRefusal(await send(operation, rule, { authorization: `Bearer ${b.apiKey}` }), 403, 'forbidden', what, rule.idOf ? ids[rule.idOf] : undefined);
      } else if (rule.idOf) {
        expectRefusal(await send(operation, rule, { authorization: `Bearer ${b.apiKey}` }), 404, 'not_found', what, ids[rule.idOf]);
      } else if (operation.method === 'GET') {
        const answer = await send(operation, rule, { authorization: `Bearer ${b.apiKey}` });
        expect(`${what}: ${answer.status}`).toBe(`${what}: 200`);
        expect(secretsOfA.filter((value) => answer.text.includes(value))).toEqual([]);
      }
    }
    // a session for A's connector, opened with B's key, finds no such connector
    const crossed = await b.call('POST', '/v1/connect-sessions', { body: { connectorId: ids.connector, endUserId: 'intruder' } });
    expectRefusal(crossed, 404, 'not_found', "POST /v1/connect-sessions for A's connector with B's key");
    const reauthorize = await b.call('POST', '/v1/connect-sessions', { body: { connectorId: ids.connector, connectionId: ids.connection } });
    expectRefusal(reauthorize, 404, 'not_found', "re-authorizing A's connection with B's key");
    // A's due OAuth token: B's read or 401 report must not refresh it (the snapshot below says so)
    for (const [path, body] of [['credential', { includeRefreshToken: true }], ['report-unauthorized', {}]] as const) {
      const answer = await b.call('POST', `/v1/connections/${ids.dueConnection}/${path}`, { body });
      expectRefusal(answer, 404, 'not_found', `POST /v1/connections/{id}/${path} of A's due OAuth connection with B's key`, ids.dueConnection);
    }
    const after = await withDb(system.databaseUrl, (client) => snapshotDatabase(client));
    expect(changedTables(before, after)).toEqual([]);
    // A's key B tried to revoke still works, and A's connection and credential are intact
    expect((await a.call('GET', `/v1/connectors/${ids.connector}`)).status).toBe(200);
    const credential = await a.call<{ credential: { apiKey: string } }>('POST', `/v1/connections/${ids.connection}/credential`, { body: {} });
    expect(credential.status).toBe(200);
    expect(credential.body.credential.apiKey).toBe('acme-key-of-a');
    // the token was due: A's own read refreshes it on demand
    const refreshed = await a.call<{ credentialVersion: number }>('POST', `/v1/connections/${ids.dueConnection}/credential`, { body: {} });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.credentialVersion).toBe(2);
  });

  it('keeps the connect dialog routes to session tokens: no token, a malformed one or an API key answer 401', async () => {
    for (const operation of operations) {
      const rule = RULES[`${operation.method} ${operation.path}`];
      if (rule?.auth !== 'session-token') continue;
      const what = `${operation.method} ${operation.path}`;
      expectRefusal(await send(operation, rule, {}), 401, /session/, `${what} without a session token`);
      for (const token of ['cbs_', `cbs_${'A'.repeat(43)}`, 'garbage', keys['only:connect'] as string, a.apiKey]) {
        expectRefusal(await send(operation, rule, { authorization: `Bearer ${token}` }), 401, /session/, `${what} with ${token.slice(0, 8)}…`);
        expectRefusal(await send(operation, rule, { 'x-connect-session': token }), 401, /session/, `${what} with X-Connect-Session ${token.slice(0, 8)}…`);
      }
    }
    // the session token opens only its own session, which lives in workspace A
    const own = await call<{ status: string }>(system.urls.gateway, 'GET', '/v1/connect/session', { headers: { authorization: `Bearer ${ids.sessionToken}` } });
    expect(own.status).toBe(200);
    expect(own.body.status).toBe('pending');
  });

  it('serves the public routes to anyone, and the callback refuses what is not a pending state', async () => {
    for (const operation of operations) {
      const rule = RULES[`${operation.method} ${operation.path}`];
      if (rule?.auth !== 'public') continue;
      for (const headers of [{}, { authorization: `Bearer ${b.apiKey}` }, { authorization: 'Bearer nonsense' }] as Array<Record<string, string>>) {
        const answer = await send(operation, rule, headers);
        if (operation.path === '/oauth/callback') {
          expect(answer.status).toBe(400);
          expect(answer.text).toContain('invalid_state');
        } else {
          expect(answer.status).toBe(200);
        }
        expect(secretsOfA.filter((value) => answer.text.includes(value))).toEqual([]);
      }
    }
    const unknown = await call(system.urls.gateway, 'GET', `/v1/connections/${randomUUID()}/nothing`, { key: a.apiKey });
    expect(unknown.status).toBe(404);
  });
});
