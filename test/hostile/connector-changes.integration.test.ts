/**
 * A workspace admin who may edit a connector but does not know its client secret tries to take the
 * secret, or an end user's refresh token, out: by pointing the connector's endpoints at a server of
 * their own. Moving an endpoint to another origin (or changing the client authentication) needs the
 * secret again; a refresh token is only ever sent to the origin it was obtained from; and every
 * change is in the connector's audit trail, without secret values.
 */
import { randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { authorizeOverHttp, SandboxProvider, startSandboxProvider } from '../support/sandbox-provider';
import { RunningSystem, startSystem } from '../support/system';
import { waitFor } from '../harness';
import { activeConnector, newWorkspace, oauthConnect, sessionReaches, withDb, Workspace } from './hostile-support';

const SECRET = `stored-client-secret-${randomBytes(6).toString('hex')}`;
const ADMINS_OWN_SECRET = `admins-own-secret-${randomBytes(6).toString('hex')}`;

interface ChangeView {
  version: number;
  action: string;
  actor: string;
  changedAt: string;
  changes: Array<{ path: string; before?: unknown; after?: unknown; secret?: true }>;
}

/** The admin's own server: answers every request like a token endpoint would, and remembers it. */
async function startTrap(): Promise<{ origin: string; requests: Array<{ path: string; body: string; authorization: string }>; close(): Promise<void> }> {
  const requests: Array<{ path: string; body: string; authorization: string }> = [];
  const server: Server = createServer((request: IncomingMessage, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      requests.push({ path: request.url ?? '', body, authorization: request.headers.authorization ?? '' });
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: 'trap', token_type: 'Bearer', expires_in: 3600 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('connector changes cannot take secrets out', () => {
  let system: RunningSystem;
  let sandbox: SandboxProvider;
  let trap: Awaited<ReturnType<typeof startTrap>>;
  let workspace: Workspace;
  let connectorId: string;
  let config: Record<string, unknown>;

  const patch = (changes: Record<string, unknown>) => workspace.call<{ error?: { code: string; details?: { errors: Array<{ path: string; message: string }> } } }>('PATCH', `/v1/connectors/${connectorId}`, { body: { config: { ...config, ...changes } } });
  const changesOf = async (): Promise<ChangeView[]> => {
    const answer = await workspace.call<{ items: ChangeView[] }>('GET', `/v1/connectors/${connectorId}/changes`);
    expect(answer.status).toBe(200);
    expect(answer.text).not.toContain(SECRET);
    expect(answer.text).not.toContain(ADMINS_OWN_SECRET);
    return answer.body.items;
  };

  beforeAll(async () => {
    system = await startSystem();
    trap = await startTrap();
    sandbox = await startSandboxProvider({ clients: [{ client_id: 'guarded-client', client_secret: SECRET, redirect_uris: [`${system.urls.gateway}/oauth/callback`] }] });
    workspace = await newWorkspace(system, 'Guarded Co');
    config = {
      mode: 'OAUTH2',
      authorizationUrl: sandbox.urls.authorization,
      tokenUrl: sandbox.urls.token,
      revocationUrl: sandbox.urls.revocation,
      clientId: 'guarded-client',
      scopes: ['openid', 'offline_access'],
      authorizationParams: { prompt: 'consent' },
    };
    connectorId = await activeConnector(workspace, 'guarded', { ...config, clientSecret: SECRET });
  });

  afterAll(async () => {
    await sandbox?.stop();
    await trap?.close();
    await system?.stop();
  });

  it('refuses to move any endpoint to another origin, or to change the client authentication, unless the client secret is entered again', async () => {
    const elsewhere = `${trap.origin}/oauth2`;
    for (const [name, change] of Object.entries({
      tokenUrl: { tokenUrl: `${elsewhere}/token` },
      revocationUrl: { revocationUrl: `${elsewhere}/revoke` },
      introspectionUrl: { introspectionUrl: `${elsewhere}/introspect` },
      authorizationUrl: { authorizationUrl: `${elsewhere}/authorize` },
      clientAuthMethod: { clientAuthMethod: 'client_secret_post' },
    })) {
      const refused = await patch(change);
      expect({ name, status: refused.status, code: refused.body.error?.code }).toEqual({ name, status: 422, code: 'client_secret_required' });
      expect(refused.body.error?.details?.errors).toEqual([{ path: 'config.clientSecret', message: expect.stringContaining(`config.${name}`) as unknown }]);
    }
    const stored = await workspace.call<{ config: Record<string, unknown> }>('GET', `/v1/connectors/${connectorId}`);
    expect(stored.body.config).toMatchObject({ tokenUrl: sandbox.urls.token, revocationUrl: sandbox.urls.revocation, clientAuthMethod: 'client_secret_basic' });
    expect(stored.body.config.introspectionUrl).toBeUndefined();

    // the same origin, or anything that is not an endpoint, needs no secret
    expect((await patch({ scopes: ['openid', 'offline_access', 'profile'] })).status).toBe(200);
    config = { ...config, scopes: ['openid', 'offline_access', 'profile'] };
    expect(trap.requests).toEqual([]);
  });

  it('never sends a refresh token to an origin other than the one it came from, even after an admin who knows a secret moves the token endpoint', async () => {
    const connected = await oauthConnect(workspace, { connectorId, endUserId: 'victim' }, (url) => authorizeOverHttp(url));
    const { connectionId } = await sessionReaches(workspace, connected.sessionId, 'completed');

    const moved = await workspace.call<{ version: number }>('PATCH', `/v1/connectors/${connectorId}`, {
      body: { config: { ...config, tokenUrl: `${trap.origin}/token`, revocationUrl: `${trap.origin}/revoke`, clientSecret: ADMINS_OWN_SECRET } },
    });
    expect(moved.status).toBe(200);
    await waitFor(
      () => withDb(system.databaseUrl, async (db) => (await db.query<{ version: number }>('SELECT version FROM token_issuance.connectors WHERE connector_id = $1', [connectorId])).rows[0]?.version === moved.body.version || undefined),
      { description: 'token-issuance to hold the moved connector' },
    );

    const report = await workspace.call<{ outcome: string; status: string }>('POST', `/v1/connections/${connectionId}/report-unauthorized`, { body: {} });
    expect(report.body).toMatchObject({ outcome: 'needs_reconnect', status: 'needs_reconnect' });
    const deleted = await workspace.call<{ revocation: string; revocationError: string | null }>('DELETE', `/v1/connections/${connectionId}`);
    expect(deleted.body).toMatchObject({ revocation: 'failed', revocationError: 'revocation_endpoint_moved' });
    expect(trap.requests).toEqual([]);
  });

  it('records every change in an audit trail readable through the API: who, when, what changed, never a secret value', async () => {
    const items = await changesOf();
    expect(items.map((item) => item.action)).toEqual(['updated', 'updated', 'activated', 'created']);
    const actor = `api_key:${workspace.apiKeyId}`;
    for (const item of items) {
      expect(item.actor).toBe(actor);
      expect(Date.parse(item.changedAt)).not.toBeNaN();
    }
    const [moved, rescoped, , created] = items as [ChangeView, ChangeView, ChangeView, ChangeView];
    expect(moved.changes).toEqual([
      { path: 'config.revocationUrl', before: sandbox.urls.revocation, after: `${trap.origin}/revoke` },
      { path: 'config.tokenUrl', before: sandbox.urls.token, after: `${trap.origin}/token` },
      { path: 'config.clientSecret', secret: true },
    ]);
    expect(rescoped.changes).toEqual([{ path: 'config.scopes', before: ['openid', 'offline_access'], after: ['openid', 'offline_access', 'profile'] }]);
    expect(created.changes).toEqual(expect.arrayContaining([{ path: 'slug', after: 'guarded' }, { path: 'config.clientSecret', secret: true }]));
    expect(moved.version).toBeGreaterThan(rescoped.version);

    const stranger = await newWorkspace(system, 'Stranger Co');
    expect((await stranger.call('GET', `/v1/connectors/${connectorId}/changes`)).status).toBe(404);
  });
});
