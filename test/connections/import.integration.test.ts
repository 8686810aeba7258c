/**
 * Importing connections made elsewhere (a migration from another broker): OAuth tokens obtained
 * from the sandbox provider by another client, then refreshed on the broker's schedule; typed
 * credentials; refusals that name the field and never echo the secret; the audit of who imported.
 */
import { createHash, randomBytes } from 'node:crypto';
import { EVENT_CATALOG, TokenIssued } from '@cb/events';
import { collectMessages, MessageCollector, waitFor } from '../harness';
import { acceptedByProvider } from '../refresh/lifecycle-helpers';
import { authorizeOverHttp, buildAuthorizationUrl, requestTokens, SandboxProvider, startSandboxProvider } from '../support/sandbox-provider';
import { RunningSystem, startSystem } from '../support/system';
import { activeConnector, Gateway, newWorkspace, withDb } from '../connect/connect-helpers';

const CLIENT = { client_id: 'cb-import', client_secret: `import-secret-${randomBytes(6).toString('hex')}` };
const API_KEY = `imported-api-key-${randomBytes(8).toString('hex')}`;

interface ConnectionBody {
  connectionId: string;
  mode: string;
  refreshable: boolean;
  credentialVersion: number;
  endUser: { id: string; displayName: string | null };
  metadata: Record<string, unknown>;
  tags: Record<string, string>;
  scopes: string[];
}
interface ErrorBody {
  error: { code: string; message: string; details?: { errors: Array<{ path: string; message: string }> } };
}

describe('importing connections', () => {
  let system: RunningSystem;
  let sandbox: SandboxProvider;
  let collector: MessageCollector;
  let gateway: Gateway;
  let apiKeyId: string;
  let oauthConnector: string;
  let apiKeyConnector: string;

  /** Tokens another client of the provider obtained: the authorization code flow with PKCE, outside the broker. */
  const tokensFromElsewhere = async (): Promise<{ access_token: string; refresh_token: string; expires_in: number; scope: string }> => {
    const verifier = randomBytes(32).toString('base64url');
    const redirectUri = `${system.urls.gateway}/oauth/callback`;
    const url = buildAuthorizationUrl(sandbox, {
      clientId: CLIENT.client_id,
      redirectUri,
      codeChallenge: createHash('sha256').update(verifier).digest('base64url'),
      state: randomBytes(16).toString('hex'),
      scope: 'openid offline_access',
    });
    const { callbackUrl } = await authorizeOverHttp(url, { username: 'migrated-user' });
    const answer = await requestTokens(sandbox.urls.token, CLIENT, { grant_type: 'authorization_code', code: callbackUrl.searchParams.get('code') ?? '', redirect_uri: redirectUri, code_verifier: verifier });
    expect(answer.status).toBe(200);
    return answer.body as { access_token: string; refresh_token: string; expires_in: number; scope: string };
  };

  const importConnection = (body: unknown, key?: string) => gateway.call<ConnectionBody & ErrorBody>('POST', '/v1/connections/import', { body, ...(key ? { key } : {}) });

  beforeAll(async () => {
    system = await startSystem({ serviceEnv: { 'token-refresh': { REFRESH_POLL_INTERVAL_MS: '250' } } });
    sandbox = await startSandboxProvider({ accessTokenTtlSeconds: 4, clients: [{ ...CLIENT, redirect_uris: [`${system.urls.gateway}/oauth/callback`] }] });
    collector = await collectMessages({ brokers: system.kafkaBrokers, topics: EVENT_CATALOG.map((d) => system.topic(d.topic)), fromBeginning: true });
    const workspace = await newWorkspace(system, 'importer');
    gateway = workspace.gateway;
    apiKeyId = workspace.apiKeyId;
    oauthConnector = await activeConnector(gateway, 'sandbox-import', {
      mode: 'OAUTH2',
      authorizationUrl: sandbox.urls.authorization,
      tokenUrl: sandbox.urls.token,
      clientId: CLIENT.client_id,
      clientSecret: CLIENT.client_secret,
      scopes: ['openid', 'offline_access'],
    });
    apiKeyConnector = await activeConnector(gateway, 'api-key-import', { mode: 'API_KEY', headerName: 'X-Api-Key' });
  });

  afterAll(async () => {
    await collector?.stop();
    await sandbox?.stop();
    await system?.stop();
  });

  it('imports OAuth tokens obtained elsewhere, announces them with reason import, and refreshes them on schedule', async () => {
    const tokens = await tokensFromElsewhere();
    const imported = await importConnection({
      connectorId: oauthConnector,
      endUser: { id: 'migrated-user', displayName: 'Migrated User' },
      metadata: { migratedFrom: 'old-broker' },
      tags: { source: 'migration' },
      credential: { accessToken: tokens.access_token, refreshToken: tokens.refresh_token, expiresIn: tokens.expires_in, scopes: tokens.scope.split(' ') },
    });
    expect(imported.status).toBe(201);
    expect(imported.body).toMatchObject({
      mode: 'OAUTH2',
      refreshable: true,
      credentialVersion: 1,
      endUser: { id: 'migrated-user', displayName: 'Migrated User' },
      metadata: { migratedFrom: 'old-broker' },
      tags: { source: 'migration' },
    });
    expect(imported.body.scopes.sort()).toEqual(['offline_access', 'openid']);
    expect(imported.text).not.toContain(tokens.access_token);
    expect(imported.text).not.toContain(tokens.refresh_token);
    const { connectionId } = imported.body;

    const announced = await waitFor(
      () => collector.messages.filter((m) => m.topic === system.topic(TokenIssued.topic)).find((m) => m.value.includes(connectionId)),
      { timeoutMs: 20_000, description: `TokenIssued for ${connectionId}` },
    );
    expect(JSON.parse(announced.value)).toMatchObject({ connectionId, reason: 'import', credentialVersion: 1 });
    expect(announced.value).not.toContain(tokens.access_token);

    // token-refresh schedules it from TokenIssued like a connect: a 4-second token is renewed without anyone reading it.
    await waitFor(
      async () => ((await gateway.call<ConnectionBody>('GET', `/v1/connections/${connectionId}`)).body.credentialVersion >= 2 ? true : undefined),
      { timeoutMs: 30_000, intervalMs: 250, description: `a scheduled refresh of ${connectionId}` },
    );
    const read = await gateway.call<{ credential: { accessToken: string; refreshToken?: string } }>('POST', `/v1/connections/${connectionId}/credential`, { body: {} });
    expect(read.status).toBe(200);
    expect(read.body.credential.accessToken).not.toBe(tokens.access_token);
    expect(await acceptedByProvider(sandbox.urls.userinfo, read.body.credential.accessToken)).toBe(true);

    const audit = await withDb(system, async (db) => (await db.query('SELECT connection_id, api_key_id, mode, imported_at FROM token_issuance.connection_imports WHERE connection_id = $1', [connectionId])).rows);
    expect(audit).toEqual([{ connection_id: connectionId, api_key_id: apiKeyId, mode: 'OAUTH2', imported_at: expect.any(Date) }]);
    const logs = system.logs();
    expect(logs).toContain('connection imported');
    expect(logs).not.toContain(tokens.access_token);
    expect(logs).not.toContain(tokens.refresh_token);
  });

  it('imports a typed credential, keeping the id it had, and never replaces an existing connection', async () => {
    const connectionId = '5b0c3f59-8a51-4b7a-9a0e-0f6a7c3e2d11';
    const imported = await importConnection({ connectorId: apiKeyConnector, connectionId, endUser: { id: 'typed-user' }, credential: { apiKey: API_KEY } });
    expect(imported.status).toBe(201);
    expect(imported.body).toMatchObject({ connectionId, mode: 'API_KEY', refreshable: false });
    const read = await gateway.call<{ credential: { apiKey: string } }>('POST', `/v1/connections/${connectionId}/credential`, { body: {} });
    expect(read.body.credential.apiKey).toBe(API_KEY);

    const again = await importConnection({ connectorId: apiKeyConnector, connectionId, endUser: { id: 'typed-user' }, credential: { apiKey: `${API_KEY}-other` } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('connection_exists');
    expect((await gateway.call<{ credential: { apiKey: string } }>('POST', `/v1/connections/${connectionId}/credential`, { body: {} })).body.credential.apiKey).toBe(API_KEY);
  });

  /** Sends an NDJSON body as a stream, in chunks cut across lines, and reads the report's lines. */
  const bulkImport = async (chunks: string[], key = gateway.apiKey): Promise<{ status: number; contentType: string | null; lines: Array<Record<string, any>>; text: string }> => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
        controller.close();
      },
    });
    const response = await fetch(`${system.urls.gateway}/v1/connections/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-ndjson' },
      body,
      duplex: 'half',
      signal: AbortSignal.timeout(60_000),
    });
    const text = await response.text();
    const lines = response.headers.get('content-type')?.startsWith('application/x-ndjson') ? text.trim().split('\n').map((line) => JSON.parse(line) as Record<string, any>) : [];
    return { status: response.status, contentType: response.headers.get('content-type'), lines, text };
  };

  it('imports NDJSON in bulk: a report line per input line, bad lines reported and the others imported', async () => {
    const secret = `bulk-secret-${randomBytes(6).toString('hex')}`;
    const takenId = '9d7e1c2a-3b4f-4c5d-8e6f-7a8b9c0d1e2f';
    const line = (endUser: string, extra: Record<string, unknown> = {}) => JSON.stringify({ connectorId: apiKeyConnector, endUser: { id: endUser }, tags: { batch: 'one' }, credential: { apiKey: `${secret}-${endUser}` }, ...extra });
    const body = [
      line('bulk-1', { connectionId: takenId }),
      '',
      'not json',
      line('bulk-2'),
      JSON.stringify({ connectorId: apiKeyConnector, endUser: { id: 'bulk-3' }, credential: { token: secret } }),
      JSON.stringify({ padding: 'x'.repeat(70 * 1024) }),
      line('bulk-4', { connectionId: takenId }),
      '[1, 2]',
      line('bulk-5'),
    ].join('\n');
    const cut = [body.slice(0, 37), body.slice(37, 5000), body.slice(5000)];
    const report = await bulkImport(cut);
    expect(report.status).toBe(200);
    expect(report.contentType).toMatch(/^application\/x-ndjson/);
    expect(report.text).not.toContain(secret);
    const byLine = new Map(report.lines.filter((l) => 'line' in l).map((l) => [l.line as number, l]));
    expect([...byLine.keys()]).toEqual([1, 3, 4, 5, 6, 7, 8, 9]);
    expect(byLine.get(1)).toEqual({ line: 1, connectionId: takenId });
    expect(byLine.get(3)?.error.code).toBe('invalid_json');
    expect(byLine.get(4)?.connectionId).toEqual(expect.any(String));
    expect(byLine.get(5)?.error).toMatchObject({ code: 'validation_failed', details: { errors: expect.arrayContaining([expect.objectContaining({ path: 'credential.token' })]) } });
    expect(byLine.get(6)?.error.code).toBe('line_too_long');
    expect(byLine.get(7)?.error.code).toBe('connection_exists');
    expect(byLine.get(8)?.error.code).toBe('invalid_json');
    expect(byLine.get(9)?.connectionId).toEqual(expect.any(String));
    expect(report.lines.at(-1)).toEqual({ summary: { imported: 3, failed: 5, complete: true } });

    const listed = await gateway.call<{ items: Array<{ connectionId: string; endUserId: string }> }>('GET', '/v1/connections?tag=batch:one');
    expect(listed.body.items.map((item) => item.endUserId)).toEqual(['bulk-1', 'bulk-2', 'bulk-5']);
    const read = await gateway.call<{ credential: { apiKey: string } }>('POST', `/v1/connections/${takenId}/credential`, { body: {} });
    expect(read.body.credential.apiKey).toBe(`${secret}-bulk-1`);
    expect(system.logs()).not.toContain(secret);
  });

  it('stops a bulk import past its line limit with complete: false, and takes only admin keys', async () => {
    const report = await bulkImport([Array.from({ length: 10_001 }, () => '{}').join('\n')]);
    expect(report.status).toBe(200);
    expect(report.lines.filter((l) => 'line' in l)).toHaveLength(10_000);
    expect(report.lines.at(-1)).toMatchObject({ summary: { imported: 0, failed: 10_000, complete: false, reason: 'too_many_lines' } });

    const connectKey = await gateway.call<{ apiKey: string }>('POST', '/v1/api-keys', { body: { name: 'connect only', scopes: ['connect'] } });
    const refused = await bulkImport(['{}\n'], connectKey.body.apiKey);
    expect(refused.status).toBe(403);
  });

  it('refuses a credential that does not fit the connector, naming the field and never echoing the secret', async () => {
    const secret = `secret-${randomBytes(6).toString('hex')}`;
    const wrongShape = await importConnection({ connectorId: apiKeyConnector, endUser: { id: 'u' }, credential: { token: secret } });
    expect(wrongShape.status).toBe(400);
    expect(wrongShape.body.error.details?.errors.map((e) => e.path)).toContain('credential.token');
    expect(wrongShape.text).not.toContain(secret);

    const noAccessToken = await importConnection({ connectorId: oauthConnector, endUser: { id: 'u' }, credential: { refreshToken: secret, expiresIn: -5 } });
    expect(noAccessToken.status).toBe(400);
    expect(noAccessToken.body.error.details?.errors.map((e) => e.path)).toEqual(['credential.accessToken', 'credential.expiresIn']);
    expect(noAccessToken.text).not.toContain(secret);

    const noEndUser = await importConnection({ connectorId: apiKeyConnector, credential: { apiKey: secret } });
    expect(noEndUser.status).toBe(400);
    expect(noEndUser.text).not.toContain(secret);

    const unknownConnector = await importConnection({ connectorId: '00000000-0000-4000-8000-000000000000', endUser: { id: 'u' }, credential: { apiKey: secret } });
    expect(unknownConnector.status).toBe(404);
  });
});
