/**
 * Tenant isolation, part A (issue 12): what a workspace admin can write into a connector must not
 * stall, probe or rob the other workspaces. Each test performs the attack against the real system
 * (all five services, real Kafka and PostgreSQL, a real oidc-provider) or, for the SSRF guard, the
 * real HTTP client with token-issuance's own configuration reader against a real local server.
 * docs/SECURITY.md maps each attack to its test.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildTokenRequest, requestToken, type TokenError } from '@cb/oauth-client';
import { loadConfig } from '@cb/platform';
import { tokenIssuanceReaders } from '../../apps/token-issuance/src/token-issuance.config';
import { waitFor } from '../harness';
import { authorizeOverHttp, SandboxProvider, startSandboxProvider } from '../support/sandbox-provider';
import { RunningSystem, startSystem } from '../support/system';
import { activeConnector, call, newWorkspace, openSession, sessionReaches, sessionStatus, withDb, Workspace } from './hostile-support';

/** A token endpoint that counts what reaches it and answers a 404 page. */
async function countingServer(): Promise<{ url: string; port: number; hits: () => number; stop: () => Promise<void> }> {
  let hits = 0;
  const server: Server = createServer((request, response) => {
    hits += 1;
    request.resume();
    response.writeHead(404, { 'content-type': 'text/html' });
    response.end('<html><body>Not Found</body></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/token`,
    port,
    hits: () => hits,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('SSRF: token requests are checked on the address connected to', () => {
  let target: Awaited<ReturnType<typeof countingServer>>;
  beforeAll(async () => {
    target = await countingServer();
  });
  afterAll(() => target?.stop());

  const outbound = (env: Record<string, string>) => loadConfig({ outbound: tokenIssuanceReaders.outbound }, env).outbound;
  const send = (url: string, env: Record<string, string>) =>
    requestToken(buildTokenRequest({ tokenUrl: url, client: { clientId: 'c', clientSecret: 's3cret-value' }, grant: { grantType: 'client_credentials' } }), {
      timeoutMs: 5000,
      outbound: outbound(env),
    });
  const internalForms = (port: number): string[] => [
    `http://localhost:${port}/token`,
    `http://0x7f000001:${port}/token`,
    `http://2130706433:${port}/token`,
    `http://127.1:${port}/token`,
    `http://[::ffff:127.0.0.1]:${port}/token`,
    `http://[::1]:${port}/token`,
    `http://0.0.0.0:${port}/token`,
    `http://169.254.169.254:${port}/latest/meta-data`,
    `http://10.0.0.1:${port}/token`,
    `http://100.64.0.1:${port}/token`,
    `http://[fd00::1]:${port}/token`,
  ];

  it('in production, every form of an internal address is refused before anything is sent, with the one generic code', async () => {
    for (const url of internalForms(target.port)) {
      const answer = (await send(url, { RUN_MODE: 'production' })) as TokenError;
      expect(`${url} → ${answer.code} ${answer.description} ${String(answer.ambiguous)}`).toBe(`${url} → network_error the provider could not be reached false`);
      expect(answer.detail).toMatch(/^DESTINATION_REFUSED: /);
    }
    expect(target.hits()).toBe(0);
  });

  it('a refused destination looks the same to the caller as a closed port or an unknown host', async () => {
    const closed = await countingServer();
    await closed.stop();
    const visible = (error: TokenError) => ({ code: error.code, description: error.description, retriable: error.retriable, status: error.status });
    const refused = visible((await send(`http://localhost:${target.port}/token`, { RUN_MODE: 'production' })) as TokenError);
    const closedPort = visible((await send(closed.url, { RUN_MODE: 'production', OUTBOUND_ALLOWED_CIDRS: '127.0.0.0/8' })) as TokenError);
    const unknownHost = visible((await send('http://no-such-host.invalid/token', { RUN_MODE: 'production' })) as TokenError);
    expect(closedPort).toEqual(refused);
    expect(unknownHost).toEqual(refused);
  });

  it('the allow-list admits what it names, and development mode admits loopback', async () => {
    const reached = async (url: string, env: Record<string, string>): Promise<boolean> => {
      const before = target.hits();
      const answer = (await send(url, env)) as TokenError;
      return target.hits() === before + 1 && answer.code === 'invalid_token_response';
    };
    expect(await reached(`http://0x7f000001:${target.port}/token`, { RUN_MODE: 'production', OUTBOUND_ALLOWED_CIDRS: '127.0.0.1/32' })).toBe(true);
    expect(await reached(`http://[::ffff:127.0.0.1]:${target.port}/token`, { RUN_MODE: 'production', OUTBOUND_ALLOWED_CIDRS: '127.0.0.1/32' })).toBe(true);
    expect(await reached(`http://localhost:${target.port}/token`, { RUN_MODE: 'production', OUTBOUND_ALLOWED_HOSTS: 'LocalHost' })).toBe(true);
    expect(await reached(`http://127.0.0.1:${target.port}/token`, { RUN_MODE: 'development' })).toBe(true);
    expect(await reached(`http://127.0.0.1:${target.port}/token`, { RUN_MODE: 'production', OUTBOUND_ALLOWED_HOSTS: 'localhost' })).toBe(false);
  });

  it('a malformed allow-list stops the service naming the variable', () => {
    expect(() => outbound({ OUTBOUND_ALLOWED_CIDRS: '10.0.0.0/33' })).toThrow(/OUTBOUND_ALLOWED_CIDRS: "10.0.0.0\/33" has a prefix longer than 32/);
    expect(() => outbound({ OUTBOUND_ALLOWED_HOSTS: 'http://x' })).toThrow(/OUTBOUND_ALLOWED_HOSTS/);
  });
});

describe('tenant isolation: admin-written connector settings', () => {
  let system: RunningSystem;
  let provider: SandboxProvider;
  let tenantA: Workspace;
  let tenantB: Workspace;
  let honestConfig: Record<string, unknown>;

  beforeAll(async () => {
    system = await startSystem();
    const client = { client_id: 'iso-client', client_secret: 'iso-client-secret', redirect_uris: [`${system.urls.gateway}/oauth/callback`] };
    provider = await startSandboxProvider({ clients: [client] });
    [tenantA, tenantB] = await Promise.all([newWorkspace(system, 'Tenant A'), newWorkspace(system, 'Tenant B')]);
    honestConfig = {
      mode: 'OAUTH2',
      authorizationUrl: provider.urls.authorization,
      tokenUrl: provider.urls.token,
      clientId: 'iso-client',
      clientSecret: 'iso-client-secret',
      scopes: ['openid', 'offline_access'],
      authorizationParams: { prompt: 'consent' },
    };
  });

  afterAll(async () => {
    await provider?.stop();
    await system?.stop();
  });

  const connected = async (workspace: Workspace, connectorId: string, endUserId: string): Promise<string> => {
    const session = await openSession(workspace, { connectorId, endUserId });
    const { callbackUrl } = await authorizeOverHttp(session.authorizationUrl as string);
    expect((await fetch(callbackUrl, { redirect: 'manual' })).status).toBe(200);
    return (await sessionReaches(workspace, session.sessionId, 'completed')).connectionId;
  };

  it('ReDoS: a catastrophic attribute pattern answers at once, and another workspace is not stalled', async () => {
    const redos = await activeConnector(tenantA, 'redos', { ...honestConfig, requiredAttributes: [{ key: 'name', label: 'Name', pattern: '(a+)+' }] });
    const honest = await activeConnector(tenantB, 'honest-b', honestConfig);
    // 30 characters: a backtracking engine needs about 2^30 steps (tens of seconds to minutes here); RE2 a few dozen.
    const attack = tenantA.call<{ error: { code: string } }>('POST', '/v1/connect-sessions', { body: { connectorId: redos, endUserId: 'u', attributes: { name: `${'a'.repeat(30)}!` } } });
    const bystander = tenantB.call('POST', '/v1/connect-sessions', { body: { connectorId: honest, endUserId: 'b' } });
    const [attacked, served] = await Promise.all([attack, bystander]);
    expect(attacked.status).toBe(400);
    expect(attacked.body.error.code).toBe('validation_failed');
    expect(served.status).toBe(201);
    expect(Math.max(attacked.elapsedMs, served.elapsedMs)).toBeLessThan(5000);
    expect((await openSession(tenantA, { connectorId: redos, endUserId: 'u', attributes: { name: 'a'.repeat(60) } })).authorizationUrl).toBeDefined();
  });

  it('ReDoS: a pattern RE2 cannot run in linear time is refused when saved', async () => {
    const answer = await tenantA.call<{ error: { details: { errors: Array<{ path: string; message: string }> } } }>('POST', '/v1/connectors', {
      body: { slug: 'lookahead', name: 'x', config: { ...honestConfig, requiredAttributes: [{ key: 'name', label: 'Name', pattern: '(?=a)a+' }] } },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error.details.errors.map((e) => e.path)).toContain('config.requiredAttributes.0.pattern');
  });

  it('a host placeholder must be pinned to a fixed domain by its pattern: .+ is refused', async () => {
    const withHostPattern = (pattern: string) => ({
      ...honestConfig,
      authorizationUrl: 'https://{attr.host}/authorize',
      tokenUrl: 'https://{attr.host}/token',
      requiredAttributes: [{ key: 'host', label: 'Host', pattern }],
    });
    const refused = await tenantA.call<{ error: { details: { errors: Array<{ path: string; message: string }> } } }>('POST', '/v1/connectors', { body: { slug: 'any-host', name: 'x', config: withHostPattern('.+') } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details.errors.map((e) => e.path).sort()).toEqual(['config.authorizationUrl', 'config.tokenUrl']);
    const pinned = await tenantA.call('POST', '/v1/connectors', { body: { slug: 'pinned-host', name: 'x', config: withHostPattern('[a-z0-9-]+\\.example\\.com') } });
    expect(pinned.status).toBe(201);
  });

  it('metadataPaths and tokenResponsePaths cannot copy token material into metadata', async () => {
    for (const config of [{ metadataPaths: { leak: 'refresh_token' } }, { metadataPaths: { leak: 'id_token' } }, { tokenResponsePaths: { scope: 'access_token' } }]) {
      const answer = await tenantA.call('POST', '/v1/connectors', { body: { slug: 'leaky', name: 'x', config: { ...honestConfig, ...config } } });
      expect(`${JSON.stringify(config)} → ${answer.status}`).toBe(`${JSON.stringify(config)} → 400`);
    }
  });

  it('the code goes to the token URL of the version the session captured, not to one changed meanwhile', async () => {
    const attacker = await countingServer();
    try {
      const connectorId = await activeConnector(tenantA, 'switched', honestConfig);
      const session = await openSession(tenantA, { connectorId, endUserId: 'victim' });
      const { callbackUrl } = await authorizeOverHttp(session.authorizationUrl as string);
      const changed = await tenantA.call<{ version: number }>('PATCH', `/v1/connectors/${connectorId}`, { body: { config: { ...honestConfig, tokenUrl: attacker.url } } });
      expect(changed.status).toBe(200);
      await waitFor(
        () => withDb(system.databaseUrl, async (db) => (await db.query('SELECT 1 FROM token_issuance.connectors WHERE connector_id = $1 AND version = $2', [connectorId, changed.body.version])).rowCount === 1),
        { timeoutMs: 20_000, description: 'token-issuance to hold the new connector version' },
      );
      const before = (await provider.stats()).tokenRequests.total;
      expect((await fetch(callbackUrl, { redirect: 'manual' })).status).toBe(200);
      const settled = await waitFor(
        async () => {
          const view = await sessionStatus(tenantA, session.sessionId);
          return view.status === 'completed' || view.status === 'failed' ? view : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 100, description: 'the code exchange to settle' },
      );
      expect(settled.error).toBeNull();
      expect(settled.status).toBe('completed');
      expect(attacker.hits()).toBe(0);
      expect((await provider.stats()).tokenRequests.total - before).toBe(1);
    } finally {
      await attacker.stop();
    }
  });

  it("a connector's own failure marks the connector failing and leaves its connections active; only invalid_grant ends a connection", async () => {
    const connectorId = await activeConnector(tenantB, 'flaky-client', honestConfig);
    const [first, second] = [await connected(tenantB, connectorId, 'user-1'), await connected(tenantB, connectorId, 'user-2')];
    const reportUnauthorized = (connectionId: string) => tenantB.call('POST', `/v1/connections/${connectionId}/report-unauthorized`, { body: {} });
    const view = async (connectionId: string) =>
      (await tenantB.call<{ status: string; refresh: { state: string; lastErrorCode: string | null }; connector: { health: { state: string; lastErrorCode: string | null } } }>('GET', `/v1/connections/${connectionId}`)).body;

    await provider.setTokenFault({ mode: 'status', status: 401, error: 'invalid_client' });
    expect((await reportUnauthorized(first)).status).toBe(503);
    expect((await reportUnauthorized(second)).status).toBe(503);
    for (const connectionId of [first, second]) {
      expect(await view(connectionId)).toMatchObject({ status: 'active', refresh: { state: 'failing', lastErrorCode: 'invalid_client' }, connector: { health: { state: 'failing', lastErrorCode: 'invalid_client' } } });
    }

    // untrusted text: an error code longer than RFC 6749's bound is not kept
    await provider.setTokenFault({ mode: 'status', status: 400, error: `x${'y'.repeat(80)}` });
    expect((await reportUnauthorized(first)).status).toBe(503);
    expect(await view(first)).toMatchObject({ status: 'active', refresh: { lastErrorCode: 'provider_error' }, connector: { health: { lastErrorCode: 'provider_error' } } });

    await provider.clearFaults();
    expect((await reportUnauthorized(first)).status).toBe(200);
    expect(await view(second)).toMatchObject({ status: 'active', connector: { health: { state: 'ok', lastErrorCode: null } } });

    await provider.setTokenFault({ mode: 'status', status: 400, error: 'invalid_grant', count: 1 });
    expect((await reportUnauthorized(second)).status).toBe(200);
    expect(await view(second)).toMatchObject({ status: 'needs_reconnect', connector: { health: { state: 'ok' } } });
    expect((await view(first)).status).toBe('active');
  });

  it('untrusted text from the authorization response: an error outside the expected form is not echoed', async () => {
    const connectorId = await activeConnector(tenantB, 'callback-error', honestConfig);
    const session = await openSession(tenantB, { connectorId, endUserId: 'text' });
    const state = new URL(session.authorizationUrl as string).searchParams.get('state') as string;
    const answer = await call(system.urls.gateway, 'GET', `/oauth/callback?${new URLSearchParams({ state, error: '<img src=x onerror=alert(1)>' }).toString()}`);
    expect(answer.status).toBe(400);
    expect(answer.text).not.toContain('<img');
    expect((await sessionReaches(tenantB, session.sessionId, 'failed')).error?.code).toBe('authorization_error');
  });
});
