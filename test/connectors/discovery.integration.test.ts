/**
 * A connector from one URL: discovery against the real sandbox (oidc-provider) as an OpenID
 * provider and as an MCP server's authorization server, then a full connect, refresh and
 * disconnect with the discovered configuration; and documents that must be refused.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TokenIssued } from '@cb/events';
import { CredentialBrokerClient, CredentialBrokerError } from '@cb/sdk';
import { collectMessages, MessageCollector, waitFor } from '../harness';
import { authorizeOverHttp, SandboxProvider, startSandboxProvider } from '../support/sandbox-provider';
import { RunningSystem, startSystem } from '../support/system';
import { Gateway, newWorkspace, openSession, sessionReaches, withDb } from '../connect/connect-helpers';

interface Discovered {
  kind: string;
  issuer: string;
  resource: { url: string; scopesSupported: string[] } | null;
  supported: { codeChallengeMethods: string[] | null; issParameter: boolean };
  registration: { method: string; dynamicRegistrationAvailable: boolean };
  draft: Record<string, unknown>;
  warnings: Array<{ code: string }>;
}

interface ErrorBody {
  error: { code: string; message: string; details: { reason: string } };
}

/** Serves whatever document a test puts at a path, and records what was asked. */
class MetadataServer {
  readonly asked: string[] = [];
  readonly documents = new Map<string, unknown>();
  private server!: Server;
  base = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      this.asked.push(request.url ?? '');
      const document = this.documents.get(request.url ?? '');
      if (document === undefined) response.writeHead(404).end();
      else response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(document));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

describe('Connectors from one URL (discovery)', () => {
  let system: RunningSystem;
  let sandbox: SandboxProvider;
  let gateway: Gateway;
  let broker: CredentialBrokerClient;
  let workspaceId: string;
  let collector: MessageCollector;
  const metadata = new MetadataServer();
  const CLIENT_SECRET = 'discovery-client-secret-0123456789';

  const discover = (url: string) => gateway.call<Discovered & ErrorBody>('POST', '/v1/connectors/discover', { body: { url } });

  /** Creates and activates a connector from a discovery's draft plus the client the admin registered. */
  const createFrom = async (found: Discovered, slug: string): Promise<string> => {
    const created = await gateway.call<{ id: string }>('POST', '/v1/connectors', { body: { slug, name: slug, config: { ...found.draft, clientId: 'cb-discovered', clientSecret: CLIENT_SECRET } } });
    expect(created.status).toBe(201);
    const activated = await gateway.call('POST', `/v1/connectors/${created.body.id}/activate`);
    expect(activated.status).toBe(200);
    return created.body.id;
  };

  const connect = async (connectorId: string): Promise<string> => {
    const session = await openSession(gateway, { connectorId, endUserId: `user-${connectorId.slice(0, 8)}` });
    const { callbackUrl } = await authorizeOverHttp(session.authorizationUrl as string);
    expect((await fetch(callbackUrl, { redirect: 'manual' })).status).toBe(200);
    await sessionReaches(gateway, session.sessionId, 'completed');
    return session.connectionId;
  };

  const accessToken = async (connectionId: string): Promise<{ token: string; version: number }> => {
    const read = await gateway.call<{ credentialVersion: number; credential: { accessToken: string } }>('POST', `/v1/connections/${connectionId}/credential`, { body: {} });
    expect(read.status).toBe(200);
    return { token: read.body.credential.accessToken, version: read.body.credentialVersion };
  };

  const whoami = async (token: string) => {
    const answer = await fetch(`${sandbox.issuer}/api/whoami`, { headers: { authorization: `Bearer ${token}` } });
    return { status: answer.status, body: (answer.status === 200 ? await answer.json() : undefined) as { aud?: string | string[]; scope?: string } | undefined };
  };

  beforeAll(async () => {
    // registered secrets are looked at often, so that one a few seconds from expiry is renewed in time
    system = await startSystem({ serviceEnv: { 'connector-config': { CLIENT_REGISTRATION_RENEWAL_INTERVAL_MS: '250' } } });
    sandbox = await startSandboxProvider({
      clients: [{ client_id: 'cb-discovered', client_secret: CLIENT_SECRET, redirect_uris: [`${system.urls.gateway}/oauth/callback`], token_endpoint_auth_method: 'client_secret_basic' }],
    });
    collector = await collectMessages({ brokers: system.kafkaBrokers, topics: [system.topic(TokenIssued.topic)], fromBeginning: true });
    const workspace = await newWorkspace(system, 'Discovery Co');
    workspaceId = workspace.workspaceId;
    gateway = workspace.gateway;
    broker = new CredentialBrokerClient({ baseUrl: system.urls.gateway, apiKey: workspace.apiKey });
    await metadata.start();
  });

  afterAll(async () => {
    await metadata.stop();
    await collector?.stop();
    await sandbox?.stop();
    await system?.stop();
  });

  it('discovers an OpenID provider from its issuer URL, and the draft connects with no copied setting', async () => {
    const answer = await discover(sandbox.issuer);
    expect(answer.status).toBe(200);
    const found = answer.body;
    expect(found).toMatchObject({ kind: 'authorization_server', issuer: sandbox.issuer, resource: null, supported: { codeChallengeMethods: ['S256'] }, registration: { method: 'manual' } });
    expect(found.draft).toMatchObject({
      mode: 'OAUTH2',
      authorizationUrl: sandbox.urls.authorization,
      tokenUrl: sandbox.urls.token,
      revocationUrl: sandbox.urls.revocation,
      introspectionUrl: sandbox.urls.introspection,
      scopes: ['openid', 'offline_access'],
      authorizationParams: { prompt: 'consent' },
      pkce: true,
    });
    expect(found.draft.issuer).toBe(found.supported.issParameter ? sandbox.issuer : undefined);

    // the same through the SDK, as an admin tool would
    const viaSdk = await broker.connectors.discover(sandbox.issuer);
    expect(viaSdk.draft).toEqual(found.draft);
    const connector = await broker.connectors.createFromDiscovery(viaSdk, { slug: 'discovered-oidc', name: 'Sandbox (discovered)', clientId: 'cb-discovered', clientSecret: CLIENT_SECRET });
    await broker.connectors.activate(connector.id);
    const refused = await broker.connectors.discover(`${metadata.base}/nowhere`).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(CredentialBrokerError);
    expect((refused as CredentialBrokerError).code).toBe('discovery_failed');

    const connectionId = await connect(connector.id);
    const { token } = await accessToken(connectionId);
    expect((await fetch(sandbox.urls.userinfo, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  });

  it('discovers an MCP server through its 401 and resource metadata; every token is for that resource, across refresh, until disconnect', async () => {
    const mcpUrl = `${sandbox.issuer}/api`;
    const answer = await discover(mcpUrl);
    expect(answer.status).toBe(200);
    const found = answer.body;
    expect(found).toMatchObject({ kind: 'protected_resource', issuer: sandbox.issuer, resource: { url: mcpUrl, scopesSupported: ['api:read', 'api:write'] } });
    expect(found.draft).toMatchObject({ resource: mcpUrl, scopes: ['api:read', 'api:write', 'offline_access'] });

    const connectorId = await createFrom(found, 'discovered-mcp');
    const withResource = async () => (await sandbox.stats()).tokenRequests.withResourceByGrantType;
    const before = await withResource();
    const session = await openSession(gateway, { connectorId, endUserId: 'mcp-user' });
    expect(new URL(session.authorizationUrl as string).searchParams.get('resource')).toBe(mcpUrl);
    const { callbackUrl } = await authorizeOverHttp(session.authorizationUrl as string);
    expect((await fetch(callbackUrl, { redirect: 'manual' })).status).toBe(200);
    await sessionReaches(gateway, session.sessionId, 'completed');
    const connectionId = session.connectionId;

    // the token was redeemed with `resource`: its audience is the MCP server, with the resource's scopes
    const first = await accessToken(connectionId);
    expect(await whoami(first.token)).toMatchObject({ status: 200, body: { aud: mcpUrl, scope: expect.stringContaining('api:read') } });

    // a refresh names the resource too: the new token is for the same audience
    const refreshed = await gateway.call<{ outcome: string }>('POST', `/v1/connections/${connectionId}/report-unauthorized`, { body: { credentialVersion: first.version } });
    expect(refreshed.body.outcome).toBe('refreshed');
    const second = await accessToken(connectionId);
    expect(second.version).toBe(first.version + 1);
    expect(await whoami(second.token)).toMatchObject({ status: 200, body: { aud: mcpUrl } });
    const after = await withResource();
    expect((after.authorization_code ?? 0) - (before.authorization_code ?? 0)).toBe(1);
    expect((after.refresh_token ?? 0) - (before.refresh_token ?? 0)).toBe(1);
    await waitFor(() => collector.messages.some((m) => m.value.includes(connectionId) && m.value.includes('"refresh"')) || undefined, { timeoutMs: 30_000, description: 'TokenIssued(refresh)' });

    // disconnecting revokes at the server
    expect((await gateway.call('DELETE', `/v1/connections/${connectionId}`)).status).toBe(200);
    await waitFor(async () => ((await whoami(second.token)).status === 401 ? true : undefined), { timeoutMs: 30_000, description: 'the token to be revoked' });
  });

  it('refuses a token issued for another audience than the resource, where introspection says whom it is for', async () => {
    const mcpUrl = `${sandbox.issuer}/api`;
    const found = (await discover(mcpUrl)).body;
    expect(found.draft).toMatchObject({ resource: mcpUrl, introspectionUrl: sandbox.urls.introspection });
    const connectorId = await createFrom(found, 'audience-checked');
    await sandbox.setResourceAudience(`${sandbox.issuer}/elsewhere`);
    try {
      const session = await openSession(gateway, { connectorId, endUserId: 'audience-user' });
      const { callbackUrl } = await authorizeOverHttp(session.authorizationUrl as string);
      await fetch(callbackUrl, { redirect: 'manual' });
      const failed = await sessionReaches(gateway, session.sessionId, 'failed');
      expect(failed.error?.code).toBe('audience_mismatch');
      expect(failed.error?.reason).toMatch(/another audience than the resource/);
      expect((await gateway.call('POST', `/v1/connections/${session.connectionId}/credential`, { body: {} })).status).toBe(404);
    } finally {
      await sandbox.setResourceAudience(null);
    }
    // the same connector connects once the server issues tokens for the resource again
    const connectionId = await connect(connectorId);
    expect(await whoami((await accessToken(connectionId)).token)).toMatchObject({ status: 200, body: { aud: mcpUrl } });
  });

  it('re-discovers a connector and lists what its server publishes differently now, changing nothing', async () => {
    const found = (await discover(sandbox.issuer)).body;
    const created = await gateway.call<{ id: string }>('POST', '/v1/connectors', {
      body: { slug: 'drifted', name: 'drifted', config: { ...found.draft, revocationUrl: `${sandbox.issuer}/old-revoke`, introspectionUrl: undefined, clientId: 'cb-discovered' } },
    });
    expect(created.status).toBe(201);
    const again = await gateway.call<Discovered & { changes: Array<{ path: string; current: string | null; discovered: string | null }> }>('POST', `/v1/connectors/${created.body.id}/rediscover`, { body: {} });
    expect(again.status).toBe(200);
    expect(again.body.changes).toEqual([
      { path: 'config.revocationUrl', current: `${sandbox.issuer}/old-revoke`, discovered: sandbox.urls.revocation },
      { path: 'config.introspectionUrl', current: null, discovered: sandbox.urls.introspection },
    ]);
    const stored = await gateway.call<{ config: { revocationUrl: string } }>('GET', `/v1/connectors/${created.body.id}`);
    expect(stored.body.config.revocationUrl).toBe(`${sandbox.issuer}/old-revoke`);
    expect((await broker.connectors.rediscover(created.body.id, sandbox.issuer)).changes).toHaveLength(2);

    const bearer = await gateway.call<{ id: string }>('POST', '/v1/connectors', { body: { slug: 'not-oauth', name: 'not-oauth', config: { mode: 'BEARER' } } });
    const refused = await gateway.call<ErrorBody>('POST', `/v1/connectors/${bearer.body.id}/rediscover`, { body: {} });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('rediscovery_unavailable');
  });

  it('registers its own client (RFC 7591) at an MCP server’s authorization server, then connects with it', async () => {
    const mcpUrl = `${sandbox.issuer}/api`;
    const created = await broker.connectors.createFromUrl({ url: mcpUrl, slug: 'registered-mcp', name: 'Registered MCP' });
    expect(created.registration).toEqual({ method: 'dynamic', clientSecretExpiresAt: null });
    expect(created.config).toMatchObject({ resource: mcpUrl, clientSecret: { isSet: true } });
    const clientId = (created.config as { clientId: string }).clientId;
    expect(clientId).not.toBe('cb-discovered');
    const registration = await withDb(system, async (db) => (await db.query('SELECT registration_client_uri, sealed_registration_access_token FROM connector_config.client_registrations WHERE connector_id = $1', [created.id])).rows[0] as { registration_client_uri: string; sealed_registration_access_token: string });
    expect(registration.registration_client_uri).toContain(clientId);
    expect(registration.sealed_registration_access_token).toMatch(/^v1\./);

    await broker.connectors.activate(created.id);
    const connectionId = await connect(created.id);
    const { token } = await accessToken(connectionId);
    expect(await whoami(token)).toMatchObject({ status: 200, body: { aud: mcpUrl } });

    // deleting the connector deletes the registration at the server (RFC 7592): the client is unknown there afterwards
    const authorize = async () => {
      const url = new URL(sandbox.urls.authorization);
      const params = { client_id: clientId, response_type: 'code', redirect_uri: `${system.urls.gateway}/oauth/callback`, scope: 'api:read', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256', resource: mcpUrl };
      for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
      return (await fetch(url, { redirect: 'manual' })).status;
    };
    expect(await authorize()).toBe(303);
    await broker.connectors.deactivate(created.id);
    await broker.connectors.delete(created.id);
    expect(await authorize()).toBe(400);
  });

  /** The connector's client id and version, and token-issuance's copy of it once it has caught up. */
  const connectorSeenEverywhere = async (connectorId: string, predicate: (clientId: string) => boolean): Promise<string> =>
    waitFor(
      async () => {
        const stored = await gateway.call<{ version: number; config: { clientId: string } }>('GET', `/v1/connectors/${connectorId}`);
        if (!predicate(stored.body.config.clientId)) return undefined;
        const projected = await withDb(system, async (db) => (await db.query('SELECT version FROM token_issuance.connectors WHERE connector_id = $1', [connectorId])).rows[0] as { version: number } | undefined);
        return projected?.version === stored.body.version ? stored.body.config.clientId : undefined;
      },
      { timeoutMs: 30_000, description: 'the renewed client to reach token-issuance' },
    );

  it('renews an expiring registered client secret through RFC 7592 before it expires; the client id and its connections stay', async () => {
    const renewing = await startSandboxProvider({ clients: [{ client_id: 'unused', client_secret: 'unused-secret-0123456789', redirect_uris: ['http://127.0.0.1/unused'] }], registeredSecretTtlSeconds: 15 });
    try {
      const created = await broker.connectors.createFromUrl({ url: `${renewing.issuer}/api`, slug: 'renewed-client', name: 'Renewed client' });
      expect(created.registration.method).toBe('dynamic');
      const expiresAt = Date.parse(created.registration.clientSecretExpiresAt as string);
      expect(expiresAt).toBeGreaterThan(Date.now());
      const clientId = (created.config as { clientId: string }).clientId;
      await broker.connectors.activate(created.id);
      const session = await openSession(gateway, { connectorId: created.id, endUserId: 'renewed-user' });
      const { callbackUrl } = await authorizeOverHttp(session.authorizationUrl as string);
      expect((await fetch(callbackUrl, { redirect: 'manual' })).status).toBe(200);
      await sessionReaches(gateway, session.sessionId, 'completed');

      // the server issued a new secret for the same client before the old one expired, and replaced the old one
      await waitFor(async () => ((await renewing.stats()).registeredSecretsRotated >= 1 ? true : undefined), { timeoutMs: 30_000, description: 'the secret to be renewed' });
      expect(Date.now()).toBeLessThan(expiresAt);
      expect(await connectorSeenEverywhere(created.id, (id) => id === clientId)).toBe(clientId);
      const row = await withDb(system, async (db) => (await db.query('SELECT client_secret_expires_at FROM connector_config.client_registrations WHERE connector_id = $1', [created.id])).rows[0] as { client_secret_expires_at: Date });
      expect(row.client_secret_expires_at.getTime()).toBeGreaterThan(expiresAt);
      const changes = await gateway.call<{ items: Array<{ actor: string }> }>('GET', `/v1/connectors/${created.id}/changes`);
      expect(changes.body.items.map((change) => change.actor)).toContain('system:client-registration');

      // the connection refreshes with the new secret: the old one is gone at the server
      const first = await accessToken(session.connectionId);
      const refreshed = await gateway.call<{ outcome: string }>('POST', `/v1/connections/${session.connectionId}/report-unauthorized`, { body: { credentialVersion: first.version } });
      expect(refreshed.body.outcome).toBe('refreshed');
    } finally {
      await renewing.stop();
    }
  });

  it('registers a new client when the server cannot renew the expiring one, and the connector connects with it', async () => {
    const unmanaged = await startSandboxProvider({ clients: [{ client_id: 'unused', client_secret: 'unused-secret-0123456789', redirect_uris: ['http://127.0.0.1/unused'] }], registeredSecretTtlSeconds: 12, registrationManagement: false });
    try {
      const created = await broker.connectors.createFromUrl({ url: `${unmanaged.issuer}/api`, slug: 'reregistered-client', name: 'Re-registered client' });
      const firstClientId = (created.config as { clientId: string }).clientId;
      await broker.connectors.activate(created.id);
      const secondClientId = await connectorSeenEverywhere(created.id, (id) => id !== firstClientId);
      const session = await openSession(gateway, { connectorId: created.id, endUserId: 'reregistered-user' });
      expect(new URL(session.authorizationUrl as string).searchParams.get('client_id')).toBe(secondClientId);
      const { callbackUrl } = await authorizeOverHttp(session.authorizationUrl as string);
      expect((await fetch(callbackUrl, { redirect: 'manual' })).status).toBe(200);
      await sessionReaches(gateway, session.sessionId, 'completed');
    } finally {
      await unmanaged.stop();
    }
  });

  it("uses the workspace's Client ID Metadata Document as the client where the server accepts them, and connects with it", async () => {
    const documents = await startSandboxProvider({ clients: [{ client_id: 'unused', client_secret: 'unused-secret-0123456789', redirect_uris: ['http://127.0.0.1/unused'] }], clientIdMetadataDocuments: true });
    try {
      const found = (await discover(documents.issuer)).body as unknown as { registration: { clientIdMetadataDocumentSupported: boolean } };
      expect(found.registration.clientIdMetadataDocumentSupported).toBe(true);
      const created = await broker.connectors.createFromUrl({ url: `${documents.issuer}/api`, slug: 'metadata-document', name: 'Metadata document client' });
      expect(created.registration.method).toBe('client_id_metadata_document');
      const clientId = (created.config as { clientId: string }).clientId;
      expect(clientId).toBe(`${system.urls.gateway}/oauth/client-metadata/${workspaceId}`);
      expect(created.config).not.toHaveProperty('clientSecret.isSet', true);

      const document = await fetch(clientId);
      expect(document.status).toBe(200);
      expect(await document.json()).toMatchObject({ client_id: clientId, redirect_uris: [`${system.urls.gateway}/oauth/callback`], token_endpoint_auth_method: 'none' });
      expect((await fetch(`${system.urls.gateway}/oauth/client-metadata/00000000-0000-4000-8000-000000000000`)).status).toBe(404);

      await broker.connectors.activate(created.id);
      const session = await openSession(gateway, { connectorId: created.id, endUserId: 'document-user' });
      expect(new URL(session.authorizationUrl as string).searchParams.get('client_id')).toBe(clientId);
      const { callbackUrl } = await authorizeOverHttp(session.authorizationUrl as string);
      expect((await fetch(callbackUrl, { redirect: 'manual' })).status).toBe(200);
      await sessionReaches(gateway, session.sessionId, 'completed');
      const { token } = await accessToken(session.connectionId);
      const answer = await fetch(`${documents.issuer}/api/whoami`, { headers: { authorization: `Bearer ${token}` } });
      expect(await answer.json()).toMatchObject({ client_id: clientId, aud: `${documents.issuer}/api` });
    } finally {
      await documents.stop();
    }
  });

  it('takes a pre-registered client first, and asks for one, with the reason, when the server cannot register clients', async () => {
    const given = await broker.connectors.createFromUrl({ url: sandbox.issuer, slug: 'given-client', name: 'Given client', clientId: 'cb-discovered', clientSecret: CLIENT_SECRET });
    expect(given.registration.method).toBe('pre_registered');
    expect(given.config).toMatchObject({ clientId: 'cb-discovered' });

    const issuer = `${metadata.base}/no-registration`;
    metadata.documents.set('/.well-known/oauth-authorization-server/no-registration', { issuer, authorization_endpoint: `${issuer}/authorize`, token_endpoint: `${issuer}/token`, code_challenge_methods_supported: ['S256'] });
    const refused = await gateway.call<ErrorBody>('POST', '/v1/connectors/from-url', { body: { url: issuer, slug: 'no-registration', name: 'No registration' } });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('client_registration_required');
    expect(refused.body.error.message).toContain('register a client');
    expect((await gateway.call('GET', '/v1/connectors')).text).not.toContain('no-registration');
  });

  it('refuses a document naming another issuer, and a server that offers plain PKCE only', async () => {
    const endpoints = { authorization_endpoint: `${metadata.base}/authorize`, token_endpoint: `${metadata.base}/token` };
    metadata.documents.set('/.well-known/openid-configuration/other', { issuer: 'https://login.example.com', ...endpoints, code_challenge_methods_supported: ['S256'] });
    const mismatch = await discover(`${metadata.base}/other`);
    expect(mismatch.status).toBe(422);
    expect(mismatch.body.error).toMatchObject({ code: 'discovery_failed', details: { reason: 'issuer_mismatch' } });
    expect(mismatch.body.error.message).toContain('https://login.example.com');

    metadata.documents.set('/.well-known/oauth-authorization-server/plain', { issuer: `${metadata.base}/plain`, ...endpoints, code_challenge_methods_supported: ['plain'] });
    const plain = await discover(`${metadata.base}/plain`);
    expect(plain.status).toBe(422);
    expect(plain.body.error.details.reason).toBe('pkce_unsupported');
  });

  it('says what is wrong with a URL that leads nowhere or is not one, and stores nothing', async () => {
    const before = await gateway.call<{ items: unknown[] }>('GET', '/v1/connectors');
    const nothing = await discover(`${metadata.base}/nothing-here`);
    expect(nothing.status).toBe(422);
    expect(nothing.body.error.details.reason).toBe('not_found');
    const invalid = await discover('not a url');
    expect(invalid.status).toBe(422);
    expect(invalid.body.error.details.reason).toBe('invalid_url');
    const missing = await gateway.call<ErrorBody>('POST', '/v1/connectors/discover', { body: {} });
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('validation_failed');
    expect((await gateway.call<{ items: unknown[] }>('GET', '/v1/connectors')).body.items).toHaveLength(before.body.items.length);
  });
});
